"""Dropout ops (ember/ops/dropout.py): statistics of the mask, scaling, gradients, seeding."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F


def test_dropout_zeroes_a_fraction_p_and_rescales_survivors():
    ember.manual_seed(0)
    x = ember.ones(200, 500)
    out = F.dropout(x, p=0.3).numpy()
    kept = out != 0
    # 100k Bernoulli(0.7) draws: the kept fraction is within 5 sigma of 0.7
    assert abs(kept.mean() - 0.7) < 5 * np.sqrt(0.21 / kept.size)
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert out.dtype == np.float32


def test_dropout_gradient_is_the_mask():
    ember.manual_seed(1)
    x = ember.randn(50, 40, dtype=ember.float64, requires_grad=True)
    out = F.dropout(x, p=0.4)
    out.sum().backward()
    mask = out.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-12)


def test_dropout_eval_p0_and_p1():
    x = ember.randn(3, 4)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((3, 4)))


def test_dropout_reproducible_under_manual_seed_and_generator():
    ember.manual_seed(7)
    a = F.dropout(ember.ones(10, 10)).numpy()
    ember.manual_seed(7)
    b = F.dropout(ember.ones(10, 10)).numpy()
    np.testing.assert_array_equal(a, b)
    g = ember.Generator().manual_seed(3)
    c = F.dropout(ember.ones(10, 10), generator=g).numpy()
    g.manual_seed(3)
    np.testing.assert_array_equal(c, F.dropout(ember.ones(10, 10), generator=g).numpy())


@pytest.mark.parametrize("fn,shape,lead", [(F.dropout1d, (8, 16, 5), 2),
                                           (F.dropout2d, (8, 16, 3, 4), 2),
                                           (F.dropout3d, (4, 16, 2, 3, 2), 2),
                                           (F.dropout1d, (16, 5), 1),
                                           (F.dropout3d, (16, 2, 3, 2), 1)])
def test_feature_dropout_drops_whole_channels(fn, shape, lead):
    """lead: the dims that get one draw each (sample and channel, or channel when unbatched)."""
    ember.manual_seed(2)
    out = fn(ember.ones(*shape), p=0.5).numpy()
    per_channel = out.reshape(shape[:lead] + (-1,))
    # every channel is all zeros or all 2.0
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert 0 < (per_channel == 0).all(-1).mean() < 1


def test_inplace_dropout():
    ember.manual_seed(3)
    x = ember.ones(4, 5)
    assert F.dropout(x, 0.5, inplace=True) is x
    assert set(np.unique(x.numpy())) <= {0.0, 2.0}


def test_alpha_dropout_keeps_mean_and_variance():
    ember.manual_seed(4)
    x = ember.randn(400, 500)
    out = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    assert F.alpha_dropout(x, 0.2, training=False) is x


def test_dropout_rejects_bad_probability_and_rank():
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        F.dropout(ember.ones(2), 1.5)
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        F.dropout1d(ember.ones(2, 3, 4, 5), 0.5)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        F.dropout2d(ember.ones(2, 3), 0.5)


def test_dropout2d_reads_3d_input_as_batched_1d_like_torch():
    ember.manual_seed(4)
    with pytest.warns(UserWarning, match=r"interpreted as shape \(N, C, L\)"):
        out = F.dropout2d(ember.ones(16, 3, 4), 0.5).numpy()
    per = out.reshape(16, 3, 4)
    assert np.all((per == 0).all(-1) | (per == 2.0).all(-1))
    assert 0 < (per == 0).all(-1).mean() < 1 and not (per == 0).all((1, 2)).all()
    with pytest.raises(TypeError, match="Tensor"):
        F.dropout([1.0], 0.5)


def test_dropout_gradcheck_with_a_fixed_mask():
    from nn_helpers import gradcheck, rand

    def fixed(fn):
        # reseeding on every call gives gradcheck the same mask for each perturbed input
        def run(x):
            ember.manual_seed(11)
            return fn(x)
        return run

    gradcheck(fixed(lambda x: F.dropout(x, 0.4)), [rand(3, 4)])
    gradcheck(fixed(lambda x: F.dropout2d(x, 0.5)), [rand(2, 3, 2, 2)])
    gradcheck(fixed(lambda x: F.alpha_dropout(x, 0.3, training=True)), [rand(3, 4)])
