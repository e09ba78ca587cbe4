"""ember.linalg (ember/ops/decomp.py): values and gradients vs NumPy/PyTorch, gradcheck, errors."""

import numpy as np
import pytest
from helpers import Case, In, assert_same, table_tests, torch_or_skip

import ember

N = 3


def _wc(m, a):
    """A well-conditioned square matrix (or batch) from random a: a + 4 I."""
    return a + 4 * m.eye(a.shape[-1], dtype=a.dtype)


def _spd(m, a):
    """A symmetric positive-definite matrix (or batch) from random a: a a^T + I."""
    return a @ a.mT + m.eye(a.shape[-1], dtype=a.dtype)


def _sym(m, a):
    """A symmetric matrix from a, built inside the function so gradcheck stays valid."""
    return (a + a.mT) / 2


def _np_wc(a):
    return a + 4 * np.eye(a.shape[-1], dtype=a.dtype)


def _np_spd(a):
    return a @ np.swapaxes(a, -1, -2) + np.eye(a.shape[-1], dtype=a.dtype)


def _np_sym(a):
    return (a + np.swapaxes(a, -1, -2)) / 2


def _np_eigh(a):
    w, v = np.linalg.eigh(_np_sym(a))
    return w, v * v


def _np_mnorm(ord_):
    return lambda a: np.linalg.norm(a, ord=ord_, axis=(-2, -1))


def _cases(dt):
    tol = dict(rtol=1e-4, atol=1e-5) if dt == "float32" else {}
    sq, bsq = In((N, N), dt), In((2, N, N), dt)
    rows = [
        ("inv", lambda m, a: m.linalg.inv(_wc(m, a)), lambda a: np.linalg.inv(_np_wc(a)), [sq]),
        ("inv_batched", lambda m, a: m.linalg.inv(_wc(m, a)),
         lambda a: np.linalg.inv(_np_wc(a)), [bsq]),
        ("inverse_method", lambda m, a: _wc(m, a).inverse(),
         lambda a: np.linalg.inv(_np_wc(a)), [sq]),
        ("det", lambda m, a: m.linalg.det(_wc(m, a)), lambda a: np.linalg.det(_np_wc(a)), [bsq]),
        ("det_method", lambda m, a: a.det(), np.linalg.det, [sq]),
        ("slogdet", lambda m, a: m.linalg.slogdet(a), lambda a: tuple(np.linalg.slogdet(a)),
         [bsq]),
        ("logdet", lambda m, a: m.logdet(_spd(m, a)),
         lambda a: np.linalg.slogdet(_np_spd(a))[1], [sq]),
        ("solve_matrix", lambda m, a, b: m.linalg.solve(_wc(m, a), b),
         lambda a, b: np.linalg.solve(_np_wc(a), b), [sq, In((N, 2), dt)]),
        ("solve_vector", lambda m, a, b: m.linalg.solve(_wc(m, a), b),
         lambda a, b: np.linalg.solve(_np_wc(a), b), [sq, In((N,), dt)]),
        ("solve_batched_vector", lambda m, a, b: m.linalg.solve(_wc(m, a), b),
         lambda a, b: np.linalg.solve(_np_wc(a), b[..., None])[..., 0],
         [bsq, In((2, N), dt)]),
        ("solve_broadcast", lambda m, a, b: m.linalg.solve(_wc(m, a), b),
         lambda a, b: np.linalg.solve(_np_wc(a), b), [sq, In((2, N, 2), dt)]),
        ("cholesky", lambda m, a: m.linalg.cholesky(_spd(m, a)),
         lambda a: np.linalg.cholesky(_np_spd(a)), [bsq]),
        ("cholesky_method", lambda m, a: _spd(m, a).cholesky(),
         lambda a: np.linalg.cholesky(_np_spd(a)), [sq]),  # torch.cholesky warns: see below
        ("eigh", lambda m, a: (lambda wv: (wv[0], wv[1] * wv[1]))(m.linalg.eigh(_sym(m, a))),
         _np_eigh, [bsq]),
        ("eigvalsh", lambda m, a: m.linalg.eigvalsh(_sym(m, a)),
         lambda a: np.linalg.eigvalsh(_np_sym(a)), [sq]),
        ("svdvals", lambda m, a: m.linalg.svdvals(a),
         lambda a: np.linalg.svd(a, compute_uv=False), [In((2, 4, N), dt)]),
        ("matrix_power_3", lambda m, a: m.linalg.matrix_power(a, 3),
         lambda a: np.linalg.matrix_power(a, 3), [bsq]),
        ("matrix_power_neg", lambda m, a: m.linalg.matrix_power(_wc(m, a), -2),
         lambda a: np.linalg.matrix_power(_np_wc(a), -2), [sq]),
        ("matrix_power_0", lambda m, a: m.linalg.matrix_power(a, 0) + a,
         lambda a: np.eye(N, dtype=a.dtype) + a, [sq]),
        ("pinv_tall", lambda m, a: m.linalg.pinv(a), np.linalg.pinv, [In((4, 2), dt)]),
        ("pinv_wide", lambda m, a: m.linalg.pinv(a), np.linalg.pinv, [In((2, 2, 4), dt)]),
        ("vector_norm", lambda m, a: m.linalg.vector_norm(a), lambda a: np.linalg.norm(a.ravel()),
         [bsq]),
        ("vector_norm_ord_dim", lambda m, a: m.linalg.vector_norm(a, 3, dim=1, keepdim=True),
         lambda a: (np.abs(a) ** 3).sum(1, keepdims=True) ** (1 / 3), [bsq]),
        ("vector_norm_inf", lambda m, a: m.linalg.vector_norm(a, float("inf"), dim=(0, 2)),
         lambda a: np.abs(a).max((0, 2)), [bsq]),
        ("matrix_norm_fro", lambda m, a: m.linalg.matrix_norm(a), _np_mnorm("fro"), [bsq]),
        ("matrix_norm_nuc", lambda m, a: m.linalg.matrix_norm(a, "nuc"), _np_mnorm("nuc"),
         [bsq]),
        ("matrix_norm_1", lambda m, a: m.linalg.matrix_norm(a, 1), _np_mnorm(1), [bsq]),
        ("matrix_norm_inf", lambda m, a: m.linalg.matrix_norm(a, float("inf")),
         _np_mnorm(np.inf), [bsq]),
        ("matrix_norm_2_keepdim", lambda m, a: m.linalg.matrix_norm(a, 2, keepdim=True),
         lambda a: np.linalg.norm(a, 2, axis=(-2, -1), keepdims=True), [bsq]),
        ("matrix_norm_dims", lambda m, a: m.linalg.matrix_norm(a, -1, dim=(0, 2)),
         lambda a: np.linalg.norm(a, -1, axis=(0, 2)), [In((N, 2, 4), dt)]),
        ("norm_default", lambda m, a: m.linalg.norm(a), lambda a: np.linalg.norm(a.ravel()),
         [bsq]),
        ("norm_matrix_ord", lambda m, a: m.linalg.norm(a, "nuc"), _np_mnorm("nuc"), [sq]),
        ("norm_vector_ord", lambda m, a: m.linalg.norm(a, 1), lambda a: np.abs(a).sum(),
         [In((5,), dt)]),
        ("norm_dim_pair", lambda m, a: m.linalg.norm(a, dim=(1, 2)), _np_mnorm("fro"), [bsq]),
    ]
    torch_fns = {"cholesky_method": lambda m, a: m.linalg.cholesky(_spd(m, a))}
    return [Case(f"{name}_{dt}", fn, np_fn, ins, torch_fn=torch_fns.get(name), **tol)
            for name, fn, np_fn, ins in rows]


CASES = _cases("float32") + _cases("float64")
test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES)


def _f64(*shape, seed=0):
    return ember.from_numpy(np.random.default_rng(seed).standard_normal(shape))


def test_gradcheck_eigenvectors_directly():
    # a loss that depends on eigenvector signs only through products invariant to them
    a = _f64(N, N).requires_grad_()
    w = _f64(N, N, seed=1)

    def f(x):
        vals, vecs = ember.linalg.eigh(_sym(ember, x))
        return vals.sum() + ((vecs @ w @ vecs.mT) ** 2).sum()

    assert ember.autograd.gradcheck(f, (a,), eps=1e-6, atol=1e-5)


def test_values_are_decompositions():
    a = _spd(ember, _f64(2, N, N))
    low = ember.linalg.cholesky(a)
    assert_same(low @ low.mT, a, atol=1e-10)
    assert not np.any(np.triu(low.numpy(), 1))
    w, v = ember.linalg.eigh(a)
    assert_same(v @ ember.diag_embed(w) @ v.mT if hasattr(ember, "diag_embed")
                else (v * w.unsqueeze(-2)) @ v.mT, a, atol=1e-10)
    assert bool((w[..., 1:] >= w[..., :-1]).all())
    assert_same(a @ ember.linalg.inv(a), ember.eye(N, dtype=ember.float64).expand(2, N, N),
                atol=1e-10)
    assert_same(ember.linalg.cholesky(a, upper=True), low.mT)


def test_upper_eigh_reads_upper_triangle():
    a = _sym(ember, _f64(N, N))
    messy = a.triu() + 5 * a.tril(-1)  # only the upper triangle is the real matrix
    assert_same(ember.linalg.eigh(messy, UPLO="U")[0], ember.linalg.eigvalsh(a), atol=1e-10)


def test_svdvals_no_grad_path_and_gradient():
    a = _f64(4, N)
    assert_same(ember.linalg.svdvals(a), np.linalg.svd(a.numpy(), compute_uv=False))
    a.requires_grad_()
    ember.linalg.svdvals(a).sum().backward()
    u, _, vh = np.linalg.svd(a.detach().numpy(), full_matrices=False)
    assert_same(a.grad, u @ vh, atol=1e-10)


def test_against_torch_eigenvectors_up_to_sign():
    torch = torch_or_skip()
    a = _sym(ember, _f64(2, 4, 4)).numpy()
    _, v = ember.linalg.eigh(ember.from_numpy(a))
    _, tv = torch.linalg.eigh(torch.from_numpy(a))
    signs = np.sign((v.numpy() * tv.numpy()).sum(-2, keepdims=True))
    assert_same(v.numpy() * signs, tv, atol=1e-10, check_dtype=False)


def test_non_square_errors():
    a = ember.ones(2, 3)
    msg = "A must be batches of square matrices, but they are 2 by 3 matrices"
    for fn in (ember.linalg.inv, ember.linalg.det, ember.linalg.slogdet, ember.linalg.cholesky,
               ember.linalg.eigh, ember.Tensor.inverse):
        with pytest.raises(RuntimeError, match=msg):
            fn(a)
    with pytest.raises(RuntimeError, match="linalg.inv: A must be batches of square"):
        ember.linalg.inv(a)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        ember.linalg.inv(ember.ones(3))
    with pytest.raises(RuntimeError, match="floating point"):
        ember.linalg.inv(ember.ones(2, 2, dtype=ember.int64))


def test_singular_and_not_positive_definite():
    sing = ember.tensor([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(RuntimeError, match="linalg.inv.*singular"):
        ember.linalg.inv(sing)
    with pytest.raises(RuntimeError, match="linalg.solve.*singular"):
        ember.linalg.solve(sing, ember.ones(2))
    with pytest.raises(RuntimeError, match="linalg.cholesky.*not positive-definite"):
        ember.linalg.cholesky(ember.tensor([[1.0, 2.0], [2.0, 1.0]]))
    assert ember.linalg.det(sing).item() == pytest.approx(0.0, abs=1e-6)
    sign, logabs = ember.linalg.slogdet(sing)
    assert sign.item() == 0 and logabs.item() == float("-inf")


def test_solve_and_norm_argument_errors():
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        ember.linalg.solve(ember.eye(3), ember.ones(4))
    with pytest.raises(RuntimeError, match="same dtype"):
        ember.linalg.solve(ember.eye(2), ember.ones(2, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="Order 3 not supported"):
        ember.linalg.matrix_norm(ember.eye(2), 3)
    with pytest.raises(RuntimeError, match="1D or 2D"):
        ember.linalg.norm(ember.ones(2, 2, 2), 2)
    with pytest.raises(TypeError, match="must be int"):
        ember.linalg.matrix_power(ember.eye(2), 1.5)
    with pytest.raises(RuntimeError, match="UPLO"):
        ember.linalg.eigh(ember.eye(2), UPLO="X")


def test_public_names():
    for name in ("inv", "det", "slogdet", "solve", "cholesky", "eigh", "svdvals",
                 "matrix_power", "pinv", "vector_norm", "matrix_norm", "norm"):
        assert callable(getattr(ember.linalg, name)), name
    x = _spd(ember, _f64(N, N))
    assert_same(ember.inverse(x), x.inverse())
    assert_same(ember.det(x), x.det())
    assert_same(x.slogdet()[1], ember.logdet(x))


@pytest.mark.parametrize("op", ["eigh", "cholesky"])
def test_gradient_wrt_raw_symmetric_input_matches_torch(op):
    # with A itself the leaf (not symmetrized inside), the gradient convention shows: torch
    # returns the symmetric gradient, which the table rows above cannot tell apart
    torch = torch_or_skip()
    a = _spd(ember, _f64(2, N, N)).numpy()
    w = np.random.default_rng(5).standard_normal((2, N, N))
    x = ember.from_numpy(a.copy()).requires_grad_()
    t = torch.from_numpy(a.copy()).requires_grad_()
    if op == "eigh":
        (ev, vecs), (tev, tvecs) = ember.linalg.eigh(x), torch.linalg.eigh(t)
        ember_loss = ev.sum() + ((vecs @ ember.from_numpy(w) @ vecs.mT) ** 2).sum()
        torch_loss = tev.sum() + ((tvecs @ torch.from_numpy(w) @ tvecs.mT) ** 2).sum()
    else:
        ember_loss = (ember.linalg.cholesky(x) * ember.from_numpy(w)).sum()
        torch_loss = (torch.linalg.cholesky(t) * torch.from_numpy(w)).sum()
    ember_loss.backward()
    torch_loss.backward()
    assert_same(x.grad, t.grad, atol=1e-9)
