"""pad: constant, reflect, replicate and circular padding of the trailing dimensions."""

import numpy as np

from .. import backend
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import dispatch
from .embedding import index_add_rows


def _pairs(pad, ndim):
    """[(axis, before, after), ...] from PyTorch's last-dim-first flat pad list."""
    return [(ndim - 1 - i, int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(len(pad) // 2)]


class ConstantPad(Op):
    """Surround the input with a constant (negative pads crop)."""

    @staticmethod
    def forward(ctx, a, pairs, value):
        xp = backend.array_module(a)
        shape = list(a.shape)
        src = [slice(None)] * a.ndim
        dst = [slice(None)] * a.ndim
        for axis, lo, hi in pairs:
            n = a.shape[axis]
            shape[axis] = n + lo + hi
            src[axis] = slice(max(-lo, 0), n - max(-hi, 0))
            dst[axis] = slice(max(lo, 0), max(lo, 0) + (n - max(-lo, 0) - max(-hi, 0)))
        out = xp.full(shape, value, dtype=a.dtype)
        out[tuple(dst)] = a[tuple(src)]
        ctx.meta = (a.shape, tuple(src), tuple(dst))
        return out

    @staticmethod
    def backward(ctx, g):
        shape, src, dst = ctx.meta
        xp = backend.array_module(g)
        ga = xp.zeros(shape, g.dtype)
        ga[src] = g[dst]
        return ga, None, None


def _index(mode, n, lo, hi):
    """Source index along one axis for each padded position (the centre is the identity)."""
    if mode == "reflect":
        left = np.arange(lo, 0, -1)
        right = np.arange(n - 2, n - 2 - hi, -1)
    elif mode == "replicate":
        left = np.zeros(lo, dtype=np.int64)
        right = np.full(hi, n - 1, dtype=np.int64)
    else:  # circular
        left = np.arange(n - lo, n)
        right = np.arange(hi)
    return left.astype(np.int64), right.astype(np.int64)


class IndexPad(Op):
    """Reflect / replicate / circular padding: each border copies positions of the input."""

    @staticmethod
    def forward(ctx, a, pairs, mode):
        xp = backend.array_module(a)
        out = a
        plan = []
        for axis, lo, hi in pairs:
            n = out.shape[axis]
            left, right = _index(mode, n, lo, hi)
            if xp is not np:
                left, right = xp.asarray(left), xp.asarray(right)
            parts = [xp.take(out, left, axis=axis), out, xp.take(out, right, axis=axis)]
            out = xp.concatenate(parts, axis=axis)
            plan.append((axis, n, lo, left, right))
        ctx.plan = plan
        return out

    @staticmethod
    def backward(ctx, g):
        xp = backend.array_module(g)
        for axis, n, lo, left, right in reversed(ctx.plan):
            moved = xp.moveaxis(g, axis, 0)
            core = moved[lo:lo + n].copy()
            index_add_rows(core, left, moved[:lo])
            index_add_rows(core, right, moved[lo + n:])
            g = xp.moveaxis(core, 0, axis)
        return g, None, None


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dims; pad = (last_lo, last_hi, second_last_lo, ...)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' must be Tensor, not {type(input).__name__}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input._data.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input._data.ndim}")
    pairs = _pairs(pad, input._data.ndim)
    if mode == "constant":
        for axis, lo, hi in pairs:
            if input._data.shape[axis] + lo + hi < 0:
                raise RuntimeError(f"The input size {input._data.shape[axis]}, plus negative "
                                   f"padding {lo} and {hi} resulted in a negative output size, "
                                   "which is invalid. Check dimension "
                                   f"{axis} of your input.")
        return dispatch(ConstantPad, input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value not in (None, 0):
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    for axis, lo, hi in pairs:
        n = input._data.shape[axis]
        if lo < 0 or hi < 0:
            raise RuntimeError(f"{mode} padding: negative padding is only supported in "
                               "constant mode")
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension "
                               f"{axis} of input {list(input._data.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and n == 0 and (lo or hi):
            raise RuntimeError(f"replicate padding: input dimension {axis} is empty")
    return dispatch(IndexPad, input, pairs, mode)
