"""nn.functional: the stateless form of every layer (thin names over ember.ops, no math here)."""

from ..ops import unary as _unary
from ..ops._util import inplace as _inplace
from ..ops._util import inplace_source as _inplace_source
from ..ops.activation import (
    celu,
    elu,
    elu_,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmax,
    softmin,
    softplus,
    threshold,
)
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from ..ops.distance import cosine_similarity, pairwise_distance
from ..ops.dropout import alpha_dropout, dropout, dropout1d, dropout2d, dropout3d
from ..ops.embedding import embedding, one_hot
from ..ops.linear import bilinear, linear
from ..ops.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from ..ops.norm import (
    batch_norm,
    group_norm,
    layer_norm,
    local_response_norm,
    normalize,
    rms_norm,
)
from ..ops.padding import pad
from ..ops.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
    max_unpool1d,
    max_unpool2d,
)


def relu(input, inplace=False):
    """max(x, 0), elementwise (in place when inplace=True)."""
    if inplace:
        return _inplace(input, _unary.relu(_inplace_source(input)))
    return _unary.relu(input)


def relu_(input):
    """relu in place."""
    return relu(input, inplace=True)


def sigmoid(input):
    """1 / (1 + exp(-x)), elementwise."""
    return _unary.sigmoid(input)


def tanh(input):
    """Hyperbolic tangent, elementwise."""
    return _unary.tanh(input)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - _unary.tanh(input)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (_unary.abs(input) + 1)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """max_pool2d returning (values, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "alpha_dropout", "avg_pool1d", "avg_pool2d", "batch_norm", "bilinear", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "celu", "conv1d", "conv2d", "conv_transpose1d",
    "conv_transpose2d", "cosine_similarity", "cross_entropy", "dropout", "dropout1d", "dropout2d",
    "dropout3d", "elu", "elu_", "embedding", "gelu", "glu", "group_norm", "hardsigmoid",
    "hardswish", "hardtanh", "hardtanh_", "huber_loss", "kl_div", "l1_loss", "layer_norm",
    "leaky_relu", "leaky_relu_", "linear", "local_response_norm", "log_softmax", "logsigmoid",
    "max_pool1d", "max_pool2d", "max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "mish",
    "mse_loss", "nll_loss", "normalize", "one_hot", "pad", "pairwise_distance", "prelu", "relu",
    "relu6", "relu_", "rms_norm", "selu", "sigmoid", "silu", "smooth_l1_loss", "softmax",
    "softmin", "softplus", "softsign", "tanh", "tanhshrink", "threshold",
]
