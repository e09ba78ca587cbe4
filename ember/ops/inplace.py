"""In-place methods (ending in '_'): arithmetic, fill/zero/copy, in-place views, random fills."""

import numpy as np

from .. import backend, dtypes
from ..autograd.grad_mode import STATE
from ..random import rng
from ..tensor import Tensor
from . import arithmetic as ar
from . import shape as sh
from . import unary as un
from ._util import check_inplace_leaf, inplace, inplace_source


def _method(fn, name, doc):
    def method(self, *args, **kwargs):
        return inplace(self, fn(inplace_source(self, *args, *kwargs.values()), *args, **kwargs))

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return method


def add_(self, other, *, alpha=1):
    """self += alpha * other."""
    return inplace(self, ar.add(inplace_source(self, other), other, alpha=alpha))


def sub_(self, other, *, alpha=1):
    """self -= alpha * other."""
    return inplace(self, ar.sub(inplace_source(self, other), other, alpha=alpha))


def mul_(self, other):
    """self *= other."""
    return inplace(self, ar.mul(inplace_source(self, other), other))


def div_(self, other, *, rounding_mode=None):
    """self /= other."""
    return inplace(self, ar.div(inplace_source(self, other), other,
                                rounding_mode=rounding_mode))


IN_PLACE = {
    "pow_": (ar.pow, "self **= exponent."),
    "remainder_": (ar.remainder, "In-place remainder."),
    "fmod_": (ar.fmod, "In-place fmod."),
    "floor_divide_": (ar.floor_divide, "In-place floor division."),
    "lerp_": (ar.lerp, "In-place lerp."),
    "addcmul_": (ar.addcmul, "self += value * t1 * t2."),
    "addcdiv_": (ar.addcdiv, "self += value * t1 / t2."),
    "maximum_": (ar.maximum, "In-place maximum."),
    "minimum_": (ar.minimum, "In-place minimum."),
    "neg_": (un.neg, "Negate in place."),
    "abs_": (un.abs, "Absolute value in place."),
    "exp_": (un.exp, "exp in place."),
    "log_": (un.log, "log in place."),
    "log1p_": (un.log1p, "log1p in place."),
    "sqrt_": (un.sqrt, "sqrt in place."),
    "rsqrt_": (un.rsqrt, "rsqrt in place."),
    "reciprocal_": (un.reciprocal, "1/x in place."),
    "square_": (un.square, "x*x in place."),
    "sin_": (un.sin, "sin in place."),
    "cos_": (un.cos, "cos in place."),
    "tanh_": (un.tanh, "tanh in place."),
    "sigmoid_": (un.sigmoid, "sigmoid in place."),
    "relu_": (un.relu, "relu in place."),
    "floor_": (un.floor, "floor in place."),
    "ceil_": (un.ceil, "ceil in place."),
    "round_": (un.round, "round in place."),
    "trunc_": (un.trunc, "trunc in place."),
    "sign_": (un.sign, "sign in place."),
    "clamp_": (un.clamp, "clamp in place."),
    "clip_": (un.clamp, "clamp in place."),
}


def clamp_min_(self, min):
    """Clamp from below in place."""
    return inplace(self, un.clamp(inplace_source(self, min), min=min))


def clamp_max_(self, max):
    """Clamp from above in place."""
    return inplace(self, un.clamp(inplace_source(self, max), max=max))


def _overwrite_recorded(self, values):
    """Write `values` into a tensor with recorded history: the new contents no longer depend on
    the old ones, so the old history receives zero gradient (PyTorch's FillBackward)."""
    return inplace(self, ar.add(ar.mul(inplace_source(self), 0), values))


def zero_(self):
    """Fill with zeros; returns self."""
    return fill_(self, 0)


def fill_(self, value):
    """Fill with a value; returns self."""
    check_inplace_leaf(self)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        value = value.item()
    if STATE.enabled and self._requires_grad:
        return _overwrite_recorded(self, value)
    self._data.fill(value)
    self._bump()
    return self


def copy_(self, src, non_blocking=False):
    """Copy src's values into self (broadcasting, casting and moving devices as needed)."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    if STATE.enabled and (self._requires_grad or src._requires_grad):
        check_inplace_leaf(self)
        from .convert import to

        moved = to(src, device=self.device, dtype=self.dtype)
        return inplace(self, sh.expand(moved, self._data.shape) if
                       moved._data.shape != self._data.shape else moved + 0)
    data = src._data
    if type(data) is not type(self._data) or backend.is_gpu_array(data):
        data = backend.to_device(data, self.device)
    try:
        np.broadcast_shapes(data.shape, self._data.shape)
        if np.broadcast_shapes(data.shape, self._data.shape) != self._data.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({list(self._data.shape)}) must match the size "
                           f"of tensor b ({list(src._data.shape)})") from None
    self._data[...] = data
    self._bump()
    return self


def _view_inplace(self, result):
    """Make self take result's array (a view) and history, for t_(), squeeze_(), ..."""
    check_inplace_leaf(self)
    self._data = result._data
    if result.grad_fn is not None:
        self.grad_fn, self._output_nr = result.grad_fn, result._output_nr
    return self


def t_(self):
    """Transpose a matrix in place."""
    return _view_inplace(self, sh.t(self))


def transpose_(self, dim0, dim1):
    """Swap two dims in place."""
    return _view_inplace(self, sh.transpose(self, dim0, dim1))


def squeeze_(self, dim=None):
    """Remove size-1 dims in place."""
    return _view_inplace(self, sh.squeeze(self, dim))


def unsqueeze_(self, dim):
    """Insert a size-1 dim in place."""
    return _view_inplace(self, sh.unsqueeze(self, dim))


def resize_(self, *sizes):
    """Reshape in place (contents kept when the element count matches, zeros otherwise)."""
    shape = sh.shape_arg(sizes)
    n = int(np.prod(shape))
    xp = backend.array_module(self._data)
    if n == self._data.size:
        self._data = xp.ascontiguousarray(self._data).reshape(shape)
    else:
        new = xp.zeros(shape, self._data.dtype)
        flat = xp.ascontiguousarray(self._data).reshape(-1)
        k = min(n, flat.size)
        new.reshape(-1)[:k] = flat[:k]
        self._data = new
    self._bump()
    return self


def _random_fill(self, host_array):
    """Overwrite self with new values (drawn on the host), cutting any recorded history."""
    check_inplace_leaf(self)
    arr = host_array.astype(self._data.dtype, copy=False)
    if not isinstance(self._data, np.ndarray):
        arr = backend.to_device(arr, self.device)
    if STATE.enabled and self._requires_grad:
        from ._util import make

        return _overwrite_recorded(self, make(arr))
    self._data[...] = arr
    self._bump()
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with uniform samples from [a, b)."""
    return _random_fill(self, rng(generator).uniform(a, b, self._data.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    return _random_fill(self, rng(generator).normal(mean, std, self._data.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples, 1 with probability p."""
    p = p._data if isinstance(p, Tensor) else p
    return _random_fill(self, rng(generator).random(self._data.shape) < p)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate lambd."""
    return _random_fill(self, rng(generator).exponential(1.0 / lambd, self._data.shape))


def random_(self, from_=0, to=None, *, generator=None):
    """Fill with integers from [from, to) (to defaults to the dtype's range)."""
    if to is None:
        dt = self._data.dtype
        to = 2 ** (dtypes.from_np(dt).np.itemsize * 8 - 1) if dt.kind == "i" else \
            2 ** 24 if dt == np.float32 else 2 ** 53 if dt.kind == "f" else 256
        if dt == np.bool_:
            to = 2
    return _random_fill(self, rng(generator).integers(from_, to, self._data.shape))


def geometric_(self, p, *, generator=None):
    """Fill with geometric samples (number of trials to first success)."""
    return _random_fill(self, rng(generator).geometric(p, self._data.shape))


def index_fill_(self, dim, index, value):
    """Fill the entries at index along dim with value, in place."""
    from ._util import wrap_dim

    d = wrap_dim(dim, self._data.ndim)
    key = (slice(None),) * d + (index._data,)
    self[key] = value
    return self

