"""Define-by-run automatic differentiation (ember.autograd mirrors torch.autograd)."""

from .engine import backward, grad
from .function import Function, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck


def __getattr__(name):
    # Variable subclasses Tensor, which imports this package: load it on first use.
    if name == "Variable":
        from .variable import Variable

        return Variable
    raise AttributeError(f"module 'ember.autograd' has no attribute {name!r}")
