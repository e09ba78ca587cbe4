"""Random number generators: ember.Generator, the default generator, manual_seed.

Every random op draws from a Generator (the default one unless `generator=` is given), so one
``ember.manual_seed(s)`` makes a whole run reproducible.
"""

import pickle

import numpy as np


class Generator:
    """A seedable source of random numbers (wraps a NumPy PCG64 bit generator)."""

    def __init__(self, device="cpu"):
        self.device = device
        self._initial_seed = int(np.random.SeedSequence().entropy % (2**63))
        self._rng = np.random.Generator(np.random.PCG64(self._initial_seed))

    def manual_seed(self, seed):
        """Reseed; returns self so it chains like PyTorch's."""
        seed = int(seed)
        if seed < 0:
            seed += 2**64
        self._initial_seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        """Reseed from fresh entropy and return the new seed."""
        seed = int(np.random.SeedSequence().entropy % (2**63))
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        """The seed this generator was last seeded with."""
        return self._initial_seed

    def get_state(self):
        """The generator's state as a uint8 tensor (restore with set_state)."""
        from .creation import from_numpy

        blob = pickle.dumps((self._initial_seed, self._rng.bit_generator.state))
        return from_numpy(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, state):
        """Restore a state returned by get_state."""
        blob = np.asarray(state.numpy() if hasattr(state, "numpy") else state, np.uint8)
        seed, bit_state = _restricted_loads(blob.tobytes())
        self._initial_seed = seed
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = bit_state
        return self

    @property
    def numpy_rng(self):
        """The underlying numpy.random.Generator (for ops and transforms)."""
        return self._rng


class _StateUnpickler(pickle.Unpickler):
    """Reads generator states only: builtins containers and ints, never arbitrary classes."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"generator state may not contain {module}.{name}")


def _restricted_loads(blob):
    import io

    return _StateUnpickler(io.BytesIO(blob)).load()


default_generator = Generator()


def rng(generator=None):
    """The numpy.random.Generator behind `generator` (or the default generator)."""
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Seed the default generator (and CUDA's, when present); returns it."""
    default_generator.manual_seed(seed)
    return default_generator


def seed():
    """Seed the default generator from fresh entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(state):
    """Restore the default generator's state."""
    default_generator.set_state(state)
