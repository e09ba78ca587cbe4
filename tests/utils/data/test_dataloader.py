"""DataLoader semantics: order, batching, shuffling, lengths, options and their checks."""

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
)


class Indexed(Dataset):
    """Sample i is (a float32 (2,) tensor filled with i, i)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return ember.from_numpy(np.full(2, i, np.float32)), i


class Stream(IterableDataset):
    def __init__(self, n, with_len=True):
        self.n, self.with_len = n, with_len

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        if not self.with_len:
            raise TypeError("Stream has no len()")
        return self.n


def labels(loader):
    return [batch[1].tolist() for batch in loader]


def test_order_and_batching():
    loader = DataLoader(Indexed(10), batch_size=4)
    assert labels(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    x, y = next(iter(loader))
    assert x.shape == (4, 2) and x.dtype == ember.float32 and y.dtype == ember.int64
    np.testing.assert_array_equal(x.numpy()[:, 0], [0, 1, 2, 3])


def test_drop_last_and_len():
    assert len(DataLoader(Indexed(10), batch_size=4)) == 3
    loader = DataLoader(Indexed(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert labels(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(Indexed(8), batch_size=4, drop_last=True)) == 2


def test_default_batch_size_is_one():
    loader = DataLoader(Indexed(3))
    assert labels(loader) == [[0], [1], [2]]


def test_shuffle_reproducible_with_generator():
    def run(seed):
        loader = DataLoader(Indexed(20), batch_size=5, shuffle=True,
                            generator=ember.Generator().manual_seed(seed))
        return [i for batch in labels(loader) for i in batch]

    first = run(0)
    assert sorted(first) == list(range(20)) and first != list(range(20))
    assert run(0) == first
    assert run(1) != first


def test_shuffle_follows_manual_seed_and_epochs_differ():
    loader = DataLoader(Indexed(20), batch_size=5, shuffle=True)
    ember.manual_seed(3)
    epoch1, epoch2 = labels(loader), labels(loader)
    assert epoch1 != epoch2
    ember.manual_seed(3)
    assert labels(loader) == epoch1


def test_batch_size_none_converts_without_batching():
    loader = DataLoader(Indexed(3), batch_size=None)
    items = list(loader)
    assert len(loader) == 3 and len(items) == 3
    x, y = items[1]
    assert x.shape == (2,) and y == 1


def test_custom_collate_fn_sampler_and_batch_sampler():
    loader = DataLoader(Indexed(6), batch_size=2, collate_fn=lambda b: [s[1] for s in b])
    assert list(loader) == [[0, 1], [2, 3], [4, 5]]
    loader = DataLoader(Indexed(6), batch_size=3, sampler=[5, 4, 3, 2, 1, 0])
    assert labels(loader) == [[5, 4, 3], [2, 1, 0]]
    loader = DataLoader(Indexed(6), batch_sampler=[[0, 5], [2]])
    assert labels(loader) == [[0, 5], [2]] and len(loader) == 2
    bs = BatchSampler(SequentialSampler(range(5)), 2, drop_last=True)
    assert labels(DataLoader(Indexed(5), batch_sampler=bs)) == [[0, 1], [2, 3]]


def test_tensor_dataset():
    x = ember.from_numpy(np.arange(10, dtype=np.float32).reshape(5, 2))
    y = ember.from_numpy(np.arange(5))
    batches = list(DataLoader(TensorDataset(x, y), batch_size=2))
    assert len(batches) == 3
    np.testing.assert_array_equal(batches[0][0].numpy(), [[0, 1], [2, 3]])
    assert batches[2][1].tolist() == [4]


def test_iterable_dataset_single_process():
    loader = DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(loader) == 3
    loader = DataLoader(Stream(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]]
    assert len(loader) == 2
    assert [int(v) for v in DataLoader(Stream(3), batch_size=None)] == [0, 1, 2]
    with pytest.raises(TypeError, match="no len"):
        len(DataLoader(Stream(3, with_len=False)))


def test_iterator_protocol_and_the_0x_next():
    loader = DataLoader(Indexed(4), batch_size=2)
    it = iter(loader)
    assert iter(it) is it and len(it) == 2
    images, labels_ = it.next()  # the 60-minute blitz's spelling
    assert labels_.tolist() == [0, 1]
    assert next(it)[1].tolist() == [2, 3]
    with pytest.raises(StopIteration):
        next(it)


def test_pin_memory_is_accepted():
    loader = DataLoader(Indexed(4), batch_size=2, pin_memory=True)
    assert labels(loader) == [[0, 1], [2, 3]]


def test_options_cannot_change_after_init():
    loader = DataLoader(Indexed(4), batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after"):
        loader.batch_size = 3
    loader.num_workers = 0  # not a frozen option


@pytest.mark.parametrize("kwargs, error, match", [
    ({"num_workers": -1}, ValueError, "num_workers option should be a non-negative"),
    ({"timeout": -1}, ValueError, "timeout option should be non-negative"),
    ({"prefetch_factor": 2}, ValueError, "prefetch_factor option could only be specified"),
    ({"num_workers": 1, "prefetch_factor": 0}, ValueError, "prefetch_factor option should be"),
    ({"persistent_workers": True}, ValueError, "persistent_workers option needs num_workers"),
    ({"sampler": [0, 1], "shuffle": True}, ValueError, "sampler option is mutually exclusive"),
    ({"batch_sampler": [[0]], "batch_size": 2}, ValueError, "batch_sampler option is mutually"),
    ({"batch_sampler": [[0]], "drop_last": True}, ValueError, "batch_sampler option is mutually"),
    ({"batch_size": None, "drop_last": True}, ValueError, "batch_size=None option disables"),
    ({"batch_size": 0}, ValueError, "batch_size should be a positive integer value"),
    ({"multiprocessing_context": "spawn"}, ValueError, "multiprocessing_context can only be"),
    ({"num_workers": 1, "multiprocessing_context": "nope"}, ValueError, "valid start method"),
    ({"num_workers": 1, "multiprocessing_context": 3}, TypeError, "valid context object"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        DataLoader(Indexed(4), **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"shuffle": True}, "expected unspecified shuffle option"),
    ({"sampler": [0]}, "expected unspecified sampler option"),
    ({"batch_sampler": [[0]]}, "expected unspecified batch_sampler option"),
])
def test_bad_arguments_for_iterable_datasets(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(Stream(3), **kwargs)


@pytest.mark.parametrize("num_workers", [0, 2])
@pytest.mark.parametrize("seeding", ["generator", "manual_seed"])
def test_same_batches_for_any_num_workers(num_workers, seeding):
    # Same seed -> same shuffled batches, for 0 and 2 workers, over two epochs.
    def run(workers, **kw):
        generator = ember.Generator().manual_seed(42) if seeding == "generator" else None
        ember.manual_seed(42)
        loader = DataLoader(Indexed(23), batch_size=4, shuffle=True, num_workers=workers,
                            generator=generator, **kw)
        return [[b[0].numpy().copy(), b[1].tolist()] for _ in range(2) for b in loader]

    reference = run(0)
    for got in (run(num_workers), run(num_workers, persistent_workers=num_workers > 0)):
        assert [b[1] for b in got] == [b[1] for b in reference]
        for (x, _), (ref, _) in zip(got, reference):
            np.testing.assert_array_equal(x, ref)


def test_sampler_order_matches_torch_structure():
    torch = pytest.importorskip("torch")

    class TorchIndexed(torch.utils.data.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return torch.full((2,), float(i)), i

    for kwargs in ({"batch_size": 4}, {"batch_size": 4, "drop_last": True},
                   {"batch_size": None}, {"batch_size": 3, "sampler": [9, 1, 5, 0]}):
        ours = list(DataLoader(Indexed(10), **kwargs))
        theirs = list(torch.utils.data.DataLoader(TorchIndexed(), **kwargs))
        assert len(ours) == len(theirs)
        for (x, y), (tx, ty) in zip(ours, theirs):
            np.testing.assert_array_equal(x.numpy(), tx.numpy())
            assert np.asarray(y.tolist() if hasattr(y, "tolist") else y).tolist() == \
                np.asarray(ty.tolist() if hasattr(ty, "tolist") else ty).tolist()
