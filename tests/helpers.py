"""Oracle helpers shared by the core tests: NumPy/PyTorch comparisons and input factories.

PyTorch is an optional oracle: `torch_or_skip()` skips a test cleanly when it is missing, and
every test that uses it also checks something real against NumPy or finite differences.
"""

import numpy as np
import pytest

import ember


def torch_or_skip():
    """The torch module, or skip the calling test when PyTorch is not installed."""
    return pytest.importorskip("torch")


def arr(t):
    """The host NumPy array behind an ember (or torch) tensor, or an array-like as is."""
    if isinstance(t, ember.Tensor):
        return np.asarray(t._data)
    if hasattr(t, "detach") and hasattr(t, "numpy"):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def to_torch(t, requires_grad=None):
    """A torch tensor holding a copy of an ember tensor's values (same dtype and shape)."""
    torch = torch_or_skip()
    out = torch.from_numpy(np.array(t._data, copy=True))
    rg = t.requires_grad if requires_grad is None else requires_grad
    return out.requires_grad_(rg) if rg else out


def dtype_name(d):
    """'float32' for ember.float32, torch.float32 and np.float32 alike."""
    if isinstance(d, ember.dtype):
        return d.name
    s = str(d)
    return s.split(".")[-1].replace("'>", "")


def assert_same(actual, expected, rtol=1e-5, atol=1e-6, check_dtype=True):
    """Values, shape and (optionally) dtype of an ember tensor match a reference.

    `expected` may be a torch tensor, an ember tensor, a NumPy array or a Python number.
    """
    a = arr(actual)
    e = arr(expected)
    assert tuple(a.shape) == tuple(e.shape), f"shape {a.shape} != {e.shape}"
    if check_dtype and hasattr(expected, "dtype"):
        assert dtype_name(actual.dtype) == dtype_name(expected.dtype), \
            f"dtype {actual.dtype} != {expected.dtype}"
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        np.testing.assert_array_equal(a, e)
    else:
        np.testing.assert_allclose(a.astype(np.float64), e.astype(np.float64), rtol=rtol,
                                   atol=atol, equal_nan=True)


def sample(shape, dtype="float32", domain="real", seed=0):
    """Deterministic NumPy data for an op input.

    domain: 'real' (standard normal, ties unlikely), 'pos' (in [0.5, 2.5]), 'unit'
    (in (-0.9, 0.9)), 'nonzero' (|x| in [0.5, 2]), 'int' (small integers), 'bool'.
    """
    rng = np.random.default_rng(seed)
    if domain == "bool" or dtype == "bool":
        return rng.random(shape) < 0.5
    if domain == "int" or np.dtype(dtype).kind in "iu":
        lo = 0 if np.dtype(dtype).kind == "u" else -5
        return rng.integers(lo, 6, size=shape).astype(dtype)
    if domain == "pos":
        x = rng.uniform(0.5, 2.5, size=shape)
    elif domain == "unit":
        x = rng.uniform(-0.9, 0.9, size=shape)
    elif domain == "nonzero":
        x = rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    else:
        x = rng.standard_normal(shape)
    return np.asarray(x, dtype=dtype)


def transposed_copy(a):
    """The same values as `a` laid out transposed in memory (a non-contiguous view)."""
    if a.ndim < 2:
        return a
    return np.ascontiguousarray(a.T).T


# ------------------------------------------------------------------ table-driven op checks
class In:
    """One op input: shape, dtype and value domain (see `sample`)."""

    def __init__(self, shape, dtype="float32", domain="real"):
        self.shape, self.dtype, self.domain = tuple(shape), dtype, domain

    @property
    def floating(self):
        """Whether this input can require grad."""
        return np.dtype(self.dtype).kind == "f"


class Case:
    """One row of an op table.

    Args:
        name: test id.
        fn: fn(lib, *tensors) written once for both `ember` and `torch` (same API).
        np_fn: np_fn(*arrays) -> the NumPy reference (array or tuple of arrays).
        inputs: list of `In`.
        grad: whether the op is differentiable (checked by gradcheck and torch's grads).
        rtol, atol: forward tolerance for float32.
        torch_fn: a different spelling for torch when ember's API is spelled differently.
    """

    def __init__(self, name, fn, np_fn, inputs, grad=True, rtol=1e-5, atol=1e-6,
                 torch_fn=None, check_dtype=True):
        self.name, self.fn, self.np_fn, self.inputs = name, fn, np_fn, inputs
        self.grad, self.rtol, self.atol = grad, rtol, atol
        self.torch_fn = torch_fn or fn
        self.check_dtype = check_dtype

    def __repr__(self):
        return self.name

    def arrays(self, layout="contiguous", dtype_override=None):
        """Fresh NumPy inputs (transposed layout gives non-contiguous views)."""
        out = []
        for i, spec in enumerate(self.inputs):
            dt = spec.dtype
            if dtype_override is not None and spec.floating:
                dt = dtype_override
            a = sample(spec.shape, dt, spec.domain, seed=i + 1)
            out.append(transposed_copy(a) if layout == "transposed" else a)
        return out


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def check_forward_numpy(case, layout):
    """The op's values equal the NumPy reference."""
    arrays = case.arrays(layout)
    xs = [ember.from_numpy(a) for a in arrays]
    outs = _as_tuple(case.fn(ember, *xs))
    refs = _as_tuple(case.np_fn(*[a.copy() for a in arrays]))
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs):
        assert isinstance(o, ember.Tensor), f"{case.name} returned {type(o).__name__}"
        assert_same(o, np.asarray(r), rtol=case.rtol, atol=case.atol, check_dtype=False)
    # the op must not have written into its inputs
    for a, a2 in zip(arrays, case.arrays(layout)):
        np.testing.assert_array_equal(a, a2)


def check_against_torch(case, layout):
    """Forward values/dtypes and input gradients equal PyTorch's on the same inputs."""
    torch = torch_or_skip()
    arrays = case.arrays(layout)
    diff = [case.grad and spec.floating for spec in case.inputs]
    xs = [ember.from_numpy(a.copy(order="K")) for a in arrays]
    ts = [torch.from_numpy(a.copy(order="K")) for a in arrays]
    for x, t, d in zip(xs, ts, diff):
        if d:
            x.requires_grad_(True)
            t.requires_grad_(True)
    outs = _as_tuple(case.fn(ember, *xs))
    touts = _as_tuple(case.torch_fn(torch, *ts))
    assert len(outs) == len(touts)
    for o, t in zip(outs, touts):
        assert_same(o, t, rtol=case.rtol, atol=case.atol, check_dtype=case.check_dtype)
    if not any(diff):
        return
    rng = np.random.default_rng(123)
    e_loss, t_loss = None, None
    for o, t in zip(outs, touts):
        if not t.dtype.is_floating_point or not t.requires_grad:
            continue
        w = rng.standard_normal(tuple(t.shape)).astype(arr(t).dtype)
        e_term = (o * ember.from_numpy(w.copy())).sum()
        t_term = (t * torch.from_numpy(w.copy())).sum()
        e_loss = e_term if e_loss is None else e_loss + e_term
        t_loss = t_term if t_loss is None else t_loss + t_term
    if t_loss is None:
        return
    e_loss.backward()
    t_loss.backward()
    for i, (x, t, d) in enumerate(zip(xs, ts, diff)):
        if not d:
            continue
        if t.grad is None:
            assert x.grad is None or not np.any(arr(x.grad)), f"input {i}: torch grad is None"
            continue
        assert x.grad is not None, f"{case.name}: no gradient for input {i}"
        assert_same(x.grad, t.grad, rtol=1e-4, atol=1e-5)


def check_gradcheck(case, layout):
    """float64 finite differences agree with the op's backward."""
    arrays = case.arrays(layout, dtype_override="float64")
    xs = []
    for spec, a in zip(case.inputs, arrays):
        x = ember.from_numpy(a)
        if spec.floating:
            x.requires_grad_(True)
        xs.append(x)
    assert ember.autograd.gradcheck(lambda *ts: case.fn(ember, *ts), xs, eps=1e-6, atol=1e-5)


LAYOUTS = ["contiguous", "transposed"]


def table_tests(cases, skip=None):
    """The checks every op table runs, as test functions for a test module to bind.

    Forward values against NumPy and against torch on contiguous and transposed inputs, and a
    float64 gradcheck of every differentiable row. `skip(case, layout)` may return a reason to
    skip one combination.

    Usage: ``test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES)``.
    """
    def maybe_skip(case, layout):
        reason = skip(case, layout) if skip is not None else None
        if reason:
            pytest.skip(reason)

    @pytest.mark.parametrize("layout", LAYOUTS)
    @pytest.mark.parametrize("case", cases, ids=repr)
    def test_forward_numpy(case, layout):
        maybe_skip(case, layout)
        check_forward_numpy(case, layout)

    @pytest.mark.parametrize("layout", LAYOUTS)
    @pytest.mark.parametrize("case", cases, ids=repr)
    def test_against_torch(case, layout):
        maybe_skip(case, layout)
        check_against_torch(case, layout)

    @pytest.mark.parametrize("case", [c for c in cases if c.grad and
                                      any(i.floating for i in c.inputs)], ids=repr)
    def test_gradcheck(case):
        check_gradcheck(case, "contiguous")

    return test_forward_numpy, test_against_torch, test_gradcheck
