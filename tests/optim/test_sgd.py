"""SGD: 50-step trajectories against PyTorch for every option combination, and closed forms."""

import itertools

import numpy as np
import pytest
from optim_oracle import compare_with_torch

import ember
from ember.optim import SGD

COMBOS = [
    {"lr": 0.05, "momentum": m, "dampening": d, "nesterov": n, "weight_decay": wd,
     "maximize": mx}
    for m, d, n, wd, mx in itertools.product([0, 0.9], [0, 0.3], [False, True], [0, 0.1],
                                             [False, True])
    if not (n and (m == 0 or d != 0))
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", COMBOS, ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_trajectory_matches_torch(kwargs, dtype):
    torch = pytest.importorskip("torch")
    # parameter 1 never gets a gradient: it must stay put, as in PyTorch
    compare_with_torch(torch, SGD, torch.optim.SGD, kwargs, dtype, skip=(1,))


def test_plain_step_closed_form():
    w = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w.grad = ember.tensor([0.5, 0.5, -1.0])
    SGD([w], lr=0.1).step()
    np.testing.assert_allclose(w.detach().numpy(), [0.95, -2.05, 3.1], rtol=1e-6)


def test_momentum_dampening_and_weight_decay_by_hand():
    w = ember.tensor([1.0], dtype=ember.float64, requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.2)
    x, buf = 1.0, None
    for g in [1.0, -2.0, 0.5]:
        w.grad = ember.tensor([g], dtype=ember.float64)
        opt.step()
        d = g + 0.2 * x
        buf = d if buf is None else 0.9 * buf + 0.5 * d
        x -= 0.1 * buf
        assert w.item() == pytest.approx(x, rel=1e-15)
    assert opt.state[w]["momentum_buffer"].item() == pytest.approx(buf, rel=1e-15)


def test_nesterov_and_maximize_by_hand():
    w = ember.tensor([0.0], dtype=ember.float64, requires_grad=True)
    opt = SGD([w], lr=0.5, momentum=0.5, nesterov=True, maximize=True)
    x, buf = 0.0, None
    for g in [1.0, 2.0]:
        w.grad = ember.tensor([g], dtype=ember.float64)
        opt.step()
        d = -g
        buf = d if buf is None else 0.5 * buf + d
        x -= 0.5 * (d + 0.5 * buf)
        assert w.item() == pytest.approx(x, rel=1e-15)


def test_plain_sgd_keeps_no_state():
    w = ember.randn(3, requires_grad=True)
    w.grad = ember.ones(3)
    opt = SGD([w], lr=0.1)
    opt.step()
    assert opt.state_dict()["state"] == {}


def test_minimizes_a_quadratic():
    target = np.array([1.0, -2.0, 0.5], np.float32)
    w = ember.zeros(3, requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.9)
    for _ in range(200):
        opt.zero_grad()
        loss = ((w - ember.from_numpy(target)) ** 2).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.detach().numpy(), target, atol=1e-4)
