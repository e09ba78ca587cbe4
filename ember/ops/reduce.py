"""Reductions over dims: sum, mean, prod, max/min, argmax, std/var, norm, logsumexp, cumsum."""

import builtins
import collections

import numpy as np

from .. import backend, dtypes
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import cast, dispatch, make, wrap_dim, wrap_dims, write_out

# max/min/sort/topk with a dim return a named pair, like PyTorch's return types.
values_indices = collections.namedtuple("values_indices", ["values", "indices"])


def _expand_back(g, shape, axes, keepdim):
    """Reinsert reduced axes into a gradient so it broadcasts against the input."""
    if axes is None:
        return g.reshape((1,) * len(shape)) if g.ndim != len(shape) else g
    if not keepdim:
        g = np.expand_dims(g, axes)
    return g


class Sum(Op):
    """Sum over axes (None = all)."""

    @staticmethod
    def forward(ctx, a, axes, keepdim, np_dtype):
        ctx.meta = (a.shape, axes, keepdim)
        return a.sum(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        shape, axes, keepdim = ctx.meta
        return _spread(_expand_back(g, shape, axes, keepdim), shape), None, None, None


class Mean(Op):
    """Mean over axes (None = all)."""

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.meta = (a.shape, axes, keepdim)
        return a.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        shape, axes, keepdim = ctx.meta
        n = _count(shape, axes, 1)
        return _spread(_expand_back(g, shape, axes, keepdim) / n, shape), None, None


def _spread(g, shape):
    """g broadcast to `shape` as a fresh array (cheaper than np.broadcast_to, and writable)."""
    out = backend.array_module(g).empty(shape, g.dtype)
    out[...] = g
    return out


def _count(shape, axes, default):
    if axes is None:
        n = 1
        for s in shape:
            n *= s
        return n
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


class Prod(Op):
    """Product over one axis or all (gradient exact even with zeros)."""

    @staticmethod
    def forward(ctx, a, axis, keepdim):
        out = a.prod(axis=axis, keepdims=keepdim)
        ctx.save_for_backward(a)
        ctx.meta = (axis, keepdim)
        return out

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        axis, keepdim = ctx.meta
        xp = backend.array_module(a)
        ax = -1 if axis is None else axis
        flat = a.reshape(-1) if axis is None else a
        # product of all other elements = exclusive cumprod from the left times from the right
        left = xp.cumprod(xp.concatenate([xp.ones_like(xp.take(flat, [0], axis=ax)),
                                          xp.take(flat, range(flat.shape[ax] - 1), axis=ax)],
                                         axis=ax), axis=ax)
        rev = xp.flip(flat, axis=ax)
        right = xp.flip(xp.cumprod(xp.concatenate(
            [xp.ones_like(xp.take(rev, [0], axis=ax)),
             xp.take(rev, range(rev.shape[ax] - 1), axis=ax)], axis=ax), axis=ax), axis=ax)
        others = (left * right).reshape(a.shape)
        gg = _expand_back(g, a.shape, None if axis is None else (axis,), keepdim)
        return gg * others, None, None


class MaxMin(Op):
    """max/min over all elements; the gradient is shared evenly among ties (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, is_max):
        out = a.max() if is_max else a.min()
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        mask = a == out
        return g * mask / mask.sum(), None


class MaxMinDim(Op):
    """max/min along a dim returning (values, indices); gradient goes to the index."""

    @staticmethod
    def forward(ctx, a, axis, keepdim, is_max):
        xp = backend.array_module(a)
        idx = xp.argmax(a, axis=axis, keepdims=True) if is_max else \
            xp.argmin(a, axis=axis, keepdims=True)
        vals = xp.take_along_axis(a, idx, axis=axis)
        ctx.save_for_backward(idx)
        ctx.meta = (a.shape, axis, keepdim)
        if not keepdim:
            vals, idx = vals.squeeze(axis), idx.squeeze(axis)
        return vals, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        (idx,) = ctx.saved_tensors
        shape, axis, keepdim = ctx.meta
        xp = backend.array_module(g)
        out = xp.zeros(shape, g.dtype)
        if not keepdim:
            g = xp.expand_dims(g, axis)
        xp.put_along_axis(out, idx, g, axis=axis)
        return out, None, None, None


class AmaxAmin(Op):
    """amax/amin over axes; ties share the gradient evenly."""

    @staticmethod
    def forward(ctx, a, axes, keepdim, is_max):
        out = a.max(axis=axes, keepdims=True) if is_max else a.min(axis=axes, keepdims=True)
        ctx.save_for_backward(a, out)
        ctx.meta = (axes, keepdim)
        return out if keepdim else out.reshape(_drop(a.shape, axes))

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        axes, keepdim = ctx.meta
        mask = a == out
        g = g.reshape(out.shape)
        return g * mask / mask.sum(axis=axes, keepdims=True), None, None, None


def _drop(shape, axes):
    if axes is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in axes)


class Var(Op):
    """Variance with a correction (Bessel's by default)."""

    @staticmethod
    def forward(ctx, a, axes, correction, keepdim):
        mean = a.mean(axis=axes, keepdims=True)
        d = a - mean
        n = _count(a.shape, axes, 1)
        out = (d * d).sum(axis=axes, keepdims=keepdim) / builtins.max(n - correction, 0)
        ctx.save_for_backward(d)
        ctx.meta = (axes, keepdim, n - correction)
        return out

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        axes, keepdim, denom = ctx.meta
        g = _expand_back(g, d.shape, axes, keepdim)
        return 2 * g * d / denom, None, None, None


class Logsumexp(Op):
    """log(sum(exp(a))) computed stably."""

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        xp = backend.array_module(a)
        m = a.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        out = xp.log(xp.exp(a - m).sum(axis=axes, keepdims=True)) + m
        ctx.save_for_backward(a, out)
        ctx.meta = (axes, keepdim)
        return out if keepdim else out.reshape(_drop(a.shape, axes))

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        axes, keepdim = ctx.meta
        g = g.reshape(out.shape)
        xp = backend.array_module(a)
        return g * xp.exp(a - out), None, None


class Cumsum(Op):
    """Running sum along an axis."""

    @staticmethod
    def forward(ctx, a, axis, np_dtype):
        ctx.axis = axis
        return a.cumsum(axis=axis, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        xp = backend.array_module(g)
        ax = ctx.axis
        return xp.flip(xp.flip(g, ax).cumsum(axis=ax), ax), None, None


class Cumprod(Op):
    """Running product along an axis (gradient assumes no zeros in the input)."""

    @staticmethod
    def forward(ctx, a, axis):
        out = a.cumprod(axis=axis)
        ctx.save_for_backward(a, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        xp = backend.array_module(g)
        ax = ctx.axis
        return xp.flip(xp.flip(g * out, ax).cumsum(axis=ax), ax) / a, None


def _sum_dtype(t, dtype):
    if dtype is not None:
        return dtypes.to_dtype(dtype).np
    if t._data.dtype.kind in "biu":
        return np.int64  # integer sums accumulate in int64, as in PyTorch
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements over dim(s) (all when dim is None)."""
    axes = wrap_dims(dim, input._data.ndim)
    r = dispatch(Sum, input, axes, keepdim, _sum_dtype(input, dtype))
    return write_out(out, r) if out is not None else r


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero."""
    from .compare import isnan, where

    return sum(where(isnan(input), 0.0, input), dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean over dim(s); floating inputs only, as in PyTorch."""
    if dtype is not None:
        input = cast(input, dtypes.to_dtype(dtype).np)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype}"
        )
    axes = wrap_dims(dim, input._data.ndim)
    r = dispatch(Mean, input, axes, keepdim)
    return write_out(out, r) if out is not None else r


def _int_to_int64(input, dtype):
    """Cast for dtype=, or integer/bool inputs to int64 (PyTorch's prod/cumprod accumulate)."""
    if dtype is not None:
        return cast(input, dtypes.to_dtype(dtype).np)
    if input._data.dtype.kind in "biu":
        return cast(input, np.int64)
    return input


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of elements (over one dim, or all)."""
    input = _int_to_int64(input, dtype)
    axis = None if dim is None else wrap_dim(dim, input._data.ndim)
    return dispatch(Prod, input, axis, keepdim)


def _maxmin(input, dim, keepdim, out, is_max, name):
    if isinstance(dim, Tensor):
        from .arithmetic import maximum, minimum

        return (maximum if is_max else minimum)(input, dim)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return dispatch(MaxMin, input, is_max)
    axis = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return values_indices(input, make(backend.array_module(input._data).zeros((), np.int64)))
    vals, idx = dispatch(MaxMinDim, input, axis, keepdim, is_max)
    if out is not None:
        write_out(out[0], vals)
        write_out(out[1], idx)
        return values_indices(out[0], out[1])
    return values_indices(vals, idx)


def max(input, dim=None, keepdim=False, *, out=None):
    """Largest element; with dim, (values, indices) along it; with a tensor, elementwise."""
    return _maxmin(input, dim, keepdim, out, True, "max")


def min(input, dim=None, keepdim=False, *, out=None):
    """Smallest element; with dim, (values, indices) along it; with a tensor, elementwise."""
    return _maxmin(input, dim, keepdim, out, False, "min")


def amax(input, dim=(), keepdim=False):
    """Maximum over dims (all by default)."""
    return dispatch(AmaxAmin, input, wrap_dims(dim, input._data.ndim), keepdim, True)


def amin(input, dim=(), keepdim=False):
    """Minimum over dims (all by default)."""
    return dispatch(AmaxAmin, input, wrap_dims(dim, input._data.ndim), keepdim, False)


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (flattened when dim is None)."""
    xp = backend.array_module(input._data)
    if dim is None:
        r = xp.argmax(input._data)
        return make(xp.asarray(r).reshape((1,) * input._data.ndim) if keepdim else
                    xp.asarray(r, dtype=np.int64))
    return make(xp.argmax(input._data, axis=wrap_dim(dim, input._data.ndim),
                          keepdims=keepdim).astype(np.int64, copy=False))


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (flattened when dim is None)."""
    xp = backend.array_module(input._data)
    if dim is None:
        r = xp.argmin(input._data)
        return make(xp.asarray(r).reshape((1,) * input._data.ndim) if keepdim else
                    xp.asarray(r, dtype=np.int64))
    return make(xp.argmin(input._data, axis=wrap_dim(dim, input._data.ndim),
                          keepdims=keepdim).astype(np.int64, copy=False))


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over dim(s); Bessel-corrected unless unbiased=False / correction=0."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"std and var only support floating point and complex dtypes, got "
                           f"{input.dtype}")
    axes = wrap_dims(dim, input._data.ndim)
    return dispatch(Var, input, axes, _correction(unbiased, correction), keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over dim(s)."""
    from .unary import sqrt

    return sqrt(var(input, dim, unbiased, keepdim, correction=correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim(s)."""
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim(s)."""
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over dim(s), computed without overflow."""
    if input._data.dtype.kind not in "fc":
        input = cast(input, dtypes.get_default_dtype().np)
    return dispatch(Logsumexp, input, wrap_dims(dim, input._data.ndim), keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm (2 by default; 'fro', inf, -inf, 0, any p) over dim(s)."""
    from .unary import abs

    if dtype is not None:
        input = cast(input, dtypes.to_dtype(dtype).np)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"norm(): input dtype should be floating point or complex, but got "
                           f"{input.dtype}")
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        raise NotImplementedError("norm(p='nuc') is not supported by ember")
    if p == float("inf"):
        return amax(abs(input), () if dim is None else dim, keepdim)
    if p == float("-inf"):
        return amin(abs(input), () if dim is None else dim, keepdim)
    if p == 0:
        return sum((input != 0).to(input.dtype), dim, keepdim)
    if p == 1:
        return sum(abs(input), dim, keepdim)
    return dispatch(PNorm, input, wrap_dims(dim, input._data.ndim), keepdim, float(p))


class PNorm(Op):
    """(sum |a|**p) ** (1/p) with a zero (not NaN) gradient where the norm is zero."""

    @staticmethod
    def forward(ctx, a, axes, keepdim, p):
        xp = backend.array_module(a)
        mag = xp.abs(a)
        out = (mag * mag if p == 2 else mag ** p).sum(axis=axes, keepdims=True)
        out = xp.sqrt(out) if p == 2 else out ** (1.0 / p)
        ctx.save_for_backward(a, out)
        ctx.p = p
        return out if keepdim else out.reshape(_drop(a.shape, axes))

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        p = ctx.p
        xp = backend.array_module(a)
        g = g.reshape(out.shape)
        safe = xp.where(out == 0, 1, out)
        scale = xp.where(out == 0, 0, g / (safe if p == 2 else safe ** (p - 1)))
        local = a if p == 2 else xp.sign(a) * xp.abs(a) ** (p - 1)
        return (scale * local).astype(a.dtype, copy=False), None, None, None


def all(input, dim=None, keepdim=False):
    """True when every element (along dim) is nonzero."""
    axes = wrap_dims(dim, input._data.ndim)
    return make(input._data.astype(bool, copy=False).all(axis=axes, keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    """True when some element (along dim) is nonzero."""
    axes = wrap_dims(dim, input._data.ndim)
    return make(input._data.astype(bool, copy=False).any(axis=axes, keepdims=keepdim))


def count_nonzero(input, dim=None):
    """Number of nonzero elements (along dim)."""
    axes = wrap_dims(dim, input._data.ndim)
    xp = backend.array_module(input._data)
    return make(xp.asarray((input._data != 0).sum(axis=axes), dtype=np.int64))


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along dim."""
    r = dispatch(Cumsum, input, wrap_dim(dim, input._data.ndim), _sum_dtype(input, dtype))
    return write_out(out, r) if out is not None else r


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along dim."""
    input = _int_to_int64(input, dtype)
    r = dispatch(Cumprod, input, wrap_dim(dim, input._data.ndim))
    return write_out(out, r) if out is not None else r


def median(input, dim=None, keepdim=False):
    """Lower median (all elements, or (values, indices) along dim), as PyTorch."""
    from .index import sort

    if dim is None:
        flat = input.reshape(-1)
        s = sort(flat).values
        return s[(flat._data.size - 1) // 2]
    d = wrap_dim(dim, input._data.ndim)
    s = sort(input, d)
    k = (input._data.shape[d] - 1) // 2
    vals = s.values.narrow(d, k, 1)
    idx = s.indices.narrow(d, k, 1)
    if not keepdim:
        vals, idx = vals.squeeze(d), idx.squeeze(d)
    return values_indices(vals, idx)
