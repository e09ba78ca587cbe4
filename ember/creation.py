"""Tensor constructors: tensor, from_numpy, zeros/ones/empty/full(_like), rand*, arange, ..."""

import math
import warnings

import numpy as np

from . import backend, dtypes
from .random import rng
from .tensor import Size, Tensor

make = Tensor._make


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"size must be a tuple of ints, but got element of type "
                            f"{type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _finish(array, device, requires_grad):
    """Place a new host array on `device` and set requires_grad."""
    dev = backend.normalize_device(device)
    if dev.type != "cpu":
        array = backend.to_device(array, dev)
    t = make(array)
    if requires_grad:
        t.requires_grad = True
    return t


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or dtypes.get_default_dtype()).np
    return dtypes.to_dtype(dtype).np


def _infer_dtype(data):
    """The dtype PyTorch infers for Python data: bool, int64, default float, or complex."""
    arr = np.asarray(data)
    kind = arr.dtype.kind
    if kind == "b":
        return np.bool_
    if kind in "iu":
        return arr.dtype if isinstance(data, np.ndarray) else np.int64
    if kind == "f":
        return arr.dtype if isinstance(data, np.ndarray) else dtypes.get_default_dtype().np
    if kind == "c":
        return arr.dtype if isinstance(data, np.ndarray) else dtypes.default_complex().np
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _data_array(data, dtype):
    """Host array for `data` (nested lists of numbers/tensors, ndarray, scalar)."""
    if isinstance(data, Tensor):
        arr = np.asarray(data._data.get() if data.is_cuda else data._data)
        return arr.astype(dtype or arr.dtype, copy=True)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [x.tolist() if isinstance(x, Tensor) else x for x in data]
    target = dtype if dtype is not None else _infer_dtype(data)  # TypeError for bad types
    try:
        return np.array(data, dtype=target)
    except (ValueError, TypeError) as e:
        raise ValueError(f"could not build a tensor from {type(data).__name__}: {e}") from None


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying `data` (lists, numbers, arrays or tensors)."""
    dt = None if dtype is None else dtypes.to_dtype(dtype).np
    return _finish(_data_array(data, dt), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (device or dtype) else data
    if isinstance(data, np.ndarray) and (device is None or str(device) == "cpu"):
        dt = None if dtype is None else dtypes.to_dtype(dtype).np
        if dt is None or dt == data.dtype:
            dtypes.from_np(data.dtype)  # validate supported dtype
            return make(data)
        return make(data.astype(dt))
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_np(ndarray.dtype)
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    return make(ndarray)


def legacy_new(args, dtype, device):
    """The array behind the legacy constructors Tensor(2, 3), Tensor([1, 2]), FloatTensor(...)."""
    np_dt = dtype.np if isinstance(dtype, dtypes.dtype) else np.dtype(dtype)
    if not args:
        arr = np.empty((0,), np_dt)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]._data.astype(np_dt, copy=False)
    elif len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)) and \
            not isinstance(args[0], Size):
        arr = np.array(args[0], dtype=np_dt)
    else:
        arr = np.zeros(_shape(args), np_dt)  # "uninitialized": zeros keep runs reproducible
    if device is not None and backend.device(device).type != "cpu":
        arr = backend.to_device(arr, backend.normalize_device(device))
    return arr


def _filled(fill, size, dtype, device, requires_grad, default=None):
    shape = _shape(size)
    dev = backend.normalize_device(device)
    xp = backend.module_for(dev)
    if dev.type == "cpu":
        arr = np.full(shape, fill, _np_dtype(dtype, default)) if fill is not None else \
            np.empty(shape, _np_dtype(dtype, default))
        return _finish(arr, None, requires_grad)
    with xp.cuda.Device(dev.index):
        arr = xp.full(shape, fill if fill is not None else 0, _np_dtype(dtype, default))
    t = make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor of zeros (written into `out`, resized, when given)."""
    return _into(out, _filled(0, size, dtype or _out_dtype(out), device, requires_grad))


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor of ones (written into `out`, resized, when given)."""
    return _into(out, _filled(1, size, dtype or _out_dtype(out), device, requires_grad))


def _out_dtype(out):
    return None if out is None else out.dtype


def _into(out, result):
    """Make `out` hold result's values (PyTorch's out= for factory functions)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"out must be a Tensor, not {type(out).__name__}")
    out._data = result._data
    out._bump()
    return out


def empty(*size, dtype=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """An uninitialized tensor."""
    return _filled(None, size, dtype, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor filled with fill_value (its dtype inferred from the value by default)."""
    default = None
    if dtype is None:
        if isinstance(fill_value, bool):
            default = dtypes.bool_
        elif isinstance(fill_value, int):
            default = dtypes.int64
    return _filled(fill_value, (size,) if isinstance(size, int) else (tuple(size),), dtype,
                   device, requires_grad, default)


def _like(input, dtype, device):
    return (dtype or input.dtype), (device if device is not None else input.device)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Zeros with input's shape, dtype and device."""
    dt, dev = _like(input, dtype, device)
    return zeros(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Ones with input's shape, dtype and device."""
    dt, dev = _like(input, dtype, device)
    return ones(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Uninitialized with input's shape, dtype and device."""
    dt, dev = _like(input, dtype, device)
    return empty(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    """fill_value with input's shape, dtype and device."""
    dt, dev = _like(input, dtype, device)
    return full(input._data.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def _random(array, dtype, device, requires_grad):
    return _finish(array.astype(_np_dtype(dtype), copy=False), device, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    return _random(rng(generator).random(_shape(size)), dtype, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples."""
    return _random(rng(generator).standard_normal(_shape(size)), dtype, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Integers uniform in [low, high) (randint(high, size) also works)."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    arr = rng(generator).integers(low, high, size=_shape((size,)))
    return _finish(arr.astype(_np_dtype(dtype, dtypes.int64)), device, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1."""
    arr = rng(generator).permutation(int(n))
    return _finish(arr.astype(_np_dtype(dtype, dtypes.int64)), device, requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    """Uniform [0, 1) samples with input's shape."""
    dt, dev = _like(input, dtype, device)
    return rand(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    """Standard normal samples with input's shape."""
    dt, dev = _like(input, dtype, device)
    return randn(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high) with input's shape."""
    if high is None:
        low, high = 0, low
    dt, dev = _like(input, dtype, device)
    return randint(low, high, input._data.shape, dtype=dt, device=dev)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False, out=None):
    """Normal samples; mean and std may be tensors (broadcast) or numbers with a size."""
    g = rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        like = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        arr = g.standard_normal(shape) * backend.to_device(np.asarray(s), backend.CPU) + \
            backend.to_device(np.asarray(m), backend.CPU)
        return _finish(arr.astype(like._data.dtype), like.device, False)
    if size is None:
        raise TypeError("normal() with float mean and std needs a size")
    return _random(g.normal(mean, std, _shape((size,))), dtype, device, requires_grad)


def bernoulli(input, p=None, *, generator=None):
    """0/1 samples with probabilities input (or p)."""
    prob = input._data if p is None else p
    host = backend.to_device(np.asarray(prob) if not isinstance(prob, np.ndarray) and
                             not input.is_cuda else prob, backend.CPU)
    arr = (rng(generator).random(input._data.shape) < host).astype(input._data.dtype)
    return _finish(arr, input.device, False)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Sample category indices from (rows of) unnormalized probabilities."""
    probs = np.asarray(backend.to_device(input._data, backend.CPU), np.float64)
    single = probs.ndim == 1
    probs = probs.reshape(-1, probs.shape[-1])
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not replacement and num_samples > probs.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    g = rng(generator)
    rows = []
    for row in probs:  # one draw call per distribution, not per sample
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rows.append(g.choice(row.size, size=num_samples, replace=replacement, p=row / total))
    arr = np.stack(rows).astype(np.int64)
    return _finish(arr[0] if single else arr, input.device, False)


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from start to end (exclusive) by step."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in vals)
        dt = dtypes.get_default_dtype().np if is_float else np.dtype(np.int64)
    else:
        dt = dtypes.to_dtype(dtype).np
    n = max(0, math.ceil((vals[1] - vals[0]) / vals[2]))
    arr = (vals[0] + np.arange(n, dtype=np.float64) * vals[2]) if dt.kind == "f" \
        else np.arange(vals[0], vals[1], vals[2])
    return _finish(arr.astype(dt), device, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated inclusive range [start, end] (float by default), kept for the 0.x API."""
    warnings.warn("ember.range is deprecated and will be removed; use ember.arange instead "
                  "(note that arange excludes the end point)", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    arr = start + np.arange(max(n, 0), dtype=np.float64) * step
    return _finish(arr.astype(_np_dtype(dtype)), device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end inclusive."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps).astype(_np_dtype(dtype)), device,
                   requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """`steps` values base**x for x evenly spaced from start to end."""
    return _finish(np.logspace(start, end, steps, base=base).astype(_np_dtype(dtype)), device,
                   requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """Identity matrix (n x m)."""
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), device, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-dim tensor holding s (default float dtype)."""
    return _finish(np.asarray(s, dtype=_np_dtype(dtype)), device, requires_grad)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors ('ij' default, 'xy' supported)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    from .ops.shape import expand, reshape

    n = len(tensors)
    sizes = [t._data.size for t in tensors]
    if indexing == "xy" and n >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, t in enumerate(tensors):
        pos = i
        if indexing == "xy" and n >= 2 and i < 2:
            pos = 1 - i
        shape = [1] * n
        shape[pos] = t._data.size
        out.append(expand(reshape(t, shape), sizes))
    return tuple(out)
