"""Colour and value operations on raw image arrays (numpy or cupy) laid out as (..., C, H, W).

Integer images keep their dtype: the math runs in float32 and the result is truncated back,
which is what torchvision's tensor kernels do (so results agree bit for bit on uint8).
"""

import numpy as np

from ...backend import array_module
from ._image import max_value


def _float_type(np_dtype):
    return np_dtype if np.dtype(np_dtype).kind == "f" else np.float32


def _check_channels(x, allowed, what):
    channels = x.shape[-3]
    if channels not in allowed:
        raise TypeError(
            f"{what} needs an image with {' or '.join(map(str, allowed))} channels, "
            f"got {channels} channels (shape {tuple(x.shape)})"
        )
    return channels


def blend(x, other, ratio):
    """ratio * x + (1 - ratio) * other, clipped to the image's value range, in x's dtype."""
    xp = array_module(x)
    ftype = _float_type(x.dtype)
    out = x.astype(ftype) * ratio + other.astype(ftype) * (1.0 - ratio)
    out = xp.clip(out, 0, max_value(x.dtype))
    return out.astype(x.dtype)


def grayscale(x, num_output_channels=1):
    """Luma (ITU-R 601-2 weights) of an RGB image; a 1-channel image passes through."""
    xp = array_module(x)
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels should be 1 or 3, got {num_output_channels}")
    if _check_channels(x, (1, 3), "rgb_to_grayscale") == 3:
        ftype = _float_type(x.dtype)
        r, g, b = (x[..., k:k + 1, :, :].astype(ftype) for k in range(3))
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).astype(x.dtype)
    else:
        gray = x.copy()
    if num_output_channels == 3:
        return xp.broadcast_to(gray, gray.shape[:-3] + (3,) + gray.shape[-2:]).copy()
    return gray


def adjust_brightness(x, factor):
    """Scale intensities by `factor` (a blend with black)."""
    _check_channels(x, (1, 3), "adjust_brightness")
    return blend(x, array_module(x).zeros((), dtype=x.dtype), factor)


def adjust_contrast(x, factor):
    """Blend with the image's mean grey level."""
    xp = array_module(x)
    channels = _check_channels(x, (1, 3), "adjust_contrast")
    ftype = _float_type(x.dtype)
    gray = grayscale(x) if channels == 3 else x
    mean = xp.mean(gray.astype(ftype), axis=(-3, -2, -1), keepdims=True)
    return blend(x, mean, factor)


def adjust_saturation(x, factor):
    """Blend with the grayscale image (0 gives grey, 1 the original)."""
    if _check_channels(x, (1, 3), "adjust_saturation") == 1:
        return x.copy()
    return blend(x, grayscale(x), factor)


def rgb_to_hsv(x):
    """RGB in [0, 1] to HSV in [0, 1] along axis -3 (float arrays)."""
    xp = array_module(x)
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc = xp.max(x, axis=-3)
    minc = xp.min(x, axis=-3)
    span = maxc - minc
    grey = span == 0
    sat = span / xp.where(grey, 1, maxc)
    safe_span = xp.where(grey, 1, span)
    # Distance of each channel from the max, in units of the span, picks the hue sector.
    rc, gc, bc = (maxc - r) / safe_span, (maxc - g) / safe_span, (maxc - b) / safe_span
    hue = xp.where(maxc == r, bc - gc,
                   xp.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    hue = xp.where(grey, 0, hue)
    hue = xp.fmod(hue / 6.0 + 1.0, 1.0)
    return xp.stack((hue.astype(x.dtype), sat.astype(x.dtype), maxc), axis=-3)


def hsv_to_rgb(x):
    """HSV in [0, 1] to RGB in [0, 1] along axis -3 (float arrays)."""
    xp = array_module(x)
    h, s, v = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    sector = xp.floor(h * 6.0)
    f = h * 6.0 - sector
    sector = sector.astype(np.int32) % 6
    p = xp.clip(v * (1.0 - s), 0.0, 1.0)
    q = xp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = xp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    # For each of the six hue sectors, which of (v, q, p, t) each of r, g, b takes.
    table = ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))
    channels = []
    for c in range(3):
        out = table[0][c]
        for k in range(1, 6):
            out = xp.where(sector == k, table[k][c], out)
        channels.append(out)
    return xp.stack(channels, axis=-3).astype(x.dtype)


def adjust_hue(x, factor):
    """Rotate hue by `factor` turns (in [-0.5, 0.5]) through HSV space."""
    if _check_channels(x, (1, 3), "adjust_hue") == 1:
        return x.copy()
    xf = convert_dtype(x, np.float32)
    hsv = rgb_to_hsv(xf)
    hsv[..., 0, :, :] = (hsv[..., 0, :, :] + factor) % 1.0
    return convert_dtype(hsv_to_rgb(hsv), x.dtype)


def convert_dtype(x, np_dtype):
    """Convert an image's dtype, rescaling values to the new type's range."""
    xp = array_module(x)
    src, dst = np.dtype(x.dtype), np.dtype(np_dtype)
    if src == dst:
        return x
    if src.kind == "f":
        if dst.kind == "f":
            return x.astype(dst)
        if (src == np.float32 and dst in (np.int32, np.int64)) or (
                src == np.float64 and dst == np.int64):
            raise RuntimeError(f"The cast from {src} to {dst} cannot be performed safely.")
        # Multiplying by (max + 1 - eps) spreads [0, 1] evenly over the integer levels;
        # max alone would give the top level only to exactly 1.0.
        return (x * (max_value(dst) + 1.0 - 1e-3)).astype(dst)
    in_max = max_value(src)
    if dst.kind == "f":
        return x.astype(dst) / dst.type(in_max)
    out_max = max_value(dst)
    if in_max > out_max:
        return xp.floor_divide(x, (in_max + 1) // (out_max + 1)).astype(dst)
    return x.astype(dst) * dst.type((out_max + 1) // (in_max + 1))


def normalize(x, mean, std, inplace):
    """(x - mean) / std per channel, as two whole-array operations."""
    xp = array_module(x)
    mean = xp.asarray(mean, dtype=x.dtype)
    std = xp.asarray(std, dtype=x.dtype)
    channels = x.shape[-3]
    for name, values in (("mean", mean), ("std", std)):
        if values.ndim > 1 or values.size not in (1, channels):
            raise ValueError(
                f"{name} has {values.size} values but the image has {channels} channels "
                f"(shape {tuple(x.shape)})"
            )
    if bool((std == 0).any()):
        raise ValueError(
            f"std evaluated to zero after conversion to {x.dtype}, leading to division by zero."
        )
    mean = mean.reshape(-1, 1, 1)
    std = std.reshape(-1, 1, 1)
    out = xp.subtract(x, mean, out=x if inplace else None)
    return xp.divide(out, std, out=out)


def erase(x, top, left, height, width, value, inplace):
    """Overwrite a rectangle with `value` (a scalar, per-channel values or an array)."""
    out = x if inplace else x.copy()
    out[..., top:top + height, left:left + width] = value
    return out
