"""Dropout: zero elements (or whole channels) at random and rescale the rest by 1 / (1 - p)."""

import warnings

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


def _feature_dropout(input, p, training, inplace_flag, lead, generator):
    """One draw per leading index (sample and channel, or channel alone when unbatched)."""
    if not training or p == 0.0:
        return input
    shape = input._data.shape
    mshape = shape[:lead] + (1,) * (len(shape) - lead)
    return _run(input, _mask(input, mshape, p, generator), inplace_flag)


def _warn_rank(name, nd, expected):
    warnings.warn(f"{name}: Received a {nd}-D input to {name}, which is deprecated and will "
                  f"result in an error in a future release. To retain the behavior and silence "
                  f"this warning, please use dropout instead. Note that {name} exists to "
                  f"provide channel-wise dropout on {expected} inputs.", UserWarning,
                  stacklevel=3)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability p."""
    _check(input, p, "dropout1d")
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on "
                           "inputs with 1 spatial dimension, a channel dimension, and an "
                           "optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, 2 if nd == 3 else 1, None)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) inputs with probability p.

    As in PyTorch, a 3-D input is read as (N, C, L) (1-D channel dropout, with a warning).
    """
    _check(input, p, "dropout2d")
    nd = input._data.ndim
    if nd not in (3, 4):
        _warn_rank("dropout2d", nd, "3D or 4D")
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      UserWarning, stacklevel=2)
    return _feature_dropout(input, p, training, inplace, min(nd, 2), None)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability p."""
    _check(input, p, "dropout3d")
    nd = input._data.ndim
    if nd not in (4, 5):
        _warn_rank("dropout3d", nd, "4D or 5D")
    return _feature_dropout(input, p, training, inplace, 1 if nd == 4 else min(nd, 2), None)


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
