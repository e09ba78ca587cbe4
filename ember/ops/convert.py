"""Conversions: dtype casts, device moves, clone, contiguous."""

from .. import backend, dtypes
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import dispatch, make


class Cast(Op):
    """Change the element type; the gradient is cast back."""

    @staticmethod
    def forward(ctx, a, np_dtype):
        ctx.src = a.dtype
        return a.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        if ctx.src.kind not in "fc":
            return None, None
        return grad.astype(ctx.src), None


class ToDevice(Op):
    """Copy to another device; the gradient is copied back."""

    @staticmethod
    def forward(ctx, a, dev):
        ctx.src = backend.device_of(a)
        return backend.to_device(a, dev)

    @staticmethod
    def backward(ctx, grad):
        return backend.to_device(grad, ctx.src), None


class Clone(Op):
    """A copy with its own memory."""

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Contiguous(Op):
    """A row-major (C-contiguous) copy."""

    @staticmethod
    def forward(ctx, a):
        return backend.array_module(a).ascontiguousarray(a)

    @staticmethod
    def backward(ctx, grad):
        return grad


def _parse_to(args, kwargs):
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, dtypes.dtype):
            dt = a
        elif isinstance(a, (str, int, backend.device)) and not isinstance(a, bool):
            dev = a
        elif a is None:
            continue
        else:
            dt = dtypes.to_dtype(a)
    return dev, dt, copy


def to(input, *args, **kwargs):
    """Return input on the requested device and/or dtype (itself when nothing changes)."""
    dev, dt, copy = _parse_to(args, dict(kwargs))
    out = input
    if dev is not None:
        dev = backend.normalize_device(dev)
        if dev != input.device:
            out = dispatch(ToDevice, out, dev)
    if dt is not None and dt.np != out._data.dtype:
        out = dispatch(Cast, out, dt.np)
    if copy and out is input:
        out = clone(input)
    return out


def clone(input, *, memory_format=None):
    """A copy of input with its own memory (differentiable)."""
    return dispatch(Clone, input)


def contiguous(input, memory_format=None):
    """input itself when already contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return dispatch(Contiguous, input)


def numpy_copy(t):
    """A host copy of t's array (for printing and serialization)."""
    return backend.to_device(t._data, backend.CPU).copy() if t.is_cuda else t._data


__all__ = ["to", "clone", "contiguous", "make"]
