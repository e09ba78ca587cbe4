"""GPU support through CuPy (imported lazily): availability, devices, seeds, memory stats."""

from .. import backend


def is_available():
    """True when CuPy is installed and sees at least one NVIDIA GPU."""
    return backend.cupy() is not None


def _cp():
    cp = backend.cupy()
    if cp is None:
        raise RuntimeError("CUDA is not available: install ember[cuda] on a machine with an "
                           "NVIDIA GPU")
    return cp


def device_count():
    """Number of visible GPUs (0 without CUDA)."""
    cp = backend.cupy()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def current_device():
    """Index of the current GPU."""
    return _cp().cuda.runtime.getDevice()


def set_device(device):
    """Make `device` the current GPU."""
    idx = device if isinstance(device, int) else backend.device(device).index or 0
    _cp().cuda.runtime.setDevice(idx)


def synchronize(device=None):
    """Wait for all work on the GPU to finish."""
    _cp().cuda.Device().synchronize()


def manual_seed(seed):
    """Seed GPU random numbers (ember draws them on the host, so this seeds the default)."""
    from ..random import manual_seed as _seed

    _seed(seed)


manual_seed_all = manual_seed


def get_device_name(device=None):
    """The GPU's name."""
    cp = _cp()
    idx = current_device() if device is None else int(backend.device(device).index or 0) \
        if not isinstance(device, int) else device
    return cp.cuda.runtime.getDeviceProperties(idx)["name"].decode()
