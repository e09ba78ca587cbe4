"""Pooling (ember/ops/pool.py): PyTorch oracle, NumPy references, gradcheck, errors."""

import numpy as np
import pytest
from helpers import torch_or_skip

import ember
from ember.ops import pool as P

TOL = {"float32": 1e-5, "float64": 1e-10}


def _data(shape, dtype, relu=False, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    # relu'd data has many tied maxima (zeros), where the first index must win
    return np.maximum(a, 0) if relu else a


def _check_vs_torch(name, shape, args, kwargs, dtype, relu=False, indices=False):
    torch = torch_or_skip()
    a = _data(shape, dtype, relu)
    e = ember.from_numpy(a.copy()).requires_grad_()
    t = torch.from_numpy(a.copy()).requires_grad_()
    out = getattr(P, name)(e, *args, **kwargs)
    ref = getattr(torch.nn.functional, name)(t, *args, **kwargs)
    if indices:
        out, idx = out
        ref, ridx = ref
        assert idx.dtype == ember.int64
        np.testing.assert_array_equal(idx._data, ridx.numpy())
    assert out.shape == tuple(ref.shape)
    tol = TOL[dtype]
    np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(dtype)
    out.backward(ember.from_numpy(g))
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(e.grad._data, t.grad.numpy(), rtol=tol, atol=tol)


MAX2D = [
    ((2, 3, 8, 8), (2,), {}),
    ((37, 6, 28, 28), (2, 2), {}),  # LeNet
    ((2, 3, 9, 8), (3, 2, 1), dict(ceil_mode=True)),
    ((2, 3, 9, 8), ((3, 2), (2, 1), (1, 0)), dict(dilation=(1, 2))),
    ((2, 3, 7, 7), (3, 1, 1), {}),  # overlapping windows
    ((2, 3, 10, 11), (2,), dict(stride=3)),  # gaps between windows
    ((2, 3, 11, 11), (3, 3), dict(ceil_mode=True)),
    ((3, 9, 8), (2,), {}),  # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,args,kw", MAX2D, ids=[str(i) for i in range(len(MAX2D))])
def test_max_pool2d_matches_torch(shape, args, kw, dtype):
    _check_vs_torch("max_pool2d", shape, args, kw, dtype, relu=True)
    _check_vs_torch("max_pool2d", shape, args, dict(kw, return_indices=True), dtype,
                    relu=True, indices=True)


@pytest.mark.parametrize("args,kw", [((3, 2, 1), dict(ceil_mode=True)), ((2,), {}),
                                     ((3,), dict(dilation=2, padding=1))])
def test_max_pool1d_matches_torch(args, kw):
    _check_vs_torch("max_pool1d", (2, 3, 13), args, dict(kw, return_indices=True), "float64",
                    relu=True, indices=True)


AVG2D = [
    ((2, 3, 8, 8), (2,), {}),
    ((37, 6, 28, 28), (2,), {}),
    ((2, 3, 9, 8), (3, 2, 1), dict(ceil_mode=True)),
    ((2, 3, 9, 8), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ((2, 3, 9, 8), (3, 2, 1), dict(divisor_override=5)),
    ((2, 3, 9, 8), ((3, 2), (1, 2), (1, 1)), dict(count_include_pad=False)),
    ((2, 3, 10, 11), (2,), dict(stride=3)),
    ((3, 9, 8), (2,), {}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,args,kw", AVG2D, ids=[str(i) for i in range(len(AVG2D))])
def test_avg_pool2d_matches_torch(shape, args, kw, dtype):
    _check_vs_torch("avg_pool2d", shape, args, kw, dtype)


def test_avg_pool1d_matches_torch():
    _check_vs_torch("avg_pool1d", (2, 3, 11), (4, 3, 2),
                    dict(ceil_mode=True, count_include_pad=False), "float64")
    _check_vs_torch("avg_pool1d", (2, 3, 11), (3,), {}, "float32")


@pytest.mark.parametrize("size", [(3, 5), (4, None), 1, (8, 7), (10, 9), (4, 7), (2, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adaptive_pool2d_matches_torch(size, dtype):
    _check_vs_torch("adaptive_avg_pool2d", (2, 3, 8, 7), (size,), {}, dtype)
    _check_vs_torch("adaptive_max_pool2d", (2, 3, 8, 7), (size,), dict(return_indices=True),
                    dtype, relu=True, indices=True)


def test_adaptive_pool_large_divisible_and_1d():
    _check_vs_torch("adaptive_avg_pool2d", (2, 3, 32, 32), ((2, 4),), {}, "float64")
    _check_vs_torch("adaptive_avg_pool1d", (2, 3, 7), (4,), {}, "float64")
    _check_vs_torch("adaptive_max_pool1d", (2, 3, 7), (3,), dict(return_indices=True),
                    "float64", indices=True)


def test_max_unpool2d_matches_torch():
    torch = torch_or_skip()
    a = _data((2, 3, 8, 8), "float64")
    out, idx = P.max_pool2d(ember.from_numpy(a), 2, return_indices=True)
    tout, tidx = torch.nn.functional.max_pool2d(torch.from_numpy(a), 2, return_indices=True)
    x = ember.from_numpy(out._data.copy()).requires_grad_()
    tx = tout.clone().requires_grad_()
    u = P.max_unpool2d(x, idx, 2)
    tu = torch.nn.functional.max_unpool2d(tx, tidx, 2)
    np.testing.assert_array_equal(u._data, tu.detach().numpy())
    g = np.random.default_rng(2).standard_normal(u.shape)
    u.backward(ember.from_numpy(g))
    tu.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(x.grad._data, tx.grad.numpy())
    u2 = P.max_unpool2d(out, idx, 2, output_size=(9, 9))
    assert u2.shape == (2, 3, 9, 9)


# ------------------------------------------------------------------ torch-free checks
def test_max_pool_against_reshape_and_first_tie():
    a = _data((3, 2, 6, 8), "float64", relu=True)
    x = ember.from_numpy(a).requires_grad_()
    out, idx = P.max_pool2d(x, 2, return_indices=True)
    blocks = a.reshape(3, 2, 3, 2, 4, 2)
    np.testing.assert_array_equal(out._data, blocks.max(axis=(3, 5)))
    out.sum().backward()
    # each window passes its gradient to exactly one element (the first maximum)
    np.testing.assert_array_equal(x.grad._data.reshape(3, 2, 3, 2, 4, 2).sum(axis=(3, 5)), 1)
    zero_window = np.zeros((1, 1, 2, 2))
    z = ember.from_numpy(zero_window).requires_grad_()
    o, i = P.max_pool2d(z, 2, return_indices=True)
    o.sum().backward()
    assert int(i._data.ravel()[0]) == 0
    np.testing.assert_array_equal(z.grad._data.ravel(), [1, 0, 0, 0])


def test_avg_pool_against_reshape_mean():
    a = _data((3, 2, 6, 8), "float64")
    out = P.avg_pool2d(ember.from_numpy(a), 2)
    np.testing.assert_allclose(out._data, a.reshape(3, 2, 3, 2, 4, 2).mean(axis=(3, 5)))


def test_adaptive_avg_uneven_windows_by_hand():
    a = np.arange(5.0).reshape(1, 1, 1, 5)
    out = P.adaptive_avg_pool2d(ember.from_numpy(a), (1, 3))
    # windows [0, 2), [1, 4), [3, 5)
    np.testing.assert_allclose(out._data.ravel(), [0.5, 2.0, 3.5])


def test_max_pool_integer_input():
    a = np.array([[[[1, 5], [3, 2]]]], dtype=np.int64)
    out = P.max_pool2d(ember.from_numpy(a), 2)
    assert out.dtype == ember.int64 and int(out._data.ravel()[0]) == 5


GRADCHECK = [
    ("max_pool2d", (2, 2, 7, 6), (3, 2, 1), dict(ceil_mode=True)),
    ("max_pool2d", (2, 2, 6, 6), (2,), {}),
    ("max_pool1d", (2, 2, 9), (3, 1), dict(dilation=2)),
    ("avg_pool2d", (2, 2, 7, 6), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (2, 2, 6, 6), (2,), dict(divisor_override=3)),
    ("avg_pool1d", (2, 2, 9), (3, 2, 1), {}),
    ("adaptive_avg_pool2d", (2, 2, 7, 5), ((3, 2),), {}),
    ("adaptive_max_pool2d", (2, 2, 7, 5), ((3, 2),), {}),
]


@pytest.mark.parametrize("name,shape,args,kw", GRADCHECK,
                         ids=[f"{g[0]}-{i}" for i, g in enumerate(GRADCHECK)])
def test_gradcheck(name, shape, args, kw):
    # distinct, well-separated values keep max pooling's argmax stable under the perturbation
    rng = np.random.default_rng(4)
    a = rng.permutation(np.prod(shape)).reshape(shape).astype(np.float64) * 0.1
    x = ember.from_numpy(a).requires_grad_()
    fn = getattr(P, name)
    assert ember.autograd.gradcheck(lambda t: fn(t, *args, **kw), [x], eps=1e-6, atol=1e-6)


# ------------------------------------------------------------------ bad input
def _t(shape, dtype="float32"):
    return ember.from_numpy(np.zeros(shape, dtype))


@pytest.mark.parametrize("call,match", [
    (lambda: P.max_pool2d(_t((2, 3, 8, 8)), 9),
     r"Given input size: \(3x8x8\). Calculated output size: \(3x0x0\). Output size is too small"),
    (lambda: P.max_pool2d(_t((2, 3, 8, 8)), 3, padding=2),
     "pad should be at most half of effective kernel size"),
    (lambda: P.max_pool2d(_t((2, 3, 8, 8)), 0), "kernel size should be greater than zero"),
    (lambda: P.max_pool2d(_t((2, 3, 8, 8)), 2, stride=0), "stride should be greater than zero"),
    (lambda: P.max_pool2d(_t((2, 3, 8, 8)), 2, dilation=0),
     "dilation should be greater than zero"),
    (lambda: P.max_pool2d(_t((8, 8)), 2),
     r"expected 3D \(unbatched\) or 4D \(batched\) input, but got input of size: \[8, 8\]"),
    (lambda: P.avg_pool2d(_t((2, 3, 8, 8)), 2, divisor_override=0), "divisor must be not zero"),
    (lambda: P.avg_pool2d(_t((2, 3, 8, 8)), (2, 2, 2)), "a list of 2 values"),
    (lambda: P.adaptive_avg_pool2d(_t((8, 8)), 3),
     r"adaptive_avg_pool2d\(\): Expected 3D or 4D tensor, but got \[8, 8\]"),
    (lambda: P.adaptive_avg_pool2d(_t((1, 3, 8, 8)), (2, 2, 2)), "output_size must be 2 values"),
    (lambda: P.max_unpool2d(_t((1, 1, 2, 2)), ember.from_numpy(np.full((1, 1, 2, 2), 99)), 2),
     "invalid max index 99"),
])
def test_bad_input(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


def test_avg_pool_rejects_integers():
    with pytest.raises(NotImplementedError, match="\"avg_pool2d\" not implemented for 'int64'"):
        P.avg_pool2d(_t((1, 1, 4, 4), "int64"), 2)


# ------------------------------------------------------------------ tiled fast path
def _both_paths(a, kernel, stride, g):
    """(out, indices, grad) from the tiled path and from the general path, same input."""
    results = []
    for tiled in (True, False):
        x = ember.from_numpy(a.copy())
        if a.dtype.kind == "f":
            x.requires_grad_()
        geo = P._geometry(x, kernel, stride, 0, 1, False, 2, "max_pool2d")
        assert geo.tiled  # the case must exercise the fast path
        geo.tiled = tiled
        out, idx = P.dispatch(P.MaxPool, x, geo, True)
        grad = None
        if x.requires_grad:
            out.backward(ember.from_numpy(g.astype(a.dtype)))
            grad = x.grad._data
        results.append((out._data, idx._data, grad))
    return results


TILED = [
    ((3, 4, 8, 6), 2, 2),  # LeNet's 2x2/2
    ((2, 3, 9, 12), 3, 3),
    ((2, 3, 6, 8), (2, 4), (2, 4)),
    ((2, 3, 5, 8), (1, 2), (1, 2)),  # one row per window
    ((2, 3, 6, 5), (2, 1), (2, 1)),  # one column per window
    ((3, 4, 6), 2, 2),  # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
@pytest.mark.parametrize("shape,kernel,stride", TILED, ids=[str(i) for i in range(len(TILED))])
def test_tiled_max_pool_equals_general_path(shape, kernel, stride, dtype):
    rng = np.random.default_rng(7)
    # few distinct values: many ties inside windows, where the first maximum must win
    a = rng.integers(-2, 3, shape).astype(dtype)
    if dtype != "int64":
        a[..., :1, :] = np.maximum(a[..., :1, :], 0) * 0.5  # -0.0 never appears; +0 ties do
    probe = P.max_pool2d(ember.from_numpy(a), kernel, stride)
    g = rng.standard_normal(tuple(probe.shape))
    (o1, i1, g1), (o2, i2, g2) = _both_paths(a, kernel, stride, g)
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(i1, i2)
    if g1 is not None:
        np.testing.assert_array_equal(g1, g2)
    # each window sends its gradient to one element, the one its index names
    assert o1.dtype == a.dtype and i1.dtype == np.int64


def test_tiled_max_pool_first_max_in_row_major_order():
    # the max sits both top-right and bottom-left: row-major order picks top-right (1)
    a = np.array([[[[0.0, 5.0], [5.0, 0.0]]]])
    x = ember.from_numpy(a).requires_grad_()
    out, idx = P.max_pool2d(x, 2, return_indices=True)
    out.sum().backward()
    assert int(idx._data.ravel()[0]) == 1
    np.testing.assert_array_equal(x.grad._data.ravel(), [0, 1, 0, 0])


def test_tiled_max_pool_nan_windows_follow_general_path():
    a = np.arange(2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4) % 7
    a[0, 0, 0, 0] = np.nan
    a[1, 2, :2, :2] = [[1, 2], [3, np.nan]]  # general path: first max before the NaN (3)
    a[0, 1, 2, 3] = np.nan
    g = np.random.default_rng(3).standard_normal((2, 3, 2, 2))
    (o1, i1, g1), (o2, i2, g2) = _both_paths(a, 2, 2, g)
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_array_equal(g1, g2)
    assert np.isnan(o1[0, 0, 0, 0]) and np.isnan(o1[1, 2, 0, 0])


def test_tiled_max_pool_non_contiguous_input_and_no_grad():
    a = _data((2, 3, 8, 6), "float32", relu=True)
    t = np.ascontiguousarray(a.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)  # not C-contiguous
    x = ember.from_numpy(t).requires_grad_()
    out = P.max_pool2d(x, 2)
    np.testing.assert_array_equal(out._data, a.reshape(2, 3, 4, 2, 3, 2).max(axis=(3, 5)))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad._data.reshape(2, 3, 4, 2, 3, 2).sum(axis=(3, 5)), 1)
    with ember.no_grad():
        np.testing.assert_array_equal(P.max_pool2d(x, 2)._data, out._data)


def test_max_pool_rejects_bool_on_every_path():
    for shape in ((1, 1, 4, 4), (1, 1, 5, 5)):  # tiled and general geometry
        with pytest.raises(RuntimeError, match="max pooling is not implemented for 'ember.bool'"):
            P.max_pool2d(ember.from_numpy(np.zeros(shape, bool)), 2)
