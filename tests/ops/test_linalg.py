"""Linear algebra (ember/ops/linalg.py): matmul family vs NumPy/PyTorch, gradcheck, errors."""

import numpy as np
import pytest
from helpers import Case, In, table_tests

import ember

CASES = [
    Case("mm", lambda m, a, b: m.mm(a, b), np.matmul, [In((3, 4)), In((4, 2))]),
    Case("matmul_op", lambda m, a, b: a @ b, np.matmul, [In((3, 4)), In((4, 5))]),
    Case("matmul_vec_vec", lambda m, a, b: m.matmul(a, b), np.matmul, [In((4,)), In((4,))]),
    Case("matmul_mat_vec", lambda m, a, b: a @ b, np.matmul, [In((3, 4)), In((4,))]),
    Case("matmul_vec_mat", lambda m, a, b: a @ b, np.matmul, [In((3,)), In((3, 4))]),
    Case("matmul_batched", lambda m, a, b: a @ b, np.matmul, [In((2, 3, 4)), In((4, 2))]),
    Case("matmul_broadcast", lambda m, a, b: m.matmul(a, b), np.matmul,
         [In((2, 1, 3, 4)), In((3, 4, 2))]),
    Case("matmul_batched_vec", lambda m, a, b: a @ b, np.matmul, [In((2, 3, 4)), In((4,))]),
    Case("bmm", lambda m, a, b: m.bmm(a, b), np.matmul, [In((2, 3, 4)), In((2, 4, 5))]),
    Case("mv", lambda m, a, b: a.mv(b), np.matmul, [In((3, 4)), In((4,))]),
    Case("dot", lambda m, a, b: m.dot(a, b), np.dot, [In((5,)), In((5,))]),
    Case("inner", lambda m, a, b: m.inner(a, b), np.inner, [In((5,)), In((5,))]),
    Case("outer", lambda m, a, b: m.outer(a, b), np.outer, [In((3,)), In((4,))]),
    Case("ger", lambda m, a, b: a.ger(b), np.outer, [In((3,)), In((4,))]),
    Case("addmm", lambda m, c, a, b: m.addmm(c, a, b), lambda c, a, b: c + a @ b,
         [In((2,)), In((3, 4)), In((4, 2))]),
    Case("addmm_scaled", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0),
         lambda c, a, b: 0.5 * c + 2 * (a @ b), [In((3, 2)), In((3, 4)), In((4, 2))]),
    Case("addmv", lambda m, c, a, b: m.addmv(c, a, b, alpha=2), lambda c, a, b: c + 2 * (a @ b),
         [In((3,)), In((3, 4)), In((4,))]),
    Case("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b, beta=2),
         lambda c, a, b: 2 * c + a @ b, [In((2, 3, 2)), In((2, 3, 4)), In((2, 4, 2))]),
    Case("einsum_mm", lambda m, a, b: m.einsum("ij,jk->ik", a, b), np.matmul,
         [In((3, 4)), In((4, 2))]),
    Case("einsum_batch", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), np.matmul,
         [In((2, 3, 4)), In((2, 4, 2))]),
    Case("einsum_sum_out", lambda m, a, b: m.einsum("ij,ij->i", a, b),
         lambda a, b: (a * b).sum(1), [In((3, 4)), In((3, 4))]),
    Case("einsum_implicit", lambda m, a, b: m.einsum("ij,jk", a, b), np.matmul,
         [In((3, 4)), In((4, 2))]),
    Case("einsum_outer", lambda m, a, b: m.einsum("i,j->ij", a, b), np.outer,
         [In((3,)), In((4,))]),
    Case("einsum_transpose", lambda m, a: m.einsum("ij->ji", a), np.transpose, [In((3, 4))]),
    Case("matmul_int", lambda m, a, b: a @ b, np.matmul,
         [In((2, 3), "int64"), In((3, 2), "int64")]),
    Case("matmul_float64", lambda m, a, b: a @ b, np.matmul,
         [In((2, 3), "float64"), In((3, 2), "float64")]),
    Case("linear_chain", lambda m, x, w, b: (x @ w.t() + b).relu().sum(1),
         lambda x, w, b: np.maximum(x @ w.T + b, 0).sum(1), [In((4, 3)), In((5, 3)), In((5,))]),
]
test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES)


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"cannot be multiplied \(4x400 and 500x120\)"):
        ember.ones(4, 400) @ ember.ones(500, 120)
    with pytest.raises(RuntimeError, match=r"cannot be multiplied"):
        ember.mm(ember.ones(2, 3), ember.ones(2, 3))
    with pytest.raises(RuntimeError, match="4x3x5.*6x2|cannot multiply"):
        ember.ones(4, 3, 5) @ ember.ones(6, 2)
    with pytest.raises(RuntimeError, match="same number of elements"):
        ember.dot(ember.ones(3), ember.ones(4))


def test_matmul_other_errors():
    with pytest.raises(RuntimeError, match="at least 1D"):
        ember.tensor(2.0) @ ember.ones(2)
    with pytest.raises(RuntimeError, match="same dtype"):
        ember.ones(2, 2) @ ember.ones(2, 2, dtype=ember.float64)
    with pytest.raises(RuntimeError, match="batch"):
        ember.bmm(ember.ones(2, 3, 4), ember.ones(3, 4, 5))
    with pytest.raises(RuntimeError, match="2-D|2D"):
        ember.mm(ember.ones(3), ember.ones(3, 2))
    with pytest.raises(RuntimeError, match="1D"):
        ember.dot(ember.ones(2, 2), ember.ones(2))
    with pytest.raises(RuntimeError, match="broadcastable"):
        ember.ones(2, 3, 4) @ ember.ones(3, 4, 2)


def test_matmul_out():
    r = ember.empty(2, 2)
    assert ember.matmul(ember.ones(2, 3), ember.ones(3, 2), out=r) is r
    assert r.tolist() == [[3.0, 3.0], [3.0, 3.0]]
