"""pad (ember/ops/padding.py): every mode against PyTorch, gradients, errors."""

import numpy as np
import pytest
from nn_helpers import compare_fn, gradcheck, rand

import ember
import ember.nn.functional as F

CASES = [
    ("constant", (2, 3, 4), (1, 2)),
    ("constant", (2, 3, 4), (1, 0, 2, 1)),
    ("constant", (2, 3, 4), (-1, 2, 0, -1, 1, 1)),
    ("reflect", (2, 3, 5), (2, 1)),
    ("reflect", (2, 3, 4, 5), (1, 2, 3, 0)),
    ("replicate", (2, 3, 4), (3, 1)),
    ("replicate", (1, 2, 3, 4), (2, 2, 1, 3)),
    ("circular", (2, 3, 4), (2, 3)),
    ("circular", (1, 2, 3, 4), (1, 2, 3, 1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode,shape,pad", CASES)
def test_pad_against_torch(mode, shape, pad, dtype):
    torch = pytest.importorskip("torch")
    value = 1.5 if mode == "constant" else None
    compare_fn(lambda x: F.pad(x, pad, mode, value),
               lambda x: torch.nn.functional.pad(x, pad, mode, value), [rand(*shape)],
               dtype=dtype)


@pytest.mark.parametrize("mode,shape,pad", CASES)
def test_pad_gradcheck(mode, shape, pad):
    gradcheck(lambda x: F.pad(x, pad, mode), [rand(*shape, seed=2)])


def test_pad_known_values():
    x = ember.tensor([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(F.pad(x, (2, 1), "reflect").numpy(), [[3, 2, 1, 2, 3, 2]])
    np.testing.assert_array_equal(F.pad(x, (2, 1), "replicate").numpy(), [[1, 1, 1, 2, 3, 3]])
    np.testing.assert_array_equal(F.pad(x, (2, 1), "circular").numpy(), [[2, 3, 1, 2, 3, 1]])
    np.testing.assert_array_equal(F.pad(x, (1, 1), value=-1).numpy(), [[-1, 1, 2, 3, -1]])


def test_pad_errors():
    x = ember.randn(2, 3)
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        F.pad(x, (3, 0), "reflect")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode"):
        F.pad(x, (1, 1), "mirror")
    with pytest.raises(RuntimeError, match="negative output size"):
        F.pad(x, (-2, -2))
