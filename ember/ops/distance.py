"""Similarities and distances between batches of vectors: cosine_similarity, pairwise_distance."""

from ..tensor import Tensor
from ._util import wrap_dim
from .shape import broadcast_tensors


def _floor_value(norm, eps):
    """norm with values below eps raised to eps, the gradient still that of norm itself."""
    return norm + (norm.clamp_min(eps) - norm).detach()


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along dim (each normalized first, for stability)."""
    if not isinstance(x1, Tensor) or not isinstance(x2, Tensor):
        raise TypeError("cosine_similarity(): x1 and x2 must be Tensors")
    x1, x2 = broadcast_tensors(x1, x2)
    dim = wrap_dim(dim, x1._data.ndim)
    n1 = _floor_value(x1.norm(2, dim, keepdim=True), eps)
    n2 = _floor_value(x2.norm(2, dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm of x1 - x2 + eps along the last dimension."""
    d = x1 - x2 + eps
    return d.norm(p, -1, keepdim=keepdim)
