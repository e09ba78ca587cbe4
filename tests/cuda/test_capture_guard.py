"""The capture flag in the array seam: host syncs raise clearly, CPU work is untouched.

These run without a GPU by setting ember.backend.CAPTURE by hand (what ember.cuda.graphs does
around a real capture) and by using a stand-in for a device array.
"""

import numpy as np
import pytest

import ember
from ember import backend
from ember.cuda import graphs
from ember.ops._util import matmul_raw


@pytest.fixture
def capturing():
    backend.CAPTURE[0] += 1
    try:
        yield
    finally:
        backend.CAPTURE[0] -= 1


class FakeDeviceArray:
    """Stands in for a cupy array: not a numpy array, and records whether it was read back."""

    size = 1
    ndim = 1

    def __init__(self):
        self.read = False
        self.device = type("D", (), {"id": 0})()

    def item(self):
        self.read = True
        return 0.0

    def tolist(self):
        self.read = True
        return [0.0]

    def get(self):
        self.read = True
        return np.zeros(2)


def test_flag_off_by_default():
    assert not backend.is_capturing()
    backend.check_no_sync("anything")  # no error


def test_check_no_sync_names_the_operation(capturing):
    assert backend.is_capturing()
    with pytest.raises(RuntimeError, match=r"Tensor\.item\(\) synchronizes .* CUDA graph"):
        backend.check_no_sync("Tensor.item()")


def test_copy_to_host_during_capture_raises_before_reading(capturing):
    arr = FakeDeviceArray()
    with pytest.raises(RuntimeError, match="to the host"):
        backend.to_device(arr, backend.CPU)
    assert not arr.read


def test_copy_to_host_outside_capture_reads():
    arr = FakeDeviceArray()
    backend.to_device(arr, backend.CPU)
    assert arr.read


def test_cpu_tensors_unaffected_by_capture(capturing):
    t = ember.tensor([1.5])
    assert t.item() == 1.5
    assert t.tolist() == [1.5]
    assert bool(t)
    assert "1.5" in repr(t)


def test_tensor_item_on_device_array_raises(capturing):
    t = ember.Tensor._make(FakeDeviceArray())
    for read in (t.item, t.tolist, lambda: bool(t), lambda: np.asarray(t)):
        with pytest.raises(RuntimeError, match="CUDA graph is being captured"):
            read()
    assert not t._data.read


def test_matmul_raw_keeps_numpy_on_cpu_while_capturing(capturing):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(matmul_raw(a, b), a @ b)


def test_capture_failures_are_explained():
    cublas = NotImplementedError("calling cuBLAS API during stream capture is currently "
                                 "unsupported")
    assert graphs._is_capture_failure(cublas)
    msg = str(graphs.explain_capture_error(cublas))
    assert "cuBLAS" in msg and "matmul" in msg and "Original error" in msg
    sync = RuntimeError("cudaErrorStreamCaptureUnsupported: operation not permitted when "
                        "stream is capturing")
    assert "synchronizes with the host" in str(graphs.explain_capture_error(sync))
    # ember's own errors and unrelated user errors pass through unchanged
    assert not graphs._is_capture_failure(RuntimeError("Tensor.item() synchronizes ..."))
    assert not graphs._is_capture_failure(ValueError("bad shape"))


def test_graph_context_checks_its_argument():
    with pytest.raises(TypeError, match="CUDAGraph"):
        graphs.graph(object())
