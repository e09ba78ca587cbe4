"""Loss functions: fused cross-entropy / NLL, pointwise regression losses, BCE, KL divergence.

Cross-entropy is one op (log-softmax and the NLL pick together) so that its forward is stable
(shifted by the row max) and its backward is the closed form softmax - target, with no
intermediate graph.
"""

import warnings

import numpy as np

from .. import backend
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import dispatch, unbroadcast

REDUCTIONS = ("none", "mean", "sum")


def legacy_reduction(size_average, reduce, reduction="mean"):
    """Map the deprecated size_average/reduce pair onto a reduction string."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='none'/'mean'/'sum' instead.", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def check_reduction(reduction, allowed=REDUCTIONS):
    """Raise PyTorch's ValueError for an unknown reduction string."""
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _grad_of_reduced(g, shape, size, reduction, dtype):
    """The upstream gradient spread over each loss element."""
    if reduction == "none":
        return g
    xp = backend.array_module(g)
    scale = g if reduction == "sum" else g / size
    return xp.broadcast_to(scale.astype(dtype, copy=False), shape)


# ------------------------------------------------------------------ cross-entropy / NLL
class ClassNLL(Op):
    """NLL with class-index targets, on log-probabilities or (fused) on logits.

    Class axis 1. With weight w, ignore_index and label smoothing eps over C classes, sample i
    contributes -(1 - eps) w[t_i] logp[i, t_i] - eps / C sum_c w[c] logp[i, c]; 'mean' divides
    by the summed weights of the non-ignored targets, as PyTorch does.
    """

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, smoothing, reduction, logits):
        xp = backend.array_module(x)
        n_classes = x.shape[1]
        if logits and weight is None and not smoothing and reduction != "none" and \
                x.ndim == 2 and ignore_index is None:
            return _plain_cross_entropy(ctx, x, target, reduction, xp)
        if ignore_index is None:
            ignore_index = -100  # any value outside [0, C) ignores nothing
        if logits:
            shifted = x - x.max(axis=1, keepdims=True)
            logp = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        else:
            logp = x
        valid = target != ignore_index
        safe = xp.where(valid, target, 0)
        picked = xp.take_along_axis(logp, safe[:, None], axis=1)[:, 0]
        if weight is None:
            wt = valid.astype(x.dtype)
        else:
            wt = weight[safe] * valid
        loss = -wt * picked
        wshape = (1, n_classes) + (1,) * (x.ndim - 2)
        if smoothing:
            wb = None if weight is None else weight.reshape(wshape)
            smooth = -(logp.sum(axis=1) if wb is None else (logp * wb).sum(axis=1)) * valid
            loss = (1 - smoothing) * loss + (smoothing / n_classes) * smooth
        den = wt.sum() if reduction == "mean" else None
        ctx.save_for_backward(logp, safe, valid, wt)
        ctx.meta = (weight, smoothing, reduction, logits, den, wshape)
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):  # every target ignored: nan
                return (loss.sum() / den).astype(x.dtype, copy=False)
        if reduction == "sum":
            return loss.sum().astype(x.dtype, copy=False)
        return loss.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        saved = ctx.saved_tensors
        if len(saved) == 2:
            return _plain_cross_entropy_backward(ctx, g, *saved)
        logp, safe, valid, wt = saved
        weight, smoothing, reduction, logits, den, wshape = ctx.meta
        xp = backend.array_module(logp)
        n_classes = logp.shape[1]
        if reduction == "mean":
            coef = xp.broadcast_to(g / den, wt.shape)
        elif reduction == "sum":
            coef = xp.broadcast_to(g, wt.shape)
        else:
            coef = g
        coef = coef.astype(logp.dtype, copy=False)
        # q: the target distribution each row is pulled toward (times the row coefficient)
        classes = xp.arange(n_classes).reshape(wshape)
        hot = (classes == safe[:, None]).astype(logp.dtype)
        q = hot * ((1 - smoothing) * wt * coef)[:, None]
        if smoothing:
            vc = (smoothing / n_classes) * (valid * coef)[:, None]
            q = q + (vc if weight is None else vc * weight.reshape(wshape))
        if not logits:
            return -q, None, None, None, None, None, None
        return xp.exp(logp) * q.sum(axis=1, keepdims=True) - q, None, None, None, None, None, None

    def name(self):
        """PyTorch's node name (its cross_entropy ends in nll_loss too)."""
        return "NllLossBackward0"


def _plain_cross_entropy(ctx, x, target, reduction, xp):
    """Cross-entropy of (N, C) logits, no weights, smoothing or ignored targets: the general
    formula's arithmetic, operation for operation, with the all-ones weights left out."""
    shifted = x - x.max(axis=1, keepdims=True)
    logp = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
    rows = xp.arange(x.shape[0])
    total = -logp[rows, target].sum()
    if ctx.needs_input_grad[0]:
        ctx.save_for_backward(logp, target)
        ctx.meta = (rows, reduction)
    if reduction == "mean":
        return (total / x.dtype.type(x.shape[0])).astype(x.dtype, copy=False)
    return total.astype(x.dtype, copy=False)


def _plain_cross_entropy_backward(ctx, g, logp, target):
    rows, reduction = ctx.meta
    xp = backend.array_module(logp)
    coef = (g / logp.dtype.type(logp.shape[0]) if reduction == "mean" else g)
    coef = coef.astype(logp.dtype, copy=False)
    grad = xp.exp(logp)
    grad *= coef
    grad[rows, target] -= coef
    return grad, None, None, None, None, None, None


class SoftTargetCE(Op):
    """Cross-entropy against class probabilities (same shape as the logits), class axis 1."""

    @staticmethod
    def forward(ctx, x, target, weight, smoothing, reduction):
        xp = backend.array_module(x)
        n_classes = x.shape[1]
        shifted = x - x.max(axis=1, keepdims=True)
        logp = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        if smoothing:
            target = target * (1 - smoothing) + smoothing / n_classes
        wshape = (1, n_classes) + (1,) * (x.ndim - 2)
        tw = target if weight is None else target * weight.reshape(wshape)
        loss = -(logp * tw).sum(axis=1)
        n = loss.size
        ctx.save_for_backward(logp, tw)
        ctx.meta = (weight, smoothing, reduction, n, wshape)
        return _reduce(loss, reduction).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        logp, tw = ctx.saved_tensors
        weight, smoothing, reduction, n, wshape = ctx.meta
        coef = _grad_of_reduced(g, logp.shape[:1] + logp.shape[2:], n, reduction, logp.dtype)
        coef = coef[:, None]
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = (np.exp(logp) * tw.sum(axis=1, keepdims=True) - tw) * coef
        if ctx.needs_input_grad[1]:
            gt = -logp * coef * (1 - smoothing)
            if weight is not None:
                gt = gt * weight.reshape(wshape)
        return gx, gt, None, None, None


def _batched(input, target):
    """Give an unbatched (C,) input a batch dim of 1, as PyTorch accepts it."""
    if input._data.ndim == 1:
        return input.unsqueeze(0), target.unsqueeze(0), True
    return input, target, False


def _check_class_target(input, target, weight, fn):
    n_classes = input._data.shape[1]
    if input._data.shape[0] != target._data.shape[0]:
        raise ValueError(f"Expected input batch_size ({input._data.shape[0]}) to match target "
                         f"batch_size ({target._data.shape[0]}).")
    expect = input._data.shape[:1] + input._data.shape[2:]
    if target._data.shape != expect:
        raise RuntimeError(f"Expected target size {list(expect)}, got "
                           f"{list(target._data.shape)}")
    if weight is not None and weight._data.shape != (n_classes,):
        raise RuntimeError(f"{fn}: weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight._data.shape)}")


def _check_bounds(target, ignore_index, n_classes):
    """Raise for a target outside [0, C) that is not ignore_index; True when every target is
    a class index and none equals ignore_index (nothing is ignored)."""
    t = target._data
    if t.size == 0 or backend.is_capturing():  # a captured graph cannot stop to read `bad`
        return False
    if t.__class__ is np.ndarray:
        # two reductions settle the common case: every target a class, none ignored
        if 0 <= t.min() and t.max() < n_classes:
            return not 0 <= ignore_index < n_classes or not bool((t == ignore_index).any())
    bad = ((t < 0) | (t >= n_classes)) & (t != ignore_index)
    if bool(bad.any()):
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    return False


def _weight_array(weight, input):
    if weight is None:
        return None
    if isinstance(weight, Tensor):
        return weight._data.astype(input._data.dtype, copy=False)
    return backend.array_module(input._data).asarray(weight, dtype=input._data.dtype)


def _class_nll(input, target, weight, ignore_index, reduction, smoothing, logits, fn):
    if not isinstance(input, Tensor) or not isinstance(target, Tensor):
        raise TypeError(f"{fn}(): input and target must be Tensors")
    check_reduction(reduction)
    if input._data.ndim == 0:
        raise ValueError(f"Expected 1 or more dimensions for {fn} (got 0)")
    input, target, unbatched = _batched(input, target)
    _check_class_target(input, target, weight, fn)
    if _check_bounds(target, ignore_index, input._data.shape[1]):
        ignore_index = None  # no target is ignored: the op may take its plain form
    out = dispatch(ClassNLL, input, target._data, _weight_array(weight, input), ignore_index,
                   float(smoothing), reduction, logits)
    if unbatched and reduction == "none":
        out = out.squeeze(0)
    return out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits (class axis 1) and class indices or class probabilities."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if isinstance(target, Tensor) and target._data.dtype.kind == "f":
        check_reduction(reduction)
        if target._data.shape != input._data.shape:
            raise RuntimeError(f"Expected target size {list(input._data.shape)}, got "
                               f"{list(target._data.shape)} (probability targets must have "
                               "the input's shape)")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        unbatched = input._data.ndim == 1
        if unbatched:
            input, target = input.unsqueeze(0), target.unsqueeze(0)
        if target._data.dtype != input._data.dtype:
            target = target.to(input.dtype)
        out = dispatch(SoftTargetCE, input, target, _weight_array(weight, input),
                       float(label_smoothing), reduction)
        return out.squeeze(0) if unbatched and reduction == "none" else out
    if isinstance(target, Tensor) and target._data.dtype.kind not in "iu":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype}")
    return _class_nll(input, target, weight, ignore_index, reduction, label_smoothing, True,
                      "cross_entropy")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of class indices under log-probabilities (class axis 1)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if isinstance(target, Tensor) and target._data.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {target.dtype}")
    return _class_nll(input, target, weight, ignore_index, reduction, 0.0, False, "nll_loss")


# ------------------------------------------------------------------ pointwise regression losses
def _pointwise_value(d, kind, param):
    xp = backend.array_module(d)
    if kind == "mse":
        return d * d
    ad = xp.abs(d)
    if kind == "l1" or (kind == "smooth_l1" and param == 0):
        return ad
    if kind == "smooth_l1":
        return xp.where(ad < param, 0.5 * d * d / param, ad - 0.5 * param)
    return xp.where(ad <= param, 0.5 * d * d, param * (ad - 0.5 * param))  # huber


def _pointwise_slope(d, kind, param):
    xp = backend.array_module(d)
    if kind == "mse":
        return 2 * d
    if kind == "l1" or (kind == "smooth_l1" and param == 0):
        return xp.sign(d)
    if kind == "smooth_l1":
        return xp.where(xp.abs(d) < param, d / param, xp.sign(d))
    return xp.clip(d, -param, param)  # huber


class PointwiseLoss(Op):
    """mse / l1 / smooth_l1 / huber of (input - target), reduced; both sides differentiable."""

    @staticmethod
    def forward(ctx, a, b, kind, param, reduction):
        d = a - b
        ctx.save_for_backward(d)
        ctx.meta = (a.shape, b.shape, kind, param, reduction)
        return _reduce(_pointwise_value(d, kind, param), reduction).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        sa, sb, kind, param, reduction = ctx.meta
        gd = _grad_of_reduced(g, d.shape, d.size, reduction, d.dtype) * _pointwise_slope(
            d, kind, param)
        gd = gd.astype(d.dtype, copy=False)
        ga = unbroadcast(gd, sa) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(-gd, sb) if ctx.needs_input_grad[1] else None
        return ga, gb, None, None, None

    def name(self):
        """PyTorch's node name for this loss, e.g. 'MseLossBackward0'."""
        kind = self.meta[2] if hasattr(self, "meta") else "mse"
        return _NODE_NAMES[kind]


_NODE_NAMES = {"mse": "MseLossBackward0", "l1": "L1LossBackward0",
               "smooth_l1": "SmoothL1LossBackward0", "huber": "HuberLossBackward0"}


def _warn_size(input, target):
    if input._data.shape != target._data.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=4)


def _pointwise(input, target, kind, param, reduction, weight=None, weight_mean="sum"):
    if not isinstance(input, Tensor) or not isinstance(target, Tensor):
        raise TypeError(f"{kind}_loss(): input and target must be Tensors")
    check_reduction(reduction)
    _warn_size(input, target)
    try:
        np.broadcast_shapes(input._data.shape, target._data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({input._data.shape}) must match the size of "
                           f"tensor b ({target._data.shape}) for the {kind} loss") from None
    if target._data.dtype != input._data.dtype:
        from ._util import promote

        input, target = promote(input, target)
    if weight is None:
        return dispatch(PointwiseLoss, input, target, kind, param, reduction)
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = dispatch(PointwiseLoss, input, target, kind, param, "none") * weight
    if reduction == "none":
        return loss
    if reduction == "sum" or weight_mean == "sum":
        return loss.sum() if reduction == "sum" else loss.sum() / weight.sum()
    return loss.mean()


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (squared L2), optionally weighted elementwise."""
    return _pointwise(input, target, "mse", None,
                      legacy_reduction(size_average, reduce, reduction), weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error, optionally weighted elementwise."""
    return _pointwise(input, target, "l1", None,
                      legacy_reduction(size_average, reduce, reduction), weight)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Quadratic below beta, linear above (0.5 d^2 / beta or |d| - beta / 2)."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise(input, target, "smooth_l1", float(beta),
                      legacy_reduction(size_average, reduce, reduction))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Quadratic below delta, linear above (0.5 d^2 or delta * (|d| - delta / 2))."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise(input, target, "huber", float(delta), reduction, weight, "mean")


# ------------------------------------------------------------------ binary cross-entropy
class BinaryCrossEntropy(Op):
    """-w (t log p + (1 - t) log(1 - p)), logs clamped at -100 as PyTorch does."""

    @staticmethod
    def forward(ctx, p, t, w, reduction):
        xp = backend.array_module(p)
        with np.errstate(divide="ignore"):
            lp = xp.maximum(xp.log(p), -100)
            lq = xp.maximum(xp.log1p(-p), -100)
        loss = -(t * lp + (1 - t) * lq)
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(p, t, lp, lq)
        ctx.meta = (w, reduction)
        return _reduce(loss, reduction).astype(p.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        p, t, lp, lq = ctx.saved_tensors
        w, reduction = ctx.meta
        xp = backend.array_module(p)
        coef = _grad_of_reduced(g, p.shape, p.size, reduction, p.dtype)
        if w is not None:
            coef = coef * w
        gp = gt = None
        if ctx.needs_input_grad[0]:
            gp = coef * (p - t) / xp.maximum((1 - p) * p, 1e-12)
        if ctx.needs_input_grad[1]:
            gt = coef * (lq - lp)
        return gp, gt, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross-entropy between probabilities and targets of the same shape."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    p = input._data
    if p.size and bool(((p < 0) | (p > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    w = None
    if weight is not None:
        w = backend.array_module(p).broadcast_to(_weight_array(weight, input), p.shape)
    return dispatch(BinaryCrossEntropy, input, target, w, reduction)


class BCEWithLogits(Op):
    """Sigmoid + binary cross-entropy in one stable step (optional pos_weight on positives)."""

    @staticmethod
    def forward(ctx, x, t, w, pw, reduction):
        xp = backend.array_module(x)
        sp_neg = xp.logaddexp(x.dtype.type(0), -x)  # softplus(-x) = -log(sigmoid(x))
        if pw is None:
            loss = (1 - t) * x + sp_neg
        else:
            loss = (1 - t) * x + ((pw - 1) * t + 1) * sp_neg
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, t, sp_neg)
        ctx.meta = (w, pw, reduction)
        return _reduce(loss, reduction).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t, sp_neg = ctx.saved_tensors
        w, pw, reduction = ctx.meta
        coef = _grad_of_reduced(g, x.shape, x.size, reduction, x.dtype)
        if w is not None:
            coef = coef * w
        sig_neg = (0.5 - 0.5 * np.tanh(0.5 * x)).astype(x.dtype, copy=False)  # sigmoid(-x)
        gx = gt = None
        if ctx.needs_input_grad[0]:
            if pw is None:
                gx = coef * ((1 - t) - sig_neg)
            else:
                gx = coef * ((1 - t) - ((pw - 1) * t + 1) * sig_neg)
        if ctx.needs_input_grad[1]:
            gt = coef * (-x if pw is None else -x + (pw - 1) * sp_neg)
        return gx, gt, None, None, None

    def name(self):
        """PyTorch's node name."""
        return "BinaryCrossEntropyWithLogitsBackward0"


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy on logits (sigmoid fused in, stable for large |x|)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    xp = backend.array_module(input._data)
    shape = input._data.shape
    w = None if weight is None else xp.broadcast_to(_weight_array(weight, input), shape)
    pw = None
    if pos_weight is not None:
        pw = xp.broadcast_to(_weight_array(pos_weight, input), shape)
    return dispatch(BCEWithLogits, input, target, w, pw, reduction)


# ------------------------------------------------------------------ KL divergence
class KLDiv(Op):
    """Pointwise KL term t (log t - x), or exp(t) (t - x) when the target is given as a log."""

    @staticmethod
    def forward(ctx, x, t, log_target, reduction, batch):
        xp = backend.array_module(x)
        if log_target:
            et = xp.exp(t)
            loss = et * (t - x)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                logt = xp.where(t > 0, xp.log(xp.where(t > 0, t, 1)), 0)
            loss = t * logt - t * x
        ctx.save_for_backward(x, t)
        ctx.meta = (log_target, reduction, batch)
        if reduction == "batchmean":
            return (loss.sum() / batch).astype(x.dtype, copy=False)
        return _reduce(loss, reduction).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        log_target, reduction, batch = ctx.meta
        xp = backend.array_module(x)
        if reduction == "batchmean":
            coef = xp.broadcast_to((g / batch).astype(x.dtype, copy=False), x.shape)
        else:
            coef = _grad_of_reduced(g, x.shape, x.size, reduction, x.dtype)
        gx = gt = None
        if log_target:
            et = xp.exp(t)
            gx = -coef * et if ctx.needs_input_grad[0] else None
            gt = coef * et * (t - x + 1) if ctx.needs_input_grad[1] else None
        else:
            gx = -coef * t if ctx.needs_input_grad[0] else None
            if ctx.needs_input_grad[1]:
                with np.errstate(divide="ignore", invalid="ignore"):
                    gt = coef * (xp.log(t) + 1 - x)
        return gx, gt, None, None, None


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence of target from input, where input holds log-probabilities."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, REDUCTIONS + ("batchmean",))
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    if input._data.shape != target._data.shape:
        input, target = input.broadcast_to(np.broadcast_shapes(input.shape, target.shape)), \
            target.broadcast_to(np.broadcast_shapes(input.shape, target.shape))
    batch = input._data.shape[0] if input._data.ndim else 1
    return dispatch(KLDiv, input, target, bool(log_target), reduction, batch)

