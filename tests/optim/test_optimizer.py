"""The Optimizer base contract: param groups, state, zero_grad, closures, state dicts, repr."""

import io
import tracemalloc
import warnings

import numpy as np
import pytest
from optim_oracle import grad_of, initial_weights, run_ember

import ember
import ember.optim as optim
from ember.serialization import load, save

ALL = [
    (optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    (optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
]
IDS = [cls.__name__ for cls, _ in ALL]


def leaf(*shape):
    return ember.randn(*shape, requires_grad=True)


# ------------------------------------------------------------------ construction and groups
def test_empty_parameter_list():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)


def test_single_tensor_is_rejected():
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(leaf(3), lr=0.1)


def test_non_tensor_parameter():
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the "
                                        "params is int"):
        optim.SGD([leaf(2), 3], lr=0.1)


def test_non_leaf_parameter():
    x = leaf(3)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([x * 2], lr=0.1)


def test_sets_are_rejected():
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {leaf(2)}}], lr=0.1)


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -1.0}, "Invalid learning rate: -1.0"),
    ({"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
    ({"lr": 0.1, "weight_decay": -1}, "Invalid weight_decay value: -1"),
    ({"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ({"lr": 0.1, "nesterov": True, "momentum": 0.9, "dampening": 0.1},
     "Nesterov momentum requires"),
])
def test_sgd_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.SGD([leaf(2)], **kwargs)


@pytest.mark.parametrize("cls, kwargs, message", [
    (optim.Adam, {"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0: 1.0"),
    (optim.Adam, {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    (optim.Adam, {"eps": -1e-8}, "Invalid epsilon value"),
    (optim.AdamW, {"lr": -0.1}, "Invalid learning rate"),
    (optim.RMSprop, {"alpha": -0.1}, "Invalid alpha value: -0.1"),
    (optim.RMSprop, {"momentum": -0.1}, "Invalid momentum value"),
    (optim.Adagrad, {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    (optim.Adagrad, {"initial_accumulator_value": -1.0}, "Invalid initial_accumulator_value"),
])
def test_bad_options(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls([leaf(2)], **kwargs)


def test_param_groups_fill_defaults():
    a, b = leaf(2), leaf(3)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert len(opt.param_groups) == 2
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["params"] == [b] or opt.param_groups[1]["params"][0] is b
    for group in opt.param_groups:
        assert group["momentum"] == 0.9 and group["nesterov"] is False
        assert set(group) >= {"params", "lr", "momentum", "dampening", "weight_decay",
                              "nesterov", "maximize", "foreach", "differentiable", "fused"}


def test_named_parameters_are_recorded():
    a, b = leaf(2), leaf(3)
    opt = optim.Adam([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.param_groups[0]["params"][0] is a
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_add_param_group_rejects_shared_parameters():
    a, b = leaf(2), leaf(2)
    opt = optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter "
                                         "group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([leaf(2)])


def test_duplicate_parameter_within_a_group_warns():
    a = leaf(2)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([a, a], lr=0.1)


def test_required_option():
    class Custom(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": optim.optimizer.required})

    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Custom([leaf(2)])
    assert Custom([{"params": [leaf(2)], "lr": 1.0}]).param_groups[0]["lr"] == 1.0


# ------------------------------------------------------------------ zero_grad and step
def test_zero_grad_set_to_none_and_zero():
    a = leaf(3)
    a.grad = ember.ones(3)
    opt = optim.SGD([a], lr=0.1)
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad
    np.testing.assert_array_equal(a.grad.numpy(), np.zeros(3, np.float32))
    opt.zero_grad()
    assert a.grad is None


def test_params_without_grad_are_skipped():
    a, b = leaf(3), leaf(3)
    before = b.detach().numpy().copy()
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = ember.ones(3)
    opt.step()
    np.testing.assert_array_equal(b.detach().numpy(), before)
    assert b not in opt.state or not opt.state[b]
    assert opt.state[a]["step"] == 1


def test_step_closure_runs_with_grad_enabled_and_returns_loss():
    w = ember.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    seen = []

    def closure():
        opt.zero_grad()
        seen.append(ember.is_grad_enabled())
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(w.detach().numpy(), [0.8, -1.6], rtol=1e-6)
    assert opt.step() is None


def test_step_does_not_record_a_graph_and_bumps_version():
    w = leaf(4)
    w.grad = ember.ones(4)
    opt = optim.SGD([w], lr=0.1)
    version = w._version
    opt.step()
    assert w.grad_fn is None and w.requires_grad and w.is_leaf
    assert w._version > version


def test_update_is_in_place():
    w = leaf(4)
    array = w._data
    w.grad = ember.ones(4)
    for cls, kwargs in ALL:
        cls([w], **kwargs).step()
        assert w._data is array


@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
def test_no_allocations_per_step_once_warm(cls, kwargs):
    # Large parameters make any per-step temporary visible next to the baseline.
    n = 200_000
    params = [ember.zeros(n, requires_grad=True), ember.zeros(n // 2, requires_grad=True)]
    for p in params:
        p.grad = ember.ones(p.shape[0])
    opt = cls(params, **kwargs)
    opt.step()
    opt.step()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(3):
            opt.step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak - base < n * 4 // 4, f"a step allocated {peak - base} bytes"


def test_complex_parameters_follow_real_view():
    # A complex parameter is optimized as its (real, imag) pairs, as in PyTorch.
    z = ember.tensor(np.array([1 + 2j, -0.5 + 0.25j], np.complex64), requires_grad=True)
    r = ember.tensor(np.array([[1, 2], [-0.5, 0.25]], np.float32), requires_grad=True)
    gz = np.array([0.3 - 0.1j, -0.2 + 0.4j], np.complex64)
    for cls, kwargs in ALL[1:]:
        oz, orr = cls([z], **kwargs), cls([r], **kwargs)
        for _ in range(3):
            z.grad = ember.from_numpy(gz.copy())
            r.grad = ember.from_numpy(gz.view(np.float32).reshape(2, 2).copy())
            oz.step()
            orr.step()
        np.testing.assert_allclose(z.detach().numpy().view(np.float32).reshape(2, 2),
                                   r.detach().numpy(), rtol=1e-6)


# ------------------------------------------------------------------ state dicts
def test_state_dict_layout():
    a, b, c = leaf(2), leaf(3), leaf(4)
    opt = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    for p in (a, c):
        p.grad = ember.ones(p.shape[0])
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert set(sd["state"]) == {0, 2}
    assert sd["state"][2]["momentum_buffer"] is opt.state[c]["momentum_buffer"]


def test_load_state_dict_validates_groups():
    a, b = leaf(2), leaf(3)
    sd = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a], lr=0.1).load_state_dict(sd)


def test_load_state_dict_restores_options_and_casts_state():
    a = ember.zeros(3, dtype=ember.float64, requires_grad=True)
    a.grad = ember.ones(3, dtype=ember.float64)
    src = optim.Adam([ember.zeros(3, requires_grad=True)], lr=0.5, betas=(0.8, 0.9))
    src.param_groups[0]["params"][0].grad = ember.ones(3)
    src.step()
    dst = optim.Adam([a], lr=0.1)
    dst.load_state_dict(src.state_dict())
    assert dst.param_groups[0]["lr"] == 0.5 and dst.param_groups[0]["betas"] == (0.8, 0.9)
    assert dst.param_groups[0]["params"][0] is a
    state = dst.state[a]
    assert state["exp_avg"].dtype == ember.float64 and state["step"] == 1
    # the loaded state is a copy: stepping one optimizer leaves the other alone
    assert state["exp_avg"]._data is not src.state[src.param_groups[0]["params"][0]][
        "exp_avg"]._data
    dst.step()
    assert src.state[src.param_groups[0]["params"][0]]["step"] == 1


@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
@pytest.mark.parametrize("through_file", [False, True])
def test_resume_from_state_dict_is_bit_for_bit(cls, kwargs, through_file):
    weights = initial_weights(np.float32)
    straight = [ember.tensor(w.copy(), requires_grad=True) for w in weights]
    opt = cls(straight, **kwargs)
    run_ember(opt, straight, 20)
    resumed = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in straight]
    state = opt.state_dict()
    if through_file:
        buf = io.BytesIO()
        save(state, buf)
        buf.seek(0)
        state = load(buf)
    fresh = cls(resumed, lr=123.0)  # options come back from the state dict
    fresh.load_state_dict(state)
    want = run_ember_from(opt, straight, 20, 30)
    got = run_ember_from(fresh, resumed, 20, 30)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def run_ember_from(opt, params, start, steps):
    """Continue the oracle loop at step `start` (the gradient depends on the step number)."""
    for t in range(start, start + steps):
        opt.zero_grad()
        for k, p in enumerate(params):
            p.grad = ember.from_numpy(grad_of(p.detach().numpy().copy(), k, t))
        opt.step()
    return [p.detach().numpy().copy() for p in params]


# ------------------------------------------------------------------ repr and torch parity
def test_repr_format():
    opt = optim.SGD([leaf(2)], lr=0.1, momentum=0.9)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    assert "    lr: 0.1\n" in text and text.endswith("\n)")


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99)}),
    ("AdamW", {}),
    ("RMSprop", {"centered": True}),
    ("Adagrad", {"lr_decay": 0.1}),
])
def test_repr_and_state_dict_keys_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    w = np.ones((2, 3), np.float32)
    ep = ember.tensor(w, requires_grad=True)
    tp = torch.tensor(w, requires_grad=True)
    eo = getattr(optim, name)([ep, ember.zeros(1, requires_grad=True)], **kwargs)
    to = getattr(torch.optim, name)([tp, torch.zeros(1, requires_grad=True)], **kwargs)
    assert repr(eo) == repr(to)
    ep.grad = ember.ones(2, 3)
    tp.grad = torch.ones(2, 3)
    eo.step()
    to.step()
    es, ts = eo.state_dict(), to.state_dict()
    assert es["param_groups"] == ts["param_groups"]
    assert set(es["state"]) == set(ts["state"])
    for k in ts["state"]:
        assert set(es["state"][k]) == set(ts["state"][k])


def test_warning_free_default_step():
    a = leaf(2)
    a.grad = ember.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for cls, kwargs in ALL:
            cls([a], **kwargs).step()


def test_user_subclass_written_torch_style():
    class PlainSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @ember.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    state["count"] = state.get("count", 0) + 1
                    p.add_(p.grad, alpha=-group["lr"])

    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = PlainSGD([w], lr=0.5)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    assert opt.state_dict()["state"] == {0: {"count": 1}}
    assert repr(opt) == "PlainSGD (\nParameter Group 0\n    lr: 0.5\n)"
    # schedulers do not warn about user optimizers they cannot track
    s = optim.lr_scheduler.StepLR(opt, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()


def test_tensor_step_counters_load_as_numbers():
    # PyTorch keeps 'step' as a 0-dim tensor; such state dicts load into ember's plain counter.
    w = ember.zeros(2, requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    sd = {"state": {0: {"step": ember.tensor(7.0), "exp_avg": ember.zeros(2, dtype=ember.float64),
                        "exp_avg_sq": ember.zeros(2)}},
          "param_groups": opt.state_dict()["param_groups"]}
    opt.load_state_dict(sd)
    assert opt.state[w]["step"] == 7.0 and type(opt.state[w]["step"]) is float
    assert opt.state[w]["exp_avg"].dtype == ember.float32
    w.grad = ember.ones(2)
    opt.step()
    assert opt.state[w]["step"] == 8.0
