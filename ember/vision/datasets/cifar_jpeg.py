"""CIFAR-10 from a zip of JPEGs (``train/<class>/NNNN.jpg``): decode once, cache the arrays.

The decoded split is cached as ``<cache_dir>/<split>.npz`` (uint8 images, int64 labels and
the key it was made from). The key holds the archive's size and the SHA-256 of its central
directory, which lists every member's name, size and CRC-32: any change to the archive's
content changes the key and triggers a fresh decode, while copying or touching the archive
does not.
"""

import hashlib
import io
import json
import multiprocessing
import os
import struct
import sys
import uuid
import warnings
import zipfile
import zlib
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
from PIL import Image
from tqdm.auto import tqdm

from .archive import central_directory_sha256

ARCHIVE_NAME = "cifar10-jpeg.zip"
CACHE_DIRNAME = "cifar10-jpeg-cache"
SOURCE_ENV = "EMBER_CIFAR10_SOURCE"
CACHE_ENV = "EMBER_CACHE_DIR"
WORKERS_ENV = "EMBER_DECODE_WORKERS"
_CACHE_FORMAT = 1
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
_CHUNK = 2000  # images per decode task: large enough to amortize, small for a live progress bar
_MIN_PARALLEL = 4000  # below this, starting worker processes costs more than it saves


def find_archive(root):
    """The JPEG archive that `root` designates: `root` itself when it is a .zip, or
    ``root/cifar10-jpeg.zip``; None when there is neither."""
    root = os.fspath(root)
    if root.lower().endswith(".zip") and os.path.isfile(root):
        return root
    candidate = os.path.join(root, ARCHIVE_NAME)
    return candidate if os.path.isfile(candidate) else None


def default_cache_dir(root, archive):
    """Where to cache the decoded arrays: ``<root>/cifar10-jpeg-cache`` (beside the archive
    when `root` is the archive), or a per-user cache when that place is read-only."""
    root = os.fspath(root)
    base = os.path.dirname(archive) if os.path.abspath(root) == os.path.abspath(archive) else root
    local = os.path.join(base, CACHE_DIRNAME)
    if _writable(local):
        return local
    user = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ember")
    tag = hashlib.sha1(os.path.abspath(archive).encode()).hexdigest()[:12]
    return os.path.join(user, "datasets", f"{CACHE_DIRNAME}-{tag}")


def _writable(path):
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    # root ignores permission bits; a folder with no write bit at all is read-only by intent
    # (a shared data folder), so keep the cache out of it even when we could write there.
    mode = os.stat(existing).st_mode
    return os.path.isdir(existing) and os.access(existing, os.W_OK) and bool(mode & 0o222)


def load_split(archive, split, classes, cache_dir, workers=None):
    """Decoded (N, 32, 32, 3) uint8 images and their labels for one split of the archive.

    Uses the cache in `cache_dir` when its key matches the archive; otherwise decodes the
    JPEGs (with `workers` processes) and rewrites the cache atomically.
    """
    key = {
        "format": _CACHE_FORMAT,
        "archive_size": os.path.getsize(archive),
        "central_directory_sha256": central_directory_sha256(archive),
        "split": split,
        "classes": list(classes),
    }
    cache_file = os.path.join(cache_dir, f"{split}.npz")
    cached = _read_cache(cache_file, key)
    if cached is not None:
        return cached
    members, targets = _list_members(archive, split, classes)
    data = decode_members(archive, members, workers, desc=f"Decoding {split} JPEGs")
    _write_cache(cache_file, key, data, targets)
    return data, targets


def _read_cache(cache_file, key):
    try:
        with np.load(cache_file, allow_pickle=False) as cache:
            if json.loads(str(cache["key"])) != key:
                return None
            data, targets = cache["data"], cache["targets"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None  # missing or damaged cache: decode again
    if data.dtype != np.uint8 or data.shape[1:] != (32, 32, 3) or len(targets) != len(data):
        return None
    return data, targets.tolist()


def _write_cache(cache_file, key, data, targets):
    cache_dir = os.path.dirname(cache_file)
    tmp = None
    try:
        os.makedirs(cache_dir, exist_ok=True)
        # A fresh unique name opened with "x" (not mkstemp, whose 0600 ignores the umask).
        tmp = os.path.join(cache_dir, f".tmp-{os.getpid()}-{uuid.uuid4().hex}.npz")
        with open(tmp, "xb") as f:
            np.savez(f, data=data, targets=np.asarray(targets, dtype=np.int64),
                     key=np.array(json.dumps(key, sort_keys=True)))
        os.replace(tmp, cache_file)  # readers see the old cache or the new one, never half
    except OSError as exc:
        warnings.warn(f"Could not write the CIFAR-10 cache {cache_file} ({exc}); the JPEGs "
                      "will be decoded again next time", stacklevel=3)
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


def _list_members(archive, split, classes):
    """Zip entries of a split in label order, sorted by file name within a class."""
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
    by_class = {name: [] for name in classes}
    prefix = split + "/"
    for info in infos:
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        parts = info.filename[len(prefix):].split("/")
        if len(parts) != 2 or not parts[1].lower().endswith(_IMAGE_SUFFIXES):
            continue
        if parts[0] not in by_class:
            raise ValueError(f"{archive}: unexpected class folder {prefix}{parts[0]}/; the "
                             f"CIFAR-10 classes are {', '.join(classes)}")
        by_class[parts[0]].append(info)
    empty = [name for name in classes if not by_class[name]]
    if empty:
        raise ValueError(f"{archive}: no images in {', '.join(prefix + e + '/' for e in empty)}; "
                         f"expected {split}/<class>/NNNN.jpg for each CIFAR-10 class")
    members, targets = [], []
    for label, name in enumerate(classes):
        infos = sorted(by_class[name], key=lambda i: i.filename)
        members += [(i.header_offset, i.compress_size, i.compress_type, i.CRC, i.filename)
                    for i in infos]
        targets += [label] * len(infos)
    return members, targets


def decode_members(archive, members, workers=None, desc="Decoding JPEGs"):
    """Decode zip members (as listed by _list_members) into one (N, 32, 32, 3) uint8 array."""
    workers = _worker_count(workers, len(members))
    chunks = [members[i:i + _CHUNK] for i in range(0, len(members), _CHUNK)]
    out = np.empty((len(members), 32, 32, 3), dtype=np.uint8)
    with tqdm(total=len(members), desc=desc, unit="img", leave=False) as bar:
        if workers <= 1:
            for n, chunk in enumerate(chunks):
                out[n * _CHUNK:n * _CHUNK + len(chunk)] = _decode_chunk(archive, chunk)
                bar.update(len(chunk))
            return out
        # fork, not spawn: spawn re-imports the user's __main__, and scripts written like the
        # tutorials (no __main__ guard) would run again inside every decoder process.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {pool.submit(_decode_chunk, archive, chunk): n
                       for n, chunk in enumerate(chunks)}
            for future in as_completed(futures):
                n = futures[future]
                block = future.result()
                out[n * _CHUNK:n * _CHUNK + len(block)] = block
                bar.update(len(block))
    return out


def _worker_count(workers, n):
    if workers is None:
        env = os.environ.get(WORKERS_ENV)
        if env:
            workers = int(env)
        else:
            workers = min(2, os.cpu_count() or 1) if n >= _MIN_PARALLEL else 1
    # Daemonic processes (DataLoader workers, say) may not start children of their own.
    fork_ok = (sys.platform.startswith("linux") and not multiprocessing.current_process().daemon
               and "fork" in multiprocessing.get_all_start_methods())
    return max(1, int(workers)) if fork_ok else 1


def _decode_chunk(archive, members):
    """Read members straight from the file (no ZipFile to build per process) and decode them."""
    out = np.empty((len(members), 32, 32, 3), dtype=np.uint8)
    with open(archive, "rb") as f:
        for i, (offset, size, method, crc, name) in enumerate(members):
            f.seek(offset)
            header = f.read(30)
            if header[:4] != b"PK\x03\x04":
                raise ValueError(f"{archive}: bad local header for {name}")
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            f.seek(name_len + extra_len, os.SEEK_CUR)
            payload = f.read(size)
            if method == zipfile.ZIP_DEFLATED:
                payload = zlib.decompress(payload, -15)
            elif method != zipfile.ZIP_STORED:
                raise ValueError(f"{archive}: {name} uses unsupported compression {method}")
            if zlib.crc32(payload) != crc:
                raise ValueError(f"{archive}: {name} is corrupted (CRC-32 mismatch)")
            with Image.open(io.BytesIO(payload)) as img:
                if img.size != (32, 32):
                    raise ValueError(f"{archive}: {name} is {img.size[0]}x{img.size[1]}; "
                                     "CIFAR-10 images are 32x32")
                out[i] = np.asarray(img if img.mode == "RGB" else img.convert("RGB"))
    return out
