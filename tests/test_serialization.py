"""ember.save / ember.load: round trips, map_location, bad files, and atomic writes."""

import io
import json
import math
import os
import pickle
import stat
import struct
import zipfile
import zlib
from collections import Counter, OrderedDict

import numpy as np
import pytest

import ember
from ember import optim, serialization
from ember.serialization import CheckpointError, load, save

DTYPES = [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
          ember.float16, ember.float32, ember.float64, ember.complex64, ember.complex128]


def roundtrip(obj, **load_kwargs):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    return load(buf, **load_kwargs)


def random_array(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    np_dtype = dtype.np
    if np_dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=np_dtype)
    if np_dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np_dtype)
    return rng.standard_normal(shape).astype(np_dtype)


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(), (0, 3), (4,), (2, 3, 5)])
def test_tensor_roundtrip_every_dtype(dtype, shape):
    t = ember.from_numpy(np.asarray(random_array(dtype, shape)))
    out = roundtrip(t)
    assert isinstance(out, ember.Tensor)
    assert out.dtype == dtype and out.shape == t.shape
    np.testing.assert_array_equal(out.numpy(), t.numpy())
    assert out.requires_grad is False


def test_special_floats_and_flags_survive():
    values = np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4e38], np.float32)
    t = ember.from_numpy(values.copy()).requires_grad_()
    out = roundtrip(t)
    assert out.requires_grad and out.is_leaf
    np.testing.assert_array_equal(out.detach().numpy().view(np.uint32), values.view(np.uint32))


def test_non_contiguous_and_big_endian_arrays():
    base = ember.arange(12, dtype=ember.float64).reshape(3, 4)
    out = roundtrip({"t": base.t(), "be": np.arange(5, dtype=">i4")})
    np.testing.assert_array_equal(out["t"].numpy(), base.numpy().T)
    np.testing.assert_array_equal(out["be"], np.arange(5))


def test_loaded_arrays_are_writable_and_own_their_memory():
    out = roundtrip(ember.zeros(3))
    out.add_(1)
    np.testing.assert_array_equal(out.numpy(), np.ones(3, np.float32))


def test_nested_structures():
    t = ember.randn(2, 2)
    obj = {
        "none": None, "flags": [True, False], "int": 3, "big": 2 ** 100, "neg": -7,
        "float": 1.5, "nan": math.nan, "inf": -math.inf, "complex": 1 - 2j,
        "text": "héllo ✓", "bytes": b"\x00\xff", 7: "int key", (1, "a"): "tuple key",
        2.5: "float key", None: "none key",
        "tuple": (1, (2, 3), [4, t]), "list": [[], {}, ()],
        "ordered": OrderedDict([("b", 1), ("a", 2)]), "counter": Counter({3: 2, 5: 1}),
        "set": {1, 2, 3}, "frozen": frozenset({"x"}),
        "size": ember.Size([2, 3]), "dtype": ember.float16, "device": ember.device("cpu"),
        "np_scalar": np.float32(0.1), "np_int": np.int64(-3), "array": np.eye(2),
    }
    out = roundtrip(obj)
    assert set(out) == set(obj)
    for key in obj:
        if key in ("nan", "tuple", "array"):
            continue
        assert out[key] == obj[key] and type(out[key]) is type(obj[key]), key
    assert math.isnan(out["nan"])
    assert list(out["ordered"]) == ["b", "a"]
    assert type(out["tuple"][1]) is tuple and out["tuple"][2][0] == 4
    np.testing.assert_array_equal(out["tuple"][2][1].numpy(), t.numpy())
    np.testing.assert_array_equal(out["array"], np.eye(2))
    assert repr(out["size"]) == "ember.Size([2, 3])"
    assert out["np_scalar"].dtype == np.float32


def test_shared_tensors_stay_shared():
    w = ember.randn(3, requires_grad=True)
    out = roundtrip({"w": w, "alias": w.detach(), "other": w.detach().clone()})
    out["alias"].add_(1)
    np.testing.assert_array_equal(out["w"].detach().numpy(), out["alias"].numpy())
    assert not np.shares_memory(out["other"].numpy(), out["alias"].numpy())


def test_optimizer_state_roundtrip():
    w = ember.randn(4, requires_grad=True)
    opt = optim.Adam([w], lr=0.01, amsgrad=True)
    for _ in range(3):
        w.grad = ember.randn(4)
        opt.step()
    sd = opt.state_dict()
    out = roundtrip(sd)
    assert out["param_groups"] == sd["param_groups"]
    assert out["state"][0]["step"] == 3.0
    for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        np.testing.assert_array_equal(out["state"][0][key].numpy(), sd["state"][0][key].numpy())


def test_paths_file_objects_and_streams(tmp_path):
    t = ember.arange(5)
    save(t, tmp_path / "a.pt")  # pathlib.Path
    np.testing.assert_array_equal(load(str(tmp_path / "a.pt")).numpy(), np.arange(5))
    with open(tmp_path / "b.pt", "wb") as f:
        save({"x": 1}, f)
        save([t], f)  # two records back to back in one stream
    with open(tmp_path / "b.pt", "rb") as f:
        assert load(f) == {"x": 1}
        np.testing.assert_array_equal(load(f)[0].numpy(), np.arange(5))


def test_text_mode_files_are_refused(tmp_path):
    path = tmp_path / "t.pt"
    save(1, path)
    with open(path, "w") as f, pytest.raises(TypeError, match="binary file object"):
        save(1, f)
    with open(path, encoding="latin-1") as f, pytest.raises(TypeError, match="'rb'"):
        load(f)


def test_accepts_torch_style_arguments(tmp_path):
    path = tmp_path / "c.pt"
    save({"a": 1}, path, pickle_protocol=2, _use_new_zipfile_serialization=True)
    assert load(path, weights_only=False, mmap=False) == {"a": 1}


# ------------------------------------------------------------------ unsupported objects
def test_unsupported_objects_are_named():
    with pytest.raises(TypeError, match=r"cannot store an object of type function \(at "
                                        r"obj\['cfg'\]\['fn'\]\)"):
        save({"cfg": {"fn": lambda: 0}}, io.BytesIO())

    class Model:
        def state_dict(self):
            return {}

    with pytest.raises(TypeError, match=r"Save its state_dict\(\) instead"):
        save([Model()], io.BytesIO())


def test_self_reference_is_rejected():
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="self-referencing"):
        save(loop, io.BytesIO())


def test_object_arrays_are_rejected():
    with pytest.raises(TypeError, match="cannot store arrays of dtype object"):
        save(np.array([None, 1], dtype=object), io.BytesIO())


# ------------------------------------------------------------------ map_location
def relocate(raw, location):
    """Rewrite a checkpoint as if its tensors had been saved on `location`."""
    pre = len(serialization.MAGIC)
    version, length, _ = serialization._PREAMBLE.unpack_from(raw, pre)
    start = pre + serialization._PREAMBLE.size
    header = json.loads(raw[start:start + length])

    def walk(node):
        if isinstance(node, dict):
            if node.get("$") == "tensor":
                node["device"] = location
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(header)
    new = json.dumps(header).encode()
    return (raw[:pre] + serialization._PREAMBLE.pack(version, len(new), zlib.crc32(new)) + new
            + raw[start + length:])


def saved_on_gpu():
    buf = io.BytesIO()
    save({"w": ember.arange(3.0)}, buf)
    return relocate(buf.getvalue(), "cuda:0")


@pytest.mark.parametrize("where", ["cpu", ember.device("cpu"), {"cuda:0": "cpu"}])
def test_map_location_to_cpu(where):
    out = load(io.BytesIO(saved_on_gpu()), map_location=where)
    assert out["w"].device == ember.device("cpu")
    np.testing.assert_array_equal(out["w"].numpy(), [0.0, 1.0, 2.0])


def test_map_location_callable():
    seen = []

    def to_double(t, location):
        seen.append(location)
        return t.double()

    out = load(io.BytesIO(saved_on_gpu()), map_location=to_double)
    assert seen == ["cuda:0"] and out["w"].dtype == ember.float64


@pytest.mark.skipif(ember.cuda.is_available(), reason="needs a machine without a GPU")
def test_gpu_checkpoint_without_gpu_points_to_map_location():
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        load(io.BytesIO(saved_on_gpu()))
    with pytest.raises(RuntimeError, match="map_location"):
        load(io.BytesIO(saved_on_gpu()), map_location=lambda t, loc: None)


# ------------------------------------------------------------------ bad files
def written(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def expect_error(path, *fragments):
    with pytest.raises(CheckpointError) as info:
        load(path)
    message = str(info.value)
    assert repr(str(path)) in message, message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load(tmp_path / "nope.pt")


def test_empty_and_text_files(tmp_path):
    expect_error(written(tmp_path, "empty.pt", b""), "empty")
    expect_error(written(tmp_path, "notes.txt", b"hello, this is text\n"),
                 "not an ember checkpoint", "hello")
    expect_error(written(tmp_path, "arr.npy", b"\x93NUMPY\x01\x00"), "NumPy")


def test_torch_checkpoint_is_refused(tmp_path):
    path = tmp_path / "model.pt"
    try:
        import torch
    except ImportError:
        with zipfile.ZipFile(path, "w") as z:  # the container torch.save writes
            z.writestr("archive/data.pkl", pickle.dumps({"w": [1.0]}))
    else:
        torch.save({"w": torch.ones(2)}, path)
    expect_error(path, "ZIP archive", "PyTorch")


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = written(tmp_path, "evil.pt", pickle.dumps(_Exploit(marker), protocol=2))
    expect_error(path, "Python pickle", "never unpickles")
    assert not marker.exists()
    legacy = written(tmp_path, "evil0.pt", pickle.dumps(_Exploit(marker), protocol=0))
    expect_error(legacy, "not an ember checkpoint")
    assert not marker.exists()


def test_every_truncation_is_detected(tmp_path):
    buf = io.BytesIO()
    save({"a": ember.arange(10.0), "b": [ember.ones(3, dtype=ember.int64), "x"]}, buf)
    data = buf.getvalue()
    for cut in range(len(data)):
        path = written(tmp_path, "cut.pt", data[:cut])
        expect_error(path, "empty" if cut == 0 else "truncated")
    # from a stream that cannot seek, too
    with pytest.raises(CheckpointError, match="truncated"):
        load(_Unseekable(data[:-20]))


class _Unseekable(io.RawIOBase):
    def __init__(self, data):
        self._buf = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        return self._buf.readinto(b)


def test_corruption_is_detected(tmp_path):
    buf = io.BytesIO()
    save({"a": ember.arange(10.0)}, buf)
    data = bytearray(buf.getvalue())
    flipped = bytearray(data)
    flipped[-20] ^= 0xFF  # inside the tensor bytes
    expect_error(written(tmp_path, "data.pt", bytes(flipped)), "checksum mismatch in array 0")
    flipped = bytearray(data)
    flipped[40] ^= 0x01  # inside the JSON header
    expect_error(written(tmp_path, "header.pt", bytes(flipped)), "header is corrupted")
    flipped = bytearray(data)
    flipped[-3] ^= 0xFF  # the end marker
    expect_error(written(tmp_path, "end.pt", bytes(flipped)), "corrupted")


def test_newer_format_version_is_refused(tmp_path):
    buf = io.BytesIO()
    save(1, buf)
    data = bytearray(buf.getvalue())
    struct.pack_into("<I", data, len(serialization.MAGIC), 99)
    expect_error(written(tmp_path, "new.pt", bytes(data)), "newer ember", "version 99")


def handmade(root):
    """A well-formed checkpoint file around an arbitrary JSON root node (or its JSON text)."""
    text = root if isinstance(root, str) else json.dumps(root)
    header = ('{"root":' + text + ',"blobs":[],"data_bytes":0}').encode()
    return (serialization.MAGIC
            + serialization._PREAMBLE.pack(1, len(header), zlib.crc32(header))
            + header + serialization.END)


def test_unknown_entries_are_refused(tmp_path):
    expect_error(written(tmp_path, "odd.pt", handmade({"$": "pickle", "data": "..."})),
                 "unknown entry type 'pickle'")
    expect_error(written(tmp_path, "blob.pt", handmade({"$": "ndarray", "blob": 3})),
                 "bad 'ndarray' entry")
    deep = '{"$":"tuple","items":[' * 400 + "1" + "]}" * 400
    expect_error(written(tmp_path, "deep.pt", handmade(deep)), "nested too deeply")


# ------------------------------------------------------------------ atomic writes
def test_crash_mid_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    save({"version": 1, "w": ember.zeros(1000)}, path)
    before = path.read_bytes()
    real = serialization._write_blobs

    def crash(f, arrays, metas):
        f.write(b"partial bytes")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(serialization, "_write_blobs", crash)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save({"version": 2, "w": ember.ones(1000)}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]

    def interrupt(f, arrays, metas):
        real(f, arrays[:1], metas[:1])
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "_write_blobs", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save({"version": 3, "w": ember.ones(1000)}, path)
    assert load(path)["version"] == 1
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]


def test_successful_save_replaces_and_respects_umask(tmp_path):
    path = tmp_path / "ckpt.pt"
    save(1, path)
    save(2, path)
    assert load(path) == 2
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_save_through_a_symlink_updates_its_target(tmp_path):
    target = tmp_path / "real.pt"
    save(1, target)
    link = tmp_path / "link.pt"
    os.symlink(target, link)
    save(2, link)
    assert link.is_symlink() and load(target) == 2


def test_bad_destinations(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save(1, tmp_path / "missing" / "x.pt")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        save(1, tmp_path)


# ------------------------------------------------------------------ models (ember.nn)
def make_model(seed):
    from ember import nn

    ember.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def train(model, opt, scheduler, steps, start):
    from ember import nn

    loss_fn = nn.MSELoss()
    rng = np.random.default_rng(1234)
    batches = [(rng.standard_normal((5, 4)).astype(np.float32),
                rng.standard_normal((5, 3)).astype(np.float32)) for _ in range(start + steps)]
    for x, y in batches[start:]:
        opt.zero_grad()
        loss = loss_fn(model(ember.from_numpy(x)), ember.from_numpy(y))
        loss.backward()
        opt.step()
        scheduler.step()


@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_resume_from_checkpoint_is_bit_for_bit(tmp_path, opt_name):
    pytest.importorskip("ember.nn")
    kwargs = {"lr": 0.05, "momentum": 0.9} if opt_name in ("SGD", "RMSprop") else {"lr": 0.05}

    def build(seed):
        model = make_model(seed)
        opt = getattr(optim, opt_name)(model.parameters(), **kwargs)
        return model, opt, optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)

    model, opt, sch = build(0)
    train(model, opt, sch, 10, 0)
    path = tmp_path / "ckpt.pt"
    save({"model": model.state_dict(), "optimizer": opt.state_dict(),
          "scheduler": sch.state_dict(), "step": 10}, path)
    train(model, opt, sch, 10, 10)

    model2, opt2, sch2 = build(1)  # different initial weights, all replaced by the checkpoint
    ckpt = load(path)
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    sch2.load_state_dict(ckpt["scheduler"])
    train(model2, opt2, sch2, 10, ckpt["step"])
    for (name, a), (_, b) in zip(model.state_dict().items(), model2.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    assert opt.param_groups[0]["lr"] == opt2.param_groups[0]["lr"]


def test_model_state_dict_and_parameters_roundtrip():
    nn = pytest.importorskip("ember.nn")
    model = make_model(0)
    sd = roundtrip(model.state_dict())
    assert type(sd) is OrderedDict and list(sd) == list(model.state_dict())
    other = make_model(1)
    other.load_state_dict(sd)
    for a, b in zip(model.parameters(), other.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    params = roundtrip(list(model.parameters()))
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)
    frozen = nn.Parameter(ember.ones(2), requires_grad=False)
    assert roundtrip(frozen).requires_grad is False


def test_saving_a_module_asks_for_its_state_dict():
    pytest.importorskip("ember.nn")
    with pytest.raises(TypeError, match=r"type Sequential \(at obj\).*state_dict\(\)"):
        save(make_model(0), io.BytesIO())
