"""Dropout layers (ember/nn/modules/dropout.py): active in training only."""

import numpy as np
import pytest

import ember
import ember.nn as nn


@pytest.mark.parametrize("cls,shape", [(nn.Dropout, (20, 30)), (nn.Dropout1d, (4, 20, 5)),
                                       (nn.Dropout2d, (4, 20, 3, 3)),
                                       (nn.Dropout3d, (2, 20, 2, 2, 2)),
                                       (nn.AlphaDropout, (20, 30))])
def test_train_drops_eval_is_identity(cls, shape):
    ember.manual_seed(0)
    m = cls(0.5)
    x = ember.randn(*shape)
    assert (m(x).numpy() != x.numpy()).any()
    m.eval()
    assert m(x) is x


def test_dropout_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"):
        assert repr(getattr(nn, name)(0.3)) == repr(getattr(torch.nn, name)(0.3))
    assert repr(nn.Dropout(inplace=True)) == repr(torch.nn.Dropout(inplace=True))


def test_dropout_mask_statistics_in_a_module():
    ember.manual_seed(1)
    out = nn.Dropout(0.25)(ember.ones(100, 100)).numpy()
    assert abs((out == 0).mean() - 0.25) < 0.02
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.75], rtol=1e-6)


def test_bad_probability():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(-0.1)
