"""Adagrad: trajectories against PyTorch for every option combination, and closed forms."""

import itertools

import numpy as np
import pytest
from optim_oracle import compare_with_torch

import ember
from ember.optim import Adagrad

COMBOS = [
    {"lr": 0.1, "lr_decay": lrd, "weight_decay": wd, "initial_accumulator_value": iav,
     "eps": eps, "maximize": mx}
    for lrd, wd, iav, eps, mx in itertools.product([0, 0.05], [0, 0.1], [0, 0.2],
                                                   [1e-10, 1e-3], [False, True])
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", COMBOS, ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_trajectory_matches_torch(kwargs, dtype):
    torch = pytest.importorskip("torch")
    compare_with_torch(torch, Adagrad, torch.optim.Adagrad, kwargs, dtype, skip=(1,))


def test_state_exists_from_construction():
    a, b = ember.randn(2, requires_grad=True), ember.randn(3, requires_grad=True)
    opt = Adagrad([a, b], initial_accumulator_value=0.5)
    for p in (a, b):
        assert opt.state[p]["step"] == 0
        np.testing.assert_array_equal(opt.state[p]["sum"].numpy(), np.full(p.shape, 0.5))
    assert set(opt.state_dict()["state"]) == {0, 1}


def test_steps_by_hand_with_lr_decay():
    w = ember.tensor([0.0], dtype=ember.float64, requires_grad=True)
    opt = Adagrad([w], lr=1.0, lr_decay=0.5, eps=0.0)
    x, total = 0.0, 0.0
    for step, g in enumerate([2.0, 1.0, -3.0], start=1):
        w.grad = ember.tensor([g], dtype=ember.float64)
        opt.step()
        total += g * g
        x -= 1.0 / (1 + (step - 1) * 0.5) * g / np.sqrt(total)
        assert w.item() == pytest.approx(x, rel=1e-14)


def test_group_added_later_gets_state_lazily():
    a, b = ember.randn(2, requires_grad=True), ember.randn(2, requires_grad=True)
    opt = Adagrad([a])
    opt.add_param_group({"params": [b]})
    b.grad = ember.ones(2)
    opt.step()
    assert opt.state[b]["step"] == 1
