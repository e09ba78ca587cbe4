"""Hook plumbing for nn.Module: removable handles and the full backward hooks."""

import itertools
import weakref

from ..autograd.function import Op
from ..tensor import Tensor

_ids = itertools.count()


class RemovableHandle:
    """Returned by the register_*_hook methods; ``remove()`` unregisters the hook."""

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.id = next(_ids)
        self._refs = [weakref.ref(hooks_dict)]
        extras = extra_dict if isinstance(extra_dict, (list, tuple)) else [extra_dict]
        self._refs += [weakref.ref(d) for d in extras if d is not None]

    def remove(self):
        """Unregister the hook (a no-op when it is already gone)."""
        for ref in self._refs:
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class HookDict(dict):
    """A dict that weakref can point at (plain dicts cannot be weakly referenced)."""


class _Identity(Op):
    """Pass tensors through unchanged, calling `on_grad` with the gradients coming back."""

    @staticmethod
    def forward(ctx, on_grad, *arrays):
        ctx.on_grad = on_grad
        return arrays

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grad(grads))

    def name(self):
        """Named like PyTorch's node for module backward hooks."""
        return "BackwardHookFunctionBackward"


class BackwardHook:
    """Collects grad_output at a module's outputs and grad_input at its inputs for one call."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_output = None
        self.n_inputs = 0

    def setup_inputs(self, args):
        """Route the differentiable tensor arguments through an identity node."""
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        self.n_inputs = len(idx)
        if not idx:
            return args
        outs = _Identity.apply(self._on_input_grad, *[args[i] for i in idx])
        outs = outs if isinstance(outs, tuple) else (outs,)
        args = list(args)
        for i, t in zip(idx, outs):
            args[i] = t
        return tuple(args)

    def setup_outputs(self, result):
        """Route the outputs through an identity node that records grad_output."""
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple):
            return result
        idx = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not idx:
            return result
        new = _Identity.apply(self._on_output_grad, *[outs[i] for i in idx])
        new = new if isinstance(new, tuple) else (new,)
        outs = list(outs)
        for i, t in zip(idx, new):
            outs[i] = t
        return outs[0] if single else tuple(outs)

    def _tensors(self, grads):
        return tuple(None if g is None else Tensor._make(g) for g in grads)

    def _on_output_grad(self, grads):
        gout = self._tensors(grads)
        for hook in list(self.pre_hooks.values()):
            res = hook(self.module, gout)
            if res is not None:
                gout = tuple(res) if isinstance(res, (tuple, list)) else (res,)
        self.grad_output = gout
        if self.n_inputs == 0:
            for hook in list(self.hooks.values()):
                hook(self.module, (None,), gout)
        return tuple(None if g is None else g._data for g in gout)

    def _on_input_grad(self, grads):
        gin = self._tensors(grads)
        for hook in list(self.hooks.values()):
            res = hook(self.module, gin, self.grad_output)
            if res is not None:
                gin = tuple(res) if isinstance(res, (tuple, list)) else (res,)
        return tuple(None if g is None else g._data for g in gin)
