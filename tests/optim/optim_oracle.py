"""Shared harness for the optimizer tests: run ember and (optionally) PyTorch side by side.

Both frameworks start from the same weights and get gradients from the same deterministic
function of their own current weights, so their trajectories agree up to rounding.
"""

import numpy as np

import ember

SHAPES = [(3, 4), (5,), ()]


def initial_weights(dtype, seed=0):
    """A few arrays of assorted shapes, O(1) values."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.5, 1.5, size=s).astype(dtype) for s in SHAPES]


def grad_of(w, k, t):
    """A smooth, bounded gradient at weights `w` of param `k`, step `t`.

    A non-quadratic loss plus a step-dependent wobble, like minibatch noise: without the
    wobble, centered RMSprop's sqrt(E[g^2] - E[g]^2) cancels catastrophically and amplifies
    last-bit differences (PyTorch fuses multiply-adds; NumPy rounds twice).
    """
    target = 0.25 * (k + 1)
    wobble = 0.3 * np.cos(1.7 * t + k)
    return np.asarray(np.tanh(2.0 * (w - target)) + 0.1 * np.sin(3.0 * w) + wobble,
                      dtype=w.dtype)


def ember_params(weights):
    """Leaf tensors that require grad, one per array (copies)."""
    return [ember.tensor(w.copy(), requires_grad=True) for w in weights]


def run_ember(opt, params, steps, skip=()):
    """`steps` steps of `opt` with injected gradients; params in `skip` never get one."""
    for t in range(steps):
        opt.zero_grad()
        for k, p in enumerate(params):
            if k not in skip:
                p.grad = ember.from_numpy(grad_of(p.detach().numpy().copy(), k, t))
        opt.step()
    return [p.detach().numpy().copy() for p in params]


def run_torch(torch, opt, params, steps, skip=()):
    """The same loop on PyTorch tensors."""
    for t in range(steps):
        opt.zero_grad()
        for k, p in enumerate(params):
            if k not in skip:
                p.grad = torch.from_numpy(grad_of(p.detach().numpy().copy(), k, t))
        opt.step()
    return [p.detach().numpy().copy() for p in params]


def tolerances(dtype):
    """(rtol, atol) for comparing 50-step trajectories."""
    return (1e-5, 1e-6) if np.dtype(dtype) == np.float32 else (1e-12, 1e-13)


def compare_with_torch(torch, ember_cls, torch_cls, kwargs, dtype, steps=50, skip=()):
    """Run both optimizers from the same start and assert the final weights match."""
    weights = initial_weights(dtype)
    ep = ember_params(weights)
    tp = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
    eo = ember_cls(ep, **kwargs)
    to = torch_cls(tp, **kwargs)
    got = run_ember(eo, ep, steps, skip)
    want = run_torch(torch, to, tp, steps, skip)
    rtol, atol = tolerances(dtype)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    for k in skip:
        np.testing.assert_array_equal(got[k], weights[k])
    return eo, to
