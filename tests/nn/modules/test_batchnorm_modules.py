"""BatchNorm1d/2d/3d (ember/nn/modules/batchnorm.py): train/eval, running stats, options."""

import numpy as np
import pytest
from nn_helpers import close, compare_module, copy_into_torch, host, rand

import ember
import ember.nn as nn

OPTIONS = [{}, {"affine": False}, {"momentum": None}, {"track_running_stats": False},
           {"bias": False}, {"momentum": 0.5, "eps": 1e-3}]


def _pair(name, c, kw):
    torch = pytest.importorskip("torch")
    return getattr(nn, name)(c, **kw), getattr(torch.nn, name)(c, **kw)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", OPTIONS, ids=str)
@pytest.mark.parametrize("name,shape", [("BatchNorm1d", (8, 3)), ("BatchNorm1d", (4, 3, 5)),
                                        ("BatchNorm2d", (4, 3, 2, 5)),
                                        ("BatchNorm3d", (2, 3, 2, 2, 3))])
def test_train_then_eval_matches_torch(name, shape, kw, dtype):
    e, t = _pair(name, 3, kw)
    if e.weight is not None:
        with ember.no_grad():
            e.weight.copy_(ember.from_numpy(rand(3, seed=9)))
            if e.bias is not None:
                e.bias.copy_(ember.from_numpy(rand(3, seed=8)))
    # three training steps (running statistics evolve), then eval mode
    for step in range(3):
        compare_module(e, t, [rand(*shape, seed=step) * 2 + 1], dtype=dtype, seed=step)
        for p in list(e.parameters()) + list(t.parameters()):
            p.grad = None
    if e.track_running_stats:
        assert int(e.num_batches_tracked) == 3
    e.eval()
    t.eval()
    compare_module(e, t, [rand(*shape, seed=7)], dtype=dtype)


def test_cumulative_average_when_momentum_is_none():
    bn = nn.BatchNorm1d(2, momentum=None)
    xs = [rand(6, 2, seed=s) for s in range(4)]
    for x in xs:
        bn(ember.from_numpy(x.astype(np.float32)))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([x.mean(0) for x in xs], 0),
                               rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(),
                               np.mean([x.var(0, ddof=1) for x in xs], 0), rtol=1e-5)


def test_eval_uses_running_statistics():
    bn = nn.BatchNorm1d(2).eval()
    with ember.no_grad():
        bn.running_mean.copy_(ember.tensor([1.0, -1.0]))
        bn.running_var.copy_(ember.tensor([4.0, 0.25]))
    out = bn(ember.tensor([[3.0, 0.0]]))  # one sample is fine in eval mode
    np.testing.assert_allclose(out.detach().numpy(), [[2 / np.sqrt(4 + 1e-5),
                                                      1 / np.sqrt(0.25 + 1e-5)]], rtol=1e-6)
    assert bn.num_batches_tracked.item() == 0


def test_buffers_state_dict_and_repr_match_torch():
    torch = pytest.importorskip("torch")
    e, t = nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    assert list(e.state_dict()) == list(t.state_dict())
    assert e.num_batches_tracked.dtype == ember.int64
    for kw in OPTIONS:
        a, b = _pair("BatchNorm1d", 5, kw)
        assert repr(a) == repr(b)
        assert list(a.state_dict()) == list(b.state_dict())
    copy_into_torch(e, t)
    close(host(e.running_var), t.running_var)


def test_reset_running_stats():
    bn = nn.BatchNorm1d(2)
    bn(ember.randn(4, 2) + 3)
    bn.reset_running_stats()
    np.testing.assert_array_equal(bn.running_mean.numpy(), 0)
    assert bn.num_batches_tracked.item() == 0


def test_input_rank_and_batch_errors():
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(ember.randn(2, 3, 4))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(ember.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(ember.randn(1, 3))
