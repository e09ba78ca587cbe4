"""The array seam: NumPy on the CPU, CuPy on NVIDIA GPUs, and ember's device object.

This is the only module that imports cupy, and it does so lazily, so ember imports in
milliseconds and works where CuPy or a GPU is missing.
"""

import numpy as np

_cupy = None
_cupy_checked = False


def cupy():
    """Return the cupy module, or None when it is not installed or no GPU is usable."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy as cp

            if cp.cuda.runtime.getDeviceCount() > 0:
                _cupy = cp
        except Exception:  # ImportError, or a CUDA driver/runtime error without a GPU
            _cupy = None
    return _cupy


# Depth of CUDA graph capture in progress (set by ember.cuda.graphs). A one-element list so
# readers share it by reference; ops read it to avoid host syncs and cuBLAS while capturing.
CAPTURE = [0]


def is_capturing():
    """True while ember is capturing a CUDA graph (see ember.cuda.graph)."""
    return CAPTURE[0] > 0


def check_no_sync(what):
    """Raise a clear error when `what` would synchronize with the host during graph capture."""
    if CAPTURE[0]:
        raise RuntimeError(
            f"{what} synchronizes the GPU with the host, which is not allowed while a CUDA "
            "graph is being captured (a captured graph cannot read values back or copy host "
            "data in). Move it outside the `ember.cuda.graph(...)` block, e.g. read the "
            "static output after `graph.replay()`."
        )


def array_module(array):
    """The array module (numpy or cupy) that owns `array`."""
    if isinstance(array, np.ndarray):
        return np
    cp = cupy()
    if cp is not None and isinstance(array, cp.ndarray):
        return cp
    return np


def is_gpu_array(array):
    """True for a CuPy array."""
    return not isinstance(array, (np.ndarray, np.generic)) and array_module(array) is not np


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda')``, ``device('cuda', 1)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type
        elif isinstance(type, str) and ":" in type:
            if index is not None:
                raise ValueError(f"device string {type!r} already has an index")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"


CPU = device("cpu")


def device_of(array):
    """The ember device of an array."""
    if isinstance(array, np.ndarray):
        return CPU
    return device("cuda", int(array.device.id))


def normalize_device(dev):
    """Turn a device spec (str, int, device, None) into a concrete device, checking CUDA."""
    if dev is None:
        return CPU
    dev = device(dev)
    if dev.type == "cuda":
        cp = cupy()
        if cp is None:
            raise RuntimeError(
                "CUDA is not available: ember found no usable GPU through CuPy. "
                "Install the extra (`pip install ember[cuda]`) on a machine with an NVIDIA GPU, "
                "or use device='cpu'."
            )
        index = cp.cuda.runtime.getDevice() if dev.index is None else dev.index
        count = cp.cuda.runtime.getDeviceCount()
        if index >= count:
            raise RuntimeError(
                f"CUDA error: invalid device ordinal {index} (only {count} device(s) present)"
            )
        return device("cuda", index)
    return dev


def to_device(array, dev):
    """Return `array` on device `dev` (a concrete device), copying only when it must move."""
    if dev.type == "cpu":
        if isinstance(array, np.ndarray):
            return array
        check_no_sync("Copying a cuda tensor to the host (.cpu(), .numpy(), printing)")
        return array.get()
    cp = cupy()
    if not isinstance(array, np.ndarray) and int(array.device.id) == dev.index:
        return array
    check_no_sync("Copying data to the GPU")
    with cp.cuda.Device(dev.index):
        return cp.asarray(array)


def module_for(dev):
    """The array module for a concrete device."""
    return np if dev.type == "cpu" else cupy()


def check_same_device(arrays, what):
    """Raise a clear error when arrays live on different devices."""
    first = arrays[0]
    kind = type(first)
    for other in arrays[1:]:
        if type(other) is not kind or (
            kind is not np.ndarray and other.device.id != first.device.id
        ):
            raise RuntimeError(
                f"Expected all tensors to be on the same device, but found at least two "
                f"devices, {device_of(first)} and {device_of(other)} (in {what})"
            )
