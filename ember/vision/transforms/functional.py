"""Functional forms of the transforms (``torchvision.transforms.functional`` on ember).

Each function takes a PIL image or an ember Tensor image of shape (..., C, H, W) and returns
the same kind: PIL images are handled by Pillow, tensors by whole-array numpy/cupy code.
"""

import numbers
import warnings
from collections.abc import Sequence

from . import _array_color, _array_geometry, _pil
from ._conversion import convert_image_dtype, pil_to_tensor, to_pil_image, to_tensor
from ._image import (
    InterpolationMode,
    check_image,
    check_positive,
    check_tensor_image,
    get_dimensions,
    is_pil,
    is_tensor,
    to_interpolation,
    wrap,
)

__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
    "to_tensor", "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize",
    "resize", "pad", "crop", "center_crop", "resized_crop", "hflip", "vflip", "rotate",
    "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
    "rgb_to_grayscale", "to_grayscale", "erase",
]


def get_image_size(img):
    """[width, height] of an image."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    """The number of channels of an image."""
    return get_dimensions(img)[0]


def _as_values(v):
    return v._data if is_tensor(v) else v


def normalize(tensor, mean, std, inplace=False):
    """Normalize a float tensor image per channel: (x - mean) / std."""
    if not is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    x = tensor._data
    if x.dtype.kind != "f":
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if x.ndim < 3:
        raise ValueError(
            f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
            f"{tuple(x.shape)}"
        )
    out = _array_color.normalize(x, _as_values(mean), _as_values(std), inplace)
    if inplace:
        tensor._bump()
        return tensor
    return wrap(out)


# ----------------------------------------------------------------------------- geometry
def _resized_size(h, w, size, max_size):
    """(new_h, new_w) for Resize's size rule: an int matches the shorter edge."""
    short, long = (w, h) if w <= h else (h, w)
    if size is None:
        if not isinstance(max_size, numbers.Integral):
            raise ValueError(f"max_size must be an integer when size is None, got {max_size!r}")
        new_short, new_long = int(max_size * short / long), max_size
    elif len(size) == 1:
        requested = size[0]
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(
                    f"max_size = {max_size} must be strictly greater than the requested size "
                    f"for the smaller edge size = {size}"
                )
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
    else:
        return [size[0], size[1]]
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def _check_resize_size(size, max_size):
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = [size]
    elif size is not None and not (isinstance(size, Sequence) and len(size) in (1, 2)):
        raise TypeError(f"size should be an int or a sequence of 1 or 2 ints, got {size!r}")
    if size is not None:
        check_positive(list(size), "size")
        if max_size is not None and len(size) != 1:
            raise ValueError(
                "max_size should only be passed if size specifies the length of the smaller "
                f"edge, i.e. size should be an int or a sequence of length 1, got {size!r}"
            )
    return size


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to `size` ((h, w), or an int that the shorter edge is matched to)."""
    interpolation = to_interpolation(interpolation)
    size = _check_resize_size(size, max_size)
    _, h, w = get_dimensions(img)
    out_size = _resized_size(h, w, size, max_size)
    if out_size == [h, w]:
        return img
    if is_pil(img):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                          "antialias is ignored.", stacklevel=2)
        return _pil.resize(img, out_size, interpolation)
    antialias = antialias not in (False, None)
    return wrap(_array_geometry.resize(img._data, out_size, interpolation, antialias))


def _padding_ltrb(padding):
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        return [padding] * 4
    if not isinstance(padding, (tuple, list)):
        raise TypeError(f"padding should be an int or a tuple/list of ints, got {padding!r}")
    if any(not isinstance(p, numbers.Integral) for p in padding):
        raise TypeError(f"padding should contain ints, got {padding!r}")
    if len(padding) == 1:
        return list(padding) * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    if len(padding) == 4:
        return list(padding)
    raise ValueError(
        f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element "
        "tuple"
    )


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad every side: padding is an int, (left/right, top/bottom) or (left, top, right, bottom)."""
    ltrb = _padding_ltrb(padding)
    _array_geometry.check_pad_mode(padding_mode)
    check_image(img)
    if is_pil(img):
        return _pil.pad(img, ltrb, fill, padding_mode)
    return wrap(_array_geometry.pad(img._data, ltrb, fill, padding_mode))


def crop(img, top, left, height, width):
    """The (height, width) region whose top-left corner is (top, left); outside is zero."""
    if height < 0 or width < 0:
        raise ValueError(f"crop height and width must not be negative, got {(height, width)}")
    check_image(img)
    if is_pil(img):
        return _pil.crop(img, top, left, height, width)
    return wrap(_array_geometry.crop(img._data, top, left, height, width))


def center_crop(img, output_size):
    """The central (h, w) region; an image smaller than that is zero-padded first."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    check_positive(list(output_size), "output_size")
    _, h, w = get_dimensions(img)
    ch, cw = output_size
    if cw > w or ch > h:
        ltrb = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if (cw, ch) == (w, h):
            return img
    # Python's round (half to even) is what decides the odd-pixel side, as in torchvision.
    return crop(img, int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0)), ch, cw)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    """Crop, then resize the crop to `size`."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Mirror left to right."""
    check_image(img)
    if is_pil(img):
        return _pil.hflip(img)
    return wrap(_array_geometry.hflip(img._data))


def vflip(img):
    """Mirror top to bottom."""
    check_image(img)
    if is_pil(img):
        return _pil.vflip(img)
    return wrap(_array_geometry.vflip(img._data))


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate counter-clockwise by `angle` degrees about `center` (default: the image centre)."""
    if not isinstance(angle, numbers.Real):
        raise TypeError(f"Argument angle should be int or float, got {type(angle).__name__}")
    if center is not None and (not isinstance(center, Sequence) or len(center) != 2):
        raise ValueError(f"Argument center should be a sequence of length 2, got {center!r}")
    interpolation = to_interpolation(interpolation)
    check_image(img)
    if is_pil(img):
        return _pil.rotate(img, angle, interpolation, expand, center, fill)
    return wrap(_array_geometry.rotate(img._data, float(angle), interpolation, expand, center,
                                       fill))


# ----------------------------------------------------------------------------- colour
def _color_input(img):
    check_image(img)
    if is_pil(img):
        return None
    return check_tensor_image(img, min_ndim=3)


def _check_factor(value, name):
    if value < 0:
        raise ValueError(f"{name} ({value}) is not non-negative.")


def adjust_brightness(img, brightness_factor):
    """Multiply intensities by brightness_factor (0 gives black, 1 the original)."""
    _check_factor(brightness_factor, "brightness_factor")
    x = _color_input(img)
    if x is None:
        return _pil.adjust_brightness(img, brightness_factor)
    return wrap(_array_color.adjust_brightness(x, float(brightness_factor)))


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey (0 gives solid grey, 1 the original)."""
    _check_factor(contrast_factor, "contrast_factor")
    x = _color_input(img)
    if x is None:
        return _pil.adjust_contrast(img, contrast_factor)
    return wrap(_array_color.adjust_contrast(x, float(contrast_factor)))


def adjust_saturation(img, saturation_factor):
    """Blend with the grayscale image (0 gives grey, 1 the original)."""
    _check_factor(saturation_factor, "saturation_factor")
    x = _color_input(img)
    if x is None:
        return _pil.adjust_saturation(img, saturation_factor)
    return wrap(_array_color.adjust_saturation(x, float(saturation_factor)))


def adjust_hue(img, hue_factor):
    """Rotate the hue by hue_factor turns, hue_factor in [-0.5, 0.5]."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    x = _color_input(img)
    if x is None:
        return _pil.adjust_hue(img, hue_factor)
    return wrap(_array_color.adjust_hue(x, float(hue_factor)))


def rgb_to_grayscale(img, num_output_channels=1):
    """Convert to grayscale with 1 or 3 (equal) output channels."""
    x = _color_input(img)
    if x is None:
        return _pil.to_grayscale(img, num_output_channels)
    return wrap(_array_color.grayscale(x, num_output_channels))


def to_grayscale(img, num_output_channels=1):
    """Convert a PIL image to grayscale (Pillow's 'L' conversion)."""
    if not is_pil(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")
    return _pil.to_grayscale(img, num_output_channels)


def erase(img, i, j, h, w, v, inplace=False):
    """Overwrite the (h, w) region at (i, j) of a tensor image with `v`."""
    if not is_tensor(img):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    out = _array_color.erase(img._data, i, j, h, w, _as_values(v), inplace)
    if inplace:
        img._bump()
        return img
    return wrap(out)
