"""Normalize: per-channel standardisation of float tensor images."""

from . import functional as F
from .core import Transform


class Normalize(Transform):
    """(x - mean[c]) / std[c] for each channel c of a (..., C, H, W) float tensor."""

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    forward = __call__

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"
