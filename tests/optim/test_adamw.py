"""AdamW: trajectories against PyTorch, and decoupled decay by hand."""

import itertools

import numpy as np
import pytest
from optim_oracle import compare_with_torch

import ember
from ember.optim import Adam, AdamW

COMBOS = [
    {"lr": 0.02, "betas": (0.9, 0.99), "weight_decay": wd, "amsgrad": ams, "maximize": mx}
    for wd, ams, mx in itertools.product([0, 0.01, 0.5], [False, True], [False, True])
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", COMBOS, ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_trajectory_matches_torch(kwargs, dtype):
    torch = pytest.importorskip("torch")
    compare_with_torch(torch, AdamW, torch.optim.AdamW, kwargs, dtype)


def test_zero_gradient_only_decays_weights():
    w = ember.tensor([2.0, -4.0], dtype=ember.float64, requires_grad=True)
    opt = AdamW([w], lr=0.1, weight_decay=0.5)
    w.grad = ember.zeros(2, dtype=ember.float64)
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [2.0 * 0.95, -4.0 * 0.95], rtol=1e-15)


def test_defaults_and_state_dict_keep_decoupling():
    w = ember.randn(2, requires_grad=True)
    opt = AdamW([w])
    group = opt.param_groups[0]
    assert group["weight_decay"] == 1e-2 and group["decoupled_weight_decay"] is True
    sd = opt.state_dict()
    sd["param_groups"][0]["decoupled_weight_decay"] = False
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    assert isinstance(opt, Adam)
