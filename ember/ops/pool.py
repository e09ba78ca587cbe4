"""Pooling: max/avg pooling (1-D and 2-D), adaptive avg/max pooling, max_unpool.

Pooling runs on 4-D arrays (1-D pooling as 2-D with height 1). Max and average pooling loop
over the KH*KW kernel offsets, each step one array call over the whole batch on a strided
view (the common 2x2 pool is 4 steps); the max keeps the index of the first maximum per
window (as PyTorch does with ties), which is all its backward needs. Adaptive average pooling
with uneven windows is separable: two GEMMs with small averaging matrices.
"""

import numpy as np

from .. import backend, dtypes
from ..tensor import Tensor
from ._avgpool import AvgPool, SeparablePool
from ._maxpool import AdaptiveMaxGather, MaxPool, MaxUnpool, _prod
from ._util import dispatch
from ._window import out_size, overlapping, pair


class _PoolGeometry:
    """Shapes and window parameters of one pooling call (all in the 4-D form).

    Derived values (the padded shape, the per-offset slices) are computed once here, since
    a geometry is cached and reused for every call with the same signature.
    """

    __slots__ = ("xs", "x4", "kernel", "stride", "dilation", "pads", "out", "full",
                 "padded", "slices", "covered", "overlapping", "tiled")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)
        n, c, h, w = self.x4
        t, b, left, r = self.pads
        self.padded = (n, c, h + t + b, w + left + r)
        self.covered = all(s == d * (k - 1) + 1 and s * o == size for k, s, d, o, size in
                           zip(self.kernel, self.stride, self.dilation, self.out,
                               self.padded[2:]))
        self.overlapping = overlapping(self.kernel, self.stride, self.dilation)
        # windows that tile the unpadded input exactly (LeNet's 2x2/2): see _maxpool._tiled_max
        self.tiled = (self.covered and self.pads == (0, 0, 0, 0) and self.dilation == (1, 1)
                      and self.kernel[0] * self.kernel[1] > 1)
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.kernel, self.stride, self.dilation, \
            self.out
        every = slice(None)
        # slices[k]: the (N, C, OH, OW) elements that kernel offset k meets, row-major order
        self.slices = [(every, every, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                        slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))
                       for i in range(kh) for j in range(kw)]


# ------------------------------------------------------------------ argument handling
def _input4(input, nd, fn):
    """Check a pooling input and give its 4-D shape and whether it has a batch dimension."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be Tensor, not {type(input).__name__}")
    shape = input._data.shape
    if len(shape) not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fn}: expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input, "
                           f"but got input of size: {list(shape)}")
    batched = len(shape) == nd + 2
    lead = shape[:2] if batched else (1, shape[0])
    x4 = lead + ((1,) + shape[-1:] if nd == 1 else shape[-2:])
    return x4, batched


def _full(x4, out, nd, batched):
    lead = x4[:2] if batched else x4[1:2]
    return lead + (out[1:] if nd == 1 else out)


def _lift(t, nd, fill):
    return (fill,) + t if nd == 1 else t


def _geometry(input, kernel_size, stride, padding, dilation, ceil_mode, nd, fn):
    x4, batched = _input4(input, nd, fn)
    k = pair(kernel_size, nd, "kernel_size", fn)
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        s = k
    else:
        s = pair(stride, nd, "stride", fn)
    p = pair(padding, nd, "padding", fn)
    d = pair(dilation, nd, "dilation", fn)
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{fn}: kernel size should be greater than zero, but got "
                           f"kernel_size={list(k)}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{fn}: stride should be greater than zero, but got stride={list(s)}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{fn}: dilation should be greater than zero, but got "
                           f"dilation={list(d)}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"{fn}: pad must be non-negative, but got padding={list(p)}")
    if any(pv > (dv * (kv - 1) + 1) // 2 for pv, kv, dv in zip(p, k, d)):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                           f"pad={list(p)}, kernel_size={list(k)} and dilation={list(d)}")
    k, s, p, d = _lift(k, nd, 1), _lift(s, nd, 1), _lift(p, nd, 0), _lift(d, nd, 1)
    size = x4[2:]
    out = tuple(out_size(size[i], k[i], s[i], 2 * p[i], d[i], ceil_mode, p[i]) for i in (0, 1))
    if any(o <= 0 for o in out):
        shown = size[2 - nd:]
        raise RuntimeError(
            f"Given input size: ({x4[1]}x{'x'.join(map(str, shown))}). Calculated output size: "
            f"({x4[1]}x{'x'.join(map(str, out[2 - nd:]))}). Output size is too small"
        )
    # pad the far side only as much as the last window needs (ceil_mode can need more)
    far = [max(0, (o - 1) * st + dd * (kk - 1) + 1 - n - pp)
           for o, st, dd, kk, n, pp in zip(out, s, d, k, size, p)]
    pads = (p[0], far[0], p[1], far[1])
    return _PoolGeometry(xs=input._data.shape, x4=x4, kernel=k, stride=s, dilation=d,
                         pads=pads, out=out, full=_full(x4, out, nd, batched))


# Validated geometries by call signature (argument parsing costs more than a small pool).
_CACHE = {}


def _lookup(key):
    try:
        return _CACHE.get(key)
    except TypeError:  # unhashable argument (a list): no caching
        return None


def _store(key, value):
    try:
        if len(_CACHE) > 512:
            _CACHE.clear()
        _CACHE[key] = value
    except TypeError:
        pass


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd,
              fn):
    key = None
    if isinstance(input, Tensor) and input._data.__class__ is np.ndarray:
        key = (fn, input._data.shape, kernel_size, stride, padding, dilation, ceil_mode)
        geo = _lookup(key)
        if geo is not None:
            return dispatch(MaxPool, input, geo, bool(return_indices))
    geo = _geometry(input, kernel_size, stride, padding, dilation, ceil_mode, nd, fn)
    if key is not None:
        _store(key, geo)
    return dispatch(MaxPool, input, geo, bool(return_indices))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling over (N, C, L) or (C, L), as torch.nn.functional.max_pool1d."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling over (N, C, H, W) or (C, H, W), as torch.nn.functional.max_pool2d."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     2, "max_pool2d")


def _window_counts(size, k, s, p, n_out, include_pad):
    start = np.arange(n_out) * s - p
    end = np.minimum(start + k, size + p)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def _check_float(input, fn):
    if input._data.dtype.kind not in "fc":
        name = dtypes.from_np(input._data.dtype).name
        raise NotImplementedError(f'"{fn}" not implemented for \'{name}\'')


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, nd, fn):
    key = None
    if isinstance(input, Tensor) and input._data.__class__ is np.ndarray:
        key = (fn, input._data.shape, input._data.dtype, kernel_size, stride, padding,
               ceil_mode, count_include_pad, divisor_override)
        hit = _lookup(key)
        if hit is not None:
            return dispatch(AvgPool, input, *hit)
    geo = _geometry(input, kernel_size, stride, padding, 1, ceil_mode, nd, fn)
    _check_float(input, fn)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        divisor = float(divisor_override)
    else:
        t, _, left, _ = geo.pads
        ch = _window_counts(geo.x4[2], geo.kernel[0], geo.stride[0], t, geo.out[0],
                            count_include_pad)
        cw = _window_counts(geo.x4[3], geo.kernel[1], geo.stride[1], left, geo.out[1],
                            count_include_pad)
        div = np.outer(ch, cw)
        if (div == div.flat[0]).all():
            divisor = float(div.flat[0])
        else:
            xp = backend.array_module(input._data)
            divisor = xp.asarray(div.astype(input._data.dtype))
    if key is not None:
        _store(key, (geo, divisor))
    return dispatch(AvgPool, input, geo, divisor)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling, as torch.nn.functional.avg_pool1d."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1,
                     "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling, as torch.nn.functional.avg_pool2d."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2, "avg_pool2d")


# ------------------------------------------------------------------ adaptive pooling
def _adaptive_sizes(input, output_size, nd, fn):
    shape = input._data.shape if isinstance(input, Tensor) else ()
    if not isinstance(input, Tensor) or len(shape) not in (nd + 1, nd + 2):
        got = list(shape) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {got}")
    spatial = shape[-nd:]
    if isinstance(output_size, (list, tuple)):
        sizes = tuple(output_size)
        if len(sizes) != nd:
            raise RuntimeError(f"{fn}(): output_size must be {nd} values, got {list(sizes)}")
    else:
        sizes = (output_size,) * nd
    sizes = tuple(sp if o is None else int(o) for o, sp in zip(sizes, spatial))
    if any(o < 0 for o in sizes):
        raise RuntimeError(f"{fn}(): output_size must be non-negative, got {list(sizes)}")
    if any(sp == 0 for sp in spatial):
        raise RuntimeError(f"{fn}(): expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {list(shape)}")
    x4, batched = _input4(input, nd, fn)
    return x4, batched, _lift(sizes, nd, 1)


def _bounds(size, n):
    i = np.arange(n)
    return (i * size) // n, -((-(i + 1) * size) // n)


def _avg_matrix(size, n, dtype, xp):
    start, end = _bounds(size, n)
    j = np.arange(size)
    m = (j >= start[:, None]) & (j < end[:, None])
    return xp.asarray((m / (end - start)[:, None]).astype(dtype))


def _divisible(x4, out):
    return all(o > 0 and s % o == 0 for s, o in zip(x4[2:], out))


def _adaptive_avg(input, output_size, nd, fn):
    x4, batched, out = _adaptive_sizes(input, output_size, nd, fn)
    _check_float(input, fn)
    full = _full(x4, out, nd, batched)
    if 0 in out:
        from ..creation import zeros

        return zeros(full, dtype=input.dtype, device=input.device)
    if _divisible(x4, out) and (x4[2] // out[0]) * (x4[3] // out[1]) <= 16:
        k = (x4[2] // out[0], x4[3] // out[1])
        geo = _PoolGeometry(xs=input._data.shape, x4=x4, kernel=k, stride=k, dilation=(1, 1),
                            pads=(0, 0, 0, 0), out=out, full=full)
        return dispatch(AvgPool, input, geo, float(k[0] * k[1]))
    xp = backend.array_module(input._data)
    dt = input._data.dtype
    ah = _avg_matrix(x4[2], out[0], dt, xp)
    aw = _avg_matrix(x4[3], out[1], dt, xp)
    return dispatch(SeparablePool, input, ah, aw, x4[2:], full)


def adaptive_avg_pool1d(input, output_size):
    """1-D adaptive average pooling to `output_size` positions."""
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """2-D adaptive average pooling to `output_size` (int, or (H, W) with None to keep)."""
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def _gather_table(size, n):
    start, end = _bounds(size, n)
    k = int((end - start).max())
    return np.minimum(start[:, None] + np.arange(k), end[:, None] - 1)


def _adaptive_max(input, output_size, return_indices, nd, fn):
    x4, batched, out = _adaptive_sizes(input, output_size, nd, fn)
    full = _full(x4, out, nd, batched)
    if _divisible(x4, out):
        k = (x4[2] // out[0], x4[3] // out[1])
        geo = _PoolGeometry(xs=input._data.shape, x4=x4, kernel=k, stride=k, dilation=(1, 1),
                            pads=(0, 0, 0, 0), out=out, full=full)
        return dispatch(MaxPool, input, geo, bool(return_indices))
    if 0 in out:
        raise RuntimeError(f"{fn}(): output_size must be positive, got {list(out[2 - nd:])}")
    xp = backend.array_module(input._data)
    rows = xp.asarray(_gather_table(x4[2], out[0]))
    cols = xp.asarray(_gather_table(x4[3], out[1]))
    return dispatch(AdaptiveMaxGather, input, rows, cols, x4, full, bool(return_indices))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-D adaptive max pooling to `output_size` positions."""
    return _adaptive_max(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-D adaptive max pooling to `output_size` (int, or (H, W) with None to keep)."""
    return _adaptive_max(input, output_size, return_indices, 2, "adaptive_max_pool2d")


# ------------------------------------------------------------------ unpooling
def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd, fn):
    for name, t in (("input", input), ("indices", indices)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    shape = input._data.shape
    if indices._data.shape != shape:
        raise RuntimeError(f"{fn}: expected input and indices to have the same shape, but got "
                           f"{list(shape)} and {list(indices._data.shape)}")
    if indices._data.dtype.kind not in "iu":
        raise RuntimeError(f"{fn}: indices must be an integer tensor, got {indices.dtype}")
    if len(shape) not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fn}: expected {nd + 1}D or {nd + 2}D input, but got input of size: "
                           f"{list(shape)}")
    k = pair(kernel_size, nd, "kernel_size", fn)
    s = k if stride is None else pair(stride, nd, "stride", fn)
    p = pair(padding, nd, "padding", fn)
    default = tuple((n - 1) * st - 2 * pp + kk for n, st, pp, kk in zip(shape[-nd:], s, p, k))
    if output_size is None:
        size = default
    else:
        size = tuple(output_size)[-nd:]
        if len(size) != nd:
            raise ValueError(f"{fn}: output_size must have {nd} elements, got {list(output_size)}")
    planes = _prod(shape[:-nd])
    m = _prod(size)
    idx = indices._data
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= m):
        raise RuntimeError(f"{fn}: found an invalid max index {int(idx.max())} (output volume "
                           f"of size {'x'.join(map(str, size))})")
    return dispatch(MaxUnpool, input, idx, planes, shape[:-nd] + size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: put values back at their argmax positions."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1,
                       "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: put values back at their argmax positions."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2,
                       "max_unpool2d")

