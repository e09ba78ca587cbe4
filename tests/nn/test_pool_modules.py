"""Pooling layers (ember/nn/modules/pooling.py): repr, torch parity, indices, errors."""

import numpy as np
import pytest
from helpers import torch_or_skip

import ember
import ember.nn as nn

LAYERS = [
    ("MaxPool2d", (2, 2), {}, (2, 3, 8, 8)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 9, 8)),
    ("MaxPool2d", ((3, 2),), dict(dilation=(1, 2)), (3, 9, 8)),
    ("MaxPool1d", (3,), dict(stride=2, padding=1), (2, 3, 10)),
    ("AvgPool2d", (3, 2, 1), dict(count_include_pad=False, ceil_mode=True), (2, 3, 9, 8)),
    ("AvgPool2d", (2,), dict(divisor_override=3), (2, 3, 8, 8)),
    ("AvgPool1d", (3,), dict(stride=2), (2, 3, 10)),
    ("AdaptiveAvgPool2d", ((3, 5),), {}, (2, 3, 8, 7)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 8, 7)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 7)),
    ("AdaptiveMaxPool2d", ((3, None),), {}, (2, 3, 8, 7)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 7)),
]


@pytest.mark.parametrize("cls,args,kw,xshape", LAYERS, ids=[f"{c[0]}-{i}" for i, c in
                                                           enumerate(LAYERS)])
def test_layer_matches_torch(cls, args, kw, xshape):
    torch = torch_or_skip()
    tlayer = getattr(torch.nn, cls)(*args, **kw)
    layer = getattr(nn, cls)(*args, **kw)
    assert repr(layer) == repr(tlayer)
    a = np.maximum(np.random.default_rng(0).standard_normal(xshape), 0)  # ties included
    x = ember.from_numpy(a.copy()).requires_grad_()
    tx = torch.from_numpy(a.copy()).requires_grad_()
    out, ref = layer(x), tlayer(tx)
    np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(tuple(ref.shape))
    out.backward(ember.from_numpy(g))
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad._data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_reprs_without_torch():
    assert repr(nn.MaxPool2d(2, 2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool2d(3)) == \
        "MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(2)) == "AvgPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.AvgPool1d(2)) == "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"
    assert repr(nn.AdaptiveAvgPool2d((6, 6))) == "AdaptiveAvgPool2d(output_size=(6, 6))"
    assert repr(nn.MaxUnpool2d(2)) == \
        "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert list(nn.MaxPool2d(2).parameters()) == []


def test_return_indices_and_unpool_roundtrip():
    a = np.random.default_rng(3).standard_normal((2, 3, 6, 6))
    pool = nn.MaxPool2d(2, return_indices=True)
    unpool = nn.MaxUnpool2d(2)
    out, idx = pool(ember.from_numpy(a))
    back = unpool(out, idx)
    assert back.shape == (2, 3, 6, 6)
    # every window keeps its maximum in place and zeros elsewhere
    blocks = back._data.reshape(2, 3, 3, 2, 3, 2)
    np.testing.assert_array_equal(blocks.max(axis=(3, 5)), a.reshape(2, 3, 3, 2, 3, 2)
                                  .max(axis=(3, 5)))
    assert (np.count_nonzero(blocks, axis=(3, 5)) == 1).all()
    out1, idx1 = nn.AdaptiveMaxPool2d(3, return_indices=True)(ember.from_numpy(a))
    # 6 -> 3 adaptive windows are the 2x2 blocks of max_pool2d(2)
    np.testing.assert_array_equal(out1._data, out._data)
    np.testing.assert_array_equal(idx1._data, idx._data)


def test_pool_layer_errors():
    with pytest.raises(RuntimeError, match="Output size is too small"):
        nn.MaxPool2d(5)(ember.zeros(1, 1, 4, 4))
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        nn.AvgPool2d(2, padding=2)(ember.zeros(1, 1, 8, 8))
