"""Image transforms (``torchvision.transforms`` on ember): classes here, functions in
``ember.vision.transforms.functional``. Random transforms draw from ember's default generator,
so ``ember.manual_seed`` makes them reproducible."""

from . import functional
from ._image import InterpolationMode
from .color import ColorJitter, Grayscale, RandomGrayscale
from .conversion import ConvertImageDtype, PILToTensor, ToPILImage, ToTensor
from .core import Compose, Lambda
from .erasing import RandomErasing
from .geometry import (
    CenterCrop,
    Pad,
    RandomCrop,
    RandomHorizontalFlip,
    RandomResizedCrop,
    RandomRotation,
    RandomVerticalFlip,
    Resize,
)
from .normalize import Normalize

__all__ = [
    "functional", "InterpolationMode", "Compose", "Lambda", "ToTensor", "PILToTensor",
    "ToPILImage", "ConvertImageDtype", "Normalize", "Resize", "CenterCrop", "Pad", "RandomCrop",
    "RandomHorizontalFlip", "RandomVerticalFlip", "RandomResizedCrop", "RandomRotation",
    "ColorJitter", "Grayscale", "RandomGrayscale", "RandomErasing",
]
