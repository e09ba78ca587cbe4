"""Elementwise math of one tensor: exp, log, trig, sigmoid, relu, abs, clamp, rounding, ..."""

import numpy as np

from .. import dtypes
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ..tensor import Tensor
from ._util import NULL_CTX, cast, dispatch, inplace, inplace_source, make, write_out


def _float_input(t):
    """Integer inputs of float functions (exp, sqrt, ...) are computed in the default dtype."""
    if t._data.dtype.kind in "biu":
        return cast(t, dtypes.get_default_dtype().np)
    return t


class Neg(Op):
    """-a."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class Abs(Op):
    """|a| (gradient sign(a), zero at 0)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * np.sign(a)


class Exp(Op):
    """e ** a."""

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Exp2(Op):
    """2 ** a."""

    @staticmethod
    def forward(ctx, a):
        out = np.exp2(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * np.log(2.0).astype(out.dtype)


class Expm1(Op):
    """e ** a - 1."""

    @staticmethod
    def forward(ctx, a):
        out = np.expm1(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Log(Op):
    """Natural log."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Log2(Op):
    """Base-2 log."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log2(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * np.log(2.0).astype(a.dtype))


class Log10(Op):
    """Base-10 log."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log10(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * np.log(10.0).astype(a.dtype))


class Log1p(Op):
    """log(1 + a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 + a)


class Sqrt(Op):
    """Square root."""

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Rsqrt(Op):
    """1 / sqrt(a)."""

    @staticmethod
    def forward(ctx, a):
        out = 1 / np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -0.5 * g * out * out * out


class Reciprocal(Op):
    """1 / a."""

    @staticmethod
    def forward(ctx, a):
        out = 1 / a
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -g * out * out


class Square(Op):
    """a * a."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return 2 * g * a


class Sin(Op):
    """Sine."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * np.cos(a)


class Cos(Op):
    """Cosine."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * np.sin(a)


class Tan(Op):
    """Tangent."""

    @staticmethod
    def forward(ctx, a):
        out = np.tan(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 + out * out)


class Asin(Op):
    """Arcsine."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / np.sqrt(1 - a * a)


class Acos(Op):
    """Arccosine."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g / np.sqrt(1 - a * a)


class Atan(Op):
    """Arctangent."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 + a * a)


class Sinh(Op):
    """Hyperbolic sine."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * np.cosh(a)


class Cosh(Op):
    """Hyperbolic cosine."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * np.sinh(a)


class Tanh(Op):
    """Hyperbolic tangent."""

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)


class Sigmoid(Op):
    """1 / (1 + e ** -a), computed without overflow."""

    @staticmethod
    def forward(ctx, a):
        # tanh form: stable for large |a| and a single transcendental call
        out = 0.5 * np.tanh(0.5 * a) + 0.5
        out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)


class Relu(Op):
    """max(a, 0)."""

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out > 0)


class Clamp(Op):
    """Clip into [lo, hi]; the gradient flows where the input was inside (bounds included)."""

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.bounds = (lo, hi)
        out = a
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        mask = None
        if lo is not None:
            mask = a >= lo
        if hi is not None:
            mask = (a <= hi) if mask is None else mask & (a <= hi)
        return g * mask, None, None


class ZeroGrad(Op):
    """Piecewise-constant functions (floor, ceil, round, trunc, sign): gradient zero."""

    @staticmethod
    def forward(ctx, a, fn, kwargs):
        return fn(a, **kwargs)

    @staticmethod
    def backward(ctx, g):
        return g * 0, None, None


class Frac(Op):
    """a - trunc(a)."""

    @staticmethod
    def forward(ctx, a):
        return a - np.trunc(a)

    @staticmethod
    def backward(ctx, g):
        return g


def _unary(cls, input, out=None, float_only=True):
    if not isinstance(input, Tensor):
        raise TypeError(f"{cls.__name__.lower()}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if float_only:
        input = _float_input(input)
    r = dispatch(cls, input)
    return write_out(out, r) if out is not None else r


def _make_unary(cls, name, float_only=True):
    def fn(input, *, out=None):
        if input.__class__ is Tensor and out is None and input._data.dtype.kind == "f":
            # hot path: a plain float tensor goes straight to the op
            if input._requires_grad and STATE.enabled:
                return cls.apply_unary(input)
            return make(cls.forward(NULL_CTX, input._data))
        return _unary(cls, input, out, float_only)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = cls.__doc__
    return fn


neg = _make_unary(Neg, "neg", float_only=False)
abs = _make_unary(Abs, "abs", float_only=False)
exp = _make_unary(Exp, "exp")
exp2 = _make_unary(Exp2, "exp2")
expm1 = _make_unary(Expm1, "expm1")
log = _make_unary(Log, "log")
log2 = _make_unary(Log2, "log2")
log10 = _make_unary(Log10, "log10")
log1p = _make_unary(Log1p, "log1p")
sqrt = _make_unary(Sqrt, "sqrt")
rsqrt = _make_unary(Rsqrt, "rsqrt")
reciprocal = _make_unary(Reciprocal, "reciprocal")
square = _make_unary(Square, "square", float_only=False)
sin = _make_unary(Sin, "sin")
cos = _make_unary(Cos, "cos")
tan = _make_unary(Tan, "tan")
asin = _make_unary(Asin, "asin")
acos = _make_unary(Acos, "acos")
atan = _make_unary(Atan, "atan")
sinh = _make_unary(Sinh, "sinh")
cosh = _make_unary(Cosh, "cosh")
tanh = _make_unary(Tanh, "tanh")
sigmoid = _make_unary(Sigmoid, "sigmoid")
relu = _make_unary(Relu, "relu", float_only=False)
frac = _make_unary(Frac, "frac")
negative, absolute, arcsin, arccos, arctan = neg, abs, asin, acos, atan


def _zero_grad_fn(name, fn, doc):
    def f(input, *, out=None, **kwargs):
        if input._data.dtype.kind in "biu" and name != "sign":
            r = make(input._data.copy())
        else:
            r = dispatch(ZeroGrad, input, fn, kwargs)
        return write_out(out, r) if out is not None else r

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


floor = _zero_grad_fn("floor", np.floor, "Round down elementwise.")
ceil = _zero_grad_fn("ceil", np.ceil, "Round up elementwise.")
trunc = _zero_grad_fn("trunc", np.trunc, "Round toward zero elementwise.")
sign = _zero_grad_fn("sign", np.sign, "-1, 0 or 1 by the sign of each element.")
fix = trunc


def round(input, *, decimals=0, out=None):
    """Round half to even, optionally to `decimals` places."""
    if decimals:
        return _zero_grad_fn("round", np.round, "")(input, out=out, decimals=decimals)
    return _zero_grad_fn("round", np.round, "")(input, out=out)


def clamp(input, min=None, max=None, *, out=None):
    """Clip every element into [min, max] (either bound may be None)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .arithmetic import maximum, minimum

        r = input
        if min is not None:
            r = maximum(r, min)
        if max is not None:
            r = minimum(r, max)
    else:
        if input._data.dtype.kind in "biu" and (isinstance(min, float) or isinstance(max, float)):
            input = _float_input(input)
        r = dispatch(Clamp, input, min, max)
    return write_out(out, r) if out is not None else r


clip = clamp


def clamp_(input, min=None, max=None):
    """Clamp in place."""
    return inplace(input, clamp(inplace_source(input), min, max))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN and infinities with finite numbers (not differentiable)."""
    r = make(np.nan_to_num(input._data, nan=nan, posinf=posinf, neginf=neginf))
    return write_out(out, r) if out is not None else r
