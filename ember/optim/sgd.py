"""SGD: stochastic gradient descent with optional momentum, dampening, Nesterov and decay."""

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer

_add = np.add
_mul = np.multiply
_neg = np.negative


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    The update follows PyTorch's single-tensor implementation operation by operation, so
    float32 trajectories agree with PyTorch's to rounding.
    """

    _tracks_steps = True

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss, if any."""
        loss = self._eval_closure(closure) if closure is not None else None
        self._opt_called = True
        scratch = self._workspace.get
        state = self.state
        for group in self.param_groups:
            neg_lr = -float(group["lr"])
            momentum = group["momentum"]
            wd = group["weight_decay"]
            maximize = group["maximize"]
            nesterov = group["nesterov"]
            keep = 1 - group["dampening"]
            plain = not (momentum or wd or maximize)
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                d = p._data
                if plain:
                    tmp = scratch(p, d)[0]
                    _add(d, _mul(g._data, neg_lr, out=tmp), out=d)
                    p._bump()
                    continue
                a, b = scratch(p, d)
                grad = g._data
                # effective gradient: -g for maximize, plus weight_decay * p
                if wd:
                    _mul(d, wd, out=a)
                    if maximize:
                        np.subtract(a, grad, out=a)
                    else:
                        _add(grad, a, out=a)
                    grad = a
                elif maximize:
                    grad = _neg(grad, out=a)
                if momentum:
                    st = state[p]
                    buf_t = st.get("momentum_buffer")
                    if buf_t is None:
                        buf = grad.copy()
                        st["momentum_buffer"] = Tensor._make(buf)
                    else:
                        buf = buf_t._data
                        _mul(buf, momentum, out=buf)
                        if keep == 1:
                            _add(buf, grad, out=buf)
                        else:
                            _add(buf, _mul(grad, keep, out=b), out=buf)
                    if nesterov:
                        grad = _add(grad, _mul(buf, momentum, out=b), out=b)
                    else:
                        grad = buf
                _add(d, _mul(grad, neg_lr, out=b), out=d)
                p._bump()
        return loss
