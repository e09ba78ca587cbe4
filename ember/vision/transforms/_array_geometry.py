"""Geometric image operations on raw arrays (numpy or cupy) laid out as (..., H, W).

Every function works on the last two axes, so single images (C, H, W), batches (N, C, H, W)
and plain (H, W) planes share one code path. Resampling is written as whole-array work:
resize is two small matrix products (one per axis), rotate is one gather per tap.
"""

import math

import numpy as np

from ...backend import array_module
from ._image import InterpolationMode

_NEAREST = (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT)
_PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def compute_dtype(np_dtype):
    """The float type resampling math runs in: float64 stays, everything else uses float32."""
    return np.float64 if np.dtype(np_dtype) == np.float64 else np.float32


def cast_back(result, np_dtype):
    """Return float results to the image's dtype, rounding and clipping for integer images."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind in "iub":
        xp = array_module(result)
        info = np.iinfo(np_dtype) if np_dtype.kind != "b" else None
        result = xp.rint(result)
        if info is not None:
            result = xp.clip(result, info.min, info.max)
        return result.astype(np_dtype)
    return result.astype(np_dtype, copy=False)


def crop(x, top, left, height, width):
    """The region [top, top+height) x [left, left+width); parts outside the image are zeros."""
    h, w = x.shape[-2:]
    bottom, right = top + height, left + width
    if left < 0 or top < 0 or right > w or bottom > h:
        inner = x[..., max(top, 0):max(bottom, 0), max(left, 0):max(right, 0)]
        ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                max(right - w, 0), max(bottom - h, 0)]
        return pad(inner, ltrb, 0, "constant")
    return x[..., top:bottom, left:right]


def pad(x, ltrb, fill, mode):
    """Pad the last two axes by (left, top, right, bottom); negative amounts crop instead."""
    left, top, right, bottom = (int(p) for p in ltrb)
    if min(left, top, right, bottom) < 0:
        h, w = x.shape[-2:]
        x = x[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if left == top == right == bottom == 0:
        return x.copy()
    xp = array_module(x)
    h, w = x.shape[-2:]
    if mode == "constant":
        out_shape = x.shape[:-2] + (h + top + bottom, w + left + right)
        out = xp.empty(out_shape, dtype=x.dtype)
        out[...] = _fill_array(xp, fill, x)
        out[..., top:top + h, left:left + w] = x
        return out
    if mode == "reflect" and (top >= h or bottom >= h or left >= w or right >= w):
        raise ValueError(
            f"reflect padding must be smaller than the image: got padding "
            f"{(left, top, right, bottom)} for an image of height {h} and width {w}"
        )
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    return xp.pad(x, widths, mode=mode)


def _fill_array(xp, fill, x):
    """A fill value that broadcasts against (..., C, H, W): a scalar or one value per channel."""
    if fill is None:
        fill = 0
    if isinstance(fill, (tuple, list)):
        if len(fill) == 1:
            return xp.asarray(fill[0]).astype(x.dtype)
        channels = x.shape[-3] if x.ndim >= 3 else 1
        if len(fill) != channels:
            raise ValueError(
                f"fill has {len(fill)} values but the image has {channels} channels"
            )
        return xp.asarray(fill).astype(x.dtype).reshape(-1, 1, 1)
    return xp.asarray(fill).astype(x.dtype)


def hflip(x):
    """Mirror left to right."""
    return x[..., ::-1].copy()


def vflip(x):
    """Mirror top to bottom."""
    return x[..., ::-1, :].copy()


# ----------------------------------------------------------------------------- resize
def _linear(d):
    return np.maximum(0.0, 1.0 - np.abs(d))


def _cubic(a):
    def kernel(d):
        d = np.abs(d)
        near = ((a + 2.0) * d - (a + 3.0)) * d * d + 1.0
        far = ((a * d - 5.0 * a) * d + 8.0 * a) * d - 4.0 * a
        return np.where(d < 1.0, near, np.where(d < 2.0, far, 0.0))

    return kernel


def resize_matrix(in_size, out_size, mode, antialias):
    """The (out_size, in_size) matrix that resamples one axis; rows sum to one.

    Pixel centres sit at i + 0.5 (PyTorch's align_corners=False). With antialias, the kernel
    is stretched by the downscale factor so every input pixel contributes (as Pillow does);
    without it, each output reads only its two (linear) or four (cubic) nearest inputs.
    """
    scale = in_size / out_size
    i = np.arange(out_size, dtype=np.float64)
    m = np.zeros((out_size, in_size), dtype=np.float64)
    rows = np.arange(out_size)
    if antialias:
        linear = mode is InterpolationMode.BILINEAR
        kernel, radius = (_linear, 1.0) if linear else (_cubic(-0.5), 2.0)
        stretch = max(scale, 1.0)
        support = radius * stretch
        center = scale * (i + 0.5)
        lo = np.maximum(np.floor(center - support + 0.5), 0).astype(np.int64)
        hi = np.minimum(np.floor(center + support + 0.5), in_size).astype(np.int64)
        taps = lo[:, None] + np.arange(int(math.ceil(support)) * 2 + 1)[None, :]
        valid = taps < hi[:, None]
        weights = kernel((taps + 0.5 - center[:, None]) / stretch) * valid
        total = weights.sum(axis=1, keepdims=True)
        weights = weights / np.where(total == 0, 1.0, total)
        np.add.at(m, (np.broadcast_to(rows[:, None], taps.shape)[valid], taps[valid]),
                  weights[valid])
        return m
    src = scale * (i + 0.5) - 0.5
    if mode is InterpolationMode.BILINEAR:
        src = np.maximum(src, 0.0)
        x0 = np.floor(src).astype(np.int64)
        frac = src - x0
        x1 = np.minimum(x0 + 1, in_size - 1)
        np.add.at(m, (rows, x0), 1.0 - frac)
        np.add.at(m, (rows, x1), frac)
        return m
    # Bicubic without antialias: PyTorch's a = -0.75 kernel, edge taps clamped to the border.
    x0 = np.floor(src).astype(np.int64)
    frac = src - x0
    kernel = _cubic(-0.75)
    for k in range(-1, 3):
        np.add.at(m, (rows, np.clip(x0 + k, 0, in_size - 1)), kernel(frac - k))
    return m


def nearest_index(in_size, out_size, exact):
    """Source indices for nearest resampling (PyTorch's 'nearest' or 'nearest-exact')."""
    scale = np.float32(in_size / out_size)
    i = np.arange(out_size, dtype=np.float32)
    src = np.floor((i + np.float32(0.5)) * scale if exact else i * scale).astype(np.int64)
    return np.minimum(src, in_size - 1)


def resize(x, size, mode, antialias):
    """Resample the last two axes to `size` = (h, w)."""
    xp = array_module(x)
    (oh, ow), (h, w) = size, x.shape[-2:]
    if mode in _NEAREST:
        exact = mode is InterpolationMode.NEAREST_EXACT
        rows = xp.asarray(nearest_index(h, oh, exact))
        cols = xp.asarray(nearest_index(w, ow, exact))
        return x[..., rows[:, None], cols[None, :]]
    if mode not in (InterpolationMode.BILINEAR, InterpolationMode.BICUBIC):
        raise ValueError(
            f"tensor images can be resized with nearest, nearest-exact, bilinear or bicubic "
            f"interpolation, not {mode.value}"
        )
    ctype = compute_dtype(x.dtype)
    out = x.astype(ctype)
    if ow != w or antialias is False:
        out = out @ xp.asarray(resize_matrix(w, ow, mode, antialias).T.astype(ctype))
    if oh != h or antialias is False:
        out = xp.asarray(resize_matrix(h, oh, mode, antialias).astype(ctype)) @ out
    return cast_back(out, x.dtype)


# ----------------------------------------------------------------------------- rotate
def rotation_matrix(angle, center_offset):
    """The 2x3 map from output to input coordinates for a counter-clockwise rotation.

    Coordinates are relative to the image centre with y pointing down; `center_offset` is
    the rotation centre in those coordinates. An output point p reads the input at
    R(angle) (p - c) + c: rotating back by the same angle in y-down space.
    """
    rad = math.radians(angle)
    cos, sin = math.cos(rad), math.sin(rad)
    cx, cy = center_offset
    # Same association order as torchvision, so float32 rounding of the shift agrees.
    return [cos, -sin, cos * -cx + -sin * -cy + cx,
            sin, cos, sin * -cx + cos * -cy + cy]


def expanded_size(matrix, w, h):
    """The (w, h) that holds the whole rotated image (the bounding box of its corners).

    Computed in float32 like torchvision, whose sizes carry float32 rounding (for example a
    quarter turn of an 11x14 image gives 12x15 there): matching it keeps shapes identical.
    """
    f32 = np.float32
    corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=f32)
    moved = corners @ np.array(matrix, dtype=f32).reshape(2, 3).T
    shift = np.array([0.5 * w, 0.5 * h], dtype=f32)
    lo = moved.min(axis=0) + shift
    hi = moved.max(axis=0) + shift
    # Snap to 1e-4 first so that rounding noise does not add a whole pixel.
    tol = 1e-4
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def rotate(x, angle, mode, expand, center, fill):
    """Rotate the last two axes by `angle` degrees counter-clockwise (zero padding or fill)."""
    if mode not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(
            f"tensor images can be rotated with nearest or bilinear interpolation, "
            f"not {mode.value}"
        )
    xp = array_module(x)
    h, w = x.shape[-2:]
    offset = (0.0, 0.0) if center is None else (center[0] - 0.5 * w, center[1] - 0.5 * h)
    m = rotation_matrix(angle, offset)
    ow, oh = expanded_size(m, w, h) if expand else (w, h)
    xs = np.arange(ow, dtype=np.float64) + 0.5 - 0.5 * ow
    ys = np.arange(oh, dtype=np.float64) + 0.5 - 0.5 * oh
    # Input pixel coordinates (pixel i spans [i, i+1), its centre is i + 0.5).
    src_x = m[0] * xs[None, :] + m[1] * ys[:, None] + m[2] + 0.5 * w - 0.5
    src_y = m[3] * xs[None, :] + m[4] * ys[:, None] + m[5] + 0.5 * h - 0.5
    ctype = compute_dtype(x.dtype)
    xf = x.astype(ctype)
    if mode is InterpolationMode.NEAREST:
        taps = [(np.rint(src_y).astype(np.int64), np.rint(src_x).astype(np.int64), 1.0)]
    else:
        x0, y0 = np.floor(src_x), np.floor(src_y)
        fx, fy = src_x - x0, src_y - y0
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        taps = [(y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)]
    out = 0.0
    coverage = 0.0
    for ty, tx, weight in taps:
        inside = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
        wgt = xp.asarray((weight * inside).astype(ctype))
        rows = xp.asarray(np.clip(ty, 0, h - 1))
        cols = xp.asarray(np.clip(tx, 0, w - 1))
        out = out + xf[..., rows, cols] * wgt
        coverage = coverage + wgt
    if fill is not None:
        fill_value = _fill_array(xp, fill, xf)
        if mode is InterpolationMode.NEAREST:
            out = xp.where(coverage < 0.5, fill_value, out)
        else:
            out = out * coverage + (1.0 - coverage) * fill_value
    return cast_back(out, x.dtype)


def check_pad_mode(mode):
    """Raise ValueError for an unknown padding mode."""
    if mode not in _PAD_MODES:
        raise ValueError(
            f"padding_mode should be one of {', '.join(_PAD_MODES)}, got {mode!r}"
        )

