"""CosineSimilarity and PairwiseDistance layers (ember/nn/modules/distance.py)."""

import pytest
from nn_helpers import compare_module, rand

import ember.nn as nn


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_distance_layers_match_torch(dtype):
    torch = pytest.importorskip("torch")
    for e, t in ((nn.CosineSimilarity(dim=0), torch.nn.CosineSimilarity(dim=0)),
                 (nn.PairwiseDistance(p=1.5), torch.nn.PairwiseDistance(p=1.5))):
        assert repr(e) == repr(t)
        compare_module(e, t, [rand(3, 4, seed=1), rand(3, 4, seed=2)], dtype=dtype)
