"""Max pooling ops: MaxPool, AdaptiveMaxGather, MaxUnpool and their array helpers."""

import numpy as np

from .. import backend, dtypes
from ..autograd.function import Op
from ._window import crop4, pad4


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

