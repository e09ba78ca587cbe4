"""Activation functions: leaky_relu, elu/selu/celu, gelu, silu, mish, softplus, hardtanh,
hard sigmoid/swish, prelu, threshold, and the stable softmax / log_softmax."""

import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import dispatch, inplace, inplace_source, wrap_dim
from .special import erf_array
from .unary import _float_input

_SQRT_HALF = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327
_TANH_K = 0.7978845608028654  # sqrt(2 / pi)
_TANH_C = 0.044715


def _check_tensor(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")


def _apply(cls, x, inplace_flag, name, *args):
    """Run an elementwise op out of place, or in place when the caller asked for it."""
    _check_tensor(x, name)
    if inplace_flag:
        return inplace(x, dispatch(cls, _float_input(inplace_source(x)), *args))
    return dispatch(cls, _float_input(x), *args)


class LeakyRelu(Op):
    """a where a > 0, else slope * a."""

    @staticmethod
    def forward(ctx, a, slope):
        ctx.save_for_backward(a)
        ctx.slope = slope
        return np.where(a > 0, a, a * a.dtype.type(slope))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return np.where(a > 0, g, g * g.dtype.type(ctx.slope)), None


class Elu(Op):
    """scale * (a if a > 0 else alpha * (exp(input_scale * a) - 1)): ELU, SELU and CELU."""

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.save_for_backward(a)
        ctx.k = (alpha, scale, input_scale)
        t = a.dtype.type
        neg = t(scale * alpha) * np.expm1(a * t(input_scale))
        return np.where(a > 0, a * t(scale), neg)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.k
        t = a.dtype.type
        neg = t(scale * alpha * input_scale) * np.exp(np.minimum(a, 0) * t(input_scale))
        return g * np.where(a > 0, t(scale), neg), None, None, None


class Gelu(Op):
    """x * Phi(x) (exact, through erf) or its tanh approximation."""

    @staticmethod
    def forward(ctx, a, approximate):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        t = a.dtype.type
        if approximate == "tanh":
            inner = t(_TANH_K) * (a + t(_TANH_C) * a * a * a)
            return t(0.5) * a * (1 + np.tanh(inner))
        return t(0.5) * a * (1 + erf_array(a * t(_SQRT_HALF)))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        t = a.dtype.type
        if ctx.approximate == "tanh":
            a2 = a * a
            th = np.tanh(t(_TANH_K) * (a + t(_TANH_C) * a2 * a))
            d_inner = t(_TANH_K) * (1 + t(3 * _TANH_C) * a2)
            d = t(0.5) * (1 + th) + t(0.5) * a * (1 - th * th) * d_inner
        else:
            cdf = t(0.5) * (1 + erf_array(a * t(_SQRT_HALF)))
            d = cdf + a * t(_INV_SQRT_2PI) * np.exp(t(-0.5) * a * a)
        return g * d, None


def _sigmoid(a):
    return (0.5 * np.tanh(0.5 * a) + 0.5).astype(a.dtype, copy=False)


class Silu(Op):
    """a * sigmoid(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * _sigmoid(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        s = _sigmoid(a)
        return g * (s * (1 + a * (1 - s)))


class Mish(Op):
    """a * tanh(softplus(a))."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * np.tanh(np.logaddexp(a.dtype.type(0), a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        th = np.tanh(np.logaddexp(a.dtype.type(0), a))
        return g * (th + a * _sigmoid(a) * (1 - th * th))


class Softplus(Op):
    """log(1 + exp(beta * a)) / beta, linear where beta * a > threshold."""

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.save_for_backward(a)
        ctx.k = (beta, threshold)
        t = a.dtype.type
        z = a * t(beta)
        return np.where(z > threshold, a, np.logaddexp(t(0), z) / t(beta))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        beta, threshold = ctx.k
        z = a * a.dtype.type(beta)
        return g * np.where(z > threshold, 1, _sigmoid(z)).astype(a.dtype, copy=False), None, None


class LogSigmoid(Op):
    """log(sigmoid(a)) = -softplus(-a), stable for large |a|."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return -np.logaddexp(a.dtype.type(0), -a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * _sigmoid(-a)


class Hardtanh(Op):
    """Clip into [lo, hi]; the gradient is zero at and beyond the bounds (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.k = (lo, hi)
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.k
        return g * ((a > lo) & (a < hi)), None, None


class Hardsigmoid(Op):
    """relu6(a + 3) / 6."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * ((a > -3) & (a < 3)) / g.dtype.type(6)


class Hardswish(Op):
    """a * relu6(a + 3) / 6."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (a * np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        # PyTorch's convention at the kinks: slope 0 at -3 and 1 at +3
        d = np.where(a <= -3, 0, np.where(a < 3, a / 3 + 0.5, 1)).astype(a.dtype, copy=False)
        return g * d


class Threshold(Op):
    """a where a > threshold, else value."""

    @staticmethod
    def forward(ctx, a, threshold, value):
        ctx.save_for_backward(a)
        ctx.threshold = threshold
        return np.where(a > threshold, a, a.dtype.type(value))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (a > ctx.threshold), None, None


class Prelu(Op):
    """a where a > 0, else w * a, with one learnable slope per channel (dim 1) or one shared."""

    @staticmethod
    def forward(ctx, a, w):
        wb = _prelu_weight(w, a.ndim)
        ctx.save_for_backward(a, w)
        return np.where(a > 0, a, wb * a)

    @staticmethod
    def backward(ctx, g):
        a, w = ctx.saved_tensors
        wb = _prelu_weight(w, a.ndim)
        ga = np.where(a > 0, g, wb * g) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            contrib = np.where(a > 0, 0, a * g)
            if w.size == 1:
                gw = contrib.sum().reshape(w.shape).astype(w.dtype, copy=False)
            else:
                axes = tuple(i for i in range(a.ndim) if i != 1)
                gw = contrib.sum(axis=axes).reshape(w.shape)
        return ga, gw


def _prelu_weight(w, ndim):
    if w.size == 1 or ndim < 2:
        return w.reshape(())
    return w.reshape((1, -1) + (1,) * (ndim - 2))


class Softmax(Op):
    """exp(a) / sum(exp(a)) along an axis, shifted by the max so nothing overflows."""

    @staticmethod
    def forward(ctx, a, axis):
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        e /= e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(e)
        ctx.axis = axis
        return e

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(axis=ctx.axis, keepdims=True), None


class LogSoftmax(Op):
    """a - logsumexp(a) along an axis (stable: shifted by the max)."""

    @staticmethod
    def forward(ctx, a, axis):
        shifted = a - a.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - np.exp(out) * g.sum(axis=ctx.axis, keepdims=True), None


# ------------------------------------------------------------------ functions
def leaky_relu(input, negative_slope=0.01, inplace=False):
    """max(0, x) + negative_slope * min(0, x)."""
    return _apply(LeakyRelu, input, inplace, "leaky_relu", float(negative_slope))


def leaky_relu_(input, negative_slope=0.01):
    """leaky_relu in place."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _apply(Elu, input, inplace, "elu", float(alpha), 1.0, 1.0)


def elu_(input, alpha=1.0):
    """elu in place."""
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalizing constants."""
    return _apply(Elu, input, inplace, "selu", _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise ValueError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _apply(Elu, input, inplace, "celu", float(alpha), 1.0, 1.0 / alpha)


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; approximate='tanh' uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got "
                           f"{approximate!r}")
    return _apply(Gelu, input, False, "gelu", approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish)."""
    return _apply(Silu, input, inplace, "silu")


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _apply(Mish, input, inplace, "mish")


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, reverting to x where beta * x > threshold."""
    return _apply(Softplus, input, False, "softplus", float(beta), float(threshold))


def logsigmoid(input):
    """log(sigmoid(x)), computed stably."""
    return _apply(LogSigmoid, input, False, "logsigmoid")


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clip x into [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _apply(Hardtanh, input, inplace, "hardtanh", min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """hardtanh in place."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(0, x), 6)."""
    return _apply(Hardtanh, input, inplace, "relu6", 0.0, 6.0)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return _apply(Hardsigmoid, input, inplace, "hardsigmoid")


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    return _apply(Hardswish, input, inplace, "hardswish")


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    return _apply(Threshold, input, inplace, "threshold", threshold, value)


def prelu(input, weight):
    """Leaky ReLU with a learnable slope per channel (dim 1), or one shared slope."""
    _check_tensor(input, "prelu")
    n = weight._data.size
    if n != 1:
        channels = input._data.shape[1] if input._data.ndim >= 2 else 1
        if weight._data.ndim != 1 or n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
    return dispatch(Prelu, input, weight)


def softmax_dim(ndim, name):
    """The dim PyTorch picks when softmax is called without one (with its deprecation warning)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=4)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dim, dtype, name):
    _check_tensor(input, name)
    if dim is None:
        dim = softmax_dim(input._data.ndim, name)
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    elif input._data.dtype.kind in "biu":
        raise RuntimeError(f'"{name}_lastdim_kernel_impl" not implemented for '
                           f"'{input.dtype}'")
    axis = wrap_dim(dim, input._data.ndim)
    return input, axis


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim, computed stably."""
    input, axis = _softmax_input(input, dim, dtype, "softmax")
    return dispatch(Softmax, input, axis)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along dim, computed stably in one step."""
    input, axis = _softmax_input(input, dim, dtype, "log_softmax")
    return dispatch(LogSoftmax, input, axis)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along dim."""
    input, axis = _softmax_input(input, dim, dtype, "softmin")
    return dispatch(Softmax, -input, axis)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of input along dim."""
    _check_tensor(input, "glu")
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = wrap_dim(dim, input._data.ndim)
    if input._data.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size "
                           f"{input._data.shape[axis]}")
    a, b = input.chunk(2, axis)
    return a * b.sigmoid()
