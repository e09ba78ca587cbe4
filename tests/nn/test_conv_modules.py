"""Convolution layers (ember/nn/modules/conv.py): repr, init, torch parity, errors."""

import math

import numpy as np
import pytest
from helpers import torch_or_skip

import ember
import ember.nn as nn

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def _copy_params(src, dst):
    for (name, p), (tname, tp) in zip(dst.named_parameters(), src.named_parameters()):
        assert name == tname
        p._data[...] = tp.detach().numpy()


def _check_layer(cls, args, kw, xshape, dtype="float32", call_kw=None):
    """Same weights in both frameworks: output and gradients (input and parameters) match."""
    torch = torch_or_skip()
    tlayer = getattr(torch.nn, cls)(*args, **kw).to(getattr(torch, dtype))
    layer = getattr(nn, cls)(*args, **kw).to(getattr(ember, dtype))
    assert repr(layer) == repr(tlayer)
    _copy_params(tlayer, layer)
    a = np.random.default_rng(0).standard_normal(xshape).astype(dtype)
    x = ember.from_numpy(a.copy()).requires_grad_()
    tx = torch.from_numpy(a.copy()).requires_grad_()
    out = layer(x, **(call_kw or {}))
    ref = tlayer(tx, **(call_kw or {}))
    tol = 1e-5 if dtype == "float32" else 1e-10
    scale = max(1.0, float(ref.detach().abs().max()))
    np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=tol, atol=tol * scale)
    g = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(dtype)
    out.backward(ember.from_numpy(g))
    ref.backward(torch.from_numpy(g))
    pairs = [("input", x.grad, tx.grad)] + [
        (n, p.grad, tp.grad) for (n, p), (_, tp) in zip(layer.named_parameters(),
                                                        tlayer.named_parameters())]
    for name, eg, tg in pairs:
        scale = max(1.0, float(tg.abs().max()))
        np.testing.assert_allclose(eg._data, tg.numpy(), rtol=tol, atol=tol * scale,
                                   err_msg=name)


LAYERS = [
    ("Conv2d", (1, 6, 5), {}, (2, 1, 32, 32)),
    ("Conv2d", (3, 8, 3), dict(stride=2, padding=1, dilation=2, bias=False,
                               padding_mode="reflect"), (2, 3, 11, 10)),
    ("Conv2d", (4, 8, (3, 2)), dict(padding="same", groups=2, padding_mode="circular"),
     (2, 4, 9, 10)),
    ("Conv2d", (4, 8, 3), dict(padding=2, padding_mode="replicate"), (2, 4, 9, 10)),
    ("Conv2d", (4, 6, 3), dict(padding="same", padding_mode="zeros"), (2, 4, 9, 10)),
    ("Conv2d", (4, 6, 3), dict(padding="same", padding_mode="reflect"), (4, 9, 10)),
    ("Conv1d", (4, 8, 3), dict(padding="valid"), (2, 4, 9)),
    ("Conv1d", (4, 8, 3), dict(padding=2, padding_mode="circular", stride=2), (2, 4, 9)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, output_padding=1), (2, 4, 5, 6)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, groups=2, bias=False),
     (2, 4, 5, 6)),
    ("ConvTranspose1d", (4, 6, 3), dict(stride=2, padding=1, groups=2), (2, 4, 7)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cls,args,kw,xshape", LAYERS, ids=[f"{c[0]}-{i}" for i, c in
                                                           enumerate(LAYERS)])
def test_layer_matches_torch(cls, args, kw, xshape, dtype):
    _check_layer(cls, args, kw, xshape, dtype)


def test_conv_transpose_output_size_argument():
    _check_layer("ConvTranspose2d", (3, 2, 3), dict(stride=2, padding=1), (1, 3, 4, 4),
                 call_kw=dict(output_size=(8, 8)))
    layer = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    x = ember.zeros(1, 3, 4, 4)
    assert layer(x, output_size=[1, 2, 7, 7]).shape == (1, 2, 7, 7)
    with pytest.raises(ValueError, match="valid sizes range from 7 to 8"):
        layer(x, output_size=(9, 9))


def test_blitz_repr_and_parameters():
    conv = nn.Conv2d(1, 6, 5)
    assert repr(conv) == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert conv.weight.size() == (6, 1, 5, 5) and conv.bias.size() == (6,)
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    assert repr(nn.Conv2d(3, 6, 3, bias=False)) == \
        "Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1), bias=False)"
    t = nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1)
    assert t.weight.shape == (4, 2, 3, 3)
    assert repr(t) == ("ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), "
                       "output_padding=(1, 1))")


def test_default_init_bounds():
    ember.manual_seed(0)
    conv = nn.Conv2d(16, 32, 3)
    fan_in = 16 * 9
    # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), like the bias
    bound = 1 / math.sqrt(fan_in)
    w, b = conv.weight._data, conv.bias._data
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert w.dtype == np.float32
    assert nn.Conv2d(2, 4, 3, bias=False).bias is None


def test_float64_layer_and_no_bias_gradcheck():
    conv = nn.Conv2d(2, 3, 3, padding=1, bias=False).double()
    x = ember.from_numpy(np.random.default_rng(0).standard_normal((2, 2, 4, 4)))
    x.requires_grad_()
    assert ember.autograd.gradcheck(lambda t: conv(t), [x])


@pytest.mark.parametrize("kw,match", [
    (dict(groups=0), "groups must be a positive integer"),
    (dict(groups=4), "in_channels must be divisible by groups"),
    (dict(padding="full"), "Invalid padding string 'full'"),
    (dict(padding="same", stride=2), "padding='same' is not supported for strided"),
    (dict(padding_mode="mirror"), "padding_mode must be one of"),
])
def test_layer_argument_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        nn.Conv2d(6, 4, 3, **kw)


def test_layer_input_errors_name_shapes():
    conv = nn.Conv2d(3, 6, 5)
    with pytest.raises(RuntimeError, match=r"expected input\[1, 4, 32, 32\] to have 3 channels"):
        conv(ember.zeros(1, 4, 32, 32))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input"):
        conv(ember.zeros(1, 3, 4, 4))
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(3, 6, 3, padding_mode="reflect")
