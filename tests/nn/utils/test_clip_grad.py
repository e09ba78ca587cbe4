"""clip_grad_norm_ / clip_grad_value_ (ember/nn/utils/clip_grad.py) against PyTorch."""

import math

import numpy as np
import pytest
from nn_helpers import rand

import ember
import ember.nn as nn
from ember.nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm


def _params(lib, scale=1.0):
    ps = []
    for i, shape in enumerate([(3, 4), (5,), (2, 2, 2)]):
        p = lib.nn.Parameter(lib.from_numpy(rand(*shape, seed=i).astype(np.float32)))
        p.grad = lib.from_numpy((rand(*shape, seed=10 + i) * scale).astype(np.float32))
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    nt = float(norm_type)
    e, t = _params(ember), _params(torch)
    te = clip_grad_norm_(e, max_norm, norm_type=nt)
    tt = torch.nn.utils.clip_grad_norm_(t, max_norm, norm_type=nt)
    np.testing.assert_allclose(te.item(), tt.item(), rtol=1e-6)
    assert te.dtype == ember.float32
    for a, b in zip(e, t):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)


def test_clip_grad_norm_known_value_and_single_tensor():
    p = nn.Parameter(ember.zeros(2))
    p.grad = ember.tensor([3.0, 4.0])
    total = clip_grad_norm_(p, 1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    q = nn.Parameter(ember.zeros(2))
    assert clip_grad_norm_([q], 1.0).item() == 0.0  # no gradients at all


def test_clip_grad_norm_nonfinite():
    p = nn.Parameter(ember.zeros(2))
    p.grad = ember.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_([p], 1.0, foreach=True)
    assert math.isinf(total.item())


def test_clip_grad_value_and_total_norm():
    torch = pytest.importorskip("torch")
    e, t = _params(ember), _params(torch)
    clip_grad_value_(e, 0.3)
    torch.nn.utils.clip_grad_value_(t, 0.3)
    for a, b in zip(e, t):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
    assert np.abs(e[0].grad.numpy()).max() == pytest.approx(0.3)
    grads = [p.grad for p in _params(ember)]
    ref = math.sqrt(sum(float((g.numpy().astype(np.float64) ** 2).sum()) for g in grads))
    assert get_total_norm(grads).item() == pytest.approx(ref, rel=1e-6)
