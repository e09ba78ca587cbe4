"""Gradient clipping: clip_grad_norm_ (by the global norm) and clip_grad_value_."""

import math

import numpy as np

from ... import backend
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm_array(a, p):
    """The p-norm of an array, flattened (as a float of the array's precision)."""
    xp = backend.array_module(a)
    flat = a.reshape(-1)
    if p == 2:
        return xp.sqrt(xp.vdot(flat, flat).real) if flat.size else xp.zeros((), a.dtype)
    if math.isinf(p):
        if flat.size == 0:
            return xp.zeros((), a.dtype)
        return xp.abs(flat).max() if p > 0 else xp.abs(flat).min()
    if p == 0:
        return xp.asarray((flat != 0).sum(), dtype=a.dtype)
    return (xp.abs(flat) ** p).sum() ** (1.0 / p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the per-tensor norms of `tensors` (what clip_grad_norm_ clips against)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = [t for t in tensors if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._make(np.zeros((), np.float32))
    first = tensors[0]._data
    xp = backend.array_module(first)
    norms = xp.stack([xp.asarray(_norm_array(t._data, norm_type)).astype(first.dtype)
                      for t in tensors])
    total = _norm_array(norms, norm_type)
    total = Tensor._make(xp.asarray(total, dtype=first.dtype))
    if error_if_nonfinite and not bool(xp.isfinite(total._data)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and "
                           "scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale gradients in place by min(1, max_norm / (total_norm + 1e-6))."""
    grads = _grads(parameters)
    if not grads:
        return
    coef = min(1.0, float(max_norm) / (float(total_norm) + 1e-6))
    # a non-finite norm turns gradients into nan, as in PyTorch; no numpy warning for it
    with no_grad(), np.errstate(invalid="ignore"):
        for g in grads:
            g._data *= g._data.dtype.type(coef)
            g._bump()


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Rescale gradients in place so their global norm is at most max_norm.

    Returns the total norm before clipping (a 0-dim tensor).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        parameters = list(parameters)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    """Deprecated name of clip_grad_norm_."""
    import warnings

    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            xp = backend.array_module(g._data)
            xp.clip(g._data, -clip_value, clip_value, out=g._data)
            g._bump()
