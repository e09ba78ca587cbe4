"""erf / erfc / erfinv (ember/ops/special.py): accuracy against math.erf, gradients."""

import math

import numpy as np
import pytest
from nn_helpers import compare_fn, gradcheck

import ember
from ember.ops.special import erf_array, erfc_array, erfinv_array


def _grid():
    return np.concatenate([np.linspace(-8, 8, 4001), np.logspace(-300, 1.3, 400),
                           -np.logspace(-300, 1.3, 400), [0.0, 0.46875, -0.46875, 4.0, -4.0,
                                                          26.0, 27.0, 1e300]])


def test_erf_float64_accuracy():
    x = _grid()
    ref = np.array([math.erf(v) for v in x])
    err = np.abs(erf_array(x) - ref) / np.maximum(np.abs(ref), 1e-300)
    assert err.max() < 2e-15


def test_erfc_keeps_relative_accuracy_in_the_tail():
    x = np.linspace(-6, 26, 3201)
    ref = np.array([math.erfc(v) for v in x])
    err = np.abs(erfc_array(x) - ref) / ref
    assert err.max() < 2e-15  # no cancellation: erfc(26) ~ 5.7e-296 is still exact


def test_special_values():
    x = np.array([np.inf, -np.inf, np.nan, 0.0])
    np.testing.assert_array_equal(erf_array(x)[:2], [1.0, -1.0])
    assert np.isnan(erf_array(x)[2]) and erf_array(x)[3] == 0.0
    np.testing.assert_array_equal(erfc_array(x[:2]), [0.0, 2.0])
    np.testing.assert_array_equal(erfinv_array(np.array([1.0, -1.0, 0.0])), [np.inf, -np.inf,
                                                                            0.0])
    assert np.isnan(erfinv_array(np.array([1.5]))[0])


def test_erfinv_inverts_erf():
    p = np.linspace(-0.999999, 0.999999, 20001)
    y = erfinv_array(p)
    np.testing.assert_allclose(np.array([math.erf(v) for v in y]), p, rtol=0, atol=5e-16)


def test_float32_inputs_stay_float32():
    x = ember.tensor([0.1, 1.0, 3.0])
    assert ember.erf(x).dtype == ember.float32
    assert x.erfc().dtype == ember.float32
    assert ember.erf(ember.tensor([1, 2])).dtype == ember.float32


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_gradcheck_erf_family(name):
    gradcheck(lambda t: getattr(ember, name)(t), [np.linspace(-3, 3, 13)])


def test_gradcheck_erfinv():
    gradcheck(ember.erfinv, [np.linspace(-0.9, 0.9, 11)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv"])
def test_against_torch(name, dtype):
    torch = pytest.importorskip("torch")
    x = np.linspace(-0.95, 0.95, 21) * (1 if name == "erfinv" else 4)
    compare_fn(getattr(ember, name), getattr(torch, name), [x], dtype=dtype,
               scale=100 if name == "erfinv" else 1)
