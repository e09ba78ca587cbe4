"""Embedding and one_hot (ember/ops/embedding.py)."""

import numpy as np
import pytest
from nn_helpers import compare_fn, gradcheck, rand

import ember
import ember.nn.functional as F


def _idx():
    return np.array([[0, 2, 4, 2], [1, 2, 3, 0]], dtype=np.int64)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding_idx,by_freq", [(None, False), (2, False), (-1, True),
                                                 (None, True)])
def test_embedding_against_torch(padding_idx, by_freq, dtype):
    torch = pytest.importorskip("torch")
    compare_fn(lambda i, w: F.embedding(i, w, padding_idx, scale_grad_by_freq=by_freq),
               lambda i, w: torch.nn.functional.embedding(i, w, padding_idx,
                                                          scale_grad_by_freq=by_freq),
               [_idx(), rand(5, 3, seed=1)], dtype=dtype)


def test_embedding_gradcheck_accumulates_duplicates():
    idx = ember.from_numpy(_idx())
    gradcheck(lambda w: F.embedding(idx, w), [rand(5, 3)])
    w = ember.zeros(5, 2, requires_grad=True)
    F.embedding(ember.tensor([1, 1, 1, 3]), w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [0, 3, 0, 1, 0])


def test_embedding_max_norm_renormalizes_rows_in_place():
    torch = pytest.importorskip("torch")
    w0 = rand(5, 3, seed=2) * 3
    we, wt = ember.from_numpy(w0.copy()), torch.from_numpy(w0.copy())
    oe = F.embedding(ember.from_numpy(_idx()), we, max_norm=1.5, norm_type=1.0)
    ot = torch.nn.functional.embedding(torch.from_numpy(_idx()), wt, max_norm=1.5,
                                       norm_type=1.0)
    np.testing.assert_allclose(oe.numpy(), ot.numpy(), rtol=1e-12)
    np.testing.assert_allclose(we.numpy(), wt.numpy(), rtol=1e-12)


def test_embedding_errors():
    w = ember.randn(4, 2)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(ember.tensor([0, 4]), w)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar"):
        F.embedding(ember.tensor([0.0, 1.0]), w)


def test_one_hot():
    out = F.one_hot(ember.tensor([[0, 2], [1, 0]]), 4)
    assert out.dtype == ember.int64 and out.shape == (2, 2, 4)
    np.testing.assert_array_equal(out.numpy()[0, 1], [0, 0, 1, 0])
    assert F.one_hot(ember.tensor([3, 1])).shape == (2, 4)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(ember.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(ember.tensor([-1]))
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(ember.tensor([1.0]))


def test_one_hot_against_torch():
    torch = pytest.importorskip("torch")
    idx = np.array([4, 0, 2, 2])
    np.testing.assert_array_equal(F.one_hot(ember.from_numpy(idx)).numpy(),
                                  torch.nn.functional.one_hot(torch.from_numpy(idx)).numpy())
