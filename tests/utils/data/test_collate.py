"""default_collate and default_convert: structure, dtypes, values, errors; torch as oracle."""

import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert

Point = collections.namedtuple("Point", "x y")


def _t(array):
    return ember.from_numpy(np.asarray(array))


def test_tensors_and_int_labels():
    images = [np.random.rand(3, 4, 4).astype(np.float32) for _ in range(5)]
    batch = default_collate([(_t(img), label) for label, img in enumerate(images)])
    assert isinstance(batch, list) and len(batch) == 2
    x, y = batch
    assert isinstance(x, ember.Tensor) and x.shape == (5, 3, 4, 4) and x.dtype == ember.float32
    np.testing.assert_array_equal(x.numpy(), np.stack(images))
    assert y.dtype == ember.int64
    assert y.tolist() == [0, 1, 2, 3, 4]


def test_collated_batch_owns_its_memory():
    a = _t(np.zeros(3, np.float32))
    batch = default_collate([a, a])
    batch[0, 0] = 5.0
    assert a.numpy()[0] == 0.0


def test_numbers():
    assert default_collate([1.5, 2.0]).dtype == ember.float64
    assert default_collate([True, False]).dtype == ember.bool
    mixed = default_collate([1, 2.5])
    assert mixed.dtype == ember.float32 and mixed.tolist() == [1.0, 2.5]
    assert default_collate([np.float32(1), np.float32(2)]).dtype == ember.float32
    assert default_collate([np.int32(1), np.int32(2)]).dtype == ember.int32


def test_numpy_arrays_become_tensors():
    out = default_collate([np.ones((2, 2), np.uint8), np.zeros((2, 2), np.uint8)])
    assert isinstance(out, ember.Tensor) and out.shape == (2, 2, 2) and out.dtype == ember.uint8


def test_strings_are_kept():
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([(1, "a"), (2, "b")])[1] == ("a", "b")


def test_nested_structures():
    batch = [{"img": _t(np.full(2, i, np.float32)), "meta": (i, {"name": f"n{i}"}),
              "pt": Point(i, float(i))} for i in range(3)]
    out = default_collate(batch)
    assert set(out) == {"img", "meta", "pt"}
    assert out["img"].shape == (3, 2)
    assert isinstance(out["meta"], list)
    assert out["meta"][0].tolist() == [0, 1, 2]
    assert out["meta"][1] == {"name": ["n0", "n1", "n2"]}
    assert isinstance(out["pt"], Point)
    assert out["pt"].x.tolist() == [0, 1, 2] and out["pt"].y.dtype == ember.float64


def test_mapping_subclass_keeps_its_type():
    class Record(dict):
        pass

    out = default_collate([Record(a=1), Record(a=2)])
    assert type(out) is Record and out["a"].tolist() == [1, 2]


def test_tensors_requiring_grad_keep_the_graph():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    out = default_collate([a, b])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])


def test_bad_input():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but "
                                           r"got \[2\] at entry 0 and \[3\] at entry 1"):
        default_collate([_t(np.ones(2)), _t(np.ones(3))])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_default_convert():
    out = default_convert((np.ones(2), [np.int32(3)], "x", {"k": np.float32(1)}, Point(1, 2)))
    assert isinstance(out, list)
    assert isinstance(out[0], ember.Tensor) and out[0].dtype == ember.float64
    assert out[1][0].dtype == ember.int32
    assert out[2] == "x"
    assert out[3]["k"].dtype == ember.float32
    assert out[4] == Point(1, 2)
    array = np.zeros(3)
    default_convert(array)[0] = 7  # shares memory, as torch.as_tensor does
    assert array[0] == 7


# ------------------------------------------------------------------ torch as oracle
def _same(ours, theirs, torch):
    """Same structure, container types, dtypes and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ember.Tensor)
        assert ours.numpy().dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for key in theirs:
            _same(ours[key], theirs[key], torch)
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b, torch)
    else:
        assert ours == theirs


def _samples(make_tensor):
    rng = np.random.default_rng(0)
    imgs = [rng.random((3, 2, 2), dtype=np.float32) for _ in range(4)]
    return [
        [(make_tensor(img), i) for i, img in enumerate(imgs)],
        [[make_tensor(img), float(i), "s"] for i, img in enumerate(imgs)],
        [{"a": make_tensor(img), "b": {"c": (i, True)}, "d": Point(i, img)} for i, img in
         enumerate(imgs)],
        [np.int16(i) for i in range(4)],
        [(np.float64(i), np.arange(3) + i) for i in range(4)],
        [1, 2.5, 3],
        [b"x", b"y"],
    ]


def test_default_collate_matches_torch():
    torch = pytest.importorskip("torch")
    ours = _samples(lambda a: ember.from_numpy(a.copy()))
    theirs = _samples(lambda a: torch.from_numpy(a.copy()))
    for a, b in zip(ours, theirs):
        _same(default_collate(a), torch.utils.data.default_collate(b), torch)


def test_default_convert_matches_torch():
    torch = pytest.importorskip("torch")
    sample = (np.ones(2), [np.int32(3)], "x", {"k": np.float32(1)}, Point(1, np.zeros(2)))
    _same(default_convert(sample), torch.utils.data.default_convert(sample), torch)
