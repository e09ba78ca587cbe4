"""Pooling: max/avg pooling (1-D and 2-D), adaptive avg/max pooling, max_unpool.

Pooling runs on 4-D arrays (1-D pooling as 2-D with height 1). Max and average pooling loop
over the KH*KW kernel offsets, each step one array call over the whole batch on a strided
view (the common 2x2 pool is 4 steps); the max keeps the index of the first maximum per
window (as PyTorch does with ties), which is all its backward needs. Adaptive average pooling
with uneven windows is separable: two GEMMs with small averaging matrices.
"""

import numpy as np

from .. import backend, dtypes
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import dispatch, matmul_raw
from ._window import crop4, out_size, overlapping, pad4, pair, windows


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
        # windows that tile the unpadded input exactly (LeNet's 2x2/2): see _tiled_max
        self.tiled = (self.covered and self.pads == (0, 0, 0, 0) and self.dilation == (1, 1)
                      and self.kernel[0] * self.kernel[1] > 1)
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.kernel, self.stride, self.dilation, \
            self.out
        every = slice(None)
        # slices[k]: the (N, C, OH, OW) elements that kernel offset k meets, row-major order
        self.slices = [(every, every, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                        slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))
                       for i in range(kh) for j in range(kw)]


def _lowest(dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind in "iu":
        return np.iinfo(dtype).min
    raise RuntimeError(f"max pooling is not implemented for '{dtypes.from_np(dtype)}'")


def _idx_dtype(kk):
    return np.uint8 if kk <= 255 else np.int32


def _flat_indices(idx, geo, xp):
    """PyTorch's return_indices: the flat position of each maximum in its (H, W) input plane."""
    kw, (sh, sw), (dh, dw) = geo.kernel[1], geo.stride, geo.dilation
    oh, ow = geo.out
    t, _, left, _ = geo.pads
    w = geo.x4[3]
    idx = idx.astype(np.int64)
    rows = (xp.arange(oh, dtype=np.int64) * sh - t).reshape(oh, 1) + (idx // kw) * dh
    cols = (xp.arange(ow, dtype=np.int64) * sw - left) + (idx % kw) * dw
    return rows * w + cols


class MaxPool(Op):
    """Max pooling over sliding windows; optionally also returns argmax indices."""

    def name(self):
        """PyTorch's node name for this op."""
        return "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, geo, return_indices):
        xp = backend.array_module(x)
        want_idx = return_indices or ctx.needs_input_grad[0]
        if geo.tiled and x.__class__ is np.ndarray and x.dtype.kind in "fiu":
            res = _tiled_max(x, geo, want_idx)
            if res is not None:
                out, cidx, ridx = res
                if ctx.needs_input_grad[0]:
                    ctx.save_for_backward(cidx, ridx)
                    ctx.geo = geo
                if return_indices:
                    return out, _flat_indices(_tiled_index(cidx, ridx, geo), geo,
                                              xp).reshape(geo.full)
                return out
        xpad = pad4(x.reshape(geo.x4), geo.pads, _lowest(x.dtype))
        slices = geo.slices
        best = xpad[slices[0]].copy()
        if want_idx:
            idx = xp.zeros(best.shape, _idx_dtype(len(slices)))
            hit = xp.empty(best.shape, bool)
            step = xp.empty(best.shape, idx.dtype)
        for k in range(1, len(slices)):
            v = xpad[slices[k]]
            if want_idx:
                # strict '>' keeps the first maximum; offsets only grow, so max() records k
                xp.greater(v, best, out=hit)
                xp.multiply(hit, k, out=step, casting="unsafe")
                xp.maximum(idx, step, out=idx)
            xp.maximum(best, v, out=best)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(idx)
            ctx.geo = geo
        out = best.reshape(geo.full)
        if return_indices:
            # int64 outputs never require grad, so no need to mark them non-differentiable
            return out, _flat_indices(idx, geo, xp).reshape(geo.full)
        return out

    @staticmethod
    def backward(ctx, grad, *_):
        saved = ctx.saved_tensors
        geo = ctx.geo
        if len(saved) == 2:
            return _tiled_max_backward(grad, geo, *saved), None, None
        (idx,) = saved
        xp = backend.array_module(grad)
        g = grad.reshape(idx.shape)
        if not geo.overlapping:
            gx = xp.empty(geo.padded, g.dtype) if geo.covered else xp.zeros(geo.padded, g.dtype)
            for k, sl in enumerate(geo.slices):
                xp.multiply(idx == k, g, out=gx[sl])
        else:
            gx = xp.zeros(geo.padded, g.dtype)
            for k, sl in enumerate(geo.slices):
                v = gx[sl]
                xp.add(v, (idx == k) * g, out=v)
        return crop4(gx, geo.pads, geo.x4).reshape(geo.xs), None, None


# ------------------------------------------------------------------ tiled max pooling
# When the windows tile the input (kernel == stride, no padding or dilation, sizes divisible),
# the max runs in two stages over reshapes instead of KH*KW strided steps: first across the
# KW columns of every window row (x viewed as (N*C*H*OW, KW)), then across the KH row maxima
# ((N*C*OH, KH, OW)). Taking the first maximum in each stage picks the earliest row holding
# the window's maximum and, within it, the earliest column: the first maximum in row-major
# order, PyTorch's tie rule. (With NaNs that equivalence fails, so windows holding a NaN go
# through the general path, which stays the reference.)


def _first_max(parts, want_idx):
    """Elementwise max of same-shaped arrays and the index of the first maximum (or None)."""
    a, b = parts[0], parts[1]
    best = np.maximum(a, b)
    if len(parts) == 2:
        return best, (np.greater(b, a) if want_idx else None)
    idx = np.greater(b, a).astype(np.uint8) if want_idx else None
    if want_idx:
        hit = np.empty(best.shape, bool)
    for k in range(2, len(parts)):
        v = parts[k]
        if want_idx:
            np.greater(v, best, out=hit)
            np.copyto(idx, k, where=hit)
        np.maximum(best, v, out=best)
    return best, idx


def _tiled_max(x, geo, want_idx):
    """(out, column index, row index) of a tiled max pool; None when a NaN needs the
    general path's index rule."""
    n, c, h, _ = geo.x4
    (kh, kw), (oh, ow) = geo.kernel, geo.out
    if kw > 1:
        cols = x.reshape(n * c * h * ow, kw)
        best, cidx = _first_max([cols[:, j] for j in range(kw)], want_idx)
    else:
        best, cidx = x.reshape(-1), None
    if kh > 1:
        rows = best.reshape(n * c * oh, kh, ow)
        out, ridx = _first_max([rows[:, i] for i in range(kh)], want_idx)
    else:
        out, ridx = best, None
    if want_idx and out.dtype.kind in "fc":
        total = out.sum()
        if total != total:
            return None
    return out.reshape(geo.full), cidx, ridx


def _tiled_index(cidx, ridx, geo):
    """Row-major offset of each window's maximum (the general path's index array)."""
    n, c, h, _ = geo.x4
    (kh, kw), (oh, ow) = geo.kernel, geo.out
    k = np.zeros((n, c, oh, ow), np.int64)
    if ridx is not None:
        k += ridx.reshape(n, c, oh, ow)
    if cidx is not None:
        # the column index of the chosen row of every window
        cols = cidx.reshape(n * c * oh, kh, ow)
        r = k.reshape(n * c * oh, 1, ow)
        k = k * kw + np.take_along_axis(cols, r, axis=1).reshape(n, c, oh, ow)
    return k


def _spread(g, idx, parts):
    """parts[j] = g where idx == j, else 0 (idx is a bool array when there are two parts)."""
    if idx.dtype == bool:
        np.multiply(g, np.logical_not(idx), out=parts[0])
        np.multiply(g, idx, out=parts[1])
        return
    for j, dst in enumerate(parts):
        np.multiply(g, idx == j, out=dst)


def _tiled_max_backward(grad, geo, cidx, ridx):
    n, c, h, _ = geo.x4
    (kh, kw), (oh, ow) = geo.kernel, geo.out
    g = grad.reshape(n * c * oh, ow)
    if ridx is not None:
        gr = np.empty((n * c * oh, kh, ow), grad.dtype)
        _spread(g, ridx, [gr[:, i] for i in range(kh)])
        g = gr
    if cidx is None:
        return g.reshape(geo.xs)
    gx = np.empty((n * c * h * ow, kw), grad.dtype)
    _spread(g.reshape(-1), cidx, [gx[:, j] for j in range(kw)])
    return gx.reshape(geo.xs)


class AvgPool(Op):
    """Average pooling over sliding windows with a per-window divisor."""

    def name(self):
        """PyTorch's node name for this op."""
        return "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, geo, divisor):
        xp = backend.array_module(x)
        xpad = pad4(x.reshape(geo.x4), geo.pads, 0)
        out = xpad[geo.slices[0]].copy()
        for sl in geo.slices[1:]:
            xp.add(out, xpad[sl], out=out)
        xp.divide(out, divisor, out=out)
        if ctx.needs_input_grad[0]:
            ctx.geo = geo
            ctx.divisor = divisor
        return out.reshape(geo.full)

    @staticmethod
    def backward(ctx, grad):
        geo = ctx.geo
        xp = backend.array_module(grad)
        n, c = geo.x4[:2]
        g = grad.reshape((n, c) + geo.out) / ctx.divisor
        if not geo.overlapping:
            gx = xp.empty(geo.padded, g.dtype) if geo.covered else xp.zeros(geo.padded, g.dtype)
            windows(gx, geo.kernel, geo.stride, geo.dilation, geo.out)[...] = g[:, :, None, None]
        else:
            gx = xp.zeros(geo.padded, g.dtype)
            for sl in geo.slices:
                v = gx[sl]
                xp.add(v, g, out=v)
        return crop4(gx, geo.pads, geo.x4).reshape(geo.xs), None, None


class SeparablePool(Op):
    """out = A_h @ x @ A_w.T per plane: pooling whose weights factor over rows and columns."""

    def name(self):
        """PyTorch's node name for this op."""
        return "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, ah, aw, hw, full):
        h, w = hw
        oh, ow = ah.shape[0], aw.shape[0]
        y = matmul_raw(x.reshape(-1, w), aw.T)                        # (planes*H, OW)
        y = y.reshape(-1, h, ow).transpose(0, 2, 1).reshape(-1, h)    # (planes*OW, H)
        out = matmul_raw(y, ah.T).reshape(-1, ow, oh).transpose(0, 2, 1)  # (planes, OH, OW)
        if ctx.needs_input_grad[0]:
            ctx.meta = (ah, aw, hw, x.shape)
        return out.reshape(full)

    @staticmethod
    def backward(ctx, grad):
        ah, aw, (h, w), xs = ctx.meta
        oh, ow = ah.shape[0], aw.shape[0]
        t = matmul_raw(grad.reshape(-1, ow), aw)                      # (planes*OH, W)
        t = t.reshape(-1, oh, w).transpose(0, 2, 1).reshape(-1, oh)   # (planes*W, OH)
        gx = matmul_raw(t, ah).reshape(-1, w, h).transpose(0, 2, 1)   # (planes, H, W)
        return gx.reshape(xs), None, None, None, None


class AdaptiveMaxGather(Op):
    """Adaptive max pooling with uneven windows: gather fixed-size windows, then max.

    Shorter windows repeat their last element, which never changes the maximum nor the
    first-maximum index.
    """

    def name(self):
        """PyTorch's node name for this op."""
        return "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, rows, cols, x4, full, return_indices):
        xp = backend.array_module(x)
        w = x4[3]
        win = x.reshape(x4)[:, :, rows][..., cols]          # (N, C, OH, KH, OW, KW)
        kh, kw = rows.shape[1], cols.shape[1]
        best = win[:, :, :, 0, :, 0].copy()
        idx = xp.zeros(best.shape, _idx_dtype(kh * kw))
        hit = xp.empty(best.shape, bool)
        step = xp.empty(best.shape, idx.dtype)
        for k in range(1, kh * kw):
            v = win[:, :, :, k // kw, :, k % kw]
            xp.greater(v, best, out=hit)
            xp.multiply(hit, k, out=step, casting="unsafe")
            xp.maximum(idx, step, out=idx)
            xp.maximum(best, v, out=best)
        r = rows[xp.arange(rows.shape[0]).reshape(-1, 1), idx // kw]
        flat = r.astype(np.int64) * w + cols[xp.arange(cols.shape[0]), idx % kw]
        if ctx.needs_input_grad[0]:
            ctx.meta = (flat, x.shape, x4)
        out = best.reshape(full)
        if return_indices:
            return out, flat.reshape(full)
        return out

    @staticmethod
    def backward(ctx, grad, *_):
        flat, xs, (n, c, h, w) = ctx.meta
        xp = backend.array_module(grad)
        plane, planes = h * w, n * c
        # windows may overlap, so several outputs can feed one input: bincount sums them
        pos = flat.reshape(planes, -1) + (xp.arange(planes) * plane).reshape(-1, 1)
        gx = xp.bincount(pos.ravel(), weights=grad.reshape(-1), minlength=planes * plane)
        return gx.astype(grad.dtype, copy=False).reshape(xs), None, None, None, None, None


class MaxUnpool(Op):
    """Scatter values to the positions given by max pooling's indices (zeros elsewhere)."""

    def name(self):
        """PyTorch's node name for this op."""
        return "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, indices, planes, out_shape):
        xp = backend.array_module(x)
        out = xp.zeros((planes, _prod(out_shape) // max(planes, 1)), x.dtype)
        idx = indices.reshape(planes, -1)
        xp.put_along_axis(out, idx, x.reshape(planes, -1), axis=1)
        if ctx.needs_input_grad[0]:
            ctx.meta = (idx, x.shape)
        return out.reshape(out_shape)

    @staticmethod
    def backward(ctx, grad):
        idx, xs = ctx.meta
        xp = backend.array_module(grad)
        g = xp.take_along_axis(grad.reshape(idx.shape[0], -1), idx, axis=1)
        return g.reshape(xs), None, None, None


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


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
