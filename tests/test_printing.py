"""Tensor repr (ember/_printing.py) equals PyTorch's text with 'torch.' -> 'ember.'."""

import numpy as np
import pytest

import ember

# Each entry builds the same tensor in either library: fn(lib).
VALUES = {
    "ints": lambda m: m.tensor([1, 2, 3]),
    "negative_ints": lambda m: m.tensor([[-1, 20], [300, -4000]]),
    "int_scalar": lambda m: m.tensor(7),
    "float_scalar": lambda m: m.tensor(3.25),
    "floats": lambda m: m.tensor([1.5, -2.25, 3.0]),
    "int_valued_floats": lambda m: m.tensor([1.0, 2.0, -3.0]),
    "zeros": lambda m: m.zeros(2, 3),
    "ones_column": lambda m: m.ones(3, 1),
    "mixed_magnitude_sci": lambda m: m.tensor([1e-5, 1.0, 1000.0]),
    "large_sci": lambda m: m.tensor([1e10, 2.0]),
    "large_int_valued_sci": lambda m: m.tensor([1e9, 1.0]),
    "tiny": lambda m: m.tensor([1e-6, 2e-6]),
    "ratio_under_1000": lambda m: m.tensor([0.5, 400.0]),
    "nan_inf": lambda m: m.tensor([float("nan"), 1.0, float("inf"), -float("inf")]),
    "zero_and_nan": lambda m: m.tensor([0.0, float("nan")]),
    "neg_zero": lambda m: m.tensor([-0.0, 1.5]),
    "bool": lambda m: m.tensor([True, False, True]),
    "float64": lambda m: m.tensor([1.0, 2.5], dtype=m.float64),
    "float16": lambda m: m.tensor([1.0, 2.5], dtype=m.float16),
    "int32": lambda m: m.tensor([1, 2], dtype=m.int32),
    "uint8": lambda m: m.tensor([[1, 255]], dtype=m.uint8),
    "int8_scalar": lambda m: m.tensor(-3, dtype=m.int8),
    "empty": lambda m: m.tensor([]),
    "empty_2d": lambda m: m.zeros(2, 0),
    "empty_int": lambda m: m.zeros(0, dtype=m.int64),
    "empty_3d_float64": lambda m: m.zeros(0, 2, 1, dtype=m.float64),
    "3d": lambda m: m.arange(24.0).reshape(2, 3, 4) / 7,
    "4d": lambda m: m.arange(16).reshape(2, 2, 2, 2),
    "wide_row_wraps": lambda m: m.arange(30.0) / 3,
    "wide_int_row": lambda m: m.arange(40) * 1000,
    "large_1d_summarized": lambda m: m.arange(2000),
    "large_1d_float_summarized": lambda m: m.arange(1500.0) / 7,
    "large_2d_summarized": lambda m: m.arange(5000.0).reshape(50, 100),
    "large_3d_summarized": lambda m: m.arange(2400).reshape(20, 10, 12),
    "long_column_summarized": lambda m: m.arange(1200.0).reshape(1200, 1),
    "transposed": lambda m: (m.arange(6.0).reshape(2, 3) / 4).t(),
    "requires_grad": lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    "requires_grad_scalar": lambda m: m.tensor(1.5, requires_grad=True),
    "requires_grad_long_row": lambda m: m.tensor([0.1234] * 9, requires_grad=True),
    "grad_fn_add": lambda m: m.ones(2, requires_grad=True) + 2,
    "grad_fn_mul": lambda m: m.ones(2, requires_grad=True) * 3,
    "grad_fn_mean": lambda m: (m.ones(2, 2, requires_grad=True) * 3).mean(),
    "grad_fn_sum": lambda m: m.ones(2, requires_grad=True).sum(),
    "grad_fn_wide": lambda m: m.arange(8.0).requires_grad_() * 1.1111,
    "float64_requires_grad": lambda m: m.ones(2, dtype=m.float64, requires_grad=True),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_repr_matches_torch(name):
    torch = pytest.importorskip("torch")
    build = VALUES[name]
    want = repr(build(torch)).replace("torch.", "ember.")
    assert repr(build(ember)) == want


@pytest.mark.parametrize("name", sorted(VALUES))
def test_str_matches_torch(name):
    torch = pytest.importorskip("torch")
    build = VALUES[name]
    assert str(build(ember)) == str(build(torch)).replace("torch.", "ember.")


# Without torch these fixed strings (taken from PyTorch 2.x) still pin the format down.
FIXED = {
    "ints": "tensor([1, 2, 3])",
    "floats": "tensor([ 1.5000, -2.2500,  3.0000])",
    "int_valued_floats": "tensor([ 1.,  2., -3.])",
    "mixed_magnitude_sci": "tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])",
    "bool": "tensor([ True, False,  True])",
    "float64": "tensor([1.0000, 2.5000], dtype=ember.float64)",
    "empty": "tensor([])",
    "empty_2d": "tensor([], size=(2, 0))",
    "requires_grad": "tensor([1., 2.], requires_grad=True)",
    "grad_fn_add": "tensor([3., 3.], grad_fn=<AddBackward0>)",
    "large_1d_summarized": "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
}


@pytest.mark.parametrize("name", sorted(FIXED))
def test_repr_fixed_strings(name):
    assert repr(VALUES[name](ember)) == FIXED[name]


def test_set_printoptions_precision_and_sci_mode():
    x = ember.tensor([1.123456, 2.5])
    try:
        ember.set_printoptions(precision=2)
        assert repr(x) == "tensor([1.12, 2.50])"
        ember.set_printoptions(sci_mode=True)
        assert repr(x) == "tensor([1.12e+00, 2.50e+00])"
    finally:
        ember.set_printoptions(profile="default")
        ember.set_printoptions(sci_mode=None)
    assert repr(x) == "tensor([1.1235, 2.5000])"


def test_printoptions_match_torch():
    torch = pytest.importorskip("torch")
    data = np.linspace(-3, 3, 20).astype(np.float32)
    try:
        for opts in ({"precision": 2}, {"threshold": 5, "edgeitems": 2}, {"linewidth": 40},
                     {"sci_mode": False}, {"profile": "short"}):
            ember.set_printoptions(**opts)
            torch.set_printoptions(**opts)
            assert repr(ember.tensor(data)) == repr(torch.tensor(data)), opts
            ember.set_printoptions(profile="default", sci_mode=None)
            torch.set_printoptions(profile="default", sci_mode=None)
    finally:
        ember.set_printoptions(profile="default", sci_mode=None)
        torch.set_printoptions(profile="default", sci_mode=None)


def test_format_of_zero_dim_and_size_repr():
    assert f"{ember.tensor(2.5):.2f}" == "2.50"
    assert repr(ember.ones(5, 3).size()) == "ember.Size([5, 3])"
