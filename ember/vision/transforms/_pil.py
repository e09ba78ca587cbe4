"""Image operations on PIL images, done by Pillow itself wherever it has the operation."""

import numbers

import numpy as np
from PIL import Image, ImageEnhance

from ._image import PIL_MODES


def parse_fill(fill, img, name="fill"):
    """A fill value in the form Pillow expects for this image's mode (int or per-band tuple)."""
    bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, numbers.Number) and bands > 1:
        fill = (fill,) * bands
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * bands
        if len(fill) != bands:
            raise ValueError(
                f"The number of elements in '{name}' does not match the number of bands of "
                f"the image ({len(fill)} != {bands})"
            )
        fill = tuple(fill)
        if bands == 1:
            fill = fill[0]
    if img.mode != "F":
        fill = tuple(int(v) for v in fill) if isinstance(fill, tuple) else int(fill)
    return fill


def from_array(arr, mode):
    """A PIL image of `mode` holding the (H, W) or (H, W, bands) array `arr`."""
    out = Image.fromarray(np.ascontiguousarray(arr))
    if out.mode != mode:
        out = Image.frombytes(mode, (arr.shape[1], arr.shape[0]), arr.tobytes())
    return out


def crop(img, top, left, height, width):
    """Pillow's crop (areas outside the image come back as zeros)."""
    return img.crop((left, top, left + width, top + height))


def pad(img, ltrb, fill, mode):
    """Pad by (left, top, right, bottom); negative amounts crop."""
    left, top, right, bottom = (int(p) for p in ltrb)
    if min(left, top, right, bottom) < 0:
        img = img.crop((max(-left, 0), max(-top, 0),
                        img.width - max(-right, 0), img.height - max(-bottom, 0)))
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    palette = img.getpalette() if img.mode == "P" else None
    if mode == "constant":
        out = Image.new(img.mode, (img.width + left + right, img.height + top + bottom),
                        parse_fill(fill, img))
        out.paste(img, (left, top))
    else:
        arr = np.asarray(img)
        widths = [(top, bottom), (left, right)] + [(0, 0)] * (arr.ndim - 2)
        if mode == "reflect" and (top >= img.height or bottom >= img.height
                                  or left >= img.width or right >= img.width):
            raise ValueError(
                f"reflect padding must be smaller than the image: got padding "
                f"{(left, top, right, bottom)} for an image of size {img.size}"
            )
        out = from_array(np.pad(arr, widths, mode=mode), img.mode)
    if palette is not None:
        out.putpalette(palette)
    return out


def resize(img, size, interpolation):
    """Pillow's resize to (h, w)."""
    h, w = size
    return img.resize((w, h), PIL_MODES[interpolation])


def hflip(img):
    """Mirror left to right."""
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    """Mirror top to bottom."""
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def rotate(img, angle, interpolation, expand, center, fill):
    """Pillow's rotate (counter-clockwise degrees)."""
    return img.rotate(angle, PIL_MODES[interpolation], expand, center,
                      fillcolor=parse_fill(fill, img))


def adjust_brightness(img, factor):
    """Pillow's brightness enhancer."""
    return ImageEnhance.Brightness(img).enhance(factor)


def adjust_contrast(img, factor):
    """Pillow's contrast enhancer."""
    return ImageEnhance.Contrast(img).enhance(factor)


def adjust_saturation(img, factor):
    """Pillow's colour (saturation) enhancer."""
    return ImageEnhance.Color(img).enhance(factor)


def adjust_hue(img, factor):
    """Shift the hue channel of Pillow's 8-bit HSV; modes without colour pass through."""
    if img.mode in ("L", "1", "I", "F", "I;16"):
        return img
    mode = img.mode
    h, s, v = img.convert("HSV").split()
    # The hue byte wraps around, which is exactly a rotation of the colour wheel.
    shift = np.uint8(int(factor * 255) % 256)
    h = Image.fromarray(np.asarray(h, dtype=np.uint8) + shift, "L")
    return Image.merge("HSV", (h, s, v)).convert(mode)


def to_grayscale(img, num_output_channels):
    """Pillow's 'L' conversion, repeated into three bands when asked."""
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels should be 1 or 3, got {num_output_channels}")
    gray = img.convert("L")
    if num_output_channels == 3:
        gray = Image.merge("RGB", (gray, gray, gray))
    return gray
