"""Geometric transforms: resizing, cropping, padding, flipping and rotating."""

import math
import numbers
import warnings
from collections.abc import Sequence

from . import functional as F
from ._array_geometry import check_pad_mode
from ._image import (
    InterpolationMode,
    check_range_pair,
    get_dimensions,
    is_pil,
    randint,
    rng,
    setup_size,
    to_interpolation,
    uniform,
)
from .core import Transform


class Resize(Transform):
    """Resize to `size`: (h, w), or an int that the shorter edge is matched to."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True):
        if not isinstance(size, (numbers.Integral, Sequence)) or isinstance(size, (bool, str)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError(f"If size is a sequence, it should have 1 or 2 values, got {size!r}")
        F._check_resize_size(size, max_size)
        self.size = size
        self.max_size = max_size
        self.interpolation = to_interpolation(interpolation)
        self.antialias = antialias

    def forward(self, img):
        """Resize `img`."""
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f"{type(self).__name__}(size={self.size}, "
                f"interpolation={self.interpolation.value}, max_size={self.max_size}, "
                f"antialias={self.antialias})")


class CenterCrop(Transform):
    """Crop the central (h, w) region (zero-padding an image that is too small)."""

    def __init__(self, size):
        self.size = setup_size(size)

    def forward(self, img):
        """Crop `img`."""
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size})"


def _check_padding(padding, fill, padding_mode):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError(f"Got inappropriate padding arg: {padding!r}")
    if not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError(f"Got inappropriate fill arg: {fill!r}")
    check_pad_mode(padding_mode)
    if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
        raise ValueError(
            f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} "
            "element tuple"
        )


class Pad(Transform):
    """Pad every side of the image (constant, edge, reflect or symmetric)."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        _check_padding(padding, fill, padding_mode)
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        """Pad `img`."""
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return (f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, "
                f"padding_mode={self.padding_mode})")


class RandomCrop(Transform):
    """Crop a random (h, w) region, optionally padding the image first."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = tuple(setup_size(size))
        if padding is not None:
            _check_padding(padding, fill, padding_mode)
        else:
            check_pad_mode(padding_mode)
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img, output_size):
        """A random (top, left, h, w) crop of `output_size` inside `img`."""
        _, h, w = get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(
                f"Required crop size {(th, tw)} is larger than input image size {(h, w)}"
            )
        if w == tw and h == th:
            return 0, 0, h, w
        return randint(0, h - th + 1), randint(0, w - tw + 1), th, tw

    def forward(self, img):
        """Pad (as configured) and crop `img`."""
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


def _check_probability(p):
    if not 0 <= p <= 1:
        raise ValueError(f"probability p should be in [0, 1], got {p}")


class RandomHorizontalFlip(Transform):
    """Mirror left to right with probability p."""

    def __init__(self, p=0.5):
        _check_probability(p)
        self.p = p

    def forward(self, img):
        """Maybe flip `img`."""
        if rng().random() < self.p:
            return F.hflip(img)
        return img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top to bottom with probability p."""

    def forward(self, img):
        """Maybe flip `img`."""
        if rng().random() < self.p:
            return F.vflip(img)
        return img


class RandomResizedCrop(Transform):
    """Crop a random area and aspect ratio, then resize it to `size`."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        self.size = setup_size(size)
        check_range_pair(scale, "scale")
        check_range_pair(ratio, "ratio")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if scale[0] < 0 or ratio[0] <= 0:
            raise ValueError(f"scale must be >= 0 and ratio > 0, got scale={scale}, "
                             f"ratio={ratio}")
        self.interpolation = to_interpolation(interpolation)
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio):
        """A random (top, left, h, w) crop with area fraction in `scale`, aspect in `ratio`."""
        _, height, width = get_dimensions(img)
        area = height * width
        log_lo, log_hi = math.log(ratio[0]), math.log(ratio[1])
        for _ in range(10):
            target_area = area * uniform(scale[0], scale[1])
            aspect = math.exp(uniform(log_lo, log_hi))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return randint(0, height - h + 1), randint(0, width - w + 1), h, w
        # Ten misses: fall back to the largest central crop whose ratio is in range.
        in_ratio = width / height
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        """Crop and resize `img`."""
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation,
                              antialias=self.antialias)

    def __repr__(self):
        scale = tuple(round(s, 4) for s in self.scale)
        ratio = tuple(round(r, 4) for r in self.ratio)
        return (f"{type(self).__name__}(size={self.size}, scale={scale}, ratio={ratio}, "
                f"interpolation={self.interpolation.value}, antialias={self.antialias})")


class RandomRotation(Transform):
    """Rotate by an angle drawn uniformly from `degrees` ((min, max), or d for (-d, d))."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False,
                 center=None, fill=0):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError(f"If degrees is a single number, it must be positive, "
                                 f"got {degrees}")
            degrees = [-degrees, degrees]
        elif not isinstance(degrees, Sequence) or len(degrees) != 2:
            raise TypeError(f"degrees should be a number or a sequence of 2 numbers, "
                            f"got {degrees!r}")
        self.degrees = [float(d) for d in degrees]
        if center is not None and (not isinstance(center, Sequence) or len(center) != 2):
            raise ValueError(f"center should be a sequence of length 2, got {center!r}")
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError(f"Fill should be either a sequence or a number, got {fill!r}")
        self.interpolation = to_interpolation(interpolation)
        self.expand = expand
        self.center = center
        self.fill = fill

    @staticmethod
    def get_params(degrees):
        """A random angle in [degrees[0], degrees[1])."""
        return uniform(float(degrees[0]), float(degrees[1]))

    def forward(self, img):
        """Rotate `img` by a random angle."""
        fill = self.fill
        if not is_pil(img):
            channels = get_dimensions(img)[0]
            fill = ([float(fill)] * channels if isinstance(fill, numbers.Number)
                    else [float(f) for f in fill])
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self):
        out = (f"{type(self).__name__}(degrees={self.degrees}, "
               f"interpolation={self.interpolation.value}, expand={self.expand}")
        if self.center is not None:
            out += f", center={self.center}"
        if self.fill is not None:
            out += f", fill={self.fill}"
        return out + ")"
