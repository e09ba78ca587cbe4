"""Adam: 50-step trajectories against PyTorch for every option combination, and closed forms."""

import itertools

import numpy as np
import pytest
from optim_oracle import compare_with_torch

import ember
from ember.optim import Adam

COMBOS = [
    {"lr": 0.02, "betas": betas, "weight_decay": wd, "amsgrad": ams, "maximize": mx}
    for betas, wd, ams, mx in itertools.product([(0.9, 0.999), (0.3, 0.8)], [0, 0.1],
                                                [False, True], [False, True])
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", COMBOS, ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_trajectory_matches_torch(kwargs, dtype):
    torch = pytest.importorskip("torch")
    compare_with_torch(torch, Adam, torch.optim.Adam, kwargs, dtype, skip=(2,))


def test_decoupled_weight_decay_flag_matches_torch():
    torch = pytest.importorskip("torch")
    kwargs = {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}
    compare_with_torch(torch, Adam, torch.optim.Adam, kwargs, np.float32)


def test_first_step_is_lr_times_sign():
    # after one step m/sqrt(v) with bias correction is g/|g|, up to eps
    w = ember.tensor([1.0, 1.0, 1.0], dtype=ember.float64, requires_grad=True)
    w.grad = ember.tensor([3.0, -0.5, 1e-3], dtype=ember.float64)
    opt = Adam([w], lr=0.1)
    opt.step()
    g = np.array([3.0, -0.5, 1e-3])
    np.testing.assert_allclose(w.detach().numpy(), 1 - 0.1 * g / (np.abs(g) + 1e-8),
                               rtol=1e-14)
    state = opt.state[w]
    assert state["step"] == 1
    np.testing.assert_allclose(state["exp_avg"].numpy(), [0.3, -0.05, 1e-4], rtol=1e-12)
    np.testing.assert_allclose(state["exp_avg_sq"].numpy(), [0.009, 0.00025, 1e-9], rtol=1e-9)


def test_amsgrad_keeps_running_maximum():
    w = ember.zeros(1, dtype=ember.float64, requires_grad=True)
    opt = Adam([w], lr=0.1, amsgrad=True)
    for g in [5.0, 0.1, 0.1]:
        w.grad = ember.tensor([g], dtype=ember.float64)
        opt.step()
    st = opt.state[w]
    assert st["max_exp_avg_sq"].item() >= st["exp_avg_sq"].item()
    assert st["max_exp_avg_sq"].item() == pytest.approx(0.001 * 25, rel=1e-12)
