"""GPU memory statistics and cache control, through CuPy's memory pools.

CuPy keeps freed blocks in a pool for reuse, as PyTorch's caching allocator does, so
"allocated" is what live arrays use and "reserved" is what the pool holds from the driver.
CUDA graphs allocate from private pools (see ember.cuda.graphs); those are counted too.

The pool records no peak, so peak tracking starts when first asked for (the first call to
max_memory_allocated or reset_peak_memory_stats): from then on every allocation goes through a
small wrapper that notes the high-water mark. Until then nothing costs anything extra.
"""

import weakref

from .. import backend
from ._runtime import device_index
from ._runtime import require_cupy as _cp

# Private pools of live CUDA graphs: counted in the statistics, freed with their graphs.
_graph_pools = weakref.WeakSet()
_peak = {}  # device index -> highest allocated bytes seen since tracking (re)started
_tracking = [False]






def _pools():
    cp = _cp()
    return [cp.get_default_memory_pool(), *list(_graph_pools)]


def _sum(method, device):
    cp = _cp()
    with cp.cuda.Device(device_index(device)):
        return sum(getattr(pool, method)() for pool in _pools())


def register_pool(pool):
    """Count a CUDA graph's private pool in these statistics while it lives."""
    _graph_pools.add(pool)


def memory_allocated(device=None):
    """Bytes currently used by live GPU arrays on `device`."""
    return _sum("used_bytes", device)


def memory_reserved(device=None):
    """Bytes held by ember's memory pools on `device` (in use plus cached for reuse)."""
    return _sum("total_bytes", device)


def _start_tracking():
    """Route allocations through a wrapper that records the allocated high-water mark."""
    if _tracking[0]:
        return
    cp = _cp()
    pool = cp.get_default_memory_pool()
    inner = pool.malloc

    def tracked_malloc(size):
        mem = inner(size)
        dev = mem.device_id
        used = pool.used_bytes()  # the pool reports the current device, which mem is on
        if used > _peak.get(dev, 0):
            _peak[dev] = used
        return mem

    cp.cuda.set_allocator(tracked_malloc)
    _tracking[0] = True


def max_memory_allocated(device=None):
    """The peak of memory_allocated since tracking started or was last reset."""
    _start_tracking()
    idx = device_index(device)
    now = memory_allocated(idx)
    _peak[idx] = max(_peak.get(idx, 0), now)
    return _peak[idx]


def reset_peak_memory_stats(device=None):
    """Restart peak tracking from the current allocation."""
    _start_tracking()
    idx = device_index(device)
    _peak[idx] = memory_allocated(idx)


def reset_max_memory_allocated(device=None):
    """Same as reset_peak_memory_stats (the older name)."""
    reset_peak_memory_stats(device)


def empty_cache():
    """Give cached, unused GPU (and pinned host) blocks back to the driver."""
    cp = backend.cupy()
    if cp is None:
        return  # as in PyTorch, a no-op without CUDA
    cp.get_default_memory_pool().free_all_blocks()
    cp.get_default_pinned_memory_pool().free_all_blocks()


def mem_get_info(device=None):
    """(free, total) bytes of device memory as the driver reports them."""
    cp = _cp()
    with cp.cuda.Device(device_index(device)):
        return cp.cuda.runtime.memGetInfo()


def memory_stats(device=None):
    """A small dict of the statistics above (a subset of PyTorch's keys)."""
    idx = device_index(device)
    return {
        "allocated_bytes.all.current": memory_allocated(idx),
        "allocated_bytes.all.peak": max_memory_allocated(idx),
        "reserved_bytes.all.current": memory_reserved(idx),
    }
