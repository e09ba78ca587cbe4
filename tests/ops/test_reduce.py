"""Reductions (ember/ops/reduce.py): NumPy, PyTorch and gradcheck, plus dtype and errors."""

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
F = "float32"


def _lse(a, axis, keepdims=False):
    m = a.max(axis=axis, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


CASES = [
    Case("sum", lambda m, a: a.sum(), np.sum, [In(S)]),
    Case("sum_dim", lambda m, a: m.sum(a, 1), lambda a: a.sum(1), [In(S3)]),
    Case("sum_neg_dim_keepdim", lambda m, a: a.sum(dim=-1, keepdim=True),
         lambda a: a.sum(-1, keepdims=True), [In(S3)]),
    Case("sum_dims", lambda m, a: a.sum((0, 2)), lambda a: a.sum((0, 2)), [In(S3)]),
    Case("sum_0d", lambda m, a: a.sum(), np.sum, [In(())]),
    Case("sum_int", lambda m, a: a.sum(0), lambda a: a.sum(0), [In(S, "int32")]),
    Case("sum_bool", lambda m, a: a.sum(), lambda a: a.sum(), [In(S, "bool")]),
    Case("sum_uint8", lambda m, a: a.sum(), lambda a: a.sum(), [In(S, "uint8")]),
    Case("sum_dtype", lambda m, a: a.sum(dtype=m.float64), lambda a: a.sum(dtype=np.float64),
         [In(S)]),
    Case("nansum", lambda m, a: m.nansum(a), np.sum, [In(S)]),
    Case("mean", lambda m, a: a.mean(), np.mean, [In(S)]),
    Case("mean_dim", lambda m, a: m.mean(a, dim=0), lambda a: a.mean(0), [In(S3)]),
    Case("mean_dims_keepdim", lambda m, a: a.mean((-1, -2), keepdim=True),
         lambda a: a.mean((-1, -2), keepdims=True), [In(S3)]),
    Case("mean_dtype", lambda m, a: a.mean(dtype=m.float64), np.mean, [In(S, "int64")],
         grad=False),
    Case("prod", lambda m, a: a.prod(), np.prod, [In(S, F, "nonzero")]),
    Case("prod_dim", lambda m, a: m.prod(a, 1, keepdim=True), lambda a: a.prod(1, keepdims=True),
         [In(S3, F, "nonzero")]),
    Case("prod_int", lambda m, a: a.prod(1), lambda a: a.prod(1), [In(S, "int32")]),
    Case("prod_uint8", lambda m, a: a.prod(1), lambda a: a.prod(1).astype(np.int64),
         [In(S, "uint8")]),
    Case("prod_bool", lambda m, a: a.prod(), lambda a: a.prod(), [In(S, "bool")]),
    Case("max_all", lambda m, a: a.max(), np.max, [In(S)]),
    Case("min_all", lambda m, a: m.min(a), np.min, [In(S)]),
    Case("max_dim", lambda m, a: tuple(m.max(a, 1)), lambda a: (a.max(1), a.argmax(1)),
         [In(S3)]),
    Case("min_dim_keepdim", lambda m, a: tuple(a.min(dim=-1, keepdim=True)),
         lambda a: (a.min(-1, keepdims=True), a.argmin(-1, keepdims=True)), [In(S3)]),
    Case("max_dim_int", lambda m, a: tuple(a.max(0)), lambda a: (a.max(0), a.argmax(0)),
         [In((5, 3), "int64", "pos")], check_dtype=True),
    Case("max_binary", lambda m, a, b: m.max(a, b), np.maximum, [In(S), In(S)]),
    Case("amax", lambda m, a: m.amax(a, dim=(0, 2)), lambda a: a.max((0, 2)), [In(S3)]),
    Case("amin_keepdim", lambda m, a: a.amin(1, keepdim=True), lambda a: a.min(1, keepdims=True),
         [In(S3)]),
    Case("argmax", lambda m, a: a.argmax(), np.argmax, [In(S)], grad=False),
    Case("argmax_dim", lambda m, a: m.argmax(a, dim=1), lambda a: a.argmax(1), [In(S3)],
         grad=False),
    Case("argmin_dim_keepdim", lambda m, a: a.argmin(-1, keepdim=True),
         lambda a: a.argmin(-1, keepdims=True), [In(S3)], grad=False),
    Case("argmax_keepdim_nodim", lambda m, a: m.argmax(a, keepdim=True),
         lambda a: np.argmax(a).reshape(1, 1), [In(S)], grad=False),
    Case("var", lambda m, a: a.var(), lambda a: a.var(ddof=1), [In(S)]),
    Case("var_dim", lambda m, a: m.var(a, 1), lambda a: a.var(1, ddof=1), [In(S3)]),
    Case("var_unbiased_false", lambda m, a: a.var(0, unbiased=False), lambda a: a.var(0),
         [In(S)]),
    Case("var_correction", lambda m, a: m.var(a, dim=(0, 1), correction=0, keepdim=True),
         lambda a: a.var((0, 1), keepdims=True), [In(S3)]),
    Case("std", lambda m, a: a.std(), lambda a: a.std(ddof=1), [In(S)]),
    Case("std_dim_keepdim", lambda m, a: m.std(a, -1, keepdim=True),
         lambda a: a.std(-1, ddof=1, keepdims=True), [In(S3)]),
    Case("var_mean", lambda m, a: m.var_mean(a, 1), lambda a: (a.var(1, ddof=1), a.mean(1)),
         [In(S)]),
    Case("std_mean", lambda m, a: m.std_mean(a, 0), lambda a: (a.std(0, ddof=1), a.mean(0)),
         [In(S)]),
    Case("norm", lambda m, a: a.norm(), np.linalg.norm, [In(S)]),
    Case("norm_dim", lambda m, a: m.norm(a, dim=1), lambda a: np.linalg.norm(a, axis=1),
         [In(S3)]),
    Case("norm_p1", lambda m, a: a.norm(p=1, dim=0), lambda a: np.abs(a).sum(0),
         [In(S, F, "nonzero")]),
    Case("norm_p3", lambda m, a: m.norm(a, p=3), lambda a: (np.abs(a) ** 3).sum() ** (1 / 3),
         [In(S, F, "nonzero")]),
    Case("norm_inf", lambda m, a: a.norm(p=float("inf")), lambda a: np.abs(a).max(), [In(S)]),
    Case("logsumexp", lambda m, a: m.logsumexp(a, 1), lambda a: _lse(a, 1), [In(S3)]),
    Case("logsumexp_keepdim", lambda m, a: a.logsumexp(-1, keepdim=True),
         lambda a: _lse(a, -1, True), [In(S3)]),
    Case("logsumexp_large", lambda m, a: m.logsumexp(a * 1000, 0), lambda a: _lse(a * 1000, 0),
         [In(S)], rtol=1e-4),
    Case("cumsum", lambda m, a: a.cumsum(1), lambda a: a.cumsum(1), [In(S3)]),
    Case("cumsum_neg", lambda m, a: m.cumsum(a, dim=-1), lambda a: a.cumsum(-1), [In(S)]),
    Case("cumsum_int32", lambda m, a: a.cumsum(0), lambda a: a.cumsum(0, dtype=np.int64),
         [In(S, "int32")]),
    Case("cumprod", lambda m, a: a.cumprod(1), lambda a: a.cumprod(1), [In(S, F, "nonzero")]),
    Case("cumprod_int", lambda m, a: a.cumprod(0), lambda a: a.cumprod(0), [In(S, "int64")]),
    Case("median", lambda m, a: a.median(), lambda a: np.sort(a.ravel())[(a.size - 1) // 2],
         [In(S)]),
    Case("median_dim", lambda m, a: m.median(a, 1).values,
         lambda a: np.sort(a, 1)[:, (a.shape[1] - 1) // 2], [In((3, 5))]),
    Case("all", lambda m, a: a.all(), np.all, [In(S, "bool")]),
    Case("any_dim", lambda m, a: m.any(a, 1), lambda a: a.any(1), [In(S, "bool")]),
    Case("all_float_dim", lambda m, a: m.all(a > 0, dim=0), lambda a: (a > 0).all(0), [In(S)],
         grad=False),
    Case("count_nonzero", lambda m, a: m.count_nonzero(a, dim=0), lambda a: (a != 0).sum(0),
         [In(S, "int64")]),
    Case("sum_of_square", lambda m, a: (a * a).sum(1).mean(), lambda a: (a * a).sum(1).mean(),
         [In(S)]),
]
test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES)


def test_max_gradient_ties_split_like_torch():
    torch = pytest.importorskip("torch")
    vals = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]
    for fn in (lambda m, x: m.max(x), lambda m, x: m.amax(x, 1), lambda m, x: x.max(1)[0],
               lambda m, x: x.min(), lambda m, x: m.amin(x, 0)):
        x = ember.tensor(vals, requires_grad=True)
        t = torch.tensor(vals, requires_grad=True)
        fn(ember, x).sum().backward()
        fn(torch, t).sum().backward()
        assert_same(x.grad, t.grad)


def test_prod_gradient_with_zeros():
    torch = pytest.importorskip("torch")
    vals = [[0.0, 2.0, 3.0], [0.0, 0.0, 4.0]]
    for dim in (None, 0, 1):
        x = ember.tensor(vals, requires_grad=True)
        t = torch.tensor(vals, requires_grad=True)
        (x.prod() if dim is None else x.prod(dim)).sum().backward()
        (t.prod() if dim is None else t.prod(dim)).sum().backward()
        assert_same(x.grad, t.grad)


def test_norm_gradient_at_zero_is_zero():
    x = ember.zeros(3, requires_grad=True)
    x.norm().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))


def test_mean_of_integers_raises():
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2]).mean()


def test_var_of_integers_raises():
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2, 3]).var()


def test_bad_dim_raises_index_error():
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.ones(2, 3).sum(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.ones(2, 3).max(-3)


def test_max_of_empty_without_dim_raises():
    with pytest.raises(RuntimeError, match="numel"):
        ember.ones(0).max()


def test_max_with_dim_returns_named_pair():
    r = ember.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    assert r.values.tolist() == [5.0, 7.0]
    assert r.indices.tolist() == [1, 0]
    v, i = r
    assert i.dtype == ember.int64


def test_sum_out():
    r = ember.empty(2)
    assert ember.sum(ember.ones(2, 3), 1, out=r) is r
    assert r.tolist() == [3.0, 3.0]


def test_norm_function_is_not_shadowed_by_the_norm_module():
    import ember.nn.functional  # noqa: F401  (imports ember.ops.norm, the layers module)

    assert callable(ember.norm) and callable(ember.ops.norm)
    assert ember.tensor([3.0, 4.0]).norm().item() == 5.0
