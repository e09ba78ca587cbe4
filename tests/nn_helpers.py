"""Oracle helpers for the nn tests: run the same function or layer in ember and PyTorch.

Inputs are drawn once in NumPy and copied into both frameworks; outputs are compared, then a
random weighted sum of the outputs is backpropagated in both and every gradient compared.
Tolerances follow the nn test contract: float32 to 1e-5 relative, float64 to 1e-10.
"""

import numpy as np
import pytest

import ember

TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}


def torch_or_skip():
    """The torch module, or skip the calling test when PyTorch is missing."""
    return pytest.importorskip("torch")


def host(t):
    """A NumPy copy of an ember or torch tensor."""
    if isinstance(t, ember.Tensor):
        return np.array(t._data)
    return t.detach().cpu().numpy().copy()


def close(a, b, dtype="float32", what="", scale=1.0):
    """Assert two tensors/arrays agree to the dtype's tolerance (scale loosens it)."""
    rtol, atol = TOL[dtype]
    x, y = host(a) if not isinstance(a, np.ndarray) else a, \
        host(b) if not isinstance(b, np.ndarray) else b
    assert x.shape == y.shape, f"{what}: shape {x.shape} != {y.shape}"
    np.testing.assert_allclose(x.astype(np.float64), y.astype(np.float64), rtol=rtol * scale,
                               atol=atol * scale, err_msg=what)


def _weights(outs, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(host(o).shape) for o in outs]


def _weighted_sum(lib, outs, weights):
    total = None
    for o, w in zip(outs, weights):
        term = (o * lib.from_numpy(w.astype(host(o).dtype))).sum()
        total = term if total is None else total + term
    return total


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def compare_fn(e_fn, t_fn, arrays, grad=None, dtype="float32", scale=1.0, seed=7):
    """Run e_fn(*ember_tensors) and t_fn(*torch_tensors) on the same data; compare everything.

    arrays: NumPy inputs (floating ones are cast to dtype); grad: which inputs require grad
    (default: every floating input). Returns the ember outputs.
    """
    torch = torch_or_skip()
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
    if grad is None:
        grad = [a.dtype.kind == "f" for a in arrays]
    es = [ember.from_numpy(a.copy()) for a in arrays]
    ts = [torch.from_numpy(a.copy()) for a in arrays]
    for e, t, g in zip(es, ts, grad):
        if g:
            e.requires_grad_(True)
            t.requires_grad_(True)
    eo, to = _tuple(e_fn(*es)), _tuple(t_fn(*ts))
    assert len(eo) == len(to)
    for i, (a, b) in enumerate(zip(eo, to)):
        close(a, b, dtype, f"output {i}", scale)
        assert a.dtype.name == str(b.dtype).split(".")[-1], f"dtype {a.dtype} vs {b.dtype}"
    diff = [i for i, o in enumerate(to) if o.requires_grad]
    if diff:
        w = _weights([to[i] for i in diff], seed)
        _weighted_sum(ember, [eo[i] for i in diff], w).backward()
        _weighted_sum(torch, [to[i] for i in diff], w).backward()
        for i, (e, t, g) in enumerate(zip(es, ts, grad)):
            if g:
                if t.grad is None:
                    assert e.grad is None or not np.any(host(e.grad)), f"grad {i} not None"
                    continue
                assert e.grad is not None, f"no gradient for input {i}"
                close(e.grad, t.grad, dtype, f"grad of input {i}", scale)
    return eo


def gradcheck(fn, arrays, grad=None, atol=1e-5):
    """float64 finite-difference check of fn's backward (no PyTorch needed)."""
    xs = []
    grad = grad or [a.dtype.kind == "f" for a in arrays]
    for a, g in zip(arrays, grad):
        x = ember.from_numpy(a.astype(np.float64) if a.dtype.kind == "f" else a)
        if g:
            x.requires_grad_(True)
        xs.append(x)
    assert ember.autograd.gradcheck(fn, xs, eps=1e-6, atol=atol)


def copy_into_torch(e_mod, t_mod):
    """Load an ember module's parameters and buffers into its PyTorch twin."""
    torch = torch_or_skip()
    sd = {k: torch.from_numpy(np.array(v._data)) for k, v in e_mod.state_dict().items()}
    t_mod.load_state_dict(sd)


def compare_module(e_mod, t_mod, arrays, dtype="float32", scale=1.0, seed=11, grad=None):
    """Copy weights ember -> torch, then compare outputs, input grads and parameter grads."""
    if dtype == "float64":
        e_mod.double()
        t_mod.double()
    copy_into_torch(e_mod, t_mod)
    compare_fn(e_mod, t_mod, arrays, grad=grad, dtype=dtype, scale=scale, seed=seed)
    e_params = dict(e_mod.named_parameters())
    t_params = dict(t_mod.named_parameters())
    assert list(e_params) == list(t_params)
    for name, tp in t_params.items():
        ep = e_params[name]
        if tp.grad is None:
            assert ep.grad is None, f"{name}: ember has a grad, torch none"
        else:
            close(ep.grad, tp.grad, dtype, f"grad of {name}", scale)
    for (name, eb), (_, tb) in zip(e_mod.named_buffers(), t_mod.named_buffers()):
        close(eb, tb, dtype if host(tb).dtype.kind == "f" else "float64", f"buffer {name}")


def rand(*shape, seed=0, low=None, high=None):
    """Deterministic standard-normal (or uniform in [low, high)) float64 NumPy data."""
    rng = np.random.default_rng(seed)
    if low is not None:
        return rng.uniform(low, high, shape)
    return rng.standard_normal(shape)
