"""parameters_to_vector / vector_to_parameters (ember/nn/utils/convert_parameters.py)."""

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.utils import parameters_to_vector, vector_to_parameters


def test_round_trip_and_order():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = parameters_to_vector(net.parameters())
    assert vec.shape == (6 + 2 + 2 + 1,)
    np.testing.assert_array_equal(vec.detach().numpy()[:6],
                                  net[0].weight.detach().numpy().reshape(-1))
    new = ember.arange(11, dtype=ember.float32)
    vector_to_parameters(new, net.parameters())
    np.testing.assert_array_equal(net[1].bias.detach().numpy(), [10.0])
    np.testing.assert_array_equal(net[0].weight.detach().numpy(),
                                  np.arange(6).reshape(2, 3))


def test_parameters_to_vector_is_differentiable():
    net = nn.Linear(2, 2)
    (parameters_to_vector(net.parameters()) * 2).sum().backward()
    np.testing.assert_array_equal(net.weight.grad.numpy(), 2)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    e = nn.Linear(4, 3)
    t = torch.nn.Linear(4, 3)
    t.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in
                       e.state_dict().items()})
    np.testing.assert_array_equal(
        parameters_to_vector(e.parameters()).detach().numpy(),
        torch.nn.utils.parameters_to_vector(t.parameters()).detach().numpy())


def test_vector_type_error():
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        vector_to_parameters([1.0], nn.Linear(1, 1).parameters())
