"""dtype objects and PyTorch's type promotion (ember/dtypes.py), checked against torch."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ember
from ember import dtypes

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
         "complex64", "complex128"]
REAL = NAMES[:-2]
SCALARS = [True, 3, -2, 2.5, 1e10, 1 + 2j]


def _make(name, zero_dim, lib):
    shape = () if zero_dim else (2,)
    return lib.ones(shape, dtype=getattr(lib, name))


def test_dtype_objects():
    assert repr(ember.float32) == "ember.float32"
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.long is ember.int64 and ember.int is ember.int32 and ember.half is ember.float16
    assert ember.float32.is_floating_point and not ember.int64.is_floating_point
    assert ember.complex64.is_complex and ember.int8.is_signed and not ember.uint8.is_signed
    assert ember.float64.itemsize == 8
    assert dtypes.to_dtype("float32") is ember.float32
    assert dtypes.to_dtype(np.int16) is ember.int16
    assert dtypes.to_dtype(float) is ember.float64 and dtypes.to_dtype(bool) is ember.bool
    with pytest.raises(TypeError, match="not an ember dtype"):
        dtypes.to_dtype("quaternion")
    with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
        ember.from_numpy(np.zeros(2, np.uint32))


def test_dtype_pickles_to_the_same_object():
    import pickle

    assert pickle.loads(pickle.dumps(ember.int16)) is ember.int16


def test_default_dtype_round_trip():
    assert ember.get_default_dtype() is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor([1.5]).dtype is ember.float64
        assert ember.ones(2).dtype is ember.float64
        assert (ember.ones(2, dtype=ember.int64) + 0.5).dtype is ember.float64
        with pytest.raises(TypeError, match="floating"):
            ember.set_default_dtype(ember.int64)
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.5]).dtype is ember.float32


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_matches_torch(a, b):
    torch = pytest.importorskip("torch")
    got = ember.promote_types(getattr(ember, a), getattr(ember, b))
    assert got.name == str(torch.promote_types(getattr(torch, a), getattr(torch, b)))[6:]


@pytest.mark.parametrize("a,b", list(itertools.product(REAL, REAL)))
def test_result_type_with_zero_dim_operands_matches_torch(a, b):
    torch = pytest.importorskip("torch")
    for za, zb in ((False, False), (True, False), (False, True), (True, True)):
        x, y = _make(a, za, ember), _make(b, zb, ember)
        tx, ty = _make(a, za, torch), _make(b, zb, torch)
        want = str(torch.result_type(tx, ty))[6:]
        assert ember.result_type(x, y).name == want, (a, za, b, zb)


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
def test_result_type_with_python_scalars_matches_torch(a, scalar):
    torch = pytest.importorskip("torch")
    if a == "float16" and isinstance(scalar, complex):
        pytest.skip("ember has no complex32 (PyTorch's ComplexHalf)")
    for zero_dim in (False, True):
        want = str(torch.result_type(_make(a, zero_dim, torch), scalar))[6:]
        assert ember.result_type(_make(a, zero_dim, ember), scalar).name == want


OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "div": lambda a, b: a / b,
    "floordiv": lambda a, b: a // b,
    "pow": lambda a, b: a ** b,
    "maximum": lambda a, b: a.maximum(b) if hasattr(a, "maximum") else None,
    "eq": lambda a, b: a == b,
    "where": lambda a, b: (a == a).where(a, b) if hasattr(a, "where") else None,
    "radd": lambda a, b: b + a,
    "rtruediv": lambda a, b: b / a,
}


@given(a=st.sampled_from(REAL), b=st.sampled_from(REAL + ["int_scalar", "float_scalar",
                                                          "bool_scalar"]),
       za=st.booleans(), zb=st.booleans(), op=st.sampled_from(sorted(OPS)))
def test_op_output_dtypes_match_torch(a, b, za, zb, op):
    torch = pytest.importorskip("torch")
    scalars = {"int_scalar": 2, "float_scalar": 0.5, "bool_scalar": True}
    fn = OPS[op]
    x, tx = _make(a, za, ember), _make(a, za, torch)
    if b in scalars:
        y = ty = scalars[b]
    else:
        y, ty = _make(b, zb, ember), _make(b, zb, torch)
    if op in ("maximum", "where") and b in scalars:
        return
    if op in ("pow", "floordiv") and "bool" in (a, b, b.replace("_scalar", "")):
        return  # PyTorch leaves these unimplemented for bool; ember computes them
    try:
        want = fn(tx, ty)
    except (RuntimeError, TypeError):
        with pytest.raises((RuntimeError, TypeError)):
            fn(x, y)
        return
    got = fn(x, y)
    assert got.dtype.name == str(want.dtype)[6:], (a, za, b, zb, op)
    np.testing.assert_allclose(got.numpy().astype(np.float64),
                               want.numpy().astype(np.float64), rtol=1e-3)


def test_can_cast_matches_torch():
    torch = pytest.importorskip("torch")
    for a, b in itertools.product(REAL, REAL):
        assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == \
            torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_set_default_dtype_is_not_shadowed_by_cached_promotions():
    x = ember.ones(2, dtype=ember.int64)
    assert (x + 0.5).dtype is ember.float32  # warm any promotion cache
    try:
        ember.set_default_dtype(ember.float64)
        assert (x + 0.5).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    assert (x + 0.5).dtype is ember.float32
