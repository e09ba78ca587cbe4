"""nn.Module (ember/nn/module.py, _module_*.py): registration, traversal, modes,
devices/dtypes, state_dict, hooks and repr, checked against PyTorch's behaviour where it is
importable."""

import copy
import pickle

import numpy as np
import pytest
from nn_helpers import rand

import ember
import ember.nn as nn
import ember.nn.functional as F


def _build(lib):
    """The same architecture in ember or torch (for repr and state_dict comparisons)."""
    m = lib.nn

    class Block(m.Module):
        def __init__(self):
            super().__init__()
            self.fc = m.Linear(4, 3)
            self.bn = m.BatchNorm1d(3)
            self.register_buffer("steps", lib.zeros(2))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)

        def forward(self, x):
            return F_relu(lib, self.bn(self.fc(x)))

    class Net(m.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.seq = m.Sequential(m.Linear(3, 3), m.ReLU(), m.Dropout(0.2),
                                    m.Linear(3, 2, bias=False))
            self.scale = m.Parameter(lib.ones(1))
            self.heads = m.ModuleList([m.Linear(2, 2), m.Linear(2, 2), m.Tanh()])

        def forward(self, x):
            return self.seq(self.block(x)) * self.scale

    return Net()


def F_relu(lib, x):
    return lib.nn.functional.relu(x)


def test_registration_by_attribute_and_traversal_order():
    net = _build(ember)
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "block.fc.weight", "block.fc.bias", "block.bn.weight",
                     "block.bn.bias", "seq.0.weight", "seq.0.bias", "seq.3.weight",
                     "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"]
    assert [n for n, _ in net.named_buffers()] == [
        "block.steps", "block.scratch", "block.bn.running_mean", "block.bn.running_var",
        "block.bn.num_batches_tracked"]
    assert [n for n, _ in net.named_children()] == ["block", "seq", "heads"]
    assert [n for n, _ in net.named_modules()][:4] == ["", "block", "block.fc", "block.bn"]
    assert len(list(net.modules())) == 13
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())


def test_traversal_matches_torch():
    torch = pytest.importorskip("torch")
    e, t = _build(ember), _build(torch)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert list(e.state_dict()) == list(t.state_dict())


def test_shared_parameters_and_modules_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.modules())) == 3


def test_attribute_reassignment_moves_between_registries():
    m = nn.Module()
    m.w = nn.Parameter(ember.ones(2))
    assert "w" in m._parameters
    m.w = None
    assert m.w is None and "w" in m._parameters
    m.sub = nn.Linear(1, 1)
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(AttributeError, match="has no attribute 'sub'"):
        _ = m.sub
    m.register_buffer("buf", ember.zeros(1))
    m.buf = ember.ones(3)
    assert m.buf.shape == (3,) and "buf" in m._buffers
    assert "w" in dir(m) and "buf" in dir(m)


def test_registration_errors_name_the_problem():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign '.*' as parameter 'weight'"):
        m.weight = ember.ones(2, 2)
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", ember.ones(1))
    with pytest.raises(KeyError, match="attribute 'in_features' already exists"):
        m.register_parameter("in_features", None)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(TypeError, match="cannot assign 'int' object to parameter"):
        m.register_parameter("p", 3)
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer"):
        bn = nn.BatchNorm1d(2)
        bn.running_mean = 3
    with pytest.raises(ValueError, match="non-leaf Tensor"):
        x = ember.ones(1, requires_grad=True)
        m.register_parameter("q", _nonleaf_param(x))

    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()


def _nonleaf_param(x):
    p = nn.Parameter(x.detach())
    p.grad_fn = (x * 2).grad_fn  # simulate a parameter that came out of an op
    return p


def test_get_submodule_parameter_buffer():
    net = _build(ember)
    assert net.get_submodule("block.fc") is net.block.fc
    assert net.get_submodule("") is net
    assert net.get_parameter("block.fc.bias") is net.block.fc.bias
    assert net.get_buffer("block.bn.running_var") is net.block.bn.running_var
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        net.get_submodule("block.nope")
    with pytest.raises(AttributeError, match="is not an nn.Parameter"):
        net.get_parameter("block.steps")


def test_train_eval_propagate_and_validate():
    net = _build(ember)
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_zero_grad_and_requires_grad_():
    net = nn.Linear(3, 2)
    net(ember.randn(4, 3)).sum().backward()
    assert net.weight.grad is not None
    net.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(net.weight.grad.numpy(), 0)
    net.zero_grad()
    assert net.weight.grad is None and net.bias.grad is None
    assert net.requires_grad_(False) is net
    assert not net.weight.requires_grad


def test_to_keeps_parameter_objects_and_casts_only_floats():
    net = _build(ember)
    w = net.block.fc.weight
    net(ember.randn(5, 4)).sum().backward()
    net.double()
    assert net.block.fc.weight is w and w.dtype == ember.float64
    assert w.grad.dtype == ember.float64
    assert net.block.bn.num_batches_tracked.dtype == ember.int64
    assert net.to(ember.float32) is net and w.dtype == ember.float32
    net.to("cpu", dtype=ember.float64)
    assert w.dtype == ember.float64
    net.half().float()
    assert w.dtype == ember.float32
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        net.to(ember.int64)
    assert net.cpu() is net
    assert net.type(ember.float64) is net and net.block.steps.dtype == ember.float64


def test_apply_visits_children_first():
    seen = []
    net = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_state_dict_shares_memory_and_round_trips():
    a, b = _build(ember), _build(ember)
    sd = a.state_dict()
    assert "block.scratch" not in sd and "block.steps" in sd
    assert not sd["block.fc.weight"].requires_grad
    assert sd["block.fc.weight"]._data is a.block.fc.weight._data
    assert a.state_dict(keep_vars=True)["block.fc.weight"] is a.block.fc.weight
    a.block.bn.running_mean.add_(3.0)
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = ember.randn(6, 4)
    a.eval()
    b.eval()
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    assert b.block.fc.weight._data is not a.block.fc.weight._data  # copied, not aliased


def test_load_state_dict_strict_errors_name_every_key():
    net = _build(ember)
    sd = net.state_dict()
    del sd["seq.0.bias"]
    sd["seq.9.weight"] = ember.ones(1)
    sd["block.fc.weight"] = ember.ones(5, 4)
    with pytest.raises(RuntimeError) as err:
        net.load_state_dict(sd)
    msg = str(err.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:")
    assert 'Missing key(s) in state_dict: "seq.0.bias".' in msg
    assert 'Unexpected key(s) in state_dict: "seq.9.weight".' in msg
    assert "size mismatch for block.fc.weight: copying a param with shape" in msg
    del sd["block.fc.weight"]
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["block.fc.weight", "seq.0.bias"]
    assert result.unexpected_keys == ["seq.9.weight"]
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        net.load_state_dict([1, 2])


def test_load_state_dict_assign_replaces_tensors():
    lin = nn.Linear(2, 2)
    new_w = ember.ones(2, 2)
    lin.load_state_dict({"weight": new_w, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight._data is new_w._data
    assert lin.weight.requires_grad


def test_batchnorm_state_dict_without_counter_loads():
    bn = nn.BatchNorm1d(3)
    sd = {k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    assert bn.load_state_dict(sd).missing_keys == []  # pre-v2 checkpoints lacked the counter


def test_state_dict_loads_into_torch_and_back():
    torch = pytest.importorskip("torch")
    e, t = _build(ember), _build(torch)
    t.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in
                       e.state_dict().items()})
    e2 = _build(ember)
    e2.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in
                        t.state_dict().items()})
    for (k, v), (_, w) in zip(e.state_dict().items(), e2.state_dict().items()):
        np.testing.assert_array_equal(v.numpy(), w.numpy(), err_msg=k)


def test_repr_equals_torch_repr():
    torch = pytest.importorskip("torch")
    assert repr(_build(ember)) == repr(_build(torch))
    e = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    t = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2))
    assert repr(e) == repr(t)
    assert repr(nn.Module()) == repr(torch.nn.Module()) == "Module()"


def test_forward_pre_hook_and_forward_hook():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(ember.randn(3, 2)).detach()
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(lin.bias.detach().numpy() + 1,
                                                            (3, 2)), rtol=1e-6)
    assert calls == [(3, 2)]
    h1.remove()
    h2.remove()
    h2.remove()  # idempotent
    x = ember.randn(3, 2)
    np.testing.assert_array_equal(lin(x).detach().numpy(),
                                  F.linear(x, lin.weight, lin.bias).detach().numpy())


def test_hook_kwargs_prepend_and_always_call():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            if factor == 0:
                raise ValueError("zero")
            return x * factor

    m = Scale()
    order = []
    m.register_forward_hook(lambda mod, a, out: order.append("second"))
    m.register_forward_hook(lambda mod, a, out: order.append("first"), prepend=True)
    m.register_forward_pre_hook(lambda mod, a, kw: (a, {"factor": 3.0}), with_kwargs=True)
    seen = {}
    m.register_forward_hook(lambda mod, a, kw, out: seen.update(kw), with_kwargs=True)
    assert m(ember.ones(1), factor=2.0).item() == 3.0
    assert order == ["first", "second"] and seen == {"factor": 3.0}
    n = Scale()
    fired = []
    n.register_forward_hook(lambda mod, a, out: fired.append(out), always_call=True)
    with pytest.raises(ValueError):
        n(ember.ones(1), factor=0)
    assert fired == [None]


def test_full_backward_hook_matches_torch():
    torch = pytest.importorskip("torch")
    got = {}
    for lib in (ember, torch):
        lin = lib.nn.Linear(3, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.from_numpy(rand(2, 3, seed=1).astype(np.float32)))
            lin.bias.copy_(lib.from_numpy(rand(2, seed=2).astype(np.float32)))
        rec = []
        lin.register_full_backward_hook(
            lambda m, gin, gout, rec=rec: rec.append((gin[0].detach().numpy().copy(),
                                                      gout[0].detach().numpy().copy())))
        x = lib.from_numpy(rand(4, 3, seed=3).astype(np.float32)).requires_grad_(True)
        (lin(x) ** 2).sum().backward()
        got[lib.__name__] = (rec, x.grad.numpy().copy())
    (e_rec, e_grad), (t_rec, t_grad) = got["ember"], got["torch"]
    assert len(e_rec) == len(t_rec) == 1
    for a, b in zip(e_rec[0] + (e_grad,), t_rec[0] + (t_grad,)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_backward_hooks_can_replace_gradients():
    lin = nn.Linear(2, 2)
    lin.register_full_backward_pre_hook(lambda m, gout: (gout[0] * 0,))
    x = ember.randn(3, 2, requires_grad=True)
    lin(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0)
    lin2 = nn.Linear(2, 2)
    lin2.register_full_backward_hook(lambda m, gin, gout: (ember.ones(3, 2),))
    y = ember.randn(3, 2, requires_grad=True)
    lin2(y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), 1)
    # no input requires grad: the hook still fires with grad_input (None,)
    calls = []
    lin3 = nn.Linear(2, 2)
    lin3.register_full_backward_hook(lambda m, gin, gout: calls.append(gin))
    lin3(ember.randn(1, 2)).sum().backward()
    assert calls == [(None,)]


def test_call_without_hooks_goes_straight_to_forward():
    lin = nn.Linear(2, 2)
    assert lin._has_hooks is False
    h = lin.register_forward_hook(lambda *a: None)
    assert lin._has_hooks is True
    h.remove()
    lin(ember.randn(1, 2))  # still works after removal


def test_missing_forward_error():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match=r'\[NoForward\] is missing the required'):
        NoForward()(ember.ones(1))


class Pickled(nn.Module):
    """A module-level model (pickle stores classes by qualified name)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.scale = nn.Parameter(ember.ones(1))

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


def test_deepcopy_and_pickle():
    net = _build(ember)
    twin = copy.deepcopy(net)
    assert twin.block.fc.weight is not net.block.fc.weight
    assert isinstance(twin.block.fc.weight, nn.Parameter)
    np.testing.assert_array_equal(twin.block.fc.weight.numpy(force=True),
                                  net.block.fc.weight.numpy(force=True))
    model = Pickled()
    back = pickle.loads(pickle.dumps(model))
    assert isinstance(back.scale, nn.Parameter) and back.scale.requires_grad
    assert list(back.state_dict()) == list(model.state_dict())
    back.eval()
    model.eval()
    x = ember.randn(2, 4)
    np.testing.assert_array_equal(back(x).detach().numpy(), model(x).detach().numpy())


def test_state_dict_and_load_hooks():
    lin = nn.Linear(1, 1)
    seen = []
    lin.register_load_state_dict_post_hook(lambda m, keys: seen.append(keys))
    lin.load_state_dict(lin.state_dict())
    assert seen and seen[0].missing_keys == []
    def drop_bias(module, state_dict, prefix, local_metadata):
        del state_dict[prefix + "bias"]

    lin.register_state_dict_post_hook(drop_bias)
    assert list(lin.state_dict()) == ["weight"]


def test_extra_state_round_trip():
    class Stateful(nn.Module):
        def __init__(self):
            super().__init__()
            self.count = 0

        def get_extra_state(self):
            return {"count": self.count}

        def set_extra_state(self, state):
            self.count = state["count"]

    a, b = Stateful(), Stateful()
    a.count = 5
    b.load_state_dict(a.state_dict())
    assert b.count == 5
