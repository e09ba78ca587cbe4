"""ember.linalg: PyTorch's torch.linalg (inverses, determinants, solvers, decompositions, norms)."""

from .ops.decomp import (
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    matrix_norm,
    matrix_power,
    pinv,
    slogdet,
    solve,
    svdvals,
    vector_norm,
)
from .ops.decomp import linalg_norm as norm
from .ops.linalg import matmul

__all__ = ["cholesky", "det", "eigh", "eigvalsh", "inv", "matmul", "matrix_norm",
           "matrix_power", "norm", "pinv", "slogdet", "solve", "svdvals", "vector_norm"]
