"""Shared plumbing for the transforms: what an image is, its size, and the random source.

An image is either a PIL image or an ember Tensor of shape (..., C, H, W) (some operations
also take (H, W)). Tensor math runs on the raw array (numpy or cupy) and is wrapped back
without autograd, because transforms are preprocessing and are never differentiated.
"""

import numbers
from collections.abc import Sequence
from enum import Enum

import numpy as np
from PIL import Image

from ... import random as _random

_Tensor = None


def tensor_class():
    """ember.Tensor, imported on first use (vision sits above the core in the staircase)."""
    global _Tensor
    if _Tensor is None:
        from ...tensor import Tensor

        _Tensor = Tensor
    return _Tensor


def is_tensor(x):
    """True for an ember Tensor."""
    return isinstance(x, tensor_class())


def is_pil(x):
    """True for a PIL image."""
    return isinstance(x, Image.Image)


def wrap(array):
    """An ember Tensor around `array` (no copy, no autograd)."""
    return tensor_class()._make(array)


def rng():
    """The numpy Generator behind ember's default generator, looked up on every call.

    Looking it up each time (instead of caching it) is what lets ``ember.manual_seed``, which
    replaces the generator's state, make later draws reproducible.
    """
    return _random.rng()


def uniform(low, high):
    """One float drawn uniformly from [low, high) with ember's generator."""
    return float(rng().uniform(low, high))


def randint(low, high):
    """One int drawn uniformly from [low, high) with ember's generator."""
    return int(rng().integers(low, high))


def check_tensor_image(img, min_ndim=2):
    """Raise TypeError unless `img` is a Tensor whose rank allows an image layout."""
    if not is_tensor(img):
        raise TypeError(f"img should be a Tensor image, got {type(img).__name__}")
    if img._data.ndim < min_ndim:
        layout = "(..., C, H, W)" if min_ndim >= 3 else "(..., C, H, W) or (H, W)"
        raise TypeError(
            f"Tensor is not an image: expected shape {layout}, got a tensor of shape "
            f"{tuple(img._data.shape)}"
        )
    return img._data


def check_image(img):
    """Raise TypeError unless `img` is a PIL image or an image tensor."""
    if is_pil(img):
        return
    if is_tensor(img):
        check_tensor_image(img)
        return
    raise TypeError(f"img should be a PIL Image or a Tensor, got {type(img).__name__}")


def get_dimensions(img):
    """[channels, height, width] of a PIL image or an image tensor."""
    if is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    check_image(img)
    shape = img._data.shape
    channels = 1 if len(shape) == 2 else shape[-3]
    return [channels, shape[-2], shape[-1]]


def max_value(np_dtype):
    """The value that means 'full intensity' for images of this dtype (1.0 for floats)."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind == "f":
        return 1.0
    if np_dtype.kind == "b":
        return 1
    return int(np.iinfo(np_dtype).max)


class InterpolationMode(Enum):
    """Interpolation methods for resizing and rotating; the values are the mode names."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's integer resampling constants, as torchvision maps them.
_FROM_PIL = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
             3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
             5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
PIL_MODES = {InterpolationMode.NEAREST: Image.Resampling.NEAREST,
             InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
             InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
             InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
             InterpolationMode.BOX: Image.Resampling.BOX,
             InterpolationMode.HAMMING: Image.Resampling.HAMMING,
             InterpolationMode.LANCZOS: Image.Resampling.LANCZOS}


def to_interpolation(mode):
    """An InterpolationMode from a mode, a Pillow constant or a mode name."""
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, numbers.Integral) and not isinstance(mode, bool):
        if int(mode) in _FROM_PIL:
            return _FROM_PIL[int(mode)]
    elif isinstance(mode, str):
        try:
            return InterpolationMode(mode)
        except ValueError:
            pass
    names = ", ".join(m.value for m in InterpolationMode)
    raise TypeError(f"interpolation should be an InterpolationMode (one of {names}), got {mode!r}")


def setup_size(size, name="size"):
    """Turn an int or a 1- or 2-sequence into (h, w), rejecting sizes that are not positive."""
    if isinstance(size, numbers.Number) and not isinstance(size, bool):
        out = (int(size), int(size))
    elif isinstance(size, Sequence) and len(size) == 1:
        out = (size[0], size[0])
    elif isinstance(size, Sequence) and len(size) == 2:
        out = size
    else:
        raise ValueError(f"{name} should be an int or a sequence of 1 or 2 ints (h, w), "
                         f"got {size!r}")
    check_positive(out, name)
    return out


def check_positive(values, name):
    """Raise ValueError unless every value is a positive integer."""
    for v in values:
        if not isinstance(v, numbers.Integral) or isinstance(v, bool) or v <= 0:
            raise ValueError(f"{name} must contain positive integers, got {values!r}")


def check_range_pair(value, name):
    """Check that `value` is a 2-sequence (min, max) of numbers."""
    if not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} should be a sequence of two numbers (min, max), got {value!r}")
