"""Dataset, TensorDataset, Subset, ConcatDataset, ChainDataset and random_split."""

import numpy as np
import pytest

import ember
from ember.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i


class Count(IterableDataset):
    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        return iter(range(self.start, self.stop))

    def __len__(self):
        return self.stop - self.start


def test_base_classes_require_the_protocol():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="__iter__"):
        iter(IterableDataset())


def test_adding_datasets_concatenates_or_chains():
    both = Squares(3) + Squares(2)
    assert isinstance(both, ConcatDataset)
    assert [both[i] for i in range(len(both))] == [0, 1, 4, 0, 1]
    chained = Count(0, 2) + Count(5, 7)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 5, 6]
    assert len(chained) == 4


def test_tensor_dataset_rows():
    x = ember.from_numpy(np.arange(12).reshape(6, 2))
    y = ember.from_numpy(np.arange(6) * 10)
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    xi, yi = ds[4]
    np.testing.assert_array_equal(xi.numpy(), [8, 9])
    assert yi.item() == 40


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.zeros(3, 2), ember.zeros(4))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()


def test_subset_maps_indices():
    sub = Subset(Squares(10), [7, 2, 5])
    assert len(sub) == 3
    assert [sub[i] for i in range(3)] == [49, 4, 25]
    assert sub.__getitems__([2, 0]) == [25, 49]


def test_subset_passes_lists_through():
    class Batched(Squares):
        def __getitem__(self, idx):
            return [i * i for i in idx] if isinstance(idx, list) else super().__getitem__(idx)

    sub = Subset(Batched(10), [3, 1])
    assert sub[[0, 1]] == [9, 1]


def test_concat_dataset_indexing():
    ds = ConcatDataset([Squares(2), Squares(3), Squares(1)])
    assert len(ds) == 6
    assert ds.cumulative_sizes == [2, 5, 6]
    assert [ds[i] for i in range(6)] == [0, 1, 0, 1, 4, 0]
    assert ds[-1] == 0 and ds[-4] == 0 and ds[-3] == 1
    with pytest.raises(ValueError, match="absolute value of index"):
        ds[-7]
    with pytest.raises(IndexError, match="out of range"):
        ds[6]


def test_concat_dataset_bad_input():
    with pytest.raises(AssertionError, match="empty"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="IterableDataset"):
        ConcatDataset([Squares(2), Count(0, 3)])


def test_chain_dataset_rejects_map_style():
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(ChainDataset([Count(0, 1), Squares(2)]))


def _covers(parts, n):
    seen = sorted(i for part in parts for i in part.indices)
    return seen == list(range(n))


def test_random_split_lengths():
    parts = random_split(Squares(10), [3, 7], generator=ember.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [3, 7]
    assert _covers(parts, 10)
    assert all(isinstance(p, Subset) for p in parts)


def test_random_split_fractions():
    parts = random_split(Squares(10), [0.33, 0.33, 0.34])
    assert [len(p) for p in parts] == [4, 3, 3]
    assert _covers(parts, 10)
    parts = random_split(range(5), [0.5, 0.5])
    assert [len(p) for p in parts] == [3, 2]


def test_random_split_reproducible_with_generator():
    def split(seed):
        g = ember.Generator().manual_seed(seed)
        return [p.indices for p in random_split(Squares(20), [5, 15], generator=g)]

    assert split(3) == split(3)
    assert split(3) != split(4)


def test_random_split_uses_default_generator():
    ember.manual_seed(7)
    first = [p.indices for p in random_split(Squares(20), [10, 10])]
    ember.manual_seed(7)
    again = [p.indices for p in random_split(Squares(20), [10, 10])]
    assert first == again


def test_random_split_bad_input():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(Squares(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(Squares(10), [1.5, -0.5])
    with pytest.raises(ValueError, match="length at index 0"):
        random_split(Squares(10), [-1, 11])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Squares(2), [0.9, 0.1])


@pytest.mark.parametrize("lengths", [[0.33, 0.33, 0.34], [0.5, 0.5], [0.1, 0.2, 0.7], [0.7, 0.3]])
def test_random_split_lengths_match_torch(lengths):
    torch = pytest.importorskip("torch")
    for n in (7, 10, 101):
        ours = [len(p) for p in random_split(range(n), lengths)]
        theirs = [len(p) for p in torch.utils.data.random_split(range(n), lengths)]
        assert ours == theirs
