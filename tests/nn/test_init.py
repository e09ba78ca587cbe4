"""nn.init (ember/nn/init.py): gains and fans as PyTorch, distributions checked statistically."""

import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import init

N_SIGMA = 5  # statistical bounds: 5 standard errors


def _arr(t):
    return t.detach().numpy().astype(np.float64)


def _check_mean_std(a, mean, std):
    n = a.size
    assert abs(a.mean() - mean) < N_SIGMA * std / math.sqrt(n)
    # std of the sample std for a normal-ish variable ~ std / sqrt(2n)
    assert abs(a.std() - std) < N_SIGMA * std * math.sqrt(2.0 / n) * 1.5


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                        ("selu", None), ("conv_transpose2d", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param))
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fans():
    assert init._calculate_fan_in_and_fan_out(ember.empty(6, 3, 5, 5)) == (75, 150)
    assert init._calculate_fan_in_and_fan_out(ember.empty(4, 7)) == (7, 4)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ember.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(ember.empty(3, 3), mode="fan_avg")


def test_uniform_normal_constant():
    ember.manual_seed(0)
    a = _arr(init.uniform_(ember.empty(200, 300), -2.0, 3.0))
    assert a.min() >= -2.0 and a.max() < 3.0
    _check_mean_std(a, 0.5, 5 / math.sqrt(12))
    _check_mean_std(_arr(init.normal_(ember.empty(200, 300), 1.5, 0.5)), 1.5, 0.5)
    np.testing.assert_array_equal(_arr(init.constant_(ember.empty(2, 2), 0.3)),
                                  np.full((2, 2), np.float32(0.3)))
    assert _arr(init.ones_(ember.empty(3))).tolist() == [1, 1, 1]
    assert _arr(init.zeros_(ember.empty(3))).tolist() == [0, 0, 0]


def test_xavier_and_kaiming_scales():
    ember.manual_seed(1)
    w = ember.empty(300, 200)
    a = _arr(init.xavier_uniform_(w, gain=2.0))
    bound = 2.0 * math.sqrt(6 / 500)
    assert np.abs(a).max() <= bound
    _check_mean_std(a, 0, bound / math.sqrt(3))
    _check_mean_std(_arr(init.xavier_normal_(w)), 0, math.sqrt(2 / 500))
    a = _arr(init.kaiming_uniform_(w, a=math.sqrt(5)))
    assert np.abs(a).max() <= 1 / math.sqrt(200)
    _check_mean_std(a, 0, 1 / math.sqrt(200) / math.sqrt(3))
    _check_mean_std(_arr(init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")), 0,
                    math.sqrt(2 / 300))


def test_trunc_normal_bounds_and_moments():
    ember.manual_seed(2)
    a = _arr(init.trunc_normal_(ember.empty(300, 300, dtype=ember.float64), 0.5, 1.0, -1.0,
                                1.5))
    assert a.min() >= -1.0 and a.max() <= 1.5
    # moments of N(0.5, 1) truncated to [-1, 1.5]
    alpha, beta = -1.5, 1.0
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    big_phi = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    z = big_phi(beta) - big_phi(alpha)
    mean = 0.5 + (phi(alpha) - phi(beta)) / z
    var = 1 + (alpha * phi(alpha) - beta * phi(beta)) / z - ((phi(alpha) - phi(beta)) / z) ** 2
    assert abs(a.mean() - mean) < N_SIGMA * math.sqrt(var / a.size)
    assert abs(a.var() - var) < 0.01


def test_eye_dirac_orthogonal_sparse():
    np.testing.assert_array_equal(_arr(init.eye_(ember.empty(2, 3))), np.eye(2, 3))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(ember.empty(2, 3, 4))
    w = init.dirac_(ember.empty(4, 2, 3, 3), groups=2)
    x = ember.randn(1, 4, 5, 5)
    y = ember.nn.functional.conv2d(x, w, padding=1, groups=2)
    np.testing.assert_allclose(y.numpy(), x.numpy(), rtol=1e-6)  # identity per group
    for shape in ((6, 4), (3, 8), (4, 2, 3)):
        q = _arr(init.orthogonal_(ember.empty(*shape, dtype=ember.float64), gain=2.0))
        q2 = q.reshape(shape[0], -1)
        small = min(q2.shape)
        gram = q2 @ q2.T if q2.shape[0] == small else q2.T @ q2
        np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-10)
    s = _arr(init.sparse_(ember.empty(10, 6), 0.3))
    assert ((s == 0).sum(0) >= 3).all()


def test_init_reproducible_with_generator_and_no_grad():
    g = ember.Generator().manual_seed(3)
    p = nn.Parameter(ember.empty(4, 4))
    a = _arr(init.kaiming_uniform_(p, generator=g))
    g.manual_seed(3)
    np.testing.assert_array_equal(a, _arr(init.kaiming_uniform_(p, generator=g)))
    assert p.grad_fn is None and p.requires_grad  # init runs outside autograd


def test_zero_element_kaiming_warns():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_normal_(ember.empty(0, 3))


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match="deprecated in favor of nn.init.normal_"):
        init.normal(ember.empty(2))


def test_dirac_matches_torch():
    torch = pytest.importorskip("torch")
    for shape, groups in (((4, 2, 3, 3), 2), ((6, 3, 5), 1), ((2, 4, 3, 3, 3), 1),
                          ((6, 2, 3, 3), 3), ((3, 5, 1, 1), 1)):
        e = _arr(init.dirac_(ember.empty(*shape), groups))
        t = torch.nn.init.dirac_(torch.empty(*shape), groups).numpy()
        np.testing.assert_array_equal(e, t)
