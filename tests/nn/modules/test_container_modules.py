"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict (container.py)."""

from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn


def _seq(lib):
    m = lib.nn
    return m.Sequential(m.Linear(2, 3), m.ReLU(), m.Linear(3, 3), m.ReLU(), m.Linear(3, 1))


def test_sequential_forward_indexing_and_slicing():
    s = _seq(ember)
    x = ember.randn(4, 2)
    ref = s[4](s[3](s[2](s[1](s[0](x)))))
    np.testing.assert_array_equal(s(x).detach().numpy(), ref.detach().numpy())
    assert len(s) == 5 and s[-1] is s[4]
    sub = s[1:3]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and sub[0] is s[1]
    assert [type(m).__name__ for m in s] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        s[5]


def test_sequential_mutation_renumbers_like_torch():
    torch = pytest.importorskip("torch")
    e, t = _seq(ember), _seq(torch)
    for s, lib in ((e, ember), (t, torch)):
        del s[1]
        s.append(lib.nn.Tanh())
        s.insert(0, lib.nn.Identity())
        s[2] = lib.nn.Sigmoid()
        s.pop(3)
    assert repr(e) == repr(t)
    assert [k for k, _ in e.named_children()] == [k for k, _ in t.named_children()]
    both = e + nn.Sequential(nn.ReLU())
    assert len(both) == len(e) + 1


def test_sequential_from_ordered_dict_keeps_names():
    s = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert s.fc is s[0] and [n for n, _ in s.named_parameters()] == ["fc.weight", "fc.bias"]


def test_module_list_and_repr_compression_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (ember, torch):
        ml = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)])
        ml.append(lib.nn.ReLU())
        ml.extend([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)])
        ml.insert(1, lib.nn.Tanh())
        if lib is ember:
            e = ml
        else:
            t = ml
    assert repr(e) == repr(t)
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
    assert len(e) == 7 and isinstance(e[1:3], nn.ModuleList)
    del e[0]
    assert [k for k, _ in e.named_children()] == [str(i) for i in range(6)]
    assert e.pop(0).__class__ is nn.Tanh
    assert len(list(e.parameters())) == 8
    with pytest.raises(TypeError, match="iterable"):
        nn.ModuleList().extend(nn.ReLU())


def test_module_dict():
    torch = pytest.importorskip("torch")
    e = nn.ModuleDict({"a": nn.Linear(1, 1), "b": nn.ReLU()})
    t = torch.nn.ModuleDict({"a": torch.nn.Linear(1, 1), "b": torch.nn.ReLU()})
    assert repr(e) == repr(t)
    e["c"] = nn.Tanh()
    e.update([("d", nn.Sigmoid())])
    assert list(e) == ["a", "b", "c", "d"] and "c" in e and len(e) == 4
    assert isinstance(e.pop("b"), nn.ReLU) and list(e.keys()) == ["a", "c", "d"]
    assert [n for n, _ in e.named_parameters()] == ["a.weight", "a.bias"]
    with pytest.raises(ValueError, match="element #0 should be an iterable of length 2"):
        e.update([nn.ReLU()])
    e.clear()
    assert len(e) == 0


def test_parameter_list_and_dict():
    torch = pytest.importorskip("torch")
    pl = nn.ParameterList([nn.Parameter(ember.ones(2, 3)), ember.zeros(4)])
    tl = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2, 3)), torch.zeros(4)])
    assert repr(pl) == repr(tl).replace("torch.", "ember.")
    assert all(isinstance(p, nn.Parameter) for p in pl)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pl.append(ember.ones(1))
    assert len(pl) == 3 and pl[-1].shape == (1,)
    pd = nn.ParameterDict({"w": ember.ones(2)})
    td = torch.nn.ParameterDict({"w": torch.ones(2)})
    assert repr(pd) == repr(td).replace("torch.", "ember.")
    pd["b"] = nn.Parameter(ember.zeros(1))
    assert list(pd.keys()) == ["w", "b"] and "b" in pd
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"]
    assert pd.pop("w").shape == (2,) and len(pd) == 1
    with pytest.raises(RuntimeError, match="should not be called"):
        pl(ember.ones(1))


def test_containers_in_a_model_state_dict_matches_torch():
    torch = pytest.importorskip("torch")

    def build(lib):
        m = lib.nn
        root = m.Module()
        root.layers = m.ModuleList([m.Linear(2, 2), m.Sequential(m.Linear(2, 1))])
        root.heads = m.ModuleDict({"x": m.Linear(1, 1)})
        root.extra = m.ParameterList([m.Parameter(lib.ones(3))])
        return root

    assert list(build(ember).state_dict()) == list(build(torch).state_dict())
    assert repr(build(ember)) == repr(build(torch)).replace("torch.", "ember.")
