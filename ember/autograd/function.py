"""Graph nodes: Function (the base of every op and of user-defined autograd functions).

An op's ``ctx`` *is* its graph node: forward stores what backward needs on it, and the
engine later calls backward on it. Internal ops (``Op``) see raw arrays (numpy or cupy);
user subclasses of ``Function`` see Tensors, as in PyTorch.
"""

import weakref

import numpy as np

from .. import backend
from .grad_mode import STATE

Tensor = None  # bound by ember.tensor at import time (it sits below us in the staircase)


class Node:
    """A step of the recorded graph, with edges to the nodes that produced its inputs."""

    next_functions = ()
    _saved = None
    _saved_versions = None
    _released = False
    _tensor_hooks = None  # {output_nr: [hook, ...]} for hooks on non-leaf tensors
    _post_hooks = None
    _pre_hooks = None
    _n_outputs = 1
    _out_meta = None
    materialize_grads = True

    _raw = False
    # True while the engine may call backward directly: an internal op with one output and
    # no node hooks (hooks and multi-output metadata clear it on the instance)
    _plain = False

    def name(self):
        """The node's name, e.g. 'MulBackward0'."""
        return f"{type(self).__name__}Backward0"

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    @property
    def previous_functions(self):
        """The 0.x name of next_functions."""
        return self.next_functions

    def register_hook(self, hook):
        """Call hook(grad_inputs, grad_outputs) after this node's backward."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._plain = False
        self._post_hooks.append(hook)
        return _RemovableHandle(self._post_hooks, hook)

    def register_prehook(self, hook):
        """Call hook(grad_outputs) before this node's backward; it may return new grads."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._plain = False
        self._pre_hooks.append(hook)
        return _RemovableHandle(self._pre_hooks, hook)

    def _add_tensor_hook(self, output_nr, hook):
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        hooks = self._tensor_hooks.setdefault(output_nr, [])
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def _release(self):
        if self._saved is not None:
            self._saved = None
            self._released = True

    def _check_saved(self):
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        versions = self._saved_versions
        if versions:
            for i, (counter, version) in enumerate(versions):
                if counter is not None and counter[0] != version:
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been "
                        f"modified by an inplace operation: output {i} of {self.name()} is at "
                        f"version {counter[0]}; expected version {version} instead. Hint: do "
                        "not modify a tensor in place (ops ending in '_', slice assignment, "
                        "out=) while the graph still needs it, or .clone() it first."
                    )


class _RemovableHandle:
    """Returned by register_*hook; ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        """Unregister the hook (a no-op when already removed)."""
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class AccumulateGrad(Node):
    """The graph node of a leaf tensor: adds incoming gradients into ``leaf.grad``."""

    def __init__(self, leaf):
        self._leaf = weakref.ref(leaf)

    def name(self):
        """'AccumulateGrad', as in PyTorch."""
        return "AccumulateGrad"

    @property
    def variable(self):
        """The leaf tensor this node accumulates into."""
        return self._leaf()

    def accumulate(self, grad, owned=False):
        """Run the leaf's hooks, then add `grad` (an array) into its .grad.

        `owned` says that nothing else references `grad` (the engine checked its reference
        count), so a new .grad may take the array itself instead of a copy.
        """
        leaf = self._leaf()
        if leaf is None:
            return
        hooks = leaf._hooks
        if hooks:
            owned = False  # a hook may keep the tensor it was given
            for hook in list(hooks):
                result = hook(Tensor._make(grad))
                if result is not None:
                    grad = result._data
        data = leaf._data
        if grad.dtype != data.dtype:
            grad = grad.astype(data.dtype)
            owned = True  # a fresh array nobody else has seen
        if grad.shape != data.shape:
            xp = backend.array_module(grad)
            grad = xp.broadcast_to(grad, data.shape)
            owned = False
        if leaf.grad is None:
            # Otherwise copy: backward may hand the same array to several leaves, or a view.
            leaf.grad = Tensor._make(grad if owned else grad.copy())
        else:
            leaf.grad._data += grad


class Function(Node):
    """Base class for ops and for custom autograd functions.

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` and call
    ``MyFunction.apply(*args)``. User subclasses receive and return Tensors.
    """

    _raw = False  # True for internal ops: forward/backward see raw arrays
    _view = False  # True when output 0 is a view of input 0 (shares its version counter)

    def save_for_backward(self, *tensors):
        """Keep tensors (arrays for internal ops) for backward."""
        self._saved = tensors

    @property
    def saved_tensors(self):
        """The values given to save_for_backward, after checking nothing changed them."""
        self._check_saved()
        return self._saved if self._saved is not None else ()

    def mark_non_differentiable(self, *tensors):
        """Outputs that never need a gradient (e.g. indices)."""
        self._non_diff = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        """Accepted for compatibility; ember's custom functions return new tensors."""

    def set_materialize_grads(self, value):
        """Whether undefined output grads reach backward as zeros (True) or None."""
        self.materialize_grads = bool(value)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the outputs; override in subclasses."""
        raise NotImplementedError("subclasses of Function must implement forward")

    @staticmethod
    def backward(ctx, *grads):
        """Return one gradient per forward input; override in subclasses."""
        raise NotImplementedError(f"{type(ctx).__name__} does not implement backward")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward and, when some input requires grad, record this node in the graph."""
        raw = cls._raw
        fargs = []
        edges = []
        inputs = []
        any_grad = False
        host = True  # every tensor argument is a numpy array (no device check needed)
        for a in args:
            if isinstance(a, Tensor):
                inputs.append(a)
                d = a._data
                if d.__class__ is not _ndarray:
                    host = False
                fargs.append(d if raw else a)
                if a._requires_grad:
                    any_grad = True
                    fn = a.grad_fn
                    edges.append((fn, a._output_nr) if fn is not None
                                 else (a._accumulator or a._grad_accumulator(), 0))
                    continue
            else:
                fargs.append(a)
            edges.append(_NO_EDGE)
        if not host and len(inputs) > 1:
            backend.check_same_device([t._data for t in inputs], cls.__name__.lower())
        ctx = _new(cls)
        needs_grad = any_grad and STATE.enabled
        ctx.needs_input_grad = tuple([e is not _NO_EDGE for e in edges]) if needs_grad \
            else (False,) * len(args)
        if raw:
            result = cls.forward(ctx, *fargs, **kwargs)
        else:
            prev = STATE.enabled
            STATE.enabled = False
            try:
                result = cls.forward(ctx, *fargs, **kwargs)
            finally:
                STATE.enabled = prev
        if raw and result.__class__ is not tuple:
            # the common case: an internal op with one output
            out = Tensor._make(result)
            if cls._view and inputs:
                out._vc = inputs[0]._version_counter()
            if needs_grad:
                ctx.next_functions = tuple(edges)
                if out._data.dtype.kind in "fc":
                    out._requires_grad = True
                    out.grad_fn = ctx
                if ctx._saved:
                    _record_versions(ctx, inputs, (out,), raw)
            else:
                ctx._saved = None
            return out
        return _wrap_outputs(ctx, cls, edges, inputs, result, needs_grad, raw)

    def _run_backward(self, grads):
        """Engine entry: grads per output (arrays or None) -> grads per input."""
        if self._released or self._saved_versions:
            self._check_saved()
        if self._pre_hooks:
            for hook in self._pre_hooks:
                res = hook(tuple(None if g is None else Tensor._make(g) for g in grads))
                if res is not None:
                    grads = [None if g is None else g._data for g in res]
        if self._out_meta is not None and self.materialize_grads:
            grads = [_zeros_like_meta(m) if g is None else g
                     for g, m in zip(grads, self._out_meta)]
        if self._raw:
            out = type(self).backward(self, *grads)
        else:
            prev = STATE.enabled
            STATE.enabled = False
            try:
                tgrads = [None if g is None else Tensor._make(g) for g in grads]
                out = type(self).backward(self, *tgrads)
            finally:
                STATE.enabled = prev
            if not isinstance(out, tuple):
                out = (out,)
            out = tuple(g._data if isinstance(g, Tensor) else g for g in out)
        if out.__class__ is not tuple:
            out = (out,)
        if self._post_hooks:
            for hook in self._post_hooks:
                hook(tuple(None if g is None else Tensor._make(g) for g in out),
                     tuple(None if g is None else Tensor._make(g) for g in grads))
        return out


def _zeros_like_meta(meta):
    shape, dtype, xp = meta
    return xp.zeros(shape, dtype)


_NO_EDGE = (None, 0)
_ndarray = np.ndarray
_new = object.__new__


def _record_versions(ctx, inputs, outputs, raw):
    """Remember the version of every saved tensor, to detect in-place changes before backward."""
    versions = []
    for s in ctx._saved:
        counter = None
        if raw:
            for t in inputs:
                if t._data is s:
                    counter = t._version_counter()
                    break
            else:
                for t in outputs:
                    if t._data is s:
                        counter = t._version_counter()
                        break
        elif isinstance(s, Tensor):
            counter = s._version_counter()
        versions.append((counter, counter[0]) if counter is not None else _NO_EDGE)
    ctx._saved_versions = versions


def _wrap_outputs(ctx, cls, edges, inputs, result, needs_grad, raw):
    multi = isinstance(result, tuple)
    outs = result if multi else (result,)
    make = Tensor._make
    if raw:
        wrapped = [make(o) for o in outs]
    else:
        wrapped = [make(o._data) if isinstance(o, Tensor) else o for o in outs]
    if cls._view and inputs:
        wrapped[0]._vc = inputs[0]._version_counter()
    if needs_grad:
        ctx.next_functions = tuple(edges)
        non_diff = getattr(ctx, "_non_diff", ())
        if multi:
            ctx._plain = False
            ctx._n_outputs = len(outs)
            ctx._out_meta = [(w._data.shape, w._data.dtype, backend.array_module(w._data))
                             for w in wrapped]
        for i, (w, o) in enumerate(zip(wrapped, outs)):
            if isinstance(w, Tensor) and w._data.dtype.kind in "fc" and id(o) not in non_diff:
                w._requires_grad = True
                w.grad_fn = ctx
                w._output_nr = i
        if ctx._saved:
            _record_versions(ctx, inputs, wrapped, raw)
    else:
        ctx._saved = None
    return tuple(wrapped) if multi else wrapped[0]


class Op(Function):
    """Base of ember's internal ops: forward and backward work on raw numpy/cupy arrays."""

    _raw = True
    _plain = True

    @classmethod
    def apply_unary(cls, a, *params):
        """apply() specialised for one tensor (requiring grad) plus plain parameters."""
        ctx = _new(cls)
        ctx.needs_input_grad = (True,) + (False,) * len(params)
        result = cls.forward(ctx, a._data, *params)
        fn = a.grad_fn
        edge = (fn, a._output_nr) if fn is not None else \
            (a._accumulator or a._grad_accumulator(), 0)
        edges = (edge,) + (_NO_EDGE,) * len(params)
        if result.__class__ is tuple:
            return _wrap_outputs(ctx, cls, edges, [a], result, True, True)
        out = Tensor._make(result)
        ctx.next_functions = edges
        if cls._view:
            out._vc = a._version_counter()
        if out._data.dtype.kind in "fc":
            out._requires_grad = True
            out.grad_fn = ctx
        if ctx._saved:
            _record_versions(ctx, (a,), (out,), True)
        return out

    @classmethod
    def apply_binary(cls, a, b):
        """apply() specialised for two operands with one output (the arithmetic hot path).

        `a` and `b` are Tensors or Python scalars on the same device (the caller checked),
        and at least one Tensor requires grad.
        """
        ctx = _new(cls)
        if a.__class__ is Tensor or isinstance(a, Tensor):
            x = a._data
            if a._requires_grad:
                fn = a.grad_fn
                ea = (fn, a._output_nr) if fn is not None else \
                    (a._accumulator or a._grad_accumulator(), 0)
            else:
                ea = _NO_EDGE
        else:
            x, ea = a, _NO_EDGE
        if b.__class__ is Tensor or isinstance(b, Tensor):
            y = b._data
            if b._requires_grad:
                fn = b.grad_fn
                eb = (fn, b._output_nr) if fn is not None else \
                    (b._accumulator or b._grad_accumulator(), 0)
            else:
                eb = _NO_EDGE
        else:
            y, eb = b, _NO_EDGE
        ctx.needs_input_grad = (ea is not _NO_EDGE, eb is not _NO_EDGE)
        res = cls.forward(ctx, x, y)
        if res.__class__ is not _ndarray and isinstance(res, np.generic):
            res = np.asarray(res)
        out = _new(Tensor)
        out._data = res
        ctx.next_functions = (ea, eb)
        if res.dtype.kind in "fc":
            out._requires_grad = True
            out.grad_fn = ctx
        if ctx._saved:
            _record_versions(ctx, [t for t in (a, b) if isinstance(t, Tensor)], (out,), True)
        return out


def once_differentiable(fn):
    """Decorator accepted for compatibility: ember's backward never builds a graph."""
    return fn
