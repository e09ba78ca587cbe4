"""Optimizer: the base class of every ember optimizer, with PyTorch's contract.

``param_groups`` is a list of dicts (the parameters plus per-group options, defaults filled in);
``state`` maps each parameter to a dict of its buffers. Subclasses implement ``step`` on the raw
arrays (``p._data``) with ufunc ``out=`` arguments, outside the autograd graph, borrowing
temporaries from a small per-optimizer workspace so a step allocates nothing once warm.
"""

import copy
import warnings
from collections import defaultdict
from itertools import chain

import numpy as np

from .. import backend
from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks an option that every parameter group must set (no default)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__name__


def real_view(a):
    """View a complex array as real with a trailing axis of 2 (``view_as_real``); else `a`."""
    if a.dtype.kind == "c":
        return a[..., None].view(a.real.dtype)
    return a


class _Workspace:
    """Scratch arrays for the update math, shared by all parameters of one dtype and device.

    Parameters are updated one after another, so one flat buffer per (device, dtype, slot),
    sized for the largest parameter, is enough; each parameter keeps cached views into it.
    """

    def __init__(self, slots):
        self.slots = slots
        self.pools = {}  # (array type, device id, dtype) -> list of flat arrays
        self.views = {}  # param -> (the param array the views were made for, tuple of views)

    def get(self, p, data):
        """Scratch views shaped like `data` (its real view when complex)."""
        hit = self.views.get(p)
        if hit is not None and hit[0] is data:
            return hit[1]
        return self._build(p, data)

    def _build(self, p, data):
        real = real_view(data)
        xp = backend.array_module(real)
        dev = None if xp is np else int(real.device.id)
        key = (xp, dev, real.dtype)
        pool = self.pools.get(key)
        if pool is None or pool[0].size < real.size:
            if dev is None:
                pool = [np.empty(real.size, real.dtype) for _ in range(self.slots)]
            else:
                with xp.cuda.Device(dev):
                    pool = [xp.empty(real.size, real.dtype) for _ in range(self.slots)]
            self.pools[key] = pool
            # Views into the old, smaller pool would pin it in memory: rebuild lazily.
            self.views.clear()
        views = tuple(flat[:real.size].reshape(real.shape) for flat in pool)
        self.views[p] = (data, views)
        return views


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of (name, Tensor) pairs, or of dicts defining
            parameter groups (each with a "params" entry and optional per-group options).
        defaults: the default value of every option, used where a group does not set it.
    """

    _scratch_slots = 2
    # Built-in optimizers record that step() ran, so a scheduler can warn when it is
    # stepped first; a user subclass that does not record it is never warned about.
    _tracks_steps = False
    _opt_called = False

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_typename(params)}"
            )
        self.state = defaultdict(dict)
        self.param_groups = []
        self._workspace = _Workspace(self._scratch_slots)
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters (with its own options) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for item in params:
            if isinstance(item, tuple):
                names.append(item[0])
                tensors.append(item[1])
            else:
                tensors.append(item)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}"
                )
            if not self.defaults.get("differentiable", None) and not (
                p.is_leaf or p.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    f"{name}"
                )
            param_group.setdefault(name, default)
        self._check_group(param_group)
        if len(tensors) != len(set(tensors)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error",
                stacklevel=3,
            )
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _check_group(self, group):
        """Validate one group's options (subclasses raise ValueError on bad values)."""

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default, as PyTorch 2.x)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g._requires_grad = False
                    g._data.fill(0)
                    g._bump()

    def step(self, closure=None):
        """Perform one optimization step (implemented by each algorithm)."""
        raise NotImplementedError

    @staticmethod
    def _eval_closure(closure):
        """Re-evaluate the model through `closure` with grad mode on; return its loss."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ------------------------------------------------------------------ state dicts
    def state_dict(self):
        """The optimizer's state: per-parameter state keyed by integer ids, and the groups.

        As in PyTorch, the tensors in the result are the live state (not copies).
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a state from ``state_dict()``: tensors are copied to each parameter's device
        (and dtype, for floating parameters)."""
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, s in zip(groups, saved_groups):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group (saved {len(s['params'])} parameters, optimizer has "
                    f"{len(g['params'])})"
                )
        id_map = dict(zip(chain.from_iterable(s["params"] for s in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast_state(param, value)
            else:
                state[key] = value
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            for name, default in self.defaults.items():
                s.setdefault(name, default)
        self.state = state
        self.param_groups = saved_groups
        self._workspace = _Workspace(self._scratch_slots)

    # ------------------------------------------------------------------ display
    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._workspace = _Workspace(self._scratch_slots)


def _cast_state(param, value, key=None):
    """A deep copy of one parameter's state, tensors moved to the parameter's device and,
    for floating parameters, cast to its dtype ('step' counters stay plain numbers)."""
    if isinstance(value, Tensor):
        if key == "step":
            return float(value.item())
        arr = value._data
        target = param._data
        if target.dtype.kind in "fc" and arr.dtype != target.dtype:
            arr = arr.astype(target.dtype)
        moved = backend.to_device(arr, backend.device_of(target))
        if moved is value._data:
            moved = moved.copy()
        return Tensor._make(moved)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


def zeros_state(d):
    """A new zero state tensor shaped like the parameter array `d`, on its device."""
    return Tensor._make(backend.array_module(d).zeros_like(d))
