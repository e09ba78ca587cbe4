"""Comparisons, logical and bitwise ops, where, and value tests (not differentiable)."""

import warnings

import numpy as np

from .. import backend
from ..autograd.grad_mode import STATE
from ..tensor import Tensor
from ._util import broadcast_error, make, promote, write_out
from .arithmetic import _coerce


def _operands(a, b):
    if isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            b = _coerce(b, a)
        a, b = promote(a, b)
    else:
        a = _coerce(a, b)
        b, a = promote(b, a)
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    if isinstance(a, Tensor) and isinstance(b, Tensor) and type(x) is not type(y):
        backend.check_same_device([x, y], "comparison")
    return x, y


def _make_cmp(name, ufunc, doc, integral=False):
    """A binary elementwise function with promotion, out= and shape errors; `integral`
    ones (bitwise) refuse floating-point operands."""

    def fn(input, other, *, out=None):
        x, y = _operands(input, other)
        # (not getattr's default: np.asarray on a cupy array raises)
        if integral and (x.dtype if hasattr(x, "dtype") else np.asarray(x).dtype).kind not in "biu":
            raise RuntimeError(f"\"{name}\" not implemented for floating-point tensors")
        try:
            r = make(ufunc(x, y))
        except ValueError as e:
            raise broadcast_error(x, y, e) from None
        return write_out(out, r) if out is not None else r

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


eq = _make_cmp("eq", np.equal, "Elementwise ==.")
ne = _make_cmp("ne", np.not_equal, "Elementwise !=.")
lt = _make_cmp("lt", np.less, "Elementwise <.")
le = _make_cmp("le", np.less_equal, "Elementwise <=.")
gt = _make_cmp("gt", np.greater, "Elementwise >.")
ge = _make_cmp("ge", np.greater_equal, "Elementwise >=.")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
logical_and = _make_cmp("logical_and", np.logical_and, "Elementwise logical and.")
logical_or = _make_cmp("logical_or", np.logical_or, "Elementwise logical or.")
logical_xor = _make_cmp("logical_xor", np.logical_xor, "Elementwise logical xor.")
bitwise_and = _make_cmp("bitwise_and", np.bitwise_and, "Elementwise bitwise and.", True)
bitwise_or = _make_cmp("bitwise_or", np.bitwise_or, "Elementwise bitwise or.", True)
bitwise_xor = _make_cmp("bitwise_xor", np.bitwise_xor, "Elementwise bitwise xor.", True)


def logical_not(input, *, out=None):
    """Elementwise logical not."""
    r = make(np.logical_not(input._data))
    return write_out(out, r) if out is not None else r


def bitwise_not(input, *, out=None):
    """Elementwise bitwise not (logical not for bool)."""
    if input._data.dtype.kind not in "biu":
        raise RuntimeError("\"bitwise_not\" not implemented for floating-point tensors")
    r = make(np.invert(input._data))
    return write_out(out, r) if out is not None else r


def isnan(input):
    """True where an element is NaN."""
    return make(np.isnan(input._data))


def isinf(input):
    """True where an element is +-inf."""
    return make(np.isinf(input._data))


def isfinite(input):
    """True where an element is finite."""
    return make(np.isfinite(input._data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input - other| <= atol + rtol * |other|."""
    x, y = _operands(input, other)
    return make(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element is close (see isclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    if input._data.shape != other._data.shape:
        return False
    return bool((input._data == other._data).all())


def where(condition, input=None, other=None, *, out=None):
    """Elementwise choice: input where condition else other; where(c) is nonzero(c, as_tuple)."""
    if input is None and other is None:
        from .index import nonzero

        return nonzero(condition, as_tuple=True)
    from .index import Where

    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor")
    if condition._data.dtype == np.uint8:
        warnings.warn("where received a uint8 condition tensor; use a boolean condition "
                      "instead", UserWarning, stacklevel=2)
        condition = make(condition._data.astype(bool))
    elif condition._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype}")
    if isinstance(input, Tensor):
        other = other if isinstance(other, Tensor) else _coerce(other, input)
        a, b = promote(input, other)
    else:
        input = _coerce(input, other)
        b, a = promote(other, input)
    if not isinstance(a, Tensor):
        a = make(np.asarray(a, dtype=b._data.dtype)) if not b.is_cuda else \
            make(backend.to_device(np.asarray(a, dtype=b._data.dtype), b.device))
    if not isinstance(b, Tensor):
        b = make(np.asarray(b, dtype=a._data.dtype)) if not a.is_cuda else \
            make(backend.to_device(np.asarray(b, dtype=a._data.dtype), a.device))
    try:
        np.broadcast_shapes(condition._data.shape, a._data.shape, b._data.shape)
    except ValueError:
        raise RuntimeError(f"where(): condition, input and other must be broadcastable, got "
                           f"shapes {list(condition._data.shape)}, {list(a._data.shape)} and "
                           f"{list(b._data.shape)}") from None
    if STATE.enabled and (a._requires_grad or b._requires_grad):
        r = Where.apply(condition, a, b)
    else:
        backend.check_same_device([condition._data, a._data, b._data], "where")
        r = make(np.where(condition._data, a._data, b._data))
    return write_out(out, r) if out is not None else r
