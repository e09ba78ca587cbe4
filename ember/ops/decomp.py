"""Matrix decompositions and their relatives: inv, det, slogdet, solve, cholesky, eigh, svdvals.

Every op is batched over leading dims like torch.linalg and differentiable; the composites
(matrix_power, pinv, the norms) are built from these and the ordinary ops.
"""

import numpy as np

from .. import backend
from ..autograd.function import Op
from ._util import dispatch, matmul_raw, unbroadcast

_DTYPE_NAMES = {"i": "Long", "u": "Byte", "b": "Bool"}


def _mT(a):
    return a.swapaxes(-1, -2)


def check_square(t, name):
    """Raise torch's errors for a non-float or non-square (batch of) matrix input."""
    a = t._data
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as "
                           f"input. Got {_DTYPE_NAMES.get(a.dtype.kind, str(a.dtype))}")
    if a.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _singular(name):
    return RuntimeError(f"linalg.{name}: The diagonal element of the factorization is zero: "
                        "the input matrix is singular (not invertible).")


def _inv_raw(a, name="inv"):
    xp = backend.array_module(a)
    try:
        out = xp.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise _singular(name) from None
    if xp is not np and not bool(xp.isfinite(out).all()):
        # CuPy does not raise on singular input: it returns inf/nan
        raise _singular(name)
    return out


class Inv(Op):
    """Matrix inverse; d(A^-1) = -A^-1 dA A^-1."""

    @staticmethod
    def forward(ctx, a):
        out = _inv_raw(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (inv,) = ctx.saved_tensors
        inv_t = _mT(inv)
        return -matmul_raw(matmul_raw(inv_t, g), inv_t)


class Det(Op):
    """Determinant; d det(A) = det(A) A^-T (needs an invertible A for the gradient)."""

    @staticmethod
    def forward(ctx, a):
        xp = backend.array_module(a)
        out = xp.linalg.det(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, det = ctx.saved_tensors
        return (g * det)[..., None, None] * _mT(_inv_raw(a, "det"))


class Slogdet(Op):
    """(sign, log|det A|); only log|det| carries a gradient, A^-T."""

    @staticmethod
    def forward(ctx, a):
        xp = backend.array_module(a)
        sign, logabs = xp.linalg.slogdet(a)
        ctx.save_for_backward(a)
        return sign, logabs

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        (a,) = ctx.saved_tensors
        return g_logabs[..., None, None] * _mT(_inv_raw(a, "slogdet"))


class Solve(Op):
    """X with A X = B for a matrix B (vectors are given a column dim by the caller)."""

    @staticmethod
    def forward(ctx, a, b):
        xp = backend.array_module(a)
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a_b = xp.broadcast_to(a, shape + a.shape[-2:])
        b_b = xp.broadcast_to(b, shape + b.shape[-2:])
        try:
            x = xp.linalg.solve(a_b, b_b)
        except np.linalg.LinAlgError:
            raise _singular("solve") from None
        if xp is not np and not bool(xp.isfinite(x).all()):
            raise _singular("solve")
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        xp = backend.array_module(g)
        a_t = xp.broadcast_to(_mT(a), g.shape[:-2] + a.shape[-2:])
        gb = xp.linalg.solve(a_t, g)
        n = ctx.needs_input_grad
        ga = unbroadcast(-matmul_raw(gb, _mT(x)), a.shape) if n[0] else None
        return ga, (gb if n[1] else None)


class Cholesky(Op):
    """Lower Cholesky factor L of a symmetric positive-definite A (reads A's lower triangle)."""

    @staticmethod
    def forward(ctx, a):
        xp = backend.array_module(a)
        try:
            low = xp.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            low = None
        if low is None or (xp is not np and not bool(xp.isfinite(low).all())):
            raise RuntimeError("linalg.cholesky: The factorization could not be completed "
                               "because the input is not positive-definite.")
        ctx.save_for_backward(low)
        return low

    @staticmethod
    def backward(ctx, g):
        (low,) = ctx.saved_tensors
        xp = backend.array_module(g)
        # gA = L^-T Phi(L^T gL) L^-1, Phi keeping the lower triangle with a halved diagonal;
        # symmetrized because only symmetric perturbations of A keep it a valid input
        p = xp.tril(matmul_raw(_mT(low), g))
        p = p - 0.5 * xp.tril(xp.triu(p))
        inv = _inv_raw(low, "cholesky")
        s = matmul_raw(matmul_raw(_mT(inv), p), inv)
        return 0.5 * (s + _mT(s))


class Eigh(Op):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric A (lower triangle)."""

    @staticmethod
    def forward(ctx, a):
        xp = backend.array_module(a)
        w, v = xp.linalg.eigh(a)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        xp = backend.array_module(v)
        vt = _mT(v)
        inner = matmul_raw(vt, gv)
        # only the skew part of V^T gV moves orthonormal eigenvectors
        inner = 0.5 * (inner - _mT(inner))
        diff = w[..., None, :] - w[..., :, None]  # diff[i, j] = w_j - w_i
        n = w.shape[-1]
        eye = xp.eye(n, dtype=bool)
        mid = xp.where(eye, 0, inner / xp.where(eye, 1, diff))
        mid = mid + xp.eye(n, dtype=w.dtype) * gw[..., None, :]
        return matmul_raw(matmul_raw(v, mid), vt)


class Svdvals(Op):
    """Singular values in descending order; d sigma_i = u_i^T dA v_i."""

    @staticmethod
    def forward(ctx, a):
        xp = backend.array_module(a)
        if ctx.needs_input_grad[0]:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            ctx.save_for_backward(u, vh)
            return s
        return xp.linalg.svd(a, compute_uv=False)

    @staticmethod
    def backward(ctx, g):
        u, vh = ctx.saved_tensors
        return matmul_raw(u * g[..., None, :], vh)


def inv(A):
    """Inverse of a square matrix (or batch)."""
    check_square(A, "inv")
    return dispatch(Inv, A)


def det(A):
    """Determinant of a square matrix (or batch)."""
    check_square(A, "det")
    return dispatch(Det, A)


def slogdet(A):
    """(sign, log|det|) of a square matrix (or batch)."""
    check_square(A, "slogdet")
    return dispatch(Slogdet, A)


def solve(A, B):
    """X with A @ X = B; B is a vector (batch) when its shape is A's without the last dim."""
    check_square(A, "solve")
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {A.dtype} and B of type {B.dtype} instead")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows = b.shape[-1] if vector else (b.shape[-2] if b.ndim >= 2 else -1)
    if rows != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({a.shape[-2]}x{a.shape[-1]} and "
                           f"{'x'.join(map(str, b.shape))})")
    if vector:
        return dispatch(Solve, A, B.unsqueeze(-1)).squeeze(-1)
    return dispatch(Solve, A, B)


def cholesky(A, upper=False):
    """Cholesky factor of a symmetric positive-definite matrix (lower unless upper=True)."""
    check_square(A, "cholesky")
    low = dispatch(Cholesky, A)
    return low.mT if upper else low


def eigh(A, UPLO="L"):
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix (or batch)."""
    check_square(A, "eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    if UPLO == "U":
        A = A.mT  # the upper triangle of A is the lower triangle of A^T
    return dispatch(Eigh, A)


def eigvalsh(A, UPLO="L"):
    """Eigenvalues (ascending) of a symmetric matrix (or batch)."""
    return eigh(A, UPLO)[0]


def svdvals(A):
    """Singular values (descending) of a matrix (or batch)."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.svdvals: The input tensor A must have at least 2 dimensions.")
    if A._data.dtype.kind not in "fc":
        check_square(A, "svdvals")  # raises the dtype error
    return dispatch(Svdvals, A)


def matrix_power(A, n):
    """A multiplied by itself n times (n < 0 inverts first; n = 0 gives the identity)."""
    from ..creation import eye
    from .linalg import matmul

    check_square(A, "matrix_power")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        size = A._data.shape[-1]
        ident = eye(size, dtype=A.dtype, device=A.device)
        return ident.expand(*A._data.shape).clone()
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while True:  # square-and-multiply
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if not n:
            return result
        base = matmul(base, base)


def pinv(A):
    """Moore-Penrose pseudo-inverse of a full-rank matrix (or batch), via the normal equations.

    Rank-deficient inputs are not supported (torch's cutoff of small singular values needs a
    full SVD with gradients, which ember lacks).
    """
    from .linalg import matmul

    a = A._data
    if a.ndim < 2:
        raise RuntimeError("linalg.pinv: The input tensor A must have at least 2 dimensions.")
    at = A.mT
    if a.shape[-2] >= a.shape[-1]:
        return solve(matmul(at, A), at)          # (A^T A)^-1 A^T
    return solve(matmul(A, at), A).mT            # A^T (A A^T)^-1


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """Vector ord-norm over dim (all elements when None): any p, inf, -inf, 0."""
    from .reduce import norm

    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got '{ord}'")
    return norm(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Matrix norm over the two dims `dim`: 'fro', 'nuc', 2, -2, 1, -1, inf, -inf."""
    from .. import dtypes
    from ._util import cast, wrap_dim

    if dtype is not None:
        A = cast(A, dtypes.to_dtype(dtype).np)
    nd = A._data.ndim
    if nd < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions. Got {nd}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = wrap_dim(dim[0], nd), wrap_dim(dim[1], nd)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    m = A.movedim((d0, d1), (-2, -1))
    inf = float("inf")
    if ord in ("nuc", 2, -2):
        s = svdvals(m)
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
    elif ord in (1, -1):
        col = m.abs().sum(-2)
        out = col.amax(-1) if ord == 1 else col.amin(-1)
    elif ord in (inf, -inf):
        row = m.abs().sum(-1)
        out = row.amax(-1) if ord == inf else row.amin(-1)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: a vector norm or a matrix norm, chosen by ord and dim."""
    nd = A._data.ndim
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is not None:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if nd == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if nd == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D "
                       f"or 2D. Got {nd}D.")


# torch.* spellings of the same functions
def inverse(input):
    """Inverse of a square matrix (or batch); torch.inverse."""
    return inv(input)


def logdet(input):
    """log det(A): NaN for a negative determinant, -inf for a zero one."""
    sign, logabs = slogdet(input)
    return logabs + sign.log()  # log(-1) = NaN, log(0) = -inf, log(1) = 0
