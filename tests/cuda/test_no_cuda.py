"""ember.cuda without a GPU: everything reports 'no CUDA' and GPU requests fail clearly."""

import pytest
from devices import no_cuda_only

import ember
import ember.nn as nn

pytestmark = no_cuda_only

NO_CUDA = "CUDA is not available"


def test_availability_queries():
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    assert ember.cuda.is_current_stream_capturing() is False
    assert ember.backend.is_capturing() is False


def test_empty_cache_is_a_no_op():
    assert ember.cuda.empty_cache() is None


@pytest.mark.parametrize("make", [
    lambda: ember.ones(2).cuda(),
    lambda: ember.ones(2).to("cuda"),
    lambda: ember.ones(2).to("cuda:0"),
    lambda: ember.ones(2).to(ember.device("cuda")),
    lambda: ember.zeros(2, device="cuda"),
    lambda: ember.tensor([1.0], device="cuda"),
    lambda: ember.randn(2, device="cuda"),
    lambda: nn.Linear(2, 2).cuda(),
    lambda: nn.Linear(2, 2).to("cuda"),
], ids=["cuda()", "to(str)", "to(str:0)", "to(device)", "zeros", "tensor", "randn",
        "Module.cuda", "Module.to"])
def test_moving_to_cuda_raises_a_clear_error(make):
    with pytest.raises(RuntimeError, match=NO_CUDA) as info:
        make()
    assert "ember[cuda]" in str(info.value)


@pytest.mark.parametrize("make", [
    ember.cuda.Stream, ember.cuda.Event, ember.cuda.CUDAGraph, ember.cuda.current_stream,
    ember.cuda.memory_allocated, ember.cuda.max_memory_allocated,
    ember.cuda.reset_peak_memory_stats, ember.cuda.memory_reserved, ember.cuda.synchronize,
    ember.cuda.current_device, ember.cuda.graph_pool_handle,
])
def test_runtime_objects_need_cuda(make):
    with pytest.raises(RuntimeError, match=NO_CUDA):
        make()


def test_kernels_need_cuda():
    import numpy as np

    from ember.cuda import kernels

    with pytest.raises(RuntimeError, match=NO_CUDA):
        kernels.matmul(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32))


def test_device_objects_still_work_without_cuda():
    d = ember.device("cuda:1")
    assert (d.type, d.index) == ("cuda", 1)
    assert str(d) == "cuda:1"
    assert ember.ones(2).device == ember.device("cpu")
    assert not ember.ones(2).is_cuda
