"""Loss ops (ember/ops/loss.py): PyTorch oracle for every option, float64 gradchecks, errors."""

import itertools
import warnings

import numpy as np
import pytest
from nn_helpers import compare_fn, gradcheck, rand

import ember
import ember.nn.functional as F

REDUCTIONS = ["mean", "sum", "none"]


def _targets(shape, n_classes, seed=0, ignore=None):
    t = np.random.default_rng(seed).integers(0, n_classes, shape)
    if ignore is not None:
        t.reshape(-1)[::3] = ignore
    return t.astype(np.int64)


def _tf():
    return pytest.importorskip("torch").nn.functional


def _weight(lib, w):
    return None if w is None else lib.from_numpy(w)


# ------------------------------------------------------------------ cross-entropy
CE_OPTIONS = list(itertools.product(
    [(4, 5), (2, 3, 4, 2), (5,)],          # input shapes (class axis 1; unbatched last)
    [False, True],                          # weight
    [-100, 1],                              # ignore_index (1 is a real class)
    [0.0, 0.2],                             # label smoothing
    REDUCTIONS))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,weighted,ignore,smooth,reduction", CE_OPTIONS)
def test_cross_entropy_class_targets(shape, weighted, ignore, smooth, reduction, dtype):
    tf = _tf()
    c = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else shape[:1] + shape[2:]
    target = _targets(tshape, c, seed=1)
    w = rand(c, seed=2, low=0.5, high=2.0).astype(dtype) if weighted else None

    def run(F_, lib, x, t):
        return F_.cross_entropy(x, t, weight=_weight(lib, w), ignore_index=ignore,
                                label_smoothing=smooth, reduction=reduction)

    import torch

    compare_fn(lambda x, t: run(F, ember, x, t), lambda x, t: run(tf, torch, x, t),
               [rand(*shape, seed=3) * 3, target], dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weighted,smooth,reduction",
                         list(itertools.product([False, True], [0.0, 0.3], REDUCTIONS)))
def test_cross_entropy_probability_targets(weighted, smooth, reduction, dtype):
    tf = _tf()
    import torch

    p = rand(4, 3, 2, seed=5, low=0.0, high=1.0)
    p /= p.sum(1, keepdims=True)
    w = rand(3, seed=6, low=0.5, high=2.0).astype(dtype) if weighted else None

    def run(F_, lib, x, t):
        return F_.cross_entropy(x, t, weight=_weight(lib, w), label_smoothing=smooth,
                                reduction=reduction)

    compare_fn(lambda x, t: run(F, ember, x, t), lambda x, t: run(tf, torch, x, t),
               [rand(4, 3, 2, seed=4), p], dtype=dtype)


@pytest.mark.parametrize("weighted,ignore,smooth,reduction", [
    (False, -100, 0.0, "mean"), (True, 2, 0.0, "mean"), (True, 0, 0.25, "mean"),
    (False, -100, 0.1, "sum"), (True, -100, 0.0, "none")])
def test_cross_entropy_gradcheck(weighted, ignore, smooth, reduction):
    target = ember.from_numpy(_targets((3, 2), 4, seed=8, ignore=ignore))
    w = ember.from_numpy(rand(4, seed=9, low=0.5, high=2.0)) if weighted else None
    gradcheck(lambda x: F.cross_entropy(x, target, w, ignore_index=ignore,
                                        label_smoothing=smooth, reduction=reduction),
              [rand(3, 4, 2, seed=7)])


def test_cross_entropy_probability_target_gradcheck_both_inputs():
    p = rand(3, 4, seed=1, low=0.1, high=1.0)
    w = ember.from_numpy(rand(4, seed=2, low=0.5, high=2.0))
    gradcheck(lambda x, t: F.cross_entropy(x, t, w, label_smoothing=0.1), [rand(3, 4), p])


def test_cross_entropy_is_stable_for_huge_logits():
    x = ember.tensor([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(x, ember.tensor([2, 0]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), (2e4 + np.log(3)) / 2, rtol=1e-6)
    assert np.isfinite(x.grad.numpy()).all()


def test_cross_entropy_matches_log_softmax_plus_nll():
    x = ember.from_numpy(rand(5, 7, seed=3))
    t = ember.from_numpy(_targets((5,), 7))
    a = F.cross_entropy(x, t, reduction="none")
    b = F.nll_loss(F.log_softmax(x, 1), t, reduction="none")
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    assert a.grad_fn is None  # no graph without requires_grad


def test_cross_entropy_all_targets_ignored_gives_nan_like_torch():
    loss = F.cross_entropy(ember.randn(3, 4), ember.tensor([-100, -100, -100]))
    assert np.isnan(loss.item())


def test_cross_entropy_grad_fn_name():
    x = ember.randn(2, 3, requires_grad=True)
    assert F.cross_entropy(x, ember.tensor([0, 2])).grad_fn.name() == "NllLossBackward0"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weighted,ignore,reduction",
                         list(itertools.product([False, True], [-100, 0], REDUCTIONS)))
def test_nll_loss(weighted, ignore, reduction, dtype):
    tf = _tf()
    import torch

    w = rand(5, seed=2, low=0.5, high=2.0).astype(dtype) if weighted else None
    target = _targets((6,), 5, seed=3)

    def run(F_, lib, x, t):
        return F_.nll_loss(x, t, weight=_weight(lib, w), ignore_index=ignore,
                           reduction=reduction)

    compare_fn(lambda x, t: run(F, ember, x, t), lambda x, t: run(tf, torch, x, t),
               [rand(6, 5, seed=1), target], dtype=dtype)


def test_nll_loss_gradcheck():
    t = ember.from_numpy(_targets((4, 3), 3, seed=1))
    w = ember.from_numpy(rand(3, seed=2, low=0.5, high=2.0))
    gradcheck(lambda x: F.nll_loss(x, t, w, ignore_index=1), [rand(4, 3, 3)])


def test_class_target_errors():
    x = ember.randn(3, 4)
    with pytest.raises(IndexError, match="Target 4 is out of bounds"):
        F.cross_entropy(x, ember.tensor([0, 1, 4]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.nll_loss(x, ember.tensor([0, -1, 2]))
    with pytest.raises(ValueError, match=r"batch_size \(3\) to match target batch_size \(4\)"):
        F.cross_entropy(x, ember.tensor([0, 1, 2, 3]))
    with pytest.raises(RuntimeError, match=r"Expected target size \[3, 5\], got \[3\]"):
        F.nll_loss(ember.randn(3, 4, 5), ember.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.cross_entropy(x, ember.tensor([0, 1, 2]), reduction="avg")
    with pytest.raises(RuntimeError, match="weight tensor should be defined"):
        F.cross_entropy(x, ember.tensor([0, 1, 2]), weight=ember.ones(3))
    with pytest.raises(ValueError, match="label_smoothing must be between"):
        F.cross_entropy(x, ember.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        F.cross_entropy(x, ember.rand(3, 4), ignore_index=1)
    with pytest.raises(RuntimeError, match="Expected target size"):
        F.cross_entropy(x, ember.rand(3, 5))
    with pytest.raises(RuntimeError, match="expected scalar type Long"):
        F.nll_loss(x, ember.rand(3))


def test_legacy_size_average_and_reduce():
    x, t = ember.randn(4, 3), ember.tensor([0, 1, 2, 0])
    with pytest.warns(UserWarning, match="size_average and reduce"):
        s = F.cross_entropy(x, t, size_average=False)
    np.testing.assert_allclose(s.item(), F.cross_entropy(x, t, reduction="sum").item())
    with pytest.warns(UserWarning):
        n = F.nll_loss(x, t, reduce=False)
    assert n.shape == (4,)


# ------------------------------------------------------------------ regression losses
POINTWISE = {
    "mse": (lambda F_, x, t, r: F_.mse_loss(x, t, reduction=r)),
    "l1": (lambda F_, x, t, r: F_.l1_loss(x, t, reduction=r)),
    "smooth_l1": (lambda F_, x, t, r: F_.smooth_l1_loss(x, t, reduction=r, beta=0.5)),
    "smooth_l1_beta0": (lambda F_, x, t, r: F_.smooth_l1_loss(x, t, reduction=r, beta=0.0)),
    "huber": (lambda F_, x, t, r: F_.huber_loss(x, t, reduction=r, delta=0.7)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_losses(name, reduction, dtype):
    tf = _tf()
    fn = POINTWISE[name]
    compare_fn(lambda x, t: fn(F, x, t, reduction), lambda x, t: fn(tf, x, t, reduction),
               [rand(3, 4, seed=1), rand(3, 4, seed=2)], dtype=dtype)


@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_gradcheck(name):
    fn = POINTWISE[name]
    a, b = rand(3, 4, seed=1), rand(3, 4, seed=2)
    d = a - b
    b = np.where(np.abs(np.abs(d) - 0.5) < 0.02, b + 0.1, b)  # off the beta kink
    b = np.where(np.abs(np.abs(a - b) - 0.7) < 0.02, b + 0.1, b)
    for r in REDUCTIONS:
        gradcheck(lambda x, t, r=r: fn(F, x, t, r), [a, b])


@pytest.mark.parametrize("name", ["mse", "l1", "huber"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_pointwise_losses(name, reduction):
    tf = _tf()
    import torch

    w = rand(3, 4, seed=9, low=0.1, high=2.0)
    fn = {"mse": "mse_loss", "l1": "l1_loss", "huber": "huber_loss"}[name]
    compare_fn(lambda x, t: getattr(F, fn)(x, t, reduction=reduction, weight=ember.from_numpy(w)),
               lambda x, t: getattr(tf, fn)(x, t, reduction=reduction,
                                            weight=torch.from_numpy(w)),
               [rand(3, 4, seed=1), rand(3, 4, seed=2)], dtype="float64")


def test_mse_broadcast_warns_like_the_blitz():
    tf = _tf()
    with pytest.warns(UserWarning, match="different to the input size"):
        compare_fn(lambda x, t: F.mse_loss(x, t), lambda x, t: tf.mse_loss(x, t),
                   [rand(1, 10), np.arange(1.0, 11.0)])


def test_mse_known_value():
    loss = F.mse_loss(ember.tensor([1.0, 2.0, 3.0]), ember.tensor([1.0, 0.0, 0.0]))
    assert loss.item() == pytest.approx(13 / 3)
    assert loss.grad_fn is None


def test_pointwise_errors():
    with pytest.raises(RuntimeError, match="must match the size"), \
            pytest.warns(UserWarning, match="different to the input size"):
        F.l1_loss(ember.ones(3), ember.ones(4))
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.mse_loss(ember.ones(3), ember.ones(3), weight=ember.ones(2))
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(ember.ones(3), ember.ones(3), beta=-1.0)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(ember.ones(3), ember.ones(3), delta=0.0)


# ------------------------------------------------------------------ binary cross-entropy
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weighted,reduction",
                         list(itertools.product([False, True], REDUCTIONS)))
def test_binary_cross_entropy(weighted, reduction, dtype):
    tf = _tf()
    import torch

    w = rand(4, seed=3, low=0.5, high=2.0).astype(dtype) if weighted else None
    p = rand(3, 4, seed=1, low=0.05, high=0.95)
    t = rand(3, 4, seed=2, low=0.0, high=1.0)

    def run(F_, lib, x, y):
        return F_.binary_cross_entropy(x, y, weight=_weight(lib, w), reduction=reduction)

    compare_fn(lambda x, y: run(F, ember, x, y), lambda x, y: run(tf, torch, x, y), [p, t],
               dtype=dtype)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    loss = F.binary_cross_entropy(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 0.0]),
                                  reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [100.0, 100.0])


def test_binary_cross_entropy_gradcheck():
    gradcheck(lambda x, y: F.binary_cross_entropy(x, y),
              [rand(3, 4, seed=1, low=0.1, high=0.9), rand(3, 4, seed=2, low=0, high=1)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weighted,pos,reduction",
                         list(itertools.product([False, True], [False, True], REDUCTIONS)))
def test_bce_with_logits(weighted, pos, reduction, dtype):
    tf = _tf()
    import torch

    w = rand(4, seed=3, low=0.5, high=2.0).astype(dtype) if weighted else None
    pw = rand(4, seed=4, low=0.5, high=3.0).astype(dtype) if pos else None

    def run(F_, lib, x, y):
        return F_.binary_cross_entropy_with_logits(x, y, weight=_weight(lib, w),
                                                   pos_weight=_weight(lib, pw),
                                                   reduction=reduction)

    compare_fn(lambda x, y: run(F, ember, x, y), lambda x, y: run(tf, torch, x, y),
               [rand(3, 4, seed=1) * 4, rand(3, 4, seed=2, low=0, high=1)], dtype=dtype)


def test_bce_with_logits_stable_and_gradcheck():
    x = ember.tensor([1000.0, -1000.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, ember.tensor([0.0, 1.0]), reduction="sum")
    loss.backward()
    assert loss.item() == pytest.approx(2000.0)
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -1.0])
    pw = ember.from_numpy(rand(4, seed=4, low=0.5, high=3.0))
    gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw),
              [rand(3, 4, seed=1), rand(3, 4, seed=2, low=0, high=1)])


def test_bce_errors():
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(ember.rand(3), ember.rand(2))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ember.rand(3) + 1, ember.rand(3))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(ember.rand(3), ember.rand(2))


# ------------------------------------------------------------------ KL divergence
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("log_target,reduction",
                         list(itertools.product([False, True], REDUCTIONS + ["batchmean"])))
def test_kl_div(log_target, reduction, dtype):
    tf = _tf()
    p = rand(3, 4, seed=2, low=0.05, high=1.0)
    p /= p.sum(1, keepdims=True)
    target = np.log(p) if log_target else p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_fn(lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
                   lambda x, t: tf.kl_div(x, t, reduction=reduction, log_target=log_target),
                   [np.log(rand(3, 4, seed=1, low=0.1, high=1.0)), target], dtype=dtype)


def test_kl_div_zero_target_and_gradcheck():
    out = F.kl_div(ember.tensor([-1.0, -2.0]), ember.tensor([0.0, 0.5]), reduction="sum")
    assert out.item() == pytest.approx(0.5 * (np.log(0.5) + 2.0))
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(ember.zeros(2), ember.ones(2))
    gradcheck(lambda x, t: F.kl_div(x, t, reduction="batchmean"),
              [rand(3, 4, seed=1), rand(3, 4, seed=2, low=0.1, high=1.0)])
    gradcheck(lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True),
              [rand(3, 4, seed=1), rand(3, 4, seed=2)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("ignore", [-100, 2])  # 2: a class index that no target uses
def test_cross_entropy_plain_form_equals_general_form(dtype, reduction, ignore):
    # unit weights send the same targets down the general path: results must be identical
    rng = np.random.default_rng(5)
    logits = (rng.standard_normal((37, 6)) * 4).astype(dtype)
    target = ember.from_numpy(rng.choice([0, 1, 3, 4, 5], 37))
    out = []
    for w in (None, ember.ones(6, dtype=getattr(ember, dtype))):
        x = ember.from_numpy(logits.copy()).requires_grad_()
        loss = F.cross_entropy(x, target, weight=w, ignore_index=ignore, reduction=reduction)
        loss.backward(ember.tensor(1.7, dtype=getattr(ember, dtype)))
        out.append((loss._data, x.grad._data))
    assert out[0][0].dtype == np.dtype(dtype) and out[0][0].shape == ()
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])


def test_cross_entropy_ignored_target_present_takes_general_form():
    x = ember.tensor([[2.0, 0.0, 1.0], [0.5, 0.5, 3.0]], requires_grad=True)
    loss = F.cross_entropy(x, ember.tensor([1, 0]), ignore_index=1)
    loss.backward()
    # only row 1 counts: loss = logsumexp(row) - row[0], gradient zero on the ignored row
    row = np.array([0.5, 0.5, 3.0])
    np.testing.assert_allclose(loss.item(), np.log(np.exp(row).sum()) - 0.5, rtol=1e-6)
    np.testing.assert_array_equal(x.grad._data[0], 0)
