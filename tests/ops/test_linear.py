"""linear and bilinear (ember/ops/linear.py): PyTorch oracle, gradcheck, errors."""

import numpy as np
import pytest
from nn_helpers import compare_fn, gradcheck, rand

import ember
import ember.nn.functional as F


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("xshape", [(4, 3), (2, 5, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_against_torch(xshape, bias, dtype):
    torch = pytest.importorskip("torch")
    arrays = [rand(*xshape, seed=1), rand(6, 3, seed=2)] + ([rand(6, seed=3)] if bias else [])
    compare_fn(F.linear, torch.nn.functional.linear, arrays, dtype=dtype)


def test_linear_gradcheck_and_known_value():
    gradcheck(F.linear, [rand(2, 3, 3, seed=1), rand(4, 3, seed=2), rand(4, seed=3)])
    x = ember.tensor([[1.0, 2.0]])
    w = ember.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(F.linear(x, w, ember.tensor([0.5, 0.0, -1.0])).numpy(),
                                  [[1.5, 2.0, 2.0]])


def test_linear_grad_fn_is_one_node_named_addmm():
    x = ember.randn(2, 3, requires_grad=True)
    y = F.linear(x, ember.randn(4, 3, requires_grad=True), ember.randn(4, requires_grad=True))
    assert y.grad_fn.name() == "AddmmBackward0"
    assert y.grad_fn.next_functions[0][0] is x.grad_fn or \
        y.grad_fn.next_functions[0][0].name() == "AccumulateGrad"


def test_linear_errors():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(4x5 and 3x2\)"):
        F.linear(ember.randn(4, 5), ember.randn(2, 3))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(ember.randn(4, 3), ember.randn(2, 3, dtype=ember.float64))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_against_torch(bias, dtype):
    torch = pytest.importorskip("torch")
    arrays = [rand(2, 4, 3, seed=1), rand(2, 4, 5, seed=2), rand(6, 3, 5, seed=3)]
    arrays += [rand(6, seed=4)] if bias else []
    compare_fn(F.bilinear, torch.nn.functional.bilinear, arrays, dtype=dtype)
    gradcheck(F.bilinear, [rand(3, 2, seed=1), rand(3, 3, seed=2), rand(2, 2, 3, seed=3),
                           rand(2, seed=4)])


def test_bilinear_errors():
    with pytest.raises(RuntimeError, match="input sizes"):
        F.bilinear(ember.randn(2, 3), ember.randn(2, 4), ember.randn(5, 3, 5))
    with pytest.raises(RuntimeError, match="batch dimensions do not match"):
        F.bilinear(ember.randn(2, 3), ember.randn(3, 4), ember.randn(5, 3, 4))


def test_linear_2d_fast_path_equals_general_path():
    # 2-D host inputs take a shortcut; a 3-D input of the same rows takes the general path
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 7)).astype(np.float32)
    w = ember.from_numpy(rng.standard_normal((4, 7)).astype(np.float32)).requires_grad_()
    b = ember.from_numpy(rng.standard_normal(4).astype(np.float32)).requires_grad_()
    g = rng.standard_normal((5, 4)).astype(np.float32)
    results = []
    for shape in ((5, 7), (1, 5, 7)):
        w.grad = b.grad = None
        xt = ember.from_numpy(x.reshape(shape).copy()).requires_grad_()
        out = ember.nn.functional.linear(xt, w, b)
        out.backward(ember.from_numpy(g.reshape(out.shape)))
        results.append((out._data.reshape(5, 4), xt.grad._data.reshape(5, 7), w.grad._data,
                        b.grad._data))
    for fast, general in zip(*results):
        np.testing.assert_array_equal(fast, general)
    with ember.no_grad():
        np.testing.assert_array_equal(ember.nn.functional.linear(ember.from_numpy(x), w, b)._data,
                                      results[0][0])
    assert ember.nn.functional.linear(ember.from_numpy(x), w.detach()).grad_fn is None
