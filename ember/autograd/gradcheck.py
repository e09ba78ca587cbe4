"""Finite-difference gradient checks (float64), public as ember.autograd.gradcheck."""

import numpy as np

from .. import backend


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _flat_outputs(fn, inputs):
    out = _as_tuple(fn(*inputs))
    return [o for o in out if hasattr(o, "_data") and o._data.dtype.kind in "fc"]


def numerical_jacobian(fn, inputs, eps=1e-6):
    """Central-difference Jacobians d(outputs)/d(input) for each input that requires grad."""
    from ..autograd.grad_mode import no_grad

    jac = []
    with no_grad():
        outs0 = _flat_outputs(fn, inputs)
        n_out = sum(o._data.size for o in outs0)
        for t in inputs:
            if not (hasattr(t, "_data") and t.requires_grad):
                continue
            data = t._data
            j = np.zeros((data.size, n_out))
            # Index the array itself: reshape(-1) copies a non-contiguous input, and
            # perturbing that copy would leave the function's input unchanged.
            for k, idx in enumerate(np.ndindex(*data.shape)):
                orig = data[idx].item()
                data[idx] = orig + eps
                plus = np.concatenate([backend.to_device(o._data, backend.CPU).reshape(-1)
                                       for o in _flat_outputs(fn, inputs)])
                data[idx] = orig - eps
                minus = np.concatenate([backend.to_device(o._data, backend.CPU).reshape(-1)
                                        for o in _flat_outputs(fn, inputs)])
                data[idx] = orig
                j[k] = (plus - minus) / (2 * eps)
            jac.append(j)
    return jac


def analytical_jacobian(fn, inputs):
    """Jacobians by backpropagating each output element's unit vector."""
    from .engine import grad as autograd_grad

    diff_inputs = [t for t in inputs if hasattr(t, "_data") and t.requires_grad]
    outs = _flat_outputs(fn, inputs)
    n_out = sum(o._data.size for o in outs)
    jac = [np.zeros((t._data.size, n_out)) for t in diff_inputs]
    col = 0
    for o in outs:
        xp = backend.array_module(o._data)
        for k in range(o._data.size):
            seed = xp.zeros(o._data.shape, o._data.dtype)
            seed.reshape(-1)[k] = 1
            grads = autograd_grad([o], diff_inputs, [o.__class__._make(seed)], retain_graph=True,
                                  allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jac[i][:, col] = backend.to_device(g._data, backend.CPU).reshape(-1)
            col += 1
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **kwargs):
    """Compare analytical and numerical Jacobians; inputs should be float64 and require grad."""
    inputs = _as_tuple(inputs)
    for t in inputs:
        if hasattr(t, "_data") and t.requires_grad and t._data.dtype != np.float64:
            import warnings

            warnings.warn("gradcheck: input is not float64; the check is likely to fail from "
                          "rounding", UserWarning, stacklevel=2)
    num = numerical_jacobian(func, inputs, eps)
    ana = analytical_jacobian(func, inputs)
    for i, (a, n) in enumerate(zip(ana, num)):
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            if raise_exception:
                err = np.abs(a - n).max()
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i} (max abs error "
                    f"{err:.3g}),\nnumerical:{n}\nanalytical:{a}"
                )
            return False
    return True


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""
