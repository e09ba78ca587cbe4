"""Indexing ops (ember/ops/index.py): [] get/set, gather/scatter, masks, sort/topk, triangles."""

import numpy as np
import pytest
from helpers import (
    Case,
    In,
    assert_same,
    table_tests,
)

import ember

S = (3, 4)
S3 = (2, 3, 4)
IDX = np.array([[0, 2, 1, 0], [1, 1, 0, 2]])  # gather/scatter indices along dim 0 of (3, 4)


def _tensor(m, a):
    return m.from_numpy(np.array(a))


CASES = [
    Case("int", lambda m, a: a[1], lambda a: a[1], [In(S)]),
    Case("neg_int", lambda m, a: a[-1, -2], lambda a: a[-1, -2], [In(S)]),
    Case("column", lambda m, a: a[:, 1], lambda a: a[:, 1], [In(S)]),
    Case("slice_step", lambda m, a: a[::2, 1:], lambda a: a[::2, 1:], [In(S)]),
    Case("ellipsis", lambda m, a: a[..., 1], lambda a: a[..., 1], [In(S3)]),
    Case("none", lambda m, a: a[None, :, None], lambda a: a[None, :, None], [In(S)]),
    Case("int_list", lambda m, a: a[[0, 2, 2]], lambda a: a[[0, 2, 2]], [In(S)]),
    Case("int_tensor", lambda m, a: a[_tensor(m, [2, 0, 2])], lambda a: a[[2, 0, 2]], [In(S)]),
    Case("two_arrays", lambda m, a: a[[0, 1, 2], [3, 3, 0]], lambda a: a[[0, 1, 2], [3, 3, 0]],
         [In(S)]),
    Case("slice_and_array", lambda m, a: a[:, [1, 1, 2]], lambda a: a[:, [1, 1, 2]], [In(S3)]),
    Case("array_and_ellipsis", lambda m, a: a[..., [0, 3]], lambda a: a[..., [0, 3]], [In(S3)]),
    Case("none_and_array", lambda m, a: a[None, [0, 1]], lambda a: a[None, [0, 1]], [In(S)]),
    Case("mask", lambda m, a: a[a > 0], lambda a: a[a > 0], [In(S)]),
    Case("row_mask", lambda m, a: a[_tensor(m, [True, False, True])],
         lambda a: a[[True, False, True]], [In(S)]),
    Case("int_0d_tensor", lambda m, a: a[m.tensor(1)], lambda a: a[1], [In(S)]),
    Case("gather", lambda m, a: m.gather(a, 0, _tensor(m, IDX)),
         lambda a: np.take_along_axis(a, IDX, 0), [In(S)]),
    Case("gather_dim1", lambda m, a: a.gather(1, _tensor(m, [[0, 0], [3, 1], [2, 2]])),
         lambda a: np.take_along_axis(a, np.array([[0, 0], [3, 1], [2, 2]]), 1), [In(S)]),
    Case("scatter", lambda m, a, s: a.scatter(0, _tensor(m, [[0, 1, 2, 0]]), s),
         lambda a, s: _scatter_np(a, [[0, 1, 2, 0]], s), [In(S), In((1, 4))]),
    Case("scatter_value", lambda m, a: m.scatter(a, 1, _tensor(m, [[0], [2], [3]]), value=7.0),
         lambda a: _scatter_np(a.T, [[0, 2, 3]], np.full((1, 3), 7.0, a.dtype)).T, [In(S)]),
    Case("scatter_add", lambda m, a, s: m.scatter_add(a, 0, _tensor(m, IDX), s),
         lambda a, s: _scatter_add_np(a, IDX, s), [In(S), In((2, 4))]),
    Case("index_select", lambda m, a: m.index_select(a, 1, _tensor(m, [3, 0, 3])),
         lambda a: a[:, [3, 0, 3]], [In(S)]),
    Case("index_select_neg", lambda m, a: a.index_select(-1, _tensor(m, [1])),
         lambda a: a[..., [1]], [In(S3)]),
    Case("take", lambda m, a: m.take(a, _tensor(m, [[0, 11], [5, 5]])),
         lambda a: a.reshape(-1)[[[0, 11], [5, 5]]], [In(S)]),
    Case("masked_fill", lambda m, a: a.masked_fill(a > 0.5, -1.0),
         lambda a: np.where(a > 0.5, -1.0, a), [In(S)]),
    Case("masked_fill_broadcast", lambda m, a: m.masked_fill(a, _tensor(m, [True, False] * 2),
                                                             0.0),
         lambda a: np.where(np.array([True, False] * 2), 0.0, a), [In(S)]),
    Case("masked_fill_0d_tensor", lambda m, a, v: a.masked_fill(a < 0, v),
         lambda a, v: np.where(a < 0, v, a), [In(S), In(())]),
    Case("masked_select", lambda m, a: m.masked_select(a, a > 0), lambda a: a[a > 0], [In(S)]),
    Case("where", lambda m, a, b: m.where(a > b, a, b), lambda a, b: np.where(a > b, a, b),
         [In(S), In((4,))]),
    Case("where_scalar", lambda m, a: m.where(a > 0, a, 0.0), lambda a: np.where(a > 0, a, 0),
         [In(S)]),
    Case("where_scalar_first", lambda m, a: m.where(a > 0, 1.0, a),
         lambda a: np.where(a > 0, 1, a), [In(S)]),
    Case("where_method", lambda m, a, b: a.where(a > 0, b), lambda a, b: np.where(a > 0, a, b),
         [In(S), In(S)]),
    Case("sort", lambda m, a: tuple(a.sort()), lambda a: (np.sort(a), np.argsort(a)), [In(S)]),
    Case("sort_desc", lambda m, a: tuple(m.sort(a, 0, descending=True)),
         lambda a: (-np.sort(-a, 0), np.argsort(-a, 0)), [In(S)]),
    Case("sort_uint8_desc", lambda m, a: tuple(a.sort(descending=True, stable=True)),
         lambda a: (np.sort(a)[::-1], _argsort_desc(a)), [In((6,), "uint8")]),
    Case("sort_int8_desc", lambda m, a: m.sort(a.mul(30), descending=True, stable=True).values,
         lambda a: np.sort((a * 30).astype(np.int8))[::-1], [In((8,), "int8")]),
    Case("argsort", lambda m, a: a.argsort(dim=1, descending=True), lambda a: np.argsort(-a, 1),
         [In(S)], grad=False),
    Case("topk", lambda m, a: tuple(a.topk(2)), lambda a: (-np.sort(-a)[:, :2],
                                                           np.argsort(-a)[:, :2]), [In(S)]),
    Case("topk_smallest_dim0", lambda m, a: tuple(m.topk(a, 2, dim=0, largest=False)),
         lambda a: (np.sort(a, 0)[:2], np.argsort(a, 0)[:2]), [In(S)]),
    Case("kthvalue", lambda m, a: tuple(a.kthvalue(2, 1)),
         lambda a: (np.sort(a, 1)[:, 1], np.argsort(a, 1)[:, 1]), [In(S)]),
    Case("tril", lambda m, a: a.tril(), np.tril, [In(S)]),
    Case("triu_k", lambda m, a: m.triu(a, 1), lambda a: np.triu(a, 1), [In(S)]),
    Case("tril_batched", lambda m, a: m.tril(a, -1), lambda a: np.tril(a, -1), [In(S3)]),
    Case("diag_vec", lambda m, a: m.diag(a), np.diag, [In((3,))]),
    Case("diag_mat", lambda m, a: a.diag(1), lambda a: np.diag(a, 1), [In(S)]),
    Case("diag_mat_neg", lambda m, a: m.diag(a, -1), lambda a: np.diag(a, -1), [In(S)]),
    Case("diagonal", lambda m, a: a.diagonal(), np.diagonal, [In(S)]),
    Case("trace", lambda m, a: a.trace(), np.trace, [In(S)]),
    Case("nonzero", lambda m, a: m.nonzero(a), lambda a: np.argwhere(a), [In(S, "int64")]),
    Case("nonzero_tuple", lambda m, a: a.nonzero(as_tuple=True), np.nonzero, [In(S, "int64")]),
]
for c in CASES:  # index tensors are ints; the table builds them, the ops must not need grads
    c.grad = c.grad and c.name not in ("nonzero", "nonzero_tuple")


def _scatter_np(a, idx, src):
    out = a.copy()
    idx = np.asarray(idx)
    for i in range(idx.shape[0]):
        for j in range(idx.shape[1]):
            out[idx[i, j], j] = src[i, j]
    return out


def _scatter_add_np(a, idx, src):
    out = a.copy()
    for i in range(idx.shape[0]):
        for j in range(idx.shape[1]):
            out[idx[i, j], j] += src[i, j]
    return out


def _argsort_desc(a):
    # stable descending: larger first, ties keep their original order
    return np.argsort(-a.astype(np.int64), kind="stable")


test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES)


# ------------------------------------------------------------------ __setitem__
SETS = [
    ("int", 1, 5.0),
    ("slice", (slice(None), 1), -1.0),
    ("row_tensor", 0, [1.0, 2.0, 3.0, 4.0]),
    ("ints", ([0, 2],), 9.0),
    ("pairs", ([0, 1], [3, 2]), [7.0, 8.0]),
    ("ellipsis", (Ellipsis, 0), 3.0),
    ("broadcast_row", (slice(0, 2),), [1.0, 2.0, 3.0, 4.0]),
]


@pytest.mark.parametrize("key,value", [s[1:] for s in SETS], ids=[s[0] for s in SETS])
def test_setitem_matches_numpy(key, value):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = ember.tensor(a)
    v0 = x._version
    x[key] = ember.tensor(value) if isinstance(value, list) else value
    a[key] = value
    np.testing.assert_array_equal(x.numpy(), a)
    assert x._version > v0


def test_setitem_mask_and_tensor_value():
    x = ember.arange(6.0).view(2, 3)
    x[x > 2] = 0
    assert x.tolist() == [[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]]
    x[:, 0] = ember.tensor([5, 6])  # int values cast to the tensor's dtype
    assert x.dtype == ember.float32
    assert x[:, 0].tolist() == [5.0, 6.0]


def test_setitem_gradients_match_torch():
    torch = pytest.importorskip("torch")
    base = np.arange(12, dtype=np.float32).reshape(3, 4) / 7

    def run(m, a, v):
        y = a * 2
        y[1, 1:3] = v * 3
        y[[0, 2], 0] = 0.0
        return (y * y).sum()

    x, v = ember.tensor(base, requires_grad=True), ember.tensor([1.0, 2.0], requires_grad=True)
    tx = torch.tensor(base, requires_grad=True)
    tv = torch.tensor([1.0, 2.0], requires_grad=True)
    run(ember, x, v).backward()
    run(torch, tx, tv).backward()
    assert_same(x.grad, tx.grad)
    assert_same(v.grad, tv.grad)


def test_setitem_shape_mismatch_names_shape():
    x = ember.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"\[3, 4\]"):
        x[0] = ember.ones(3)


def test_setitem_on_leaf_requiring_grad_raises():
    w = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 1.0
    with ember.no_grad():
        w[0] = 1.0
    assert w.tolist() == [1.0, 0.0, 0.0]


# ------------------------------------------------------------------ errors and extras
def test_index_errors():
    x = ember.zeros(3, 4)
    with pytest.raises(IndexError, match=r"index 3 is out of bounds for dimension 0 with size 3"):
        x[3]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match=r"\[3, 4\]"):
        x[[0, 5]]
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        x[ember.tensor([0.0, 1.0])]
    with pytest.raises(IndexError):
        x[ember.tensor([True, False])]


def test_gather_and_scatter_errors():
    x = ember.zeros(3, 4)
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.gather(0, ember.tensor([[3, 0, 0, 0]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(0, ember.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="int64"):
        x.gather(0, ember.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="boolean"):
        x.masked_fill(ember.tensor([1, 0, 1, 0]), 1.0)
    with pytest.raises(RuntimeError, match="broadcastable"):
        x.masked_fill(ember.tensor([True, False]), 1.0)
    with pytest.raises(RuntimeError, match="k out of range"):
        x.topk(5)
    with pytest.raises(RuntimeError, match="boolean"):
        ember.where(ember.tensor([1, 0]), ember.ones(2), ember.zeros(2))


def test_in_place_index_ops():
    x = ember.zeros(3, 4)
    x.masked_fill_(ember.tensor([True, False, False, True]), 2.0)
    assert x[0].tolist() == [2.0, 0.0, 0.0, 2.0]
    x.scatter_(0, ember.tensor([[1, 2, 0, 0]]), ember.ones(1, 4))
    assert x[:, 1].tolist() == [0.0, 0.0, 1.0]
    x.scatter_add_(1, ember.tensor([[0, 0]]), ember.ones(1, 2))
    assert x[0, 0].item() == 4.0
    x.index_fill_(1, ember.tensor([3]), -1.0)
    assert x[:, 3].tolist() == [-1.0, -1.0, -1.0]


def test_legacy_zero_dim_index_warns():
    loss = ember.tensor(2.5)
    with pytest.warns(DeprecationWarning, match="item"):
        assert loss.data[0] == 2.5


def test_zero_dim_index_errors_otherwise():
    with pytest.raises(IndexError):
        ember.tensor(2.5)[1]
