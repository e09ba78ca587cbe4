"""GPU support through CuPy (imported lazily): availability, devices, seeds, memory stats,
streams and events, and CUDA graphs. Kernels (ember.cuda.kernels) load on first use."""

from .. import backend
from ._runtime import device_index
from ._runtime import require_cupy as _cp
from .graphs import (
    CUDAGraph,
    graph,
    graph_pool_handle,
    is_current_stream_capturing,
    make_graphed_callables,
)
from .memory import (
    empty_cache,
    max_memory_allocated,
    mem_get_info,
    memory_allocated,
    memory_reserved,
    memory_stats,
    reset_max_memory_allocated,
    reset_peak_memory_stats,
)
from .streams import (
    Event,
    Stream,
    StreamContext,
    current_stream,
    default_stream,
    set_stream,
    stream,
)


def is_available():
    """True when CuPy is installed and sees at least one NVIDIA GPU."""
    return backend.cupy() is not None




def device_count():
    """Number of visible GPUs (0 without CUDA)."""
    cp = backend.cupy()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def current_device():
    """Index of the current GPU."""
    return _cp().cuda.runtime.getDevice()


def set_device(device):
    """Make `device` the current GPU."""
    _cp().cuda.runtime.setDevice(device_index(device))


def synchronize(device=None):
    """Wait for all work on the GPU to finish."""
    cp = _cp()
    backend.check_no_sync("ember.cuda.synchronize()")
    idx = None if device is None else device if isinstance(device, int) else \
        backend.device(device).index
    with cp.cuda.Device(idx if idx is not None else cp.cuda.runtime.getDevice()):
        cp.cuda.Device().synchronize()


def manual_seed(seed):
    """Seed GPU random numbers (ember draws them on the host, so this seeds the default)."""
    from ..random import manual_seed as _seed

    _seed(seed)


manual_seed_all = manual_seed


def get_device_name(device=None):
    """The GPU's name."""
    cp = _cp()
    idx = device_index(device)
    return cp.cuda.runtime.getDeviceProperties(idx)["name"].decode()


def is_initialized():
    """True once CUDA has been found usable (ember initializes it on first use)."""
    return backend.cupy() is not None


def get_device_capability(device=None):
    """(major, minor) compute capability of the GPU."""
    cp = _cp()
    idx = device_index(device)
    props = cp.cuda.runtime.getDeviceProperties(idx)
    return props["major"], props["minor"]


__all__ = ["is_available", "device_count", "current_device", "set_device", "synchronize",
           "manual_seed", "manual_seed_all", "get_device_name", "get_device_capability",
           "is_initialized", "CUDAGraph", "graph", "graph_pool_handle",
           "is_current_stream_capturing", "make_graphed_callables", "empty_cache",
           "max_memory_allocated", "mem_get_info", "memory_allocated", "memory_reserved",
           "memory_stats", "reset_max_memory_allocated", "reset_peak_memory_stats", "Event",
           "Stream", "StreamContext", "current_stream", "default_stream", "set_stream",
           "stream"]
