"""Binary arithmetic (ember/ops/arithmetic.py): NumPy, PyTorch and gradcheck, one table."""

import numpy as np
import pytest
from helpers import Case, In, check_gradcheck, table_tests

import ember

F = "float32"
CASES = [
    Case("add", lambda m, a, b: m.add(a, b), np.add, [In((3, 4)), In((3, 4))]),
    Case("add_broadcast", lambda m, a, b: a + b, np.add, [In((2, 3, 4)), In((3, 1))]),
    Case("add_alpha", lambda m, a, b: m.add(a, b, alpha=2.5), lambda a, b: a + 2.5 * b,
         [In((3, 4)), In((4,))]),
    Case("add_scalar", lambda m, a: a + 2, lambda a: a + 2, [In((3, 4))]),
    Case("radd_scalar", lambda m, a: 1.5 + a, lambda a: 1.5 + a, [In((3, 4))]),
    Case("add_0d", lambda m, a, b: a + b, np.add, [In((3, 4)), In(())]),
    Case("add_0d_0d", lambda m, a, b: a + b, np.add, [In(()), In(())]),
    Case("sub", lambda m, a, b: m.sub(a, b), np.subtract, [In((3, 4)), In((1, 4))]),
    Case("sub_alpha", lambda m, a, b: m.sub(a, b, alpha=3), lambda a, b: a - 3 * b,
         [In((3, 4)), In((3, 4))]),
    Case("rsub_scalar", lambda m, a: 2 - a, lambda a: 2 - a, [In((2, 3))]),
    Case("neg_dim", lambda m, a, b: a - b, np.subtract, [In((4, 1, 3)), In((2, 1))]),
    Case("mul", lambda m, a, b: m.mul(a, b), np.multiply, [In((3, 4)), In((3, 4))]),
    Case("mul_broadcast", lambda m, a, b: a * b, np.multiply, [In((3, 1)), In((1, 4))]),
    Case("mul_scalar", lambda m, a: a * -3.0, lambda a: a * -3.0, [In((3, 4))]),
    Case("rmul_scalar", lambda m, a: 2 * a, lambda a: 2 * a, [In((3, 4))]),
    Case("mul_self", lambda m, a: a * a, lambda a: a * a, [In((3, 4))]),
    Case("div", lambda m, a, b: m.div(a, b), np.divide, [In((3, 4)), In((3, 4), F, "nonzero")]),
    Case("div_broadcast", lambda m, a, b: a / b, np.divide,
         [In((2, 3)), In((3,), F, "nonzero")]),
    Case("div_scalar", lambda m, a: a / 4, lambda a: a / 4, [In((3, 4))]),
    Case("rdiv_scalar", lambda m, a: 2.0 / a, lambda a: 2.0 / a, [In((3, 4), F, "nonzero")]),
    Case("true_divide", lambda m, a, b: m.true_divide(a, b), np.divide,
         [In((3,)), In((3,), F, "nonzero")]),
    Case("div_floor", lambda m, a, b: m.div(a, b, rounding_mode="floor"),
         lambda a, b: np.floor(a / b), [In((3, 4)), In((3, 4), F, "nonzero")], grad=False),
    Case("div_trunc", lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
         lambda a, b: np.trunc(a / b), [In((3, 4)), In((3, 4), F, "nonzero")], grad=False),
    Case("div_int_int", lambda m, a, b: a / b, lambda a, b: a / b,
         [In((3, 4), "int64", "int"), In((3, 4), "int64", "pos")]),
    Case("div_trunc_int", lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
         lambda a, b: np.trunc(a / b).astype(np.int64),
         [In((3, 4), "int64"), In((3, 4), "int64", "pos")]),
    Case("floor_divide", lambda m, a, b: a // b, np.floor_divide,
         [In((3, 4)), In((3, 4), F, "nonzero")], grad=False),
    Case("floor_divide_int", lambda m, a, b: m.floor_divide(a, b), np.floor_divide,
         [In((5,), "int64"), In((5,), "int64", "pos")]),
    Case("pow_scalar", lambda m, a: a ** 3, lambda a: a ** 3, [In((3, 4))]),
    Case("pow_half", lambda m, a: m.pow(a, 0.5), np.sqrt, [In((3, 4), F, "pos")]),
    Case("pow_neg", lambda m, a: a ** -2, lambda a: a ** -2.0, [In((3, 4), F, "nonzero")]),
    Case("pow_zero", lambda m, a: a ** 0, lambda a: a ** 0, [In((3, 4))]),
    Case("pow_tensor", lambda m, a, b: a ** b, np.power, [In((3, 4), F, "pos"), In((3, 4))]),
    Case("pow_tensor_broadcast", lambda m, a, b: m.pow(a, b), np.power,
         [In((2, 3), F, "pos"), In((3,))]),
    Case("rpow", lambda m, a: 2.0 ** a, lambda a: 2.0 ** a, [In((3, 4))]),
    Case("pow_int", lambda m, a: a ** 2, lambda a: a ** 2, [In((3, 4), "int64")]),
    Case("maximum", lambda m, a, b: m.maximum(a, b), np.maximum, [In((3, 4)), In((4,))]),
    Case("minimum", lambda m, a, b: m.minimum(a, b), np.minimum, [In((3, 4)), In((3, 1))]),
    Case("atan2", lambda m, a, b: m.atan2(a, b), np.arctan2, [In((3, 4)), In((3, 4))]),
    Case("remainder", lambda m, a, b: m.remainder(a, b), np.remainder,
         [In((3, 4)), In((3, 4), F, "nonzero")]),
    Case("mod_scalar", lambda m, a: a % 1.5, lambda a: np.remainder(a, 1.5), [In((3, 4))]),
    Case("remainder_int", lambda m, a, b: a % b, np.remainder,
         [In((6,), "int64"), In((6,), "int64", "pos")]),
    Case("fmod", lambda m, a, b: m.fmod(a, b), np.fmod, [In((3, 4)), In((3, 4), F, "nonzero")]),
    Case("fmod_scalar", lambda m, a: m.fmod(a, -1.5), lambda a: np.fmod(a, -1.5), [In((5,))]),
    Case("lerp", lambda m, a, b: m.lerp(a, b, 0.3), lambda a, b: a + 0.3 * (b - a),
         [In((3, 4)), In((3, 4))]),
    Case("lerp_tensor_weight", lambda m, a, b, w: m.lerp(a, b, w),
         lambda a, b, w: a + w * (b - a), [In((3, 4)), In((3, 4)), In((4,))]),
    Case("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5),
         lambda a, b, c: a + 0.5 * b * c, [In((3, 4)), In((3, 4)), In((1, 4))]),
    Case("addcdiv", lambda m, a, b, c: m.addcdiv(a, b, c, value=2),
         lambda a, b, c: a + 2 * b / c, [In((3, 4)), In((3, 4)), In((3, 4), F, "nonzero")]),
    Case("rsub_fn", lambda m, a, b: m.rsub(a, b), lambda a, b: b - a, [In((3, 4)), In((3, 4))]),
    Case("mixed_dtype", lambda m, a, b: a * b, np.multiply,
         [In((3, 4)), In((3, 4), "int32")]),
    Case("mixed_float64", lambda m, a, b: a + b, np.add, [In((3,)), In((3,), "float64")]),
    Case("int_plus_float_scalar", lambda m, a: a + 0.5, lambda a: a + 0.5, [In((4,), "int64")]),
    Case("bool_plus_int", lambda m, a: a + 1, lambda a: a + 1, [In((4,), "bool")]),
    Case("uint8_wrap", lambda m, a: a + 250, lambda a: (a + 250).astype(np.uint8),
         [In((5,), "uint8")]),
    Case("float16", lambda m, a, b: a * b + 1, lambda a, b: a * b + 1,
         [In((3,), "float16"), In((3,), "float16")], rtol=1e-3, atol=1e-3, grad=False),
]
test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES)


def test_gradcheck_non_contiguous():
    case = CASES[1]
    check_gradcheck(case, "transposed")


def test_out_writes_into_given_tensor():
    x, y = ember.ones(2, 3), ember.full((2, 3), 2.0)
    r = ember.empty(2, 3)
    got = ember.add(x, y, out=r)
    assert got is r
    np.testing.assert_array_equal(r.numpy(), np.full((2, 3), 3.0, np.float32))
    v = r._version
    ember.mul(x, y, out=r)
    assert r._version > v


def test_out_resizes_and_checks_dtype():
    r = ember.empty(0)
    ember.add(ember.ones(2, 2), 1, out=r)
    assert r.shape == (2, 2)
    with pytest.raises(RuntimeError, match="can't be cast"):
        ember.add(ember.ones(2), 0.5, out=ember.zeros(2, dtype=ember.int64))


def test_out_with_requires_grad_raises():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        ember.add(x, 1, out=ember.empty(2))


def test_broadcast_mismatch_names_shapes():
    with pytest.raises(RuntimeError, match=r"\[3, 4\].*\[5\]|\(3, 4\).*\(5,\)"):
        ember.ones(3, 4) + ember.ones(5)
    with pytest.raises(RuntimeError, match="size"):
        ember.mul(ember.ones(2, 3), ember.ones(3, 2))


def test_broadcast_mismatch_with_grad_names_shapes():
    a = ember.ones(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="4"):
        a * ember.ones(2, 4)


def test_integer_negative_power_raises():
    with pytest.raises(RuntimeError, match="negative integer powers"):
        ember.tensor([1, 2]) ** -1


def test_bad_operand_type():
    with pytest.raises(TypeError):
        ember.ones(2) + "a"


def test_rounding_mode_invalid():
    with pytest.raises(ValueError, match="rounding_mode"):
        ember.div(ember.ones(2), 2, rounding_mode="up")
