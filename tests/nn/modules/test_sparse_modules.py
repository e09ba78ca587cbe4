"""Embedding (ember/nn/modules/sparse.py)."""

import numpy as np
import pytest
from nn_helpers import compare_module, rand

import ember
import ember.nn as nn


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 1}, {"scale_grad_by_freq": True},
                                {"max_norm": 1.0}], ids=str)
def test_embedding_matches_torch(kw, dtype):
    torch = pytest.importorskip("torch")
    e, t = nn.Embedding(6, 3, **kw), torch.nn.Embedding(6, 3, **kw)
    assert repr(e) == repr(t)
    idx = np.array([[1, 2, 5], [1, 0, 1]])
    compare_module(e, t, [idx], dtype=dtype)


def test_default_init_and_padding_row():
    ember.manual_seed(0)
    e = nn.Embedding(1000, 50, padding_idx=3)
    w = e.weight.detach().numpy()
    np.testing.assert_array_equal(w[3], 0)
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01
    e(ember.tensor([3, 3, 4])).sum().backward()
    np.testing.assert_array_equal(e.weight.grad.numpy()[3], 0)
    np.testing.assert_array_equal(e.weight.grad.numpy()[4], 1)


def test_from_pretrained_freezes_by_default():
    w = ember.from_numpy(rand(4, 2).astype(np.float32))
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad and e.weight._data is w._data
    np.testing.assert_array_equal(e(ember.tensor([2])).numpy(), w.numpy()[[2]])
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    assert repr(e) == "Embedding(4, 2)"


def test_negative_padding_idx_and_errors():
    assert nn.Embedding(5, 2, padding_idx=-1).padding_idx == 4
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(IndexError, match="index out of range"):
        nn.Embedding(5, 2)(ember.tensor([5]))
