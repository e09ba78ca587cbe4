"""Linear, Bilinear, Identity (ember/nn/modules/linear.py)."""

import math

import numpy as np
import pytest
from nn_helpers import compare_module, rand

import ember
import ember.nn as nn


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xshape", [(5, 7), (2, 3, 7), (7,)])
def test_linear_matches_torch(xshape, bias, dtype):
    torch = pytest.importorskip("torch")
    compare_module(nn.Linear(7, 4, bias=bias), torch.nn.Linear(7, 4, bias=bias),
                   [rand(*xshape, seed=1)], dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(bias, dtype):
    torch = pytest.importorskip("torch")
    compare_module(nn.Bilinear(3, 5, 4, bias=bias), torch.nn.Bilinear(3, 5, 4, bias=bias),
                   [rand(6, 3, seed=1), rand(6, 5, seed=2)], dtype=dtype)


def test_linear_default_init_distribution():
    ember.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert w.dtype == np.float32 and w.shape == (300, 400)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    # U(-a, a): mean 0, std a / sqrt(3); 120k samples -> tight bounds
    assert abs(w.mean()) < 5 * bound / math.sqrt(3) / math.sqrt(w.size)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(b).max() <= bound and abs(b.std() - bound / math.sqrt(3)) < 0.1 * bound


def test_init_follows_manual_seed_and_factory_kwargs():
    ember.manual_seed(5)
    a = nn.Linear(3, 2).weight.detach().numpy().copy()
    ember.manual_seed(5)
    b = nn.Linear(3, 2).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)
    lin = nn.Linear(3, 2, dtype=ember.float64, device="cpu")
    assert lin.weight.dtype == ember.float64 and lin.weight.requires_grad


def test_bilinear_default_init_bounds():
    m = nn.Bilinear(16, 3, 5)
    assert np.abs(m.weight.detach().numpy()).max() <= 0.25
    assert m.weight.shape == (5, 16, 3)


def test_identity_and_reprs():
    x = ember.randn(2)
    assert nn.Identity(54, unused="x")(x) is x
    assert repr(nn.Linear(2, 3, bias=False)) == \
        "Linear(in_features=2, out_features=3, bias=False)"
    assert repr(nn.Bilinear(2, 3, 4)) == \
        "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)"
    assert repr(nn.Identity()) == "Identity()"


def test_linear_shape_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"\(2x5 and 3x4\)"):
        nn.Linear(3, 4)(ember.randn(2, 5))
