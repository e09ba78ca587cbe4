"""Normalization layers as ops: batch_norm, layer_norm, group_norm, rms_norm, and normalize.

Each normalization is one op with a closed-form backward (the gradient of the mean and the
variance folded in), so a layer costs one graph node and no intermediate graph.
"""

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from ._util import dispatch


def _compute_dtype(x):
    """Half inputs are normalized in float32 (their statistics would lose too much)."""
    return np.float32 if x.dtype == np.float16 else x.dtype


def _channel_shape(ndim, c):
    return (1, c) + (1,) * (ndim - 2)


class BatchNorm(Op):
    """(x - mean) / sqrt(var + eps) * w + b per channel (axis 1); batch or running statistics.

    In training the batch statistics are used and the running buffers (raw arrays, updated in
    place) move toward them by `momentum`, the variance unbiased as PyTorch keeps it.
    """

    @staticmethod
    def forward(ctx, x, w, b, rm, rv, training, momentum, eps):
        dt = _compute_dtype(x)
        xc_dtype = x.dtype
        x = x.astype(dt, copy=False)
        c = x.shape[1]
        bshape = _channel_shape(x.ndim, c)
        axes = (0,) + tuple(range(2, x.ndim))
        if training:
            m = x.size // c
            mean = x.mean(axis=axes)
            xc = x - mean.reshape(bshape)
            var = (xc * xc).mean(axis=axes)
            if rm is not None:
                rm[...] = (1 - momentum) * rm + momentum * mean.astype(rm.dtype, copy=False)
            if rv is not None:
                unbiased = var * (m / (m - 1)) if m > 1 else var
                rv[...] = (1 - momentum) * rv + momentum * unbiased.astype(rv.dtype, copy=False)
        else:
            mean = rm.astype(dt, copy=False)
            xc = x - mean.reshape(bshape)
            var = rv.astype(dt, copy=False)
        invstd = (1 / np.sqrt(var + eps)).astype(dt, copy=False)
        xhat = xc * invstd.reshape(bshape)
        out = xhat
        if w is not None:
            out = out * w.astype(dt, copy=False).reshape(bshape)
        if b is not None:
            out = out + b.astype(dt, copy=False).reshape(bshape)
        ctx.save_for_backward(xhat, invstd, w)
        ctx.meta = (training, axes, bshape, xc_dtype)
        return out.astype(xc_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        training, axes, bshape, out_dtype = ctx.meta
        n = ctx.needs_input_grad
        g = g.astype(xhat.dtype, copy=False)
        gb = g.sum(axis=axes) if (n[2] or (n[0] and training)) else None
        gw = (g * xhat).sum(axis=axes) if (n[1] or (n[0] and training)) else None
        gx = None
        if n[0]:
            scale = invstd if w is None else invstd * w.astype(invstd.dtype, copy=False)
            if training:
                m = xhat.size // xhat.shape[1]
                gx = (g - (gb / m).reshape(bshape) - xhat * (gw / m).reshape(bshape))
                gx = gx * scale.reshape(bshape)
            else:
                gx = g * scale.reshape(bshape)
            gx = gx.astype(out_dtype, copy=False)
        gw = gw.astype(w.dtype, copy=False) if (n[1] and w is not None) else None
        gb = gb.astype(out_dtype, copy=False) if n[2] else None
        return gx, gw, gb, None, None, None, None, None

    def name(self):
        """PyTorch's node name."""
        return "NativeBatchNormBackward0"


def _stats_backward(gxhat, xhat, invstd, axes):
    """d/dx of normalization over `axes`, given the gradient with respect to xhat."""
    return invstd * (gxhat - gxhat.mean(axis=axes, keepdims=True)
                     - xhat * (gxhat * xhat).mean(axis=axes, keepdims=True))


class LayerNorm(Op):
    """Normalize over the last k dims of x, then scale and shift elementwise."""

    @staticmethod
    def forward(ctx, x, w, b, k, eps):
        out_dtype = x.dtype
        x = x.astype(_compute_dtype(x), copy=False)
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = xc * invstd
        out = xhat
        if w is not None:
            out = out * w
        if b is not None:
            out = out + b
        ctx.save_for_backward(xhat, invstd, w)
        ctx.meta = (axes, out_dtype)
        return out.astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        axes, out_dtype = ctx.meta
        n = ctx.needs_input_grad
        g = g.astype(xhat.dtype, copy=False)
        lead = tuple(range(xhat.ndim - len(axes)))
        gx = gw = gb = None
        if n[0]:
            gxhat = g if w is None else g * w
            gx = _stats_backward(gxhat, xhat, invstd, axes).astype(out_dtype, copy=False)
        if n[1]:
            gw = (g * xhat).sum(axis=lead).astype(w.dtype, copy=False)
        if n[2]:
            gb = g.sum(axis=lead).astype(out_dtype, copy=False)
        return gx, gw, gb, None, None


class GroupNorm(Op):
    """Normalize each group of channels of each sample, then scale and shift per channel."""

    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        out_dtype = x.dtype
        x = x.astype(_compute_dtype(x), copy=False)
        shape = x.shape
        xg = x.reshape(shape[0], groups, -1)
        mean = xg.mean(axis=2, keepdims=True)
        xc = xg - mean
        var = (xc * xc).mean(axis=2, keepdims=True)
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = (xc * invstd).reshape(shape)
        bshape = _channel_shape(x.ndim, shape[1])
        out = xhat
        if w is not None:
            out = out * w.reshape(bshape)
        if b is not None:
            out = out + b.reshape(bshape)
        ctx.save_for_backward(xhat, invstd, w)
        ctx.meta = (groups, bshape, out_dtype)
        return out.astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        groups, bshape, out_dtype = ctx.meta
        n = ctx.needs_input_grad
        g = g.astype(xhat.dtype, copy=False)
        axes = (0,) + tuple(range(2, xhat.ndim))
        gx = gw = gb = None
        if n[0]:
            gxhat = g if w is None else g * w.reshape(bshape)
            gs = (xhat.shape[0], groups, -1)
            gx = _stats_backward(gxhat.reshape(gs), xhat.reshape(gs), invstd, (2,))
            gx = gx.reshape(xhat.shape).astype(out_dtype, copy=False)
        if n[1]:
            gw = (g * xhat).sum(axis=axes).astype(w.dtype, copy=False)
        if n[2]:
            gb = g.sum(axis=axes).astype(out_dtype, copy=False)
        return gx, gw, gb, None, None


class RMSNorm(Op):
    """x / sqrt(mean(x^2) + eps) over the last k dims, times an elementwise weight."""

    @staticmethod
    def forward(ctx, x, w, k, eps):
        out_dtype = x.dtype
        x = x.astype(_compute_dtype(x), copy=False)
        axes = tuple(range(x.ndim - k, x.ndim))
        r = (1 / np.sqrt((x * x).mean(axis=axes, keepdims=True) + eps)).astype(x.dtype,
                                                                              copy=False)
        y = x * r
        ctx.save_for_backward(y, r, w)
        ctx.meta = (axes, out_dtype)
        return (y if w is None else y * w).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        y, r, w = ctx.saved_tensors
        axes, out_dtype = ctx.meta
        g = g.astype(y.dtype, copy=False)
        gx = gw = None
        if ctx.needs_input_grad[0]:
            gy = g if w is None else g * w
            gx = (r * (gy - y * (gy * y).mean(axis=axes, keepdims=True))).astype(out_dtype,
                                                                                copy=False)
        if ctx.needs_input_grad[1]:
            gw = (g * y).sum(axis=tuple(range(y.ndim - len(axes)))).astype(w.dtype, copy=False)
        return gx, gw, None, None


# ------------------------------------------------------------------ functions
def _array(t):
    return None if t is None else t._data


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Batch normalization over axis 1; updates running_mean/var in place when training."""
    if not isinstance(input, Tensor):
        raise TypeError(f"batch_norm(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input._data.ndim < 2:
        raise ValueError(f"expected 2D or higher input (got {input._data.ndim}D input)")
    c = input._data.shape[1]
    if training:
        size = input._data.size // c if c else 0
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t._data.shape != (c,):
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    if momentum is None:
        momentum = 0.0
    for t in (running_mean, running_var):
        if t is not None and training:
            t._bump()
    return dispatch(BatchNorm, input, weight, bias, _array(running_mean), _array(running_var),
                    bool(training), float(momentum), float(eps))


def _normalized_shape(normalized_shape):
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def _check_trailing(input, shape, fn):
    if tuple(input._data.shape[input._data.ndim - len(shape):]) != shape or \
            input._data.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
                           f"{list(input.shape)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalize over the trailing `normalized_shape` dims, then apply weight and bias."""
    shape = _normalized_shape(normalized_shape)
    _check_trailing(input, shape, "layer_norm")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t._data.shape)} and "
                               f"normalized_shape = {list(shape)}")
    return dispatch(LayerNorm, input, weight, bias, len(shape), float(eps))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalize groups of channels per sample, then apply per-channel weight and bias."""
    if input._data.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input._data.ndim}")
    c = input._data.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {input.shape} and "
                           f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t._data.shape != (c,):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape "
                               f"{list(t._data.shape)} and input of shape {list(input.shape)}")
    return dispatch(GroupNorm, input, weight, bias, int(num_groups), float(eps))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times weight (eps: dtype's epsilon)."""
    shape = _normalized_shape(normalized_shape)
    _check_trailing(input, shape, "rms_norm")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    return dispatch(RMSNorm, input, weight, len(shape), float(eps))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    r = input / denom
    if out is not None:
        from ._util import write_out

        return write_out(out, r)
    return r


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    """Normalize each channel by the energy of its `size` neighbours (AlexNet's LRN)."""
    from .shape import cat

    if input._data.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input._data.ndim} "
                         "dimensions)")
    sq = input * input
    c = input._data.shape[1]
    lo, hi = size // 2, (size - 1) // 2
    pad_shape = list(input._data.shape)
    parts = []
    if lo:
        pad_shape[1] = lo
        parts.append(sq.new_zeros(pad_shape))
    parts.append(sq)
    if hi:
        pad_shape[1] = hi
        parts.append(sq.new_zeros(pad_shape))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    acc = padded.narrow(1, 0, c)
    for i in range(1, size):
        acc = acc + padded.narrow(1, i, c)
    return input / (acc * (alpha / size) + k) ** beta


