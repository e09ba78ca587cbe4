"""RMSprop: trajectories against PyTorch for every option combination, and closed forms."""

import itertools

import numpy as np
import pytest
from optim_oracle import compare_with_torch

import ember
from ember.optim import RMSprop

COMBOS = [
    {"lr": 0.01, "alpha": alpha, "centered": c, "momentum": m, "weight_decay": wd,
     "maximize": mx}
    for alpha, c, m, wd, mx in itertools.product([0.9, 0.99], [False, True], [0, 0.5],
                                                 [0, 0.1], [False, True])
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", COMBOS, ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_trajectory_matches_torch(kwargs, dtype):
    torch = pytest.importorskip("torch")
    compare_with_torch(torch, RMSprop, torch.optim.RMSprop, kwargs, dtype, skip=(0,))


def test_first_step_by_hand():
    w = ember.tensor([1.0, 1.0], dtype=ember.float64, requires_grad=True)
    w.grad = ember.tensor([2.0, -1.0], dtype=ember.float64)
    opt = RMSprop([w], lr=0.01, alpha=0.9, eps=0.0)
    opt.step()
    # square_avg = 0.1 g^2, so the step is lr * g / (sqrt(0.1) |g|)
    step = 0.01 / np.sqrt(0.1)
    np.testing.assert_allclose(w.detach().numpy(), [1 - step, 1 + step], rtol=1e-14)


def test_centered_state_entries():
    w = ember.randn(3, requires_grad=True)
    w.grad = ember.ones(3)
    opt = RMSprop([w], centered=True, momentum=0.9)
    opt.step()
    assert set(opt.state[w]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}
