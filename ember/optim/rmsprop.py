"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

import numpy as np

from .adam import effective_grad, lerp_
from .optimizer import Optimizer, real_view, zeros_state

_add = np.add
_mul = np.multiply
_div = np.divide
_sqrt = np.sqrt


class RMSprop(Optimizer):
    """RMSprop (optionally centered, with momentum), as ``torch.optim.RMSprop``."""

    _tracks_steps = True

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss, if any."""
        loss = self._eval_closure(closure) if closure is not None else None
        self._opt_called = True
        scratch = self._workspace.get
        state = self.state
        for group in self.param_groups:
            neg_lr = -float(group["lr"])
            alpha = group["alpha"]
            eps = group["eps"]
            wd = group["weight_decay"]
            momentum = group["momentum"]
            centered = group["centered"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                d = p._data
                st = state[p]
                if not st:
                    st["step"] = 0.0
                    st["square_avg"] = zeros_state(d)
                    if momentum > 0:
                        st["momentum_buffer"] = zeros_state(d)
                    if centered:
                        st["grad_avg"] = zeros_state(d)
                a, b = scratch(p, d)
                st["step"] += 1
                gd = g._data
                sq = st["square_avg"]._data
                if d.dtype.kind == "c":
                    d, gd, sq = real_view(d), real_view(gd), real_view(sq)
                grad = effective_grad(gd, d, wd, maximize, a)
                _mul(sq, alpha, out=sq)
                _add(sq, _mul(_mul(grad, 1 - alpha, out=b), grad, out=b), out=sq)
                if centered:
                    ga = real_view(st["grad_avg"]._data)
                    lerp_(ga, grad, ga.dtype.type(1 - alpha), b)
                    # avg = sqrt(square_avg - grad_avg**2)
                    _mul(np.negative(ga, out=b), ga, out=b)
                    avg = _sqrt(_add(sq, b, out=b), out=b)
                else:
                    avg = _sqrt(sq, out=b)
                _add(avg, eps, out=avg)
                if momentum > 0:
                    buf = real_view(st["momentum_buffer"]._data)
                    _mul(buf, momentum, out=buf)
                    _add(buf, _div(grad, avg, out=avg), out=buf)
                    _add(d, _mul(buf, neg_lr, out=b), out=d)
                else:
                    _add(d, _div(_mul(grad, neg_lr, out=a), avg, out=a), out=d)
                p._bump()
        return loss
