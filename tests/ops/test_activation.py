"""Activation ops (ember/ops/activation.py): NumPy formulas, PyTorch oracle, float64 gradcheck."""

import math
import warnings

import numpy as np
import pytest
from nn_helpers import compare_fn, gradcheck, rand

import ember
import ember.nn.functional as F


def _sig(a):
    return 1 / (1 + np.exp(-a))


_erf = np.vectorize(math.erf)

# name -> (ember fn, torch fn name/lambda, numpy reference)
CASES = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda T, x: T.leaky_relu(x, 0.2),
                   lambda a: np.where(a > 0, a, 0.2 * a)),
    "elu": (lambda x: F.elu(x, 0.7), lambda T, x: T.elu(x, 0.7),
            lambda a: np.where(a > 0, a, 0.7 * np.expm1(a))),
    "selu": (F.selu, lambda T, x: T.selu(x),
             lambda a: 1.0507009873554805 * np.where(a > 0, a, 1.6732632423543772 * np.expm1(a))),
    "celu": (lambda x: F.celu(x, 1.5), lambda T, x: T.celu(x, 1.5),
             lambda a: np.maximum(a, 0) + np.minimum(0, 1.5 * np.expm1(a / 1.5))),
    "gelu": (F.gelu, lambda T, x: T.gelu(x), lambda a: 0.5 * a * (1 + _erf(a / math.sqrt(2)))),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda T, x: T.gelu(x, approximate="tanh"),
                  lambda a: 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi)
                                                   * (a + 0.044715 * a ** 3)))),
    "silu": (F.silu, lambda T, x: T.silu(x), lambda a: a * _sig(a)),
    "mish": (F.mish, lambda T, x: T.mish(x), lambda a: a * np.tanh(np.log1p(np.exp(a)))),
    "softplus": (lambda x: F.softplus(x, 2.0, 3.0), lambda T, x: T.softplus(x, 2.0, 3.0),
                 lambda a: np.where(2 * a > 3, a, np.log1p(np.exp(2 * a)) / 2)),
    "logsigmoid": (F.logsigmoid, lambda T, x: T.logsigmoid(x), lambda a: np.log(_sig(a))),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 0.8), lambda T, x: T.hardtanh(x, -0.5, 0.8),
                 lambda a: np.clip(a, -0.5, 0.8)),
    "relu6": (lambda x: F.relu6(x * 4), lambda T, x: T.relu6(x * 4),
              lambda a: np.clip(4 * a, 0, 6)),
    "hardsigmoid": (lambda x: F.hardsigmoid(x * 3), lambda T, x: T.hardsigmoid(x * 3),
                    lambda a: np.clip(3 * a + 3, 0, 6) / 6),
    "hardswish": (lambda x: F.hardswish(x * 3), lambda T, x: T.hardswish(x * 3),
                  lambda a: 3 * a * np.clip(3 * a + 3, 0, 6) / 6),
    "threshold": (lambda x: F.threshold(x, 0.3, -2.0), lambda T, x: T.threshold(x, 0.3, -2.0),
                  lambda a: np.where(a > 0.3, a, -2.0)),
    "relu": (F.relu, lambda T, x: T.relu(x), lambda a: np.maximum(a, 0)),
    "sigmoid": (F.sigmoid, lambda T, x: T.sigmoid(x), _sig),
    "tanh": (F.tanh, lambda T, x: T.tanh(x), np.tanh),
    "softsign": (F.softsign, lambda T, x: T.softsign(x), lambda a: a / (1 + np.abs(a))),
    "tanhshrink": (F.tanhshrink, lambda T, x: T.tanhshrink(x), lambda a: a - np.tanh(a)),
    "softmax1": (lambda x: F.softmax(x, 1), lambda T, x: T.softmax(x, 1),
                 lambda a: np.exp(a) / np.exp(a).sum(1, keepdims=True)),
    "softmax0": (lambda x: F.softmax(x, dim=0), lambda T, x: T.softmax(x, dim=0),
                 lambda a: np.exp(a) / np.exp(a).sum(0, keepdims=True)),
    "log_softmax": (lambda x: F.log_softmax(x, -1), lambda T, x: T.log_softmax(x, -1),
                    lambda a: a - np.log(np.exp(a).sum(-1, keepdims=True))),
    "softmin": (lambda x: F.softmin(x, 1), lambda T, x: T.softmin(x, 1),
                lambda a: np.exp(-a) / np.exp(-a).sum(1, keepdims=True)),
    "glu": (lambda x: F.glu(x, 1), lambda T, x: T.glu(x, 1),
            lambda a: a[:, :2] * _sig(a[:, 2:])),
}
SHAPE = (3, 4, 5)


def _input(seed=0):
    a = rand(*SHAPE, seed=seed) * 2
    a[0, 0, :3] = [0.0, 3.0, -3.0]  # kinks of relu6/hardswish/hardsigmoid and zero
    return a


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_numpy(name):
    fn, _, ref = CASES[name]
    a = _input()
    out = fn(ember.from_numpy(a))
    np.testing.assert_allclose(out.numpy(), ref(a), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name, dtype):
    fn, tfn, _ = CASES[name]
    torch = pytest.importorskip("torch")
    # PyTorch's CPU hardsigmoid backward multiplies by a float32 1/6 even for float64, so
    # it is only float32-exact; ember uses the exact constant.
    scale = 1e3 if name == "hardsigmoid" and dtype == "float64" else 1.0
    compare_fn(fn, lambda x: tfn(torch.nn.functional, x), [_input(1)], dtype=dtype,
               scale=scale)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn = CASES[name][0]
    a = rand(2, 4, 3, seed=3) * 2
    # keep away from kinks, where finite differences straddle two slopes
    a = np.where(np.abs(a) < 0.05, 0.3, a)
    for k in (0.3, 0.5, 0.75, 1.0, 1.5, 0.8, -0.5):
        a = np.where(np.abs(a - k) < 0.02, a + 0.07, a)
    gradcheck(fn, [a])


def test_prelu_against_torch_and_gradcheck():
    torch = pytest.importorskip("torch")
    x = rand(2, 3, 4, seed=1)
    for w in (np.array([0.1, -0.3, 0.5]), np.array([0.25])):
        for dtype in ("float32", "float64"):
            compare_fn(F.prelu, torch.nn.functional.prelu, [x, w], dtype=dtype)
    gradcheck(F.prelu, [x, np.array([0.1, -0.3, 0.5])])


def test_prelu_rejects_wrong_slope_count():
    with pytest.raises(RuntimeError, match="channel size"):
        F.prelu(ember.randn(2, 3), ember.ones(2))


def test_softmax_stable_for_huge_logits():
    x = ember.tensor([[1000.0, 0.0, -1000.0], [-1e30, 1e30, 0.0]])
    p = F.softmax(x, 1)
    lp = F.log_softmax(x, 1)
    assert np.isfinite(p.numpy()).all() and np.isfinite(lp.numpy()).all()
    np.testing.assert_allclose(p.numpy(), [[1, 0, 0], [0, 1, 0]], atol=1e-7)
    np.testing.assert_allclose(lp.numpy()[0], [0.0, -1000.0, -2000.0])


def test_softmax_implicit_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(ember.ones(2, 3))
    np.testing.assert_allclose(out.numpy(), np.full((2, 3), 1 / 3), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # 1-D and 3-D inputs reduce over dim 0, as PyTorch's legacy rule does
        np.testing.assert_allclose(F.softmax(ember.ones(3, 2, 2)).numpy(), np.full((3, 2, 2),
                                                                                     1 / 3))


def test_softmax_dtype_argument_and_integer_error():
    x = ember.tensor([[1, 2, 3]])
    out = F.softmax(x, 1, dtype=ember.float64)
    assert out.dtype == ember.float64
    with pytest.raises(RuntimeError, match="not implemented"):
        F.softmax(x, 1)


def test_softmax_dim_out_of_range():
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.log_softmax(ember.ones(2, 3), 2)


def test_tensor_methods_softmax_log_softmax():
    x = ember.randn(3, 4)
    np.testing.assert_allclose(x.softmax(1).numpy(), F.softmax(x, 1).numpy())
    np.testing.assert_allclose(x.log_softmax(dim=-1).numpy(), F.log_softmax(x, -1).numpy())
    np.testing.assert_allclose(ember.softmax(x, 0).numpy(), F.softmax(x, 0).numpy())


@pytest.mark.parametrize("name,args", [("leaky_relu", (0.1,)), ("elu", (1.0,)),
                                       ("hardtanh", (-1.0, 1.0)), ("relu6", ()),
                                       ("silu", ()), ("relu", ()), ("selu", ()),
                                       ("hardswish", ()), ("hardsigmoid", ()), ("mish", ())])
def test_inplace_variants(name, args):
    a = rand(3, 4, seed=5)
    x = ember.from_numpy(a.copy())
    expected = getattr(F, name)(ember.from_numpy(a.copy()), *args)
    out = getattr(F, name)(x, *args, inplace=True)
    assert out is x
    np.testing.assert_allclose(x.numpy(), expected.numpy())


def test_inplace_activation_backward_matches_torch():
    torch = pytest.importorskip("torch")

    def run(lib, x):
        y = x * 2
        lib.nn.functional.leaky_relu(y, 0.1, inplace=True)
        return y * y

    compare_fn(lambda x: run(ember, x), lambda x: run(torch, x), [rand(3, 4, seed=2)])


def test_relu_underscore_names():
    x = ember.tensor([-1.0, 2.0])
    assert F.relu_(x) is x
    np.testing.assert_array_equal(x.numpy(), [0.0, 2.0])
    y = ember.tensor([-1.0, 2.0])
    assert F.leaky_relu_(y, 0.5) is y and y.numpy()[0] == -0.5


def test_gradient_at_kinks_matches_torch():
    torch = pytest.importorskip("torch")
    vals = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0])
    for name in ("leaky_relu", "elu", "hardtanh", "relu6", "hardsigmoid", "hardswish",
                 "threshold"):
        args = (0.0, 0.0) if name == "threshold" else ()
        compare_fn(lambda x, n=name, a=args: getattr(F, n)(x, *a),
                   lambda x, n=name, a=args: getattr(torch.nn.functional, n)(x, *a), [vals],
                   dtype="float64", scale=1e3 if name == "hardsigmoid" else 1.0)


def test_errors_name_the_problem():
    with pytest.raises(TypeError, match="Tensor"):
        F.gelu([1.0])
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(ember.ones(2), approximate="fast")
    with pytest.raises(ValueError, match="min_val cannot be greater"):
        F.hardtanh(ember.ones(2), 1.0, -1.0)
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(ember.ones(3, 3), 1)
