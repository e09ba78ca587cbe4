"""nn.functional (ember/nn/functional.py): the full name list and the thin wrappers."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F

NAMES = ["relu", "relu_", "leaky_relu", "gelu", "silu", "elu", "softplus", "sigmoid", "tanh",
         "pad", "one_hot", "softmax", "log_softmax", "dropout", "dropout2d", "batch_norm",
         "layer_norm", "group_norm", "linear", "bilinear", "embedding", "cross_entropy",
         "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
         "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
         "cosine_similarity", "normalize", "conv1d", "conv2d", "conv_transpose2d",
         "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "hardtanh", "relu6", "prelu"]


@pytest.mark.parametrize("name", NAMES)
def test_name_exists_and_is_documented(name):
    fn = getattr(F, name)
    assert callable(fn) and fn.__doc__


def test_names_are_a_subset_of_torch_functional():
    torch = pytest.importorskip("torch")
    missing = [n for n in F.__all__ if not hasattr(torch.nn.functional, n)]
    assert missing == []


def test_relu_inplace_flag():
    x = ember.tensor([-1.0, 1.0])
    y = F.relu(x)
    assert y is not x and x.numpy()[0] == -1.0
    assert F.relu(x, inplace=True) is x and x.numpy()[0] == 0.0


def test_relu_inplace_on_graph_keeps_gradients():
    a = ember.tensor([-1.0, 2.0], requires_grad=True)
    b = a * 3
    F.relu(b, inplace=True)
    b.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 3.0])
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.relu(a, inplace=True)
