"""ember.vision: torchvision's datasets, transforms, utils and models for ember."""

from . import datasets, models, transforms, utils
