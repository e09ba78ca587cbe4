"""Elementwise math of one tensor (ember/ops/unary.py): NumPy, PyTorch and gradcheck."""

import numpy as np
import pytest
from helpers import Case, In, table_tests

import ember

S = (3, 4)
F = "float32"


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


CASES = [
    Case("neg", lambda m, a: m.neg(a), np.negative, [In(S)]),
    Case("neg_op", lambda m, a: -a, np.negative, [In(S)]),
    Case("abs", lambda m, a: m.abs(a), np.abs, [In(S, F, "nonzero")]),
    Case("abs_op", lambda m, a: abs(a), np.abs, [In(S, F, "nonzero")]),
    Case("exp", lambda m, a: m.exp(a), np.exp, [In(S)]),
    Case("exp2", lambda m, a: m.exp2(a), np.exp2, [In(S)]),
    Case("expm1", lambda m, a: m.expm1(a), np.expm1, [In(S)]),
    Case("log", lambda m, a: m.log(a), np.log, [In(S, F, "pos")]),
    Case("log2", lambda m, a: m.log2(a), np.log2, [In(S, F, "pos")]),
    Case("log10", lambda m, a: m.log10(a), np.log10, [In(S, F, "pos")]),
    Case("log1p", lambda m, a: m.log1p(a), np.log1p, [In(S, F, "pos")]),
    Case("sqrt", lambda m, a: m.sqrt(a), np.sqrt, [In(S, F, "pos")]),
    Case("rsqrt", lambda m, a: m.rsqrt(a), lambda a: 1 / np.sqrt(a), [In(S, F, "pos")]),
    Case("reciprocal", lambda m, a: m.reciprocal(a), lambda a: 1 / a, [In(S, F, "nonzero")]),
    Case("square", lambda m, a: m.square(a), np.square, [In(S)]),
    Case("sin", lambda m, a: m.sin(a), np.sin, [In(S)]),
    Case("cos", lambda m, a: a.cos(), np.cos, [In(S)]),
    Case("tan", lambda m, a: m.tan(a), np.tan, [In(S, F, "unit")]),
    Case("asin", lambda m, a: m.asin(a), np.arcsin, [In(S, F, "unit")]),
    Case("acos", lambda m, a: m.acos(a), np.arccos, [In(S, F, "unit")]),
    Case("atan", lambda m, a: m.atan(a), np.arctan, [In(S)]),
    Case("arcsin", lambda m, a: m.arcsin(a), np.arcsin, [In(S, F, "unit")]),
    Case("sinh", lambda m, a: m.sinh(a), np.sinh, [In(S)]),
    Case("cosh", lambda m, a: m.cosh(a), np.cosh, [In(S)]),
    Case("tanh", lambda m, a: m.tanh(a), np.tanh, [In(S)]),
    Case("sigmoid", lambda m, a: m.sigmoid(a), _sigmoid, [In(S)]),
    Case("sigmoid_method", lambda m, a: (a * 10).sigmoid(), lambda a: _sigmoid(a * 10), [In(S)]),
    Case("relu", lambda m, a: m.relu(a), lambda a: np.maximum(a, 0), [In(S, F, "nonzero")]),
    Case("clamp", lambda m, a: m.clamp(a, -0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), [In(S)]),
    Case("clamp_min", lambda m, a: a.clamp(min=0.1), lambda a: np.maximum(a, 0.1), [In(S)]),
    Case("clamp_max", lambda m, a: a.clamp(max=0.1), lambda a: np.minimum(a, 0.1), [In(S)]),
    Case("clamp_tensor", lambda m, a, lo: m.clamp(a, min=lo), np.maximum, [In(S), In((4,))]),
    Case("clip", lambda m, a: m.clip(a, -1, 1), lambda a: np.clip(a, -1, 1), [In(S)]),
    Case("floor", lambda m, a: m.floor(a), np.floor, [In(S)]),
    Case("ceil", lambda m, a: m.ceil(a), np.ceil, [In(S)]),
    Case("round", lambda m, a: m.round(a * 3), lambda a: np.round(a * 3), [In(S)]),
    Case("round_decimals", lambda m, a: m.round(a, decimals=2), lambda a: np.round(a, 2),
         [In(S)]),
    Case("trunc", lambda m, a: m.trunc(a * 3), lambda a: np.trunc(a * 3), [In(S)]),
    Case("frac", lambda m, a: m.frac(a * 3), lambda a: a * 3 - np.trunc(a * 3), [In(S)]),
    Case("sign", lambda m, a: m.sign(a), np.sign, [In(S)]),
    Case("nan_to_num", lambda m, a: m.nan_to_num(m.log(a)), lambda a: np.nan_to_num(np.log(a)),
         [In(S)], grad=False),
    Case("chain", lambda m, a: (a.exp() + 1).log().tanh(), lambda a: np.tanh(np.log1p(np.exp(a))),
         [In(S)]),
    Case("zero_dim", lambda m, a: m.exp(a).sin(), lambda a: np.sin(np.exp(a)), [In(())]),
    Case("3d", lambda m, a: m.sigmoid(a), _sigmoid, [In((2, 3, 4))]),
    # integer inputs to float functions compute in the default float dtype
    Case("exp_int", lambda m, a: m.exp(a), lambda a: np.exp(a).astype(np.float32),
         [In((5,), "int64")]),
    Case("sqrt_int", lambda m, a: a.sqrt(), lambda a: np.sqrt(a).astype(np.float32),
         [In((5,), "int64", "pos")]),
    Case("sigmoid_int", lambda m, a: m.sigmoid(a), lambda a: _sigmoid(a).astype(np.float32),
         [In((5,), "int32")]),
    Case("sin_bool", lambda m, a: m.sin(a), lambda a: np.sin(a.astype(np.float32)),
         [In((5,), "bool")]),
    Case("neg_int", lambda m, a: -a, np.negative, [In((5,), "int64")]),
    Case("abs_int", lambda m, a: m.abs(a), np.abs, [In((5,), "int32")]),
    Case("relu_int", lambda m, a: m.relu(a), lambda a: np.maximum(a, 0), [In((5,), "int64")]),
    Case("floor_int", lambda m, a: m.floor(a), np.floor, [In((5,), "int64")]),
    Case("clamp_int", lambda m, a: m.clamp(a, -2, 2), lambda a: np.clip(a, -2, 2),
         [In((5,), "int64")]),
    Case("clamp_int_float_bound", lambda m, a: m.clamp(a, min=0.5),
         lambda a: np.maximum(a, 0.5), [In((5,), "int64")]),
    Case("sign_int", lambda m, a: m.sign(a), np.sign, [In((5,), "int64")]),
    Case("square_int", lambda m, a: m.square(a), np.square, [In((5,), "int64")]),
    Case("float64", lambda m, a: m.exp(a) * m.log(a), lambda a: np.exp(a) * np.log(a),
         [In(S, "float64", "pos")]),
    Case("float16", lambda m, a: m.exp(a), np.exp, [In(S, "float16")], rtol=1e-3, atol=1e-3,
         grad=False),
]
test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES)


def test_clamp_needs_a_bound():
    with pytest.raises(RuntimeError, match="At least one"):
        ember.clamp(ember.ones(2))


def test_clamp_gradient_at_bounds_matches_torch():
    torch = pytest.importorskip("torch")
    vals = [-1.0, -0.5, 0.0, 0.5, 1.0]
    x = ember.tensor(vals, requires_grad=True)
    t = torch.tensor(vals, requires_grad=True)
    x.clamp(-0.5, 0.5).sum().backward()
    t.clamp(-0.5, 0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_relu_and_abs_gradient_at_zero_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ("relu", "abs", "sign", "floor"):
        x = ember.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        t = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        getattr(ember, name)(x).sum().backward()
        getattr(torch, name)(t).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy(), err_msg=name)


def test_unary_rejects_non_tensor():
    with pytest.raises(TypeError, match="Tensor"):
        ember.exp([1.0, 2.0])


def test_unary_out():
    x = ember.tensor([0.0, 1.0])
    r = ember.empty(2)
    assert ember.exp(x, out=r) is r
    np.testing.assert_allclose(r.numpy(), np.exp([0.0, 1.0]), rtol=1e-6)


def test_sigmoid_extreme_values_are_finite():
    x = ember.tensor([-1000.0, 0.0, 1000.0])
    np.testing.assert_array_equal(ember.sigmoid(x).numpy(), [0.0, 0.5, 1.0])
