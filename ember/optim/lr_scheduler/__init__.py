"""Learning-rate schedulers with torch.optim.lr_scheduler's API and arithmetic.

Each scheduler rewrites ``group["lr"]`` of its optimizer on ``step()``. Most use the same
recursive ("chainable") formulas as PyTorch, so that learning-rate sequences agree to the last
bit and several schedulers can act on one optimizer in turn.
"""

from .base import EPOCH_DEPRECATION_WARNING, LRScheduler, _LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR, OneCycleLR
from .plateau import ReduceLROnPlateau
from .simple import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR",
           "LinearLR", "ExponentialLR", "SequentialLR", "PolynomialLR", "CosineAnnealingLR",
           "ChainedScheduler", "ReduceLROnPlateau", "OneCycleLR", "CyclicLR",
           "CosineAnnealingWarmRestarts"]

