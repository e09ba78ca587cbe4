"""Loss layers (ember/nn/modules/loss.py) against PyTorch's, with their options."""

import warnings

import numpy as np
import pytest
from nn_helpers import compare_module, rand

import ember
import ember.nn as nn


def _targets(*shape, classes=4, seed=0):
    return np.random.default_rng(seed).integers(0, classes, shape).astype(np.int64)


def _cases(torch):
    w = rand(4, seed=3, low=0.5, high=2.0)
    probs = rand(5, 4, seed=4, low=0, high=1)
    return [
        ("MSELoss", {}, [rand(5, 4, seed=1), rand(5, 4, seed=2)]),
        ("MSELoss", {"reduction": "sum"}, [rand(5, 4, seed=1), rand(5, 4, seed=2)]),
        ("L1Loss", {"reduction": "none"}, [rand(5, 4, seed=1), rand(5, 4, seed=2)]),
        ("SmoothL1Loss", {"beta": 0.3}, [rand(5, 4, seed=1), rand(5, 4, seed=2)]),
        ("HuberLoss", {"delta": 0.5}, [rand(5, 4, seed=1), rand(5, 4, seed=2)]),
        ("CrossEntropyLoss", {}, [rand(5, 4, seed=1), _targets(5)]),
        ("CrossEntropyLoss", {"weight": w, "ignore_index": 2, "label_smoothing": 0.1},
         [rand(5, 4, 3, seed=1), _targets(5, 3)]),
        ("CrossEntropyLoss", {"reduction": "none"}, [rand(5, 4, seed=1), probs]),
        ("NLLLoss", {"weight": w, "reduction": "sum"}, [rand(5, 4, seed=1), _targets(5)]),
        ("BCELoss", {"weight": w}, [rand(5, 4, seed=1, low=0.1, high=0.9),
                                    rand(5, 4, seed=2, low=0, high=1)]),
        ("BCEWithLogitsLoss", {"pos_weight": w}, [rand(5, 4, seed=1),
                                                  rand(5, 4, seed=2, low=0, high=1)]),
        ("KLDivLoss", {"reduction": "batchmean"}, [rand(5, 4, seed=1),
                                                   rand(5, 4, seed=2, low=0.1, high=1)]),
        ("KLDivLoss", {"log_target": True, "reduction": "sum"}, [rand(5, 4, seed=1),
                                                                 rand(5, 4, seed=2)]),
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("index", range(13))
def test_loss_layer_matches_torch(index, dtype):
    torch = pytest.importorskip("torch")
    name, kw, arrays = _cases(torch)[index]
    ekw = {k: ember.from_numpy(v.astype(dtype)) if isinstance(v, np.ndarray) else v
           for k, v in kw.items()}
    tkw = {k: torch.from_numpy(v.astype(dtype)) if isinstance(v, np.ndarray) else v
           for k, v in kw.items()}
    e, t = getattr(nn, name)(**ekw), getattr(torch.nn, name)(**tkw)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    grad = [True, arrays[1].dtype.kind == "f"]
    compare_module(e, t, arrays, dtype=dtype, grad=grad)


def test_legacy_arguments_set_reduction():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert nn.MSELoss(size_average=False).reduction == "sum"
        assert nn.CrossEntropyLoss(reduce=False).reduction == "none"
    assert nn.L1Loss(reduction="sum").reduction == "sum"


def test_invalid_reduction_raises_on_call():
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        nn.MSELoss(reduction="bogus")(ember.ones(2), ember.ones(2))
