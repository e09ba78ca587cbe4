"""Binary arithmetic with broadcasting and PyTorch type promotion: add, mul, div, pow, ...

NumPy ufuncs (np.add, np.exp, ...) also accept CuPy arrays (CuPy implements
``__array_ufunc__``), so these ops serve both devices with one body.
"""

import numbers
import operator

import numpy as np

from .. import backend, dtypes
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ..tensor import Tensor
from ._util import (
    broadcast_error,
    inplace,
    inplace_source,
    make,
    promote,
    unbroadcast,
    write_out,
)

_ndarray = np.ndarray
_SCALARS = (numbers.Number, np.generic)


def _shape(x):
    """The shape of an array operand (None for a Python scalar)."""
    return x.shape if x.__class__ is _ndarray else getattr(x, "shape", None)


def _coerce(x, like):
    """Turn a non-tensor operand (number, list, ndarray) into something ops accept."""
    if isinstance(x, bool) or isinstance(x, _SCALARS):
        return x.item() if isinstance(x, np.generic) else x
    if isinstance(x, (list, tuple, _ndarray)):
        arr = np.asarray(x)
        return make(backend.to_device(arr, like.device) if like.is_cuda else arr)
    raise TypeError(f"unsupported operand type {type(x).__name__} for a tensor operation")


def binary(cls, a, b, out=None):
    """Apply a binary op to tensors and/or scalars (either side), with promotion and out=."""
    try:
        if a.__class__ is Tensor and b.__class__ is Tensor and out is None:
            # hot path: two plain tensors of one dtype on the CPU
            x, y = a._data, b._data
            if x.__class__ is _ndarray and y.__class__ is _ndarray and x.dtype == y.dtype:
                if STATE.enabled and (a._requires_grad or b._requires_grad):
                    return cls.apply_binary(a, b)
                return make(cls.compute(x, y))
        elif a.__class__ is Tensor and (b.__class__ is float or b.__class__ is int) and \
                out is None and a._data.dtype.kind == "f" and a._data.__class__ is _ndarray:
            # hot path: float tensor with a Python number keeps the tensor's dtype
            if STATE.enabled and a._requires_grad:
                return cls.apply_binary(a, b)
            return make(cls.compute(a._data, b))
        if cls is Sub and (_is_bool(a) or _is_bool(b)):
            raise _bool_sub_error()
        if isinstance(a, Tensor):
            if not isinstance(b, Tensor):
                b = _coerce(b, a)
            a, b = promote(a, b)
        else:
            a = _coerce(a, b)
            b, a = promote(b, a)
        at, bt = isinstance(a, Tensor), isinstance(b, Tensor)
        x = a._data if at else a
        y = b._data if bt else b
        if at and bt and (type(x) is not type(y) or type(x) is not _ndarray):
            backend.check_same_device([x, y], cls.__name__.lower())
        if STATE.enabled and ((at and a._requires_grad) or (bt and b._requires_grad)):
            r = cls.apply_binary(a, b)
        else:
            r = make(cls.compute(x, y))
        if out is not None:
            return write_out(out, r)
        return r
    except ValueError as e:
        # NumPy's broadcast failure becomes a RuntimeError naming both shapes (as PyTorch);
        # the try costs nothing on the hot path (zero-cost exceptions, Python 3.11+).
        raise broadcast_error(a, b, e) from None
    except TypeError:
        if cls is Sub:  # NumPy's bool - bool error, reworded as PyTorch's
            raise _bool_sub_error() from None
        raise


def _is_bool(x):
    return x.__class__ is bool or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


def _bool_sub_error():
    return RuntimeError(
        "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
        "to invert a mask, use the `~` or `logical_not()` operator instead."
    )


def binary_inplace(cls, self, other):
    """self <op>= other, in place."""
    return inplace(self, binary(cls, inplace_source(self, other), other))


class Add(Op):
    """a + b."""

    compute = staticmethod(operator.add)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (a.shape if a.__class__ is _ndarray else _shape(a),
                      b.shape if b.__class__ is _ndarray else _shape(b))
        return a + b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        n = ctx.needs_input_grad
        return (unbroadcast(g, sa) if n[0] else None, unbroadcast(g, sb) if n[1] else None)


class Sub(Op):
    """a - b."""

    compute = staticmethod(operator.sub)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return a - b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        n = ctx.needs_input_grad
        return (unbroadcast(g, sa) if n[0] else None, unbroadcast(-g, sb) if n[1] else None)


class Mul(Op):
    """a * b."""

    compute = staticmethod(operator.mul)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (unbroadcast(g * b, _shape(a)) if n[0] else None,
                unbroadcast(g * a, _shape(b)) if n[1] else None)


class Div(Op):
    """a / b (true division)."""

    compute = staticmethod(operator.truediv)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = unbroadcast(g / b, _shape(a)) if n[0] else None
        gb = unbroadcast(-g * a / (b * b), _shape(b)) if n[1] else None
        return ga, gb


class Pow(Op):
    """a ** b."""

    compute = staticmethod(operator.pow)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = gb = None
        if n[0]:
            if isinstance(b, _SCALARS):
                ga = g * b * a ** (b - 1) if b != 0 else g * 0
            else:
                ga = unbroadcast(np.where(b == 0, 0, g * b * a ** np.where(b == 0, 1, b - 1)),
                                 _shape(a))
        if n[1]:
            if isinstance(a, _SCALARS):  # no np.asarray on arrays: it fails for cupy
                gb = g * out * float(np.log(a)) if a > 0 else g * 0
            else:
                gb = np.where(a > 0, g * out * np.log(np.where(a > 0, a, 1)), 0)
            gb = unbroadcast(gb, _shape(b))
        return ga, gb


class Maximum(Op):
    """Elementwise max; ties split the gradient evenly, as PyTorch does."""

    compute = staticmethod(np.maximum)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        w = (a > b) + 0.5 * (a == b)
        n = ctx.needs_input_grad
        return (unbroadcast(g * w, _shape(a)) if n[0] else None,
                unbroadcast(g * (1 - w), _shape(b)) if n[1] else None)


class Minimum(Op):
    """Elementwise min; ties split the gradient evenly, as PyTorch does."""

    compute = staticmethod(np.minimum)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        w = (a < b) + 0.5 * (a == b)
        n = ctx.needs_input_grad
        return (unbroadcast(g * w, _shape(a)) if n[0] else None,
                unbroadcast(g * (1 - w), _shape(b)) if n[1] else None)


class Atan2(Op):
    """atan2(a, b)."""

    compute = staticmethod(np.arctan2)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        d = a * a + b * b
        n = ctx.needs_input_grad
        return (unbroadcast(g * b / d, _shape(a)) if n[0] else None,
                unbroadcast(-g * a / d, _shape(b)) if n[1] else None)


class Remainder(Op):
    """Python-style modulus (sign of the divisor)."""

    compute = staticmethod(np.remainder)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (unbroadcast(g, _shape(a)) if n[0] else None,
                unbroadcast(-g * np.floor_divide(a, b), _shape(b)) if n[1] else None)


class Fmod(Op):
    """C-style modulus (sign of the dividend)."""

    compute = staticmethod(np.fmod)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (unbroadcast(g, _shape(a)) if n[0] else None,
                unbroadcast(-g * np.trunc(a / b), _shape(b)) if n[1] else None)


class FloorDivide(Op):
    """Floor division (not differentiable: its gradient is zero almost everywhere)."""

    compute = staticmethod(np.floor_divide)  # the no-graph path skips ctx bookkeeping

    @staticmethod
    def forward(ctx, a, b):
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        return None, None


def _floatify(t):
    """Integer operands of true division become the default float dtype."""
    if isinstance(t, Tensor) and t._data.dtype.kind in "biu":
        from ._util import cast

        return cast(t, dtypes.get_default_dtype().np)
    return t


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other."""
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Add, input, other, out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Sub, input, other, out)


def mul(input, other, *, out=None):
    """input * other."""
    return binary(Mul, input, other, out)


def div(input, other, *, rounding_mode=None, out=None):
    """input / other; rounding_mode None (true division), 'trunc' or 'floor'."""
    if rounding_mode is None:
        a, b = input, other
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            a, b = promote(a, b)
        elif isinstance(a, Tensor):
            a, b = promote(a, _coerce(b, a))
        else:
            b, a = promote(b, _coerce(a, b))
        return binary(Div, _floatify(a), _floatify(b), out)
    if rounding_mode == "floor":
        return binary(FloorDivide, input, other, out)
    if rounding_mode == "trunc":
        q = binary(FloorDivide, input, other)
        exact = div(input, other)
        r = make(np.trunc(exact._data).astype(q._data.dtype))
        return write_out(out, r) if out is not None else r
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                     f"found '{rounding_mode}'")


def floor_divide(input, other, *, out=None):
    """Elementwise floor(input / other)."""
    return binary(FloorDivide, input, other, out)


def remainder(input, other, *, out=None):
    """Python-style modulus."""
    return binary(Remainder, input, other, out)


def fmod(input, other, *, out=None):
    """C-style modulus."""
    return binary(Fmod, input, other, out)


def pow(input, exponent, *, out=None):
    """input ** exponent."""
    if isinstance(input, Tensor) and input._data.dtype.kind in "iu" and \
            isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return binary(Pow, input, exponent, out)


def maximum(input, other, *, out=None):
    """Elementwise maximum of two tensors."""
    return binary(Maximum, input, other, out)


def minimum(input, other, *, out=None):
    """Elementwise minimum of two tensors."""
    return binary(Minimum, input, other, out)


def atan2(input, other, *, out=None):
    """Elementwise arctangent of input/other, quadrant-aware."""
    return binary(Atan2, _floatify(input), _floatify(other), out)


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    r = add(input, mul(sub(end, input), weight))
    return write_out(out, r) if out is not None else r


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    r = add(input, mul(mul(tensor1, tensor2), value))
    return write_out(out, r) if out is not None else r


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    r = add(input, mul(div(tensor1, tensor2), value))
    return write_out(out, r) if out is not None else r


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    return sub(other, mul(input, alpha) if alpha != 1 else input)


def neg_scalar_first(op):
    """Build the reflected operator (scalar on the left) for a binary function."""
    def reflected(self, other):
        return op(other, self)

    return reflected
