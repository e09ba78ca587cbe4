"""Streams, events, memory statistics and device queries on a real GPU."""

import numpy as np
import pytest
from devices import host, requires_cuda

import ember

pytestmark = requires_cuda


def test_device_queries():
    assert ember.cuda.is_available()
    assert ember.cuda.device_count() >= 1
    assert 0 <= ember.cuda.current_device() < ember.cuda.device_count()
    assert isinstance(ember.cuda.get_device_name(), str)
    major, _ = ember.cuda.get_device_capability()
    assert major >= 3
    t = ember.ones(3).cuda()
    assert t.is_cuda and t.device.type == "cuda"
    assert t.device == ember.device("cuda", ember.cuda.current_device())


def test_event_timing():
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    x = ember.randn(512, 512).cuda()
    start.record()
    for _ in range(5):
        x = x @ x.T / 512
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) > 0
    assert end.query()
    with pytest.raises(RuntimeError, match="enable_timing"):
        ember.cuda.Event().elapsed_time(end)


def test_stream_context_makes_stream_current():
    s = ember.cuda.Stream()
    default = ember.cuda.current_stream()
    with ember.cuda.stream(s):
        assert ember.cuda.current_stream() == s
        y = ember.ones(4).cuda() * 2
    assert ember.cuda.current_stream() == default
    s.synchronize()
    np.testing.assert_array_equal(host(y), 2.0)
    assert s.query()
    e = s.record_event()
    default.wait_event(e)


def test_memory_statistics():
    ember.cuda.reset_peak_memory_stats()
    before = ember.cuda.memory_allocated()
    x = ember.zeros(1024, 1024).cuda()  # 4 MiB
    assert ember.cuda.memory_allocated() >= before + x.nbytes
    assert ember.cuda.max_memory_allocated() >= before + x.nbytes
    assert ember.cuda.memory_reserved() >= ember.cuda.memory_allocated()
    del x
    assert ember.cuda.memory_allocated() <= before
    assert ember.cuda.max_memory_allocated() >= before + 4 * 1024 * 1024
    ember.cuda.empty_cache()
    ember.cuda.reset_peak_memory_stats()
    assert ember.cuda.max_memory_allocated() == ember.cuda.memory_allocated()
    free, total = ember.cuda.mem_get_info()
    assert 0 < free <= total
