"""Property tests (hypothesis): broadcasting and indexing against NumPy and PyTorch."""

import numpy as np
import pytest
from helpers import assert_same
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

BINARY = {
    "add": (lambda m, a, b: a + b, np.add),
    "sub": (lambda m, a, b: m.sub(a, b), np.subtract),
    "mul": (lambda m, a, b: a * b, np.multiply),
    "div": (lambda m, a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    "maximum": (lambda m, a, b: m.maximum(a, b), np.maximum),
    "atan2": (lambda m, a, b: m.atan2(a, b), np.arctan2),
    "gt": (lambda m, a, b: a > b, np.greater),
    "where": (lambda m, a, b: m.where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b)),
}


def _data(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4),
       op=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
def test_broadcast_values_match_numpy(shapes, op, seed):
    fn, ref = BINARY[op]
    a, b = _data(shapes.input_shapes[0], seed), _data(shapes.input_shapes[1], seed + 1)
    out = fn(ember, ember.tensor(a), ember.tensor(b))
    assert out.shape == shapes.result_shape
    assert_same(out, ref(a, b), check_dtype=False)


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "div", "maximum", "where"]),
       seed=st.integers(0, 2**16))
def test_broadcast_gradients_match_torch(shapes, op, seed):
    torch = pytest.importorskip("torch")
    fn, _ = BINARY[op]
    a, b = _data(shapes.input_shapes[0], seed), _data(shapes.input_shapes[1], seed + 1)
    x, y = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, tout = fn(ember, x, y), fn(torch, tx, ty)
    assert_same(out, tout)
    w = _data(shapes.result_shape, seed + 2)
    (out * ember.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    assert x.grad.shape == x.shape and y.grad.shape == y.shape
    assert_same(x.grad, tx.grad, rtol=1e-4, atol=1e-5)
    assert_same(y.grad, ty.grad, rtol=1e-4, atol=1e-5)


@given(a=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
       b=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_incompatible_shapes_raise_runtime_error_naming_shapes(a, b):
    try:
        np.broadcast_shapes(a, b)
        assume(False)
    except ValueError:
        pass
    for requires_grad in (False, True):
        x = ember.zeros(a, requires_grad=requires_grad)
        with pytest.raises(RuntimeError, match="must match the size"):
            x + ember.zeros(b)
    with pytest.raises(RuntimeError, match=str(list(a)).replace("[", r"\[").replace("]", r"\]")):
        ember.zeros(a) * ember.zeros(b)


# ------------------------------------------------------------------ indexing
@st.composite
def basic_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5))
    index = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return shape, index


def _no_negative_steps(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(not (isinstance(i, slice) and i.step is not None and i.step < 0) for i in items)


@given(case=basic_case())
def test_basic_indexing_matches_numpy_and_is_a_view(case):
    shape, index = case
    a = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    x = ember.tensor(a)
    got = x[index]
    want = a[index]
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    if want.size:
        assert np.shares_memory(got.numpy(), x.numpy())


@given(case=basic_case())
def test_basic_indexing_matches_torch_with_gradient(case):
    torch = pytest.importorskip("torch")
    shape, index = case
    assume(_no_negative_steps(index))  # PyTorch does not support negative slice steps
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    x, t = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = x[index], t[index]
    assert_same(out, tout)
    (out * 2).sum().backward()
    (tout * 2).sum().backward()
    assert_same(x.grad, t.grad)


@given(case=basic_case(), value=st.floats(-5, 5, width=32))
def test_basic_setitem_matches_numpy(case, value):
    shape, index = case
    a = np.zeros(shape, np.float32)
    x = ember.tensor(a)
    x[index] = value
    a[index] = value
    np.testing.assert_array_equal(x.numpy(), a)


@st.composite
def advanced_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    index = draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(
        min_dims=1, max_dims=2, max_side=4)))
    return shape, index


@given(case=advanced_case())
def test_integer_array_indexing_matches_numpy_and_torch(case):
    shape, index = case
    a = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    x = ember.tensor(a, requires_grad=True)
    etensors = tuple(ember.tensor(i.astype(np.int64)) for i in index)
    out = x[etensors]
    np.testing.assert_array_equal(out.detach().numpy(), a[index])
    out.sum().backward()
    want = np.zeros(shape, np.float32)
    np.add.at(want, index, 1.0)  # repeated indices accumulate
    np.testing.assert_array_equal(x.grad.numpy(), want)
    try:
        import torch
    except ImportError:
        return
    t = torch.tensor(a, requires_grad=True)
    tout = t[tuple(torch.from_numpy(i.astype(np.int64)) for i in index)]
    assert_same(out, tout)
    tout.sum().backward()
    assert_same(x.grad, t.grad)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       data=st.data())
def test_boolean_mask_indexing_matches_numpy_and_torch(shape, data):
    k = data.draw(st.integers(1, len(shape)))
    mask = data.draw(hnp.arrays(np.bool_, shape[:k]))
    a = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    x = ember.tensor(a, requires_grad=True)
    out = x[ember.tensor(mask)]
    np.testing.assert_array_equal(out.detach().numpy(), a[mask])
    out.sum().backward()
    want = np.zeros(shape, np.float32)
    want[mask] = 1
    np.testing.assert_array_equal(x.grad.numpy(), want)
    y = ember.tensor(a)
    y[ember.tensor(mask)] = 0.0
    b = a.copy()
    b[mask] = 0
    np.testing.assert_array_equal(y.numpy(), b)
    try:
        import torch
    except ImportError:
        return
    assert_same(out, torch.tensor(a)[torch.from_numpy(mask)])
