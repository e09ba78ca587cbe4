"""Flatten and Unflatten (ember/nn/modules/flatten.py)."""

import pytest
from nn_helpers import compare_module, rand

import ember
import ember.nn as nn


@pytest.mark.parametrize("args", [(), (0,), (1, 2), (-2, -1)])
def test_flatten_matches_torch(args):
    torch = pytest.importorskip("torch")
    e, t = nn.Flatten(*args), torch.nn.Flatten(*args)
    assert repr(e) == repr(t)
    compare_module(e, t, [rand(2, 3, 4, 5)])


def test_unflatten_matches_torch():
    torch = pytest.importorskip("torch")
    e, t = nn.Unflatten(1, (2, 6)), torch.nn.Unflatten(1, (2, 6))
    assert repr(e) == repr(t)
    compare_module(e, t, [rand(3, 12, 2)])
    assert nn.Unflatten(-1, (2, -1))(ember.ones(3, 8)).shape == (3, 2, 4)


def test_unflatten_rejects_non_sequence():
    with pytest.raises(TypeError, match="unflattened_size must be tuple"):
        nn.Unflatten(1, 6)
