"""LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm (ember/nn/modules/normalization.py)."""

import pytest
from nn_helpers import compare_module, rand

import ember
import ember.nn as nn


def _random_affine(m):
    with ember.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(ember.from_numpy(rand(*p.shape, seed=20 + i)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("args,kw,shape", [
    ((5,), {}, (3, 5)), (([4, 5],), {}, (2, 3, 4, 5)), ((5,), {"elementwise_affine": False},
                                                     (3, 5)),
    ((5,), {"bias": False, "eps": 1e-3}, (2, 5))])
def test_layer_norm_matches_torch(args, kw, shape, dtype):
    torch = pytest.importorskip("torch")
    e, t = nn.LayerNorm(*args, **kw), torch.nn.LayerNorm(*args, **kw)
    assert repr(e) == repr(t)
    _random_affine(e)
    compare_module(e, t, [rand(*shape, seed=1) * 3], dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("args,kw,shape", [
    ((2, 6), {}, (3, 6, 4)), ((3, 6), {"affine": False}, (2, 6, 2, 2)),
    ((1, 6), {"bias": False}, (2, 6)), ((6, 6), {"eps": 1e-3}, (2, 6, 5))])
def test_group_norm_matches_torch(args, kw, shape, dtype):
    torch = pytest.importorskip("torch")
    e, t = nn.GroupNorm(*args, **kw), torch.nn.GroupNorm(*args, **kw)
    assert repr(e) == repr(t)
    _random_affine(e)
    compare_module(e, t, [rand(*shape, seed=2) * 2], dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rms_norm_and_lrn_match_torch(dtype):
    torch = pytest.importorskip("torch")
    e, t = nn.RMSNorm([3, 4], eps=1e-6), torch.nn.RMSNorm([3, 4], eps=1e-6)
    assert repr(nn.RMSNorm(3)) == repr(torch.nn.RMSNorm(3))
    _random_affine(e)
    compare_module(e, t, [rand(2, 3, 4, seed=3)], dtype=dtype)
    e, t = nn.LocalResponseNorm(3), torch.nn.LocalResponseNorm(3)
    assert repr(e) == repr(t)
    compare_module(e, t, [rand(2, 5, 3, 3, seed=4)], dtype=dtype)


def test_defaults_and_errors():
    ln = nn.LayerNorm(4)
    assert ln.weight.detach().numpy().tolist() == [1, 1, 1, 1]
    assert ln.bias.detach().numpy().tolist() == [0, 0, 0, 0]
    with pytest.raises(ValueError, match="divisible by num_groups"):
        nn.GroupNorm(4, 6)
