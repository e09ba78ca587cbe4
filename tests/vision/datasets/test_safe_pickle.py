"""The restricted unpickler: plain data and NumPy arrays load, anything callable is refused."""

import io
import pickle

import numpy as np
import pytest
from datasets_fakes import py2_pickle

from ember.vision.datasets.safe_pickle import restricted_load


def test_python2_style_pickle_with_arrays():
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    blob = py2_pickle({b"data": array, b"labels": [1, 2, 3], b"name": b"batch"})
    assert b"numpy.core.multiarray" in blob and b"_codecs" not in blob
    out = restricted_load(io.BytesIO(blob))
    np.testing.assert_array_equal(out["data"], array)
    assert out["labels"] == [1, 2, 3] and out["name"] == "batch"


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_python3_pickles_with_bytes_keys(protocol):
    obj = {b"data": np.ones((2, 3), np.float32), "labels": [0, 1], "x": np.int64(7)}
    out = restricted_load(io.BytesIO(pickle.dumps(obj, protocol=protocol)), encoding="bytes")
    np.testing.assert_array_equal(out[b"data"], obj[b"data"])
    assert out["x"] == 7 and out["labels"] == [0, 1]


class _Evil:
    def __reduce__(self):
        return (eval, ("1 + 1",))


@pytest.mark.parametrize("payload", [_Evil(), print, np.load])
def test_callables_are_refused(payload):
    blob = pickle.dumps(payload, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load") as info:
        restricted_load(io.BytesIO(blob), what="batch_1")
    assert str(info.value).startswith("batch_1:")


def test_codecs_only_latin1():
    blob = (b"\x80\x02c_codecs\nencode\nq\x00X\x03\x00\x00\x00abcq\x01X\x05\x00\x00\x00"
            b"rot13q\x02\x86q\x03Rq\x04.")
    with pytest.raises(pickle.UnpicklingError, match="rot13"):
        restricted_load(io.BytesIO(blob))
