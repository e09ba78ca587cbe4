"""Activation layers (ember/nn/modules/activation.py) against their PyTorch twins."""

import pytest
from nn_helpers import compare_module, rand

import ember
import ember.nn as nn

LAYERS = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("ReLU6", (), {}),
    ("LeakyReLU", (0.2,), {}), ("ELU", (), {"alpha": 0.5}), ("CELU", (1.3,), {}),
    ("SELU", (), {}), ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}), ("SiLU", (), {}),
    ("Mish", (), {}), ("Hardsigmoid", (), {}), ("Hardswish", (), {}), ("Sigmoid", (), {}),
    ("Tanh", (), {}), ("LogSigmoid", (), {}), ("Softsign", (), {}), ("Tanhshrink", (), {}),
    ("Softplus", (), {"beta": 2.0, "threshold": 5.0}), ("Hardtanh", (-0.5, 0.5), {}),
    ("Threshold", (0.1, -1.0), {}), ("Softmax", (), {"dim": 1}), ("Softmin", (1,), {}),
    ("LogSoftmax", (), {"dim": -1}), ("GLU", (), {"dim": 1}), ("PReLU", (), {}),
    ("PReLU", (4,), {"init": 0.1}),
]


def _ids(layer):
    return f"{layer[0]}{layer[1]}{layer[2]}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer", LAYERS, ids=_ids)
def test_layer_matches_torch(layer, dtype):
    torch = pytest.importorskip("torch")
    name, args, kw = layer
    e, t = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(e) == repr(t)
    # in-place layers need a non-leaf input; multiply inside a wrapper
    if kw.get("inplace"):
        e, t = nn.Sequential(nn.Identity(), e), torch.nn.Sequential(torch.nn.Identity(), t)
    # PyTorch's float64 backward of these two uses float32 constants (1/6, 1/alpha)
    scale = 1e3 if name in ("Hardsigmoid", "CELU") and dtype == "float64" else 1.0
    x = rand(3, 4, 2, seed=1) * 2
    if kw.get("inplace"):
        compare_module(_Scaled(e), _TScaled(torch, t), [x], dtype=dtype)
    else:
        compare_module(e, t, [x], dtype=dtype, scale=scale)


class _Scaled(nn.Module):
    """x * 1 first, so an in-place layer never writes into a leaf."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x * 1)


def _TScaled(torch, inner):
    class TScaled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner(x * 1)

    return TScaled()


def test_prelu_parameter_and_default_init():
    p = nn.PReLU(3)
    assert p.weight.shape == (3,) and float(p.weight[0]) == 0.25
    assert [n for n, _ in p.named_parameters()] == ["weight"]


def test_softmax_without_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        nn.Softmax()(ember.ones(2, 3))
    assert repr(nn.Softmax()) == "Softmax(dim=None)"


def test_hardtanh_rejects_inverted_bounds():
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        nn.Hardtanh(1.0, -1.0)
