"""cosine_similarity and pairwise_distance (ember/ops/distance.py)."""

import numpy as np
import pytest
from nn_helpers import compare_fn, gradcheck, rand

import ember
import ember.nn.functional as F


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cosine_similarity_against_torch(dtype):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    compare_fn(F.cosine_similarity, tf.cosine_similarity, [rand(4, 5, seed=1),
                                                          rand(4, 5, seed=2)], dtype=dtype)
    compare_fn(lambda a, b: F.cosine_similarity(a, b, dim=0),
               lambda a, b: tf.cosine_similarity(a, b, dim=0),
               [rand(3, 4, seed=3), rand(1, 4, seed=4)], dtype=dtype)


def test_cosine_similarity_values_and_gradcheck():
    out = F.cosine_similarity(ember.tensor([[1.0, 0.0], [1.0, 1.0]]),
                              ember.tensor([[0.0, 2.0], [2.0, 2.0]]))
    np.testing.assert_allclose(out.numpy(), [0.0, 1.0], atol=1e-7)
    zero = F.cosine_similarity(ember.zeros(1, 3), ember.ones(1, 3))
    assert zero.item() == 0.0  # eps keeps the zero vector finite
    gradcheck(F.cosine_similarity, [rand(3, 4, seed=1), rand(3, 4, seed=2)])
    assert ember.cosine_similarity is F.cosine_similarity


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_pairwise_distance_against_torch(p):
    torch = pytest.importorskip("torch")
    compare_fn(lambda a, b: F.pairwise_distance(a, b, p),
               lambda a, b: torch.nn.functional.pairwise_distance(a, b, p),
               [rand(4, 5, seed=1), rand(4, 5, seed=2)], dtype="float64")
    gradcheck(lambda a, b: F.pairwise_distance(a, b, p), [rand(3, 4), rand(3, 4, seed=5)])
