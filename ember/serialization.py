"""ember.save / ember.load: checkpoints in a small, safe file format (loading never runs code).

A file is a magic line, a fixed-size preamble, a JSON header that describes the saved object
tree, the raw little-endian bytes of every array, and an end marker::

    b"\\x89EMB\\r\\n\\x1a\\n"  magic (binary, so text-mode mangling is caught)
    <u4 format version> <u8 header length> <u4 CRC-32 of the header>
    header: UTF-8 JSON {"root": node, "blobs": [{dtype, shape, offset, nbytes, crc32}, ...],
                        "data_bytes": n}
    data:   the blobs, each at a 64-byte aligned offset from the start of the data section
    b"EMBEREND"

Nodes are JSON scalars, JSON lists (Python lists) or tagged objects ``{"$": tag, ...}`` for
tuples, dicts (keys are nodes too, so int keys survive), tensors, arrays, dtypes, devices and so
on. Only these types are written or read: there is no pickle anywhere, so a checkpoint from an
untrusted source cannot execute code. Saving to a path is atomic: the data goes to a temporary
file in the same directory, which is flushed, fsynced and then renamed over the target.
"""

import base64
import io
import json
import math
import os
import secrets
import struct
import zlib
from collections import Counter, OrderedDict, defaultdict

import numpy as np

from . import backend, dtypes
from .tensor import Size, Tensor

__all__ = ["save", "load", "CheckpointError"]

MAGIC = b"\x89EMB\r\n\x1a\n"
END = b"EMBEREND"
VERSION = 1
_PREAMBLE = struct.Struct("<IQI")  # version, header length, header CRC-32
_ALIGN = 64
_MAX_HEADER = 1 << 30
_DTYPE_KINDS = "biufc"


class CheckpointError(RuntimeError):
    """A file that ember.load cannot read: foreign, truncated, corrupted or too new."""


# ---------------------------------------------------------------------------------- saving
class _Encoder:
    """Turns an object tree into JSON nodes plus a list of arrays to store."""

    def __init__(self):
        self.blobs = []  # contiguous little-endian numpy arrays
        self.blob_index = {}  # id(array) -> blob number
        self.active = set()  # ids of containers on the current path (cycle detection)

    def encode(self, obj, path):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        kind = type(obj)
        if kind is int or kind is float:
            return obj
        if isinstance(obj, Tensor):
            return self._tensor(obj)
        if isinstance(obj, np.ndarray):
            return {"$": "ndarray", "blob": self._blob(obj, path)}
        if isinstance(obj, np.generic) and obj.dtype.kind in _DTYPE_KINDS:
            return {"$": "npscalar", "dtype": _dtype_str(obj.dtype), "value": _scalar(obj.item())}
        if kind is complex:
            return {"$": "complex", "real": obj.real, "imag": obj.imag}
        if kind is bytes:
            return {"$": "bytes", "b64": base64.b64encode(obj).decode("ascii")}
        if isinstance(obj, dtypes.dtype):
            return {"$": "dtype", "name": obj.name}
        if isinstance(obj, backend.device):
            return {"$": "device", "type": obj.type, "index": obj.index}
        if kind is Size:
            return {"$": "size", "items": list(obj)}
        if kind in (list, tuple, set, frozenset, dict, OrderedDict, Counter, defaultdict):
            return self._container(obj, kind, path)
        hint = ""
        if hasattr(obj, "state_dict"):
            hint = f" Save its state_dict() instead of the {kind.__name__} itself."
        raise TypeError(
            f"ember.save cannot store an object of type {kind.__qualname__} (at {path}): only "
            "tensors, NumPy arrays and scalars, numbers, strings, bytes, None, dtypes, devices, "
            "ember.Size and lists/tuples/sets/dicts of these can be saved, so that loading never "
            f"runs code.{hint}"
        )

    def _container(self, obj, kind, path):
        key = id(obj)
        if key in self.active:
            raise ValueError(f"ember.save cannot store a self-referencing structure (at {path})")
        self.active.add(key)
        try:
            if kind is list:
                return [self.encode(v, f"{path}[{i}]") for i, v in enumerate(obj)]
            if kind in (tuple, set, frozenset):
                tag = {tuple: "tuple", set: "set", frozenset: "frozenset"}[kind]
                items = obj if kind is tuple else _stable(obj)
                return {"$": tag, "items": [self.encode(v, f"{path}[{i}]")
                                            for i, v in enumerate(items)]}
            # defaultdict keeps its items; its factory (code) is not stored
            tag = {OrderedDict: "odict", Counter: "counter"}.get(kind, "dict")
            return {"$": tag, "items": [[self.encode(k, f"{path} key {k!r}"),
                                         self.encode(v, f"{path}[{k!r}]")]
                                        for k, v in obj.items()]}
        finally:
            self.active.discard(key)

    def _tensor(self, t):
        node = {"$": "tensor", "blob": self._blob(t._data, None),
                "device": str(t.device), "requires_grad": bool(t.requires_grad)}
        if _is_parameter(t):
            node["$"] = "parameter"
        return node

    def _blob(self, array, path):
        if array.dtype.kind not in _DTYPE_KINDS:
            raise TypeError(f"ember.save cannot store arrays of dtype {array.dtype} (at {path})")
        # Tensors that wrap the very same array (a parameter and its .detach(), a tied
        # weight) are stored once and share memory again after loading.
        key = id(array)
        found = self.blob_index.get(key)
        if found is not None:
            return found
        host = array if isinstance(array, np.ndarray) else array.get()
        if host.dtype.byteorder == ">":
            host = host.astype(host.dtype.newbyteorder("<"))
        if not host.flags.c_contiguous:
            host = host.copy(order="C")  # (np.ascontiguousarray would make 0-d arrays 1-d)
        self.blob_index[key] = len(self.blobs)
        # Keep the source alive with its blob so its id is not reused by another array.
        self.blobs.append((host, array))
        return len(self.blobs) - 1


def _stable(items):
    """Set elements in a reproducible order when they are sortable."""
    try:
        return sorted(items)
    except TypeError:
        return list(items)


def _scalar(value):
    return {"$": "complex", "real": value.real, "imag": value.imag} \
        if isinstance(value, complex) else value


def _dtype_str(dt):
    return dt.newbyteorder("<").str if dt.byteorder == ">" else dt.str


def _is_parameter(t):
    if type(t) is Tensor:
        return False
    try:
        from .nn.parameter import Parameter
    except ImportError:
        return False
    return isinstance(t, Parameter)


def _layout(encoder):
    """The header dict and blob metadata (offsets relative to the data section)."""
    blobs, offset = [], 0
    for host, _ in encoder.blobs:
        offset = _aligned(offset)
        raw = _bytes_view(host)
        blobs.append({"dtype": _dtype_str(host.dtype), "shape": list(host.shape),
                      "offset": offset, "nbytes": host.nbytes, "crc32": zlib.crc32(raw)})
        offset += host.nbytes
    return blobs, offset


def _aligned(n):
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def _bytes_view(array):
    return memoryview(array.reshape(-1).view(np.uint8))


def _write(obj, f):
    encoder = _Encoder()
    root = encoder.encode(obj, "obj")
    blobs, data_bytes = _layout(encoder)
    header = json.dumps({"format": "ember.save", "root": root, "blobs": blobs,
                         "data_bytes": data_bytes}, separators=(",", ":")).encode("utf-8")
    head = MAGIC + _PREAMBLE.pack(VERSION, len(header), zlib.crc32(header)) + header
    f.write(head)
    _write_blobs(f, encoder.blobs, blobs)
    f.write(END)


def _write_blobs(f, arrays, metas):
    """Write every array's bytes at its offset of the data section."""
    pos = 0
    for (host, _), meta in zip(arrays, metas):
        if meta["offset"] > pos:
            f.write(b"\0" * (meta["offset"] - pos))
        f.write(_bytes_view(host))
        pos = meta["offset"] + meta["nbytes"]


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save `obj` (tensors, state_dicts, nested containers...) to a path or binary file.

    Writing to a path is atomic: either the old file stays untouched or the new one is
    complete. The ``pickle_*`` arguments exist for PyTorch compatibility and are ignored.
    """
    if hasattr(f, "write"):
        if isinstance(f, io.TextIOBase):
            raise TypeError("ember.save needs a binary file object (open it with 'wb'), got a "
                            "text-mode file")
        _write(obj, f)
        return
    path = os.fspath(f)
    target = os.path.realpath(path)
    if os.path.isdir(target):
        raise IsADirectoryError(f"ember.save: cannot write to {path!r}: it is a directory")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"ember.save: cannot write {path!r}: directory {folder!r} does not exist")
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never reuse someone else's file; mode 0o666 lets the umask decide, as open() does.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            _write(obj, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def _fsync_dir(folder):
    """Make the rename durable (POSIX); harmless where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------- loading
class _Reader:
    """Reads exactly n bytes (or fewer at end of file) from a binary file object."""

    def __init__(self, f, name):
        self.f = f
        self.name = name

    def read(self, n):
        chunks, left = [], n
        while left > 0:
            chunk = self.f.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def readinto(self, array):
        view = _bytes_view(array)
        got = 0
        readinto = getattr(self.f, "readinto", None)
        while got < len(view):
            if readinto is not None:
                n = readinto(view[got:])
            else:
                chunk = self.f.read(len(view) - got)
                n = len(chunk)
                view[got:got + n] = chunk
            if not n:
                break
            got += n
        return got

    def remaining(self):
        """Bytes left in the file, or None when the stream cannot tell."""
        try:
            if not self.f.seekable():
                return None
            here = self.f.tell()
            end = self.f.seek(0, os.SEEK_END)
            self.f.seek(here)
            return end - here
        except (AttributeError, OSError, ValueError):
            return None


def _fail(name, message):
    return CheckpointError(f"ember.load: {name}: {message}")


def _sniff(head):
    """Describe what a non-ember file looks like, for the error message."""
    if head.startswith(b"PK\x03\x04"):
        return ("is a ZIP archive (probably a PyTorch .pt checkpoint), not an ember checkpoint; "
                "ember.load only reads files written by ember.save")
    if head[:1] == b"\x80" and head[1:2] and head[1] <= 5:
        return ("is a Python pickle, not an ember checkpoint; ember.load never unpickles "
                "because loading a pickle can run arbitrary code")
    if head.startswith(b"\x93NUMPY"):
        return "is a NumPy .npy file, not an ember checkpoint (use numpy.load)"
    return f"is not an ember checkpoint (it starts with {head!r}, expected {MAGIC!r})"


def _read_header(reader):
    name = reader.name
    magic = reader.read(len(MAGIC))
    if magic != MAGIC:
        if not magic:
            raise _fail(name, "the file is empty (expected an ember checkpoint)")
        if MAGIC.startswith(magic):
            raise _fail(name, "the file is truncated (it ends inside the header)")
        raise _fail(name, _sniff(magic))
    pre = reader.read(_PREAMBLE.size)
    if len(pre) < _PREAMBLE.size:
        raise _fail(name, "the file is truncated (it ends inside the header)")
    version, length, crc = _PREAMBLE.unpack(pre)
    if version > VERSION:
        raise _fail(name, f"was written by a newer ember (checkpoint format version {version}; "
                          f"this ember reads versions up to {VERSION})")
    if version < 1 or length > _MAX_HEADER:
        raise _fail(name, "the checkpoint header is corrupted")
    raw = reader.read(length)
    if len(raw) < length:
        raise _fail(name, "the file is truncated (it ends inside the header)")
    if zlib.crc32(raw) != crc:
        raise _fail(name, "the checkpoint header is corrupted (checksum mismatch)")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _fail(name, "the checkpoint header is corrupted (not valid JSON)") from None
    if not isinstance(header, dict) or "root" not in header or "blobs" not in header:
        raise _fail(name, "the checkpoint header is corrupted (missing entries)")
    return header


def _check_blob(name, i, meta):
    try:
        dt = np.dtype(meta["dtype"])
        shape = tuple(meta["shape"])
        ok = (dt.kind in _DTYPE_KINDS and dt.byteorder in "<|="
              and all(type(s) is int and s >= 0 for s in shape)
              and type(meta["offset"]) is int and type(meta["crc32"]) is int
              and meta["nbytes"] == math.prod(shape) * dt.itemsize)
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise _fail(name, f"the checkpoint header is corrupted (bad description of array {i})")
    return dt, shape


def _read_arrays(reader, header):
    name = reader.name
    metas = header["blobs"]
    if not isinstance(metas, list):
        raise _fail(name, "the checkpoint header is corrupted (bad array table)")
    specs = [_check_blob(name, i, m) for i, m in enumerate(metas)]
    total = header.get("data_bytes")
    if type(total) is not int or total < 0:
        raise _fail(name, "the checkpoint header is corrupted (bad data size)")
    left = reader.remaining()
    if left is not None and left < total + len(END):
        raise _fail(name, f"the file is truncated (the header promises {total + len(END)} more "
                          f"bytes, only {left} are left)")
    arrays, pos = [], 0
    for i, (meta, (dt, shape)) in enumerate(zip(metas, specs)):
        if meta["offset"] < pos or meta["offset"] + meta["nbytes"] > total:
            raise _fail(name, f"the checkpoint header is corrupted (array {i} is out of place)")
        skip = meta["offset"] - pos
        if skip and len(reader.read(skip)) < skip:
            raise _fail(name, "the file is truncated (it ends inside the tensor data)")
        array = np.empty(shape, dt)
        if reader.readinto(array) < array.nbytes:
            raise _fail(name, "the file is truncated (it ends inside the tensor data)")
        if zlib.crc32(_bytes_view(array)) != meta["crc32"]:
            raise _fail(name, f"the tensor data is corrupted (checksum mismatch in array {i})")
        arrays.append(array)
        pos = meta["offset"] + meta["nbytes"]
    if pos < total and len(reader.read(total - pos)) < total - pos:
        raise _fail(name, "the file is truncated (it ends inside the tensor data)")
    end = reader.read(len(END))
    if end != END:
        if len(end) < len(END):
            raise _fail(name, "the file is truncated (the end marker is missing)")
        raise _fail(name, "the file is corrupted (bad end marker)")
    return arrays


class _Decoder:
    """Rebuilds the object tree from JSON nodes and the loaded arrays."""

    def __init__(self, name, arrays, map_location):
        self.name = name
        self.arrays = arrays
        self.map_location = map_location
        self.placed = {}  # (blob, device string) -> array on that device (sharing survives)

    def bad(self, what):
        return _fail(self.name, f"the checkpoint header is corrupted ({what})")

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            raise self.bad(f"unexpected {type(node).__name__} node")
        tag = node.get("$")
        handler = self._HANDLERS.get(tag)
        if handler is None:
            raise self.bad(f"unknown entry type {tag!r}")
        try:
            return handler(self, node)
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise self.bad(f"bad {tag!r} entry: {e}") from None

    def _items(self, node):
        items = node["items"]
        if not isinstance(items, list):
            raise TypeError("items must be a list")
        return [self.decode(v) for v in items]

    def _pairs(self, node):
        return [(self.decode(k), self.decode(v)) for k, v in node["items"]]

    def _array(self, node):
        index = node["blob"]
        if type(index) is not int or not 0 <= index < len(self.arrays):
            raise IndexError(f"no array {index}")
        return index, self.arrays[index]

    def _tensor(self, node):
        index, array = self._array(node)
        location = node["device"]
        if not isinstance(location, str):
            raise TypeError("device must be a string")
        t = self._place(index, array, location)
        requires_grad = bool(node.get("requires_grad", False))
        if node["$"] == "parameter":
            try:
                from .nn.parameter import Parameter
            except ImportError:
                Parameter = None
            if Parameter is not None:
                return Parameter(t, requires_grad=requires_grad)
        if requires_grad and t._data.dtype.kind in "fc":
            t._requires_grad = True
        return t

    def _place(self, index, array, location):
        """A tensor of blob `index` on the device map_location picks for `location`."""
        ml = self.map_location
        if callable(ml) and not isinstance(ml, (str, backend.device)):
            out = ml(Tensor._make(array), location)
            if out is not None:
                if not isinstance(out, Tensor):
                    raise TypeError(
                        f"map_location callable must return a Tensor or None, got "
                        f"{type(out).__name__}")
                return out
            target = location
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        elif ml is not None:
            target = ml
        else:
            target = location
        key = (index, str(target))
        placed = self.placed.get(key)
        if placed is None:
            placed = self._move(array, target)
            self.placed[key] = placed
        return Tensor._make(placed)

    def _move(self, array, target):
        try:
            dev = backend.device(target)
        except (RuntimeError, ValueError, TypeError) as e:
            raise _fail(self.name, f"cannot map tensors to {target!r}: {e}") from None
        if dev.type == "cpu":
            return array
        if backend.cupy() is None:
            raise RuntimeError(
                f"ember.load: {self.name}: attempting to deserialize a tensor on the CUDA "
                "device but no GPU is available. If you are running on a CPU-only machine, "
                "please use ember.load with map_location='cpu' to map your tensors to the CPU."
            )
        return backend.to_device(array, backend.normalize_device(dev))

    def _dtype(self, node):
        name = node["name"]
        if name not in dtypes._BY_NAME:
            raise ValueError(f"unknown dtype {name!r}")
        return dtypes._BY_NAME[name]

    def _npscalar(self, node):
        dt = np.dtype(node["dtype"])
        if dt.kind not in _DTYPE_KINDS:
            raise ValueError(f"bad scalar dtype {dt}")
        value = self.decode(node["value"])
        return dt.type(value)

    _HANDLERS = {
        "tuple": lambda self, n: tuple(self._items(n)),
        "set": lambda self, n: set(self._items(n)),
        "frozenset": lambda self, n: frozenset(self._items(n)),
        "dict": lambda self, n: dict(self._pairs(n)),
        "odict": lambda self, n: OrderedDict(self._pairs(n)),
        "counter": lambda self, n: Counter(dict(self._pairs(n))),
        "size": lambda self, n: Size(int(v) for v in n["items"]),
        "complex": lambda self, n: complex(float(n["real"]), float(n["imag"])),
        "bytes": lambda self, n: base64.b64decode(n["b64"].encode("ascii"), validate=True),
        "dtype": _dtype,
        "device": lambda self, n: _device(n),
        "npscalar": _npscalar,
        "ndarray": lambda self, n: self._array(n)[1],
        "tensor": _tensor,
        "parameter": _tensor,
    }


def _device(node):
    try:
        return backend.device(node["type"], node["index"])
    except RuntimeError as e:
        raise ValueError(str(e)) from None


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load an object saved with ``ember.save`` from a path or binary file object.

    Args:
        f: a path or a binary file object (read from its current position).
        map_location: where tensors go: None (where they were saved), 'cpu', a device, a dict
            mapping saved locations ('cuda:0') to new ones, or a callable
            ``fn(cpu_tensor, saved_location)`` returning a tensor (or None for the default).
        weights_only, pickle_module, mmap: accepted for PyTorch compatibility; loading is
            always safe, as if weights_only=True.
    """
    if hasattr(f, "read"):
        if isinstance(f, io.TextIOBase):
            raise TypeError("ember.load needs a binary file object (open it with 'rb'), got a "
                            "text-mode file")
        name = getattr(f, "name", None)
        return _load(f, repr(name) if isinstance(name, str) else repr(f), map_location)
    path = os.fspath(f)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(f"ember.load: no such file: {path!r}") from None
    with handle:
        return _load(handle, repr(path), map_location)


def _load(f, name, map_location):
    reader = _Reader(f, name)
    header = _read_header(reader)
    arrays = _read_arrays(reader, header)
    try:
        return _Decoder(name, arrays, map_location).decode(header["root"])
    except RecursionError:
        raise _fail(name, "the saved object is nested too deeply to rebuild") from None
