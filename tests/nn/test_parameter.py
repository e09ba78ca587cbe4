"""nn.Parameter (ember/nn/parameter.py)."""

import copy
import pickle

import numpy as np
import pytest

import ember
import ember.nn as nn


def test_parameter_shares_data_and_requires_grad():
    t = ember.ones(2, 3)
    p = nn.Parameter(t)
    assert isinstance(p, ember.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p._data is t._data
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert type(p * 2) is ember.Tensor and type(p.data) is ember.Tensor


def test_parameter_repr_matches_torch():
    torch = pytest.importorskip("torch")
    e = nn.Parameter(ember.tensor([1.0, 2.5]))
    t = torch.nn.Parameter(torch.tensor([1.0, 2.5]))
    assert repr(e) == repr(t)
    assert repr(e).startswith("Parameter containing:\ntensor([1.0000, 2.5000]")


def test_parameter_rejects_integer_data_and_non_tensors():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(ember.tensor([1, 2]))
    assert not nn.Parameter(ember.tensor([1, 2]), requires_grad=False).requires_grad
    with pytest.raises(TypeError, match="must be a Tensor"):
        nn.Parameter([1.0])


def test_parameter_copy_and_pickle_keep_the_type():
    p = nn.Parameter(ember.randn(3))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
        assert q._data is not p._data


def test_buffer_marker_registers_a_buffer():
    m = nn.Module()
    m.stats = nn.Buffer(ember.zeros(2))
    m.tmp = nn.Buffer(ember.zeros(1), persistent=False)
    assert "stats" in m._buffers and list(m.state_dict()) == ["stats"]
