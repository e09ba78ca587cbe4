"""RandomErasing: blank out a random rectangle of a tensor image."""

import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np

from ...backend import array_module
from . import functional as F
from ._image import is_tensor, randint, rng, uniform
from .core import Transform


class RandomErasing(Transform):
    """With probability p, overwrite a random rectangle of a tensor image with `value`.

    value is a number, one number per channel, or 'random' for standard-normal noise.
    """

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError(f"If value is str, it should be 'random', got {value!r}")
        if not isinstance(scale, Sequence) or len(scale) != 2:
            raise TypeError(f"Scale should be a sequence of two numbers, got {scale!r}")
        if not isinstance(ratio, Sequence) or len(ratio) != 2:
            raise TypeError(f"Ratio should be a sequence of two numbers, got {ratio!r}")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError(f"Scale should be between 0 and 1, got {scale}")
        if ratio[0] <= 0:
            raise ValueError(f"Ratio should be positive, got {ratio}")
        if p < 0 or p > 1:
            raise ValueError(f"Random erasing probability should be between 0 and 1, got {p}")
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """(top, left, h, w, v) of a random rectangle and its contents (None = noise)."""
        x = img._data
        channels, height, width = x.shape[-3], x.shape[-2], x.shape[-1]
        area = height * width
        log_lo, log_hi = math.log(ratio[0]), math.log(ratio[1])
        for _ in range(10):
            erase_area = area * uniform(scale[0], scale[1])
            aspect = math.exp(uniform(log_lo, log_hi))
            h = int(round(math.sqrt(erase_area * aspect)))
            w = int(round(math.sqrt(erase_area / aspect)))
            if not (h < height and w < width):
                continue
            xp = array_module(x)
            if value is None:
                v = xp.asarray(rng().standard_normal((channels, h, w), dtype=np.float32))
            else:
                v = xp.asarray(value, dtype=np.float32)[:, None, None]
            return randint(0, height - h + 1), randint(0, width - w + 1), h, w, v
        # No rectangle fitted in ten tries: leave the image as it is.
        return 0, 0, height, width, x

    def forward(self, img):
        """Maybe erase a rectangle of `img`."""
        if not is_tensor(img):
            raise TypeError(f"RandomErasing needs a Tensor image, got {type(img).__name__}")
        if img._data.ndim < 3:
            raise TypeError(f"RandomErasing needs an image of shape (..., C, H, W), got shape "
                            f"{tuple(img._data.shape)}")
        if rng().random() >= self.p:
            return img
        if isinstance(self.value, numbers.Number):
            value = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = list(self.value)
        channels = img._data.shape[-3]
        if value is not None and len(value) not in (1, channels):
            raise ValueError(
                "If value is a sequence, it should have either a single value or "
                f"{channels} (number of input channels), got {len(value)}"
            )
        i, j, h, w, v = self.get_params(img, self.scale, self.ratio, value)
        return F.erase(img, i, j, h, w, v, self.inplace)

    def __repr__(self):
        return (f"{type(self).__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
                f"value={self.value}, inplace={self.inplace})")
