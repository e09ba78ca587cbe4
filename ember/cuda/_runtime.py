"""What every ember.cuda module needs first: CuPy (or a clear error) and a device index."""

from .. import backend


def require_cupy():
    """The cupy module; a RuntimeError saying how to get CUDA when it is not usable."""
    cp = backend.cupy()
    if cp is None:
        raise RuntimeError("CUDA is not available: ember found no GPU visible to CuPy (install "
                           "ember[cuda] on a machine with an NVIDIA GPU)")
    return cp


def device_index(device=None):
    """The GPU index meant by `device` (None: the current GPU; an int, str or ember.device)."""
    cp = require_cupy()
    if device is None:
        return cp.cuda.runtime.getDevice()
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    dev = backend.device(device)
    if dev.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {dev}")
    return cp.cuda.runtime.getDevice() if dev.index is None else dev.index
