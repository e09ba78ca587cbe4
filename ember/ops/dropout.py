"""Dropout: zero elements (or whole channels) at random and rescale the rest by 1 / (1 - p)."""

import numpy as np

from .. import backend
from ..autograd.function import Op
from ..random import rng
from ..tensor import Tensor
from ._util import dispatch, inplace_source
from ._util import inplace as _inplace


class MaskMul(Op):
    """a * mask, the mask a constant (already scaled) that broadcasts against a."""

    @staticmethod
    def forward(ctx, a, mask):
        ctx.mask = mask
        return a * mask

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None


def _check(input, p, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _mask(input, shape, p, generator):
    """A keep-mask of `shape` scaled by 1 / (1 - p), in input's dtype and on its device."""
    dtype = input._data.dtype
    if p == 1.0:
        keep = np.zeros(shape, dtype)
    else:
        keep = (rng(generator).random(shape, dtype=np.float32) >= p).astype(dtype)
        keep *= dtype.type(1.0 / (1.0 - p))
    if not input.is_cpu:
        keep = backend.to_device(keep, input.device)
    return keep


def _run(input, mask, inplace_flag):
    if inplace_flag:
        return _inplace(input, dispatch(MaskMul, inplace_source(input), mask))
    return dispatch(MaskMul, input, mask)


def dropout(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Zero each element with probability p and scale the survivors by 1 / (1 - p)."""
    _check(input, p, "dropout")
    if not training or p == 0.0:
        return input
    return _run(input, _mask(input, input._data.shape, p, generator), inplace)


def _feature_dropout(input, p, training, inplace_flag, batched_ndim, name, generator):
    _check(input, p, name)
    nd = input._data.ndim
    if nd not in (batched_ndim, batched_ndim - 1):
        raise RuntimeError(f"{name}: Expected {batched_ndim - 1}D or {batched_ndim}D input, but "
                           f"received a {nd}D input")
    if not training or p == 0.0:
        return input
    shape = input._data.shape
    # one draw per (sample, channel), broadcast over the spatial dims
    lead = 2 if nd == batched_ndim else 1
    mshape = shape[:lead] + (1,) * (nd - lead)
    return _run(input, _mask(input, mshape, p, generator), inplace_flag)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability p."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d", None)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) inputs with probability p."""
    return _feature_dropout(input, p, training, inplace, 4, "dropout2d", None)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability p."""
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d", None)


_SELU_ALPHA_PRIME = -1.7580993408473766  # -scale * alpha of SELU


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean and unit variance (dropped values go to alpha')."""
    _check(input, p, "alpha_dropout")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0
    dtype = input._data.dtype
    keep = (rng().random(input._data.shape, dtype=np.float32) >= p).astype(dtype)
    a = (1.0 / np.sqrt((1 - p) * (1 + p * _SELU_ALPHA_PRIME ** 2)))
    b = -a * _SELU_ALPHA_PRIME * p
    if not input.is_cpu:
        keep = backend.to_device(keep, input.device)
    xp = backend.array_module(keep)
    scale = keep * dtype.type(a)
    shift = xp.asarray((1 - keep) * dtype.type(a * _SELU_ALPHA_PRIME) + dtype.type(b))
    out = dispatch(MaskMul, input, scale) + Tensor._make(shift)
    return _inplace(input, out) if inplace else out
