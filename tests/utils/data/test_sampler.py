"""Samplers: orders, reproducibility, weights, batching, and their argument checks."""

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def test_sequential_sampler():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4]
    assert len(s) == 5


def test_random_sampler_is_a_permutation():
    s = RandomSampler(range(50), generator=ember.Generator().manual_seed(0))
    order = list(s)
    assert sorted(order) == list(range(50))
    assert order != list(range(50))
    assert all(type(i) is int for i in order)
    assert len(s) == 50


def test_random_sampler_reproducible_with_generator():
    a = list(RandomSampler(range(30), generator=ember.Generator().manual_seed(5)))
    b = list(RandomSampler(range(30), generator=ember.Generator().manual_seed(5)))
    c = list(RandomSampler(range(30), generator=ember.Generator().manual_seed(6)))
    assert a == b and a != c


def test_random_sampler_epochs_differ_and_follow_manual_seed():
    s = RandomSampler(range(30))
    ember.manual_seed(11)
    first, second = list(s), list(s)
    assert first != second
    ember.manual_seed(11)
    assert list(s) == first


def test_random_sampler_more_samples_than_items():
    order = list(RandomSampler(range(4), num_samples=10, generator=ember.Generator()))
    assert len(order) == 10
    assert sorted(order[:4]) == sorted(order[4:8]) == [0, 1, 2, 3]
    assert len(set(order[8:])) == 2


def test_random_sampler_with_replacement():
    s = RandomSampler(range(3), replacement=True, num_samples=300,
                      generator=ember.Generator().manual_seed(0))
    order = list(s)
    assert len(s) == len(order) == 300
    assert set(order) == {0, 1, 2}


def test_random_sampler_bad_input():
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=2.5)


def test_subset_random_sampler():
    indices = [10, 20, 30, 40]
    s = SubsetRandomSampler(indices, generator=ember.Generator().manual_seed(2))
    assert sorted(s) == indices
    assert len(s) == 4


def test_weighted_sampler_follows_the_weights():
    weights = [0.0, 1.0, 3.0]
    s = WeightedRandomSampler(weights, 4000, generator=ember.Generator().manual_seed(0))
    counts = np.bincount(list(s), minlength=3)
    assert counts[0] == 0
    assert abs(counts[2] / counts[1] - 3.0) < 0.4
    assert len(s) == 4000


def test_weighted_sampler_accepts_tensors_and_no_replacement():
    s = WeightedRandomSampler(ember.tensor([1.0, 1.0, 1.0, 0.0]), 3, replacement=False,
                              generator=ember.Generator().manual_seed(0))
    assert sorted(s) == [0, 1, 2]


def test_weighted_sampler_bad_input():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean value"):
        WeightedRandomSampler([1.0], 1, replacement="yes")
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 1)
    with pytest.raises(RuntimeError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 1)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        WeightedRandomSampler([0.0, 0.0], 1)
    with pytest.raises(RuntimeError, match="without replacement"):
        WeightedRandomSampler([1.0, 0.0], 2, replacement=False)


def test_batch_sampler():
    s = BatchSampler(SequentialSampler(range(10)), 3, drop_last=False)
    assert list(s) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert len(s) == 4
    s = BatchSampler(SequentialSampler(range(10)), 3, drop_last=True)
    assert list(s) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(s) == 3
    assert list(BatchSampler(range(4), 2, False)) == [[0, 1], [2, 3]]


def test_batch_sampler_bad_input():
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), True, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, 0)


@pytest.mark.parametrize("n,batch,drop", [(10, 3, False), (10, 3, True), (9, 3, True),
                                          (1, 5, False), (1, 5, True), (0, 2, False)])
def test_batch_sampler_matches_torch(n, batch, drop):
    torch = pytest.importorskip("torch")
    ours = BatchSampler(SequentialSampler(range(n)), batch, drop)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)),
                                           batch, drop)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


def test_sampler_lengths_match_torch():
    torch = pytest.importorskip("torch")
    data = range(7)
    pairs = [
        (RandomSampler(data), torch.utils.data.RandomSampler(data)),
        (RandomSampler(data, num_samples=3), torch.utils.data.RandomSampler(data, num_samples=3)),
        (RandomSampler(data, True, 20), torch.utils.data.RandomSampler(data, True, 20)),
        (SubsetRandomSampler([1, 2]), torch.utils.data.SubsetRandomSampler([1, 2])),
        (WeightedRandomSampler([1, 2], 5), torch.utils.data.WeightedRandomSampler([1, 2], 5)),
    ]
    for ours, theirs in pairs:
        assert len(ours) == len(theirs) == len(list(ours)) == len(list(theirs))
        assert set(ours) <= set(range(7))
