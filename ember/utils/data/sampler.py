"""Samplers: the order in which a DataLoader visits a dataset's indices, and their batching."""

import itertools
import numbers

import numpy as np

from ... import backend
from ... import random as _random


class Sampler:
    """Base class: ``iter(sampler)`` yields dataset indices (or, for batch samplers, lists)."""

    def __init__(self, data_source=None):
        # PyTorch's 0.x/1.x samplers took data_source; accepted and ignored for compatibility.
        pass

    def __iter__(self):
        raise NotImplementedError("Subclasses of Sampler should implement __iter__.")


def _fresh_rng(generator):
    """The numpy Generator to draw from: `generator`'s own, or one seeded from the default.

    Without a generator each iteration gets a new stream seeded from ember's default
    generator, so ``ember.manual_seed`` fixes every epoch's order and epochs still differ.
    """
    if generator is not None:
        return _random.rng(generator)
    seed = int(_random.rng(None).integers(0, 2**63))
    return np.random.Generator(np.random.PCG64(seed))


def _is_positive_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


def _as_float64(values):
    """A float64 numpy copy of a sequence, numpy array or ember Tensor."""
    data = getattr(values, "_data", values)
    if not isinstance(data, np.ndarray) and backend.is_gpu_array(data):
        data = data.get()
    return np.array(data, dtype=np.float64)


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1 in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices, or `num_samples` draws with replacement."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if num_samples is not None and not _is_positive_int(num_samples):
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={num_samples}"
            )
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self):
        """How many indices one iteration yields (the dataset's length unless given)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        rng = _fresh_rng(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        # More samples than items: whole permutations, then the head of one more.
        full, rest = divmod(self.num_samples, n)
        for _ in range(full):
            yield from rng.permutation(n).tolist()
        if rest:
            yield from rng.permutation(n)[:rest].tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (a new one each iteration)."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        order = _fresh_rng(self.generator).permutation(len(self.indices))
        for i in order.tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices drawn with probabilities proportional to `weights`."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _is_positive_int(num_samples):
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        weights = _as_float64(weights)
        if weights.ndim != 1:
            raise ValueError(
                "weights should be a 1d sequence but given weights have shape "
                f"{tuple(weights.shape)}"
            )
        # Checked here rather than at the first draw so that the mistake shows where it is made;
        # RuntimeError as PyTorch raises for an invalid multinomial distribution.
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise RuntimeError(
                "invalid multinomial distribution: weights must be finite and non-negative"
            )
        if weights.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and num_samples > np.count_nonzero(weights):
            raise RuntimeError(
                f"cannot sample n_sample={num_samples} > {np.count_nonzero(weights)} non-zero "
                "weights without replacement"
            )
        self.weights = weights
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        rng = _fresh_rng(self.generator)
        p = self.weights / self.weights.sum()
        drawn = rng.choice(len(p), size=self.num_samples, replace=self.replacement, p=p)
        yield from drawn.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of `batch_size` (the last may be short)."""

    def __init__(self, sampler, batch_size, drop_last):
        if not _is_positive_int(batch_size):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last}"
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        size = self.batch_size
        while True:
            batch = list(itertools.islice(indices, size))
            if not batch or (self.drop_last and len(batch) < size):
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
