"""Conversion transforms: ToTensor, PILToTensor, ToPILImage, ConvertImageDtype."""

from ... import dtypes
from . import _conversion
from .core import Transform


class ToTensor(Transform):
    """PIL image or (H, W, C) ndarray -> (C, H, W) float tensor, uint8 scaled to [0, 1]."""

    def __call__(self, pic):
        return _conversion.to_tensor(pic)

    forward = __call__


class PILToTensor(Transform):
    """PIL image -> (C, H, W) tensor of the image's integer type, without scaling."""

    def __call__(self, pic):
        return _conversion.pil_to_tensor(pic)

    forward = __call__


class ToPILImage(Transform):
    """(C, H, W) tensor or (H, W, C) ndarray -> PIL image (mode inferred when None)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return _conversion.to_pil_image(pic, self.mode)

    forward = __call__

    def __repr__(self):
        detail = "" if self.mode is None else f"mode={self.mode}"
        return f"{type(self).__name__}({detail})"


class ConvertImageDtype(Transform):
    """Convert a tensor image to `dtype`, rescaling its values to the new range."""

    def __init__(self, dtype):
        self.dtype = dtypes.to_dtype(dtype)

    def forward(self, image):
        """Convert `image`."""
        return _conversion.convert_image_dtype(image, self.dtype)
