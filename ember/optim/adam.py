"""Adam: adaptive moment estimation (with optional AMSGrad and decoupled weight decay)."""

import numpy as np

from .optimizer import Optimizer, real_view, zeros_state

_add = np.add
_sub = np.subtract
_mul = np.multiply
_div = np.divide
_sqrt = np.sqrt


def lerp_(start, end, weight, tmp):
    """``start += weight * (end - start)`` in place, in PyTorch's two-branch form for accuracy.

    `weight` must already be a scalar of the arrays' dtype; `tmp` is scratch like `start`.
    """
    _sub(end, start, out=tmp)
    if abs(weight) < 0.5:
        _add(start, _mul(tmp, weight, out=tmp), out=start)
    else:
        _sub(end, _mul(tmp, 1 - weight, out=tmp), out=start)


def effective_grad(grad, d, wd, maximize, out):
    """The gradient the update uses: negated for maximize, plus ``wd * param`` (L2 decay)."""
    if wd:
        _mul(d, wd, out=out)
        if maximize:
            return _sub(out, grad, out=out)
        return _add(grad, out, out=out)
    if maximize:
        return np.negative(grad, out=out)
    return grad


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (``decoupled_weight_decay=True`` gives AdamW)."""

    _tracks_steps = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        betas = tuple(float(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss, if any."""
        loss = self._eval_closure(closure) if closure is not None else None
        self._opt_called = True
        scratch = self._workspace.get
        state = self.state
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = group["betas"]
            beta1, beta2 = float(beta1), float(beta2)
            eps = group["eps"]
            wd = group["weight_decay"]
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            decay = 1 - lr * wd
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                d = p._data
                st = state[p]
                if not st:
                    _init_state(st, d, amsgrad)
                a, b = scratch(p, d)
                step = st["step"] + 1
                st["step"] = step
                gd = g._data
                m = st["exp_avg"]._data
                v = st["exp_avg_sq"]._data
                vmax = st["max_exp_avg_sq"]._data if amsgrad else None
                if d.dtype.kind == "c":
                    d, gd, m, v = real_view(d), real_view(gd), real_view(m), real_view(v)
                    vmax = real_view(vmax) if amsgrad else None
                if wd and decoupled:
                    _mul(d, decay, out=d)
                    grad = effective_grad(gd, d, 0, maximize, a)
                else:
                    grad = effective_grad(gd, d, wd, maximize, a)
                lerp_(m, grad, m.dtype.type(1 - beta1), b)
                _mul(v, beta2, out=v)
                _add(v, _mul(_mul(grad, 1 - beta2, out=b), grad, out=b), out=v)
                step_size = lr / (1 - beta1 ** step)
                bc2_sqrt = (1 - beta2 ** step) ** 0.5
                if amsgrad:
                    v = np.maximum(vmax, v, out=vmax)
                # denom = sqrt(v) / sqrt(bias_correction2) + eps; then p += -step_size * m / denom
                _add(_div(_sqrt(v, out=b), bc2_sqrt, out=b), eps, out=b)
                _add(d, _div(_mul(m, -step_size, out=a), b, out=a), out=d)
                p._bump()
        return loss


def _init_state(st, d, amsgrad):
    st["step"] = 0.0
    st["exp_avg"] = zeros_state(d)
    st["exp_avg_sq"] = zeros_state(d)
    if amsgrad:
        st["max_exp_avg_sq"] = zeros_state(d)
