"""Embedding lookups (rows of a weight matrix picked by index) and one-hot encoding."""

import numpy as np

from .. import backend
from ..autograd.function import Op
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from ._util import dispatch, make


def index_add_rows(target, index, rows):
    """target[index[k]] += rows[k] for every k, duplicates accumulated (numpy or cupy)."""
    if isinstance(target, np.ndarray):
        np.add.at(target, index, rows)
    else:
        import cupyx

        cupyx.scatter_add(target, index, rows)
    return target


class Embedding(Op):
    """weight[indices]; the backward scatters gradient rows back, duplicates summed."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.meta = (weight.shape, padding_idx, scale_grad_by_freq)
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        wshape, padding_idx, by_freq = ctx.meta
        xp = backend.array_module(g)
        flat = indices.reshape(-1)
        rows = g.reshape(-1, wshape[1])
        if by_freq:
            counts = xp.bincount(flat, minlength=wshape[0])
            rows = rows / counts[flat][:, None].astype(rows.dtype)
        gw = index_add_rows(xp.zeros(wshape, g.dtype), flat, rows)
        if padding_idx is not None:
            gw[padding_idx] = 0
        return gw, None, None, None


def _renorm_rows(weight, indices, max_norm, norm_type):
    """Rescale, in place and outside autograd, the looked-up rows whose norm exceeds max_norm."""
    xp = backend.array_module(weight._data)
    rows = xp.unique(indices.reshape(-1))
    with no_grad():
        sub = weight._data[rows]
        norms = (xp.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight._data[rows] = sub * scale[:, None].astype(sub.dtype)
        weight._bump()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Look up rows of `weight` (num_embeddings x dim) at the integer positions in `input`."""
    if not isinstance(input, Tensor) or input._data.dtype.kind not in "iu":
        kind = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {kind} instead (while "
                           "checking arguments for embedding)")
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = weight._data.shape[0]
    idx = input._data
    if idx.size and (bool((idx < 0).any()) or bool((idx >= n).any())):
        raise IndexError("index out of range in self")
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % n
    if max_norm is not None:
        _renorm_rows(weight, idx, float(max_norm), float(norm_type))
    return dispatch(Embedding, weight, idx, padding_idx, bool(scale_grad_by_freq))


def one_hot(tensor, num_classes=-1):
    """int64 tensor with a trailing dimension of size num_classes, 1 at each index."""
    if not isinstance(tensor, Tensor) or tensor._data.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    xp = backend.array_module(a)
    if a.size and bool((a < 0).any()):
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    elif a.size and int(a.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return make((a[..., None] == xp.arange(num_classes)).astype(np.int64))
