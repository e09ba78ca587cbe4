"""Helpers shared by the op families: wrapping, dispatch, promotion, broadcasting, out=."""

import numpy as np

from .. import backend, dtypes
from ..autograd.grad_mode import STATE
from ..tensor import Tensor
from . import _blas

make = Tensor._make
CAPTURE = backend.CAPTURE
_ndarray = np.ndarray
_BLAS_CONTROL = _blas.available()


class _NullCtx:
    """Stands in for ctx when no graph is recorded: saving and attributes are dropped."""

    class _NoGrad:
        def __getitem__(self, i):
            return False

    needs_input_grad = _NoGrad()

    def save_for_backward(self, *arrays):
        """Nothing to keep without a graph."""

    def __setattr__(self, name, value):
        pass


NULL_CTX = _NullCtx()


def grad_needed(*args):
    """True when an op on these arguments must record a graph."""
    if not STATE.enabled:
        return False
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def dispatch(cls, *args, **kwargs):
    """Run op `cls`: through autograd when needed, else straight on the arrays."""
    first = args[0]
    if not kwargs and first.__class__ is Tensor and cls._raw and \
            (len(args) == 1 or not any(isinstance(a, Tensor) for a in args[1:])):
        # one tensor plus plain parameters (unary math, reductions, shape ops)
        if STATE.enabled and first._requires_grad:
            return cls.apply_unary(first, *args[1:])
        out = cls.forward(NULL_CTX, first._data, *args[1:])
        if out.__class__ is tuple:
            return tuple(make(o) for o in out)
        out = make(out)
        if cls._view:
            out._vc = first._version_counter()
        return out
    if STATE.enabled:
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                return cls.apply(*args, **kwargs)
    arrays = [a._data if isinstance(a, Tensor) else a for a in args]
    tensors = [a for a in args if isinstance(a, Tensor)]
    if len(tensors) > 1:
        backend.check_same_device([t._data for t in tensors], cls.__name__.lower())
    out = cls.forward(NULL_CTX, *arrays, **kwargs)
    if isinstance(out, tuple):
        return tuple(make(o) for o in out)
    out = make(out)
    if cls._view:
        out._vc = args[0]._version_counter()
    return out


def matmul_raw(a, b):
    """``a @ b`` on raw arrays; while a CUDA graph is captured, ember's capture-safe GEMM.

    CuPy refuses cuBLAS calls during stream capture, so every matrix product in an op goes
    through here (conv's GEMM included) to stay capturable.
    """
    if a.__class__ is _ndarray:
        if _BLAS_CONTROL and a.ndim == 2 and b.ndim == 2:
            mnk = a.shape[0] * a.shape[1] * b.shape[1]
            if _blas.SINGLE_MIN <= mnk <= _blas.SINGLE_MAX:
                # threads would save little here and stall when a core is busy (see _blas)
                return _blas.single_thread_matmul(a, b)
        return a @ b
    if CAPTURE[0]:
        from ..cuda.kernels import matmul

        return matmul(a, b)
    return a @ b


def xp_of(t):
    """The array module of a tensor."""
    return np if isinstance(t._data, _ndarray) else backend.array_module(t._data)


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape` (the inverse of broadcasting)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


# ------------------------------------------------------------------ type promotion
_tt_cache = {}
_ts_cache = {}
# float scalars promote to the default dtype: set_default_dtype must empty these caches
dtypes.DEFAULT_DEPENDENT_CACHES.extend((_tt_cache, _ts_cache))


def _tensor_class(t):
    return 1 if t._data.ndim == 0 else 0


def result_dtype(*operands):
    """PyTorch's result dtype for tensors and Python scalars."""
    dims, zeros, scalars = [], [], []
    for o in operands:
        if isinstance(o, Tensor):
            (zeros if o._data.ndim == 0 else dims).append(dtypes.from_np(o._data.dtype))
        elif o is not None:
            scalars.append(dtypes.scalar_dtype(o))
    return dtypes.result_type_of(dims, zeros, scalars)


def promote(a, b):
    """Cast a tensor (and b, a tensor or scalar) to their common dtype, as PyTorch would."""
    da = a._data.dtype
    if isinstance(b, Tensor):
        db = b._data.dtype
        if da == db:
            return a, b
        key = (da, db, a._data.ndim == 0, b._data.ndim == 0)
        target = _tt_cache.get(key)
        if target is None:
            target = _tt_cache[key] = result_dtype(a, b).np
        return cast(a, target), cast(b, target)
    key = (da, type(b))
    target = _ts_cache.get(key)
    if target is None:
        target = _ts_cache[key] = result_dtype(a, b).np
    if target != da:
        a = cast(a, target)
    return a, b


def cast(t, np_dtype):
    """Differentiable dtype conversion (returns t itself when nothing changes)."""
    if t._data.dtype == np_dtype:
        return t
    from .convert import Cast

    return dispatch(Cast, t, np_dtype)


def as_tensor_like(value, like):
    """Turn a scalar/array operand into a tensor on like's device."""
    if isinstance(value, Tensor):
        return value
    xp = xp_of(like)
    return make(xp.asarray(value, dtype=result_dtype(like, value).np
                           if isinstance(value, (bool, int, float)) else None))


def can_cast(src, dst):
    """PyTorch's rule for writing a result of dtype src into a tensor of dtype dst."""
    s, d = dtypes.from_np(src)._category, dtypes.from_np(dst)._category
    return s <= d


def write_out(out, result, name="out"):
    """Copy an op's result into the tensor given as out= (resizing it as PyTorch does)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name} must be a Tensor, not {type(out).__name__}")
    if STATE.enabled and (out._requires_grad or result._requires_grad):
        raise RuntimeError(
            "out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad."
        )
    r = result._data
    if not can_cast(r.dtype, out._data.dtype):
        raise RuntimeError(
            f"result type {dtypes.from_np(r.dtype)} can't be cast to the desired output type "
            f"{dtypes.from_np(out._data.dtype)}"
        )
    if out._data.shape == r.shape:
        out._data[...] = r
    else:
        out._data = r.astype(out._data.dtype, copy=True)
    out._bump()
    return out


def wrap_dim(dim, ndim):
    """Normalize a possibly negative dim, with PyTorch's error on out-of-range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def wrap_dims(dim, ndim):
    """Normalize dim (None, int, or sequence) to a tuple of non-negative axes (None = all)."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        return tuple(sorted({wrap_dim(d, ndim) for d in dim}))
    return (wrap_dim(dim, ndim),)


def shape_arg(args):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(ember.Size([2, 3]))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for s in args:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, got {type(s).__name__} {s!r}")
        out.append(int(s))
    return tuple(out)


def inplace(self, result):
    """Write `result` (computed out of place) into `self` and take over its history."""
    if result._data.shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(result._data.shape)}"
        )
    if not can_cast(result._data.dtype, self._data.dtype):
        raise RuntimeError(
            f"result type {dtypes.from_np(result._data.dtype)} can't be cast to the desired "
            f"output type {dtypes.from_np(self._data.dtype)}"
        )
    self._data[...] = result._data
    if result.grad_fn is not None:
        if self._view_base is not None:
            _rebase_view(self, result)
        else:
            self.grad_fn = result.grad_fn
            self._output_nr = result._output_nr
            self._requires_grad = True
    self._bump()
    return self


def _rebase_view(view, result):
    """After an in-place op wrote `result` into a view, rewrite the history of its base.

    The base's new history is "old base with base[key] replaced by result" (PyTorch's
    CopySlices), and the view becomes base[key] of that; for a view of a view this repeats
    up the chain. Memory is already updated: only graph nodes are created here.
    """
    from .index import IndexPut
    from .shape import Slice

    base, key = view._view_base
    if base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation. Wrap the update in `with ember.no_grad():` or clone the leaf first."
        )
    old = make(base._data)  # the base's previous history; IndexPut does not read its values
    old._requires_grad = base._requires_grad
    old.grad_fn = base.grad_fn
    old._output_nr = base._output_nr
    new_base = IndexPut.apply(old, key, result)
    if base._view_base is not None:
        _rebase_view(base, new_base)
    else:
        base.grad_fn = new_base.grad_fn
        base._output_nr = new_base._output_nr
        base._requires_grad = True
    refreshed = Slice.apply(base, key)
    view.grad_fn = refreshed.grad_fn
    view._output_nr = refreshed._output_nr
    view._requires_grad = True


def inplace_source(self, *others):
    """The operand an in-place op computes from, checking the leaf rule when grad is on.

    When a graph will be recorded (self or another operand requires grad), the op reads a
    snapshot of self: self's memory is about to be overwritten while the new node may still
    need the old values.
    """
    if not STATE.enabled:
        return self
    if not self._requires_grad and not any(isinstance(o, Tensor) and o._requires_grad
                                           for o in others):
        return self
    if self._requires_grad and self.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            "Wrap the update in `with ember.no_grad():` or operate on `.data`."
        )
    snap = make(self._data.copy())
    snap._requires_grad = self._requires_grad
    snap.grad_fn = self.grad_fn
    snap._output_nr = self._output_nr
    return snap


def check_inplace_leaf(self, *others):
    """Raise PyTorch's error for an in-place op on a leaf that requires grad."""
    if STATE.enabled and self._requires_grad and self.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            "Wrap the update in `with ember.no_grad():` or operate on `.data`."
        )


def broadcast_error(a, b, error):
    """The RuntimeError (naming both shapes) for operands NumPy could not broadcast.

    `error` is the ValueError NumPy raised; it is returned unchanged when the shapes do
    broadcast (the failure was something else).
    """
    sa, sb = tuple(getattr(a, "shape", ())), tuple(getattr(b, "shape", ()))
    n = max(len(sa), len(sb))
    for i in range(1, n + 1):
        da = sa[-i] if i <= len(sa) else 1
        db = sb[-i] if i <= len(sb) else 1
        if da != db and da != 1 and db != 1:
            return RuntimeError(
                f"The size of tensor a ({da}) must match the size of tensor b ({db}) at "
                f"non-singleton dimension {n - i} (shapes {list(sa)} and {list(sb)})"
            )
    return error
