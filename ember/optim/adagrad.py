"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

import numpy as np

from .. import backend
from ..tensor import Tensor
from .adam import effective_grad
from .optimizer import Optimizer, real_view

_add = np.add
_mul = np.multiply
_div = np.divide
_sqrt = np.sqrt


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad`` (state is created for every parameter up front)."""

    _tracks_steps = True

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                _init_state(self.state[p], p._data, group["initial_accumulator_value"])

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss, if any."""
        loss = self._eval_closure(closure) if closure is not None else None
        self._opt_called = True
        scratch = self._workspace.get
        state = self.state
        for group in self.param_groups:
            lr = float(group["lr"])
            lr_decay = group["lr_decay"]
            eps = group["eps"]
            wd = group["weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                d = p._data
                st = state[p]
                if not st:  # a parameter from a group added after construction
                    _init_state(st, d, group["initial_accumulator_value"])
                a, b = scratch(p, d)
                step = st["step"] + 1
                st["step"] = step
                gd = g._data
                total = st["sum"]._data
                if d.dtype.kind == "c":
                    d, gd, total = real_view(d), real_view(gd), real_view(total)
                grad = effective_grad(gd, d, wd, maximize, a)
                clr = lr / (1 + (step - 1) * lr_decay)
                _add(total, _mul(grad, grad, out=b), out=total)
                _add(_sqrt(total, out=b), eps, out=b)
                _add(d, _div(_mul(grad, -clr, out=a), b, out=a), out=d)
                p._bump()
        return loss


def _init_state(st, d, init_value):
    fill = complex(init_value, init_value) if d.dtype.kind == "c" else init_value
    st["step"] = 0.0
    st["sum"] = Tensor._make(backend.array_module(d).full_like(d, fill))
