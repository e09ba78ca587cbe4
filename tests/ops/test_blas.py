"""OpenBLAS thread control for mid-sized GEMMs (ember/ops/_blas.py, ops/_util.matmul_raw)."""

import threading

import numpy as np
import pytest

from ember.ops import _blas, _util

needs_blas = pytest.mark.skipif(not _blas.available(), reason="NumPy's OpenBLAS not found")


class _Probe:
    """An operand whose product records OpenBLAS's thread count at the time of the call."""

    def __init__(self, fail=False):
        self.seen = None
        self.fail = fail

    def __matmul__(self, other):
        self.seen = _blas._FUNCS[1]()
        if self.fail:
            raise ValueError("probe failure")
        return "product"


@needs_blas
def test_one_thread_inside_and_the_count_restored_after():
    setter, getter = _blas._FUNCS
    before = getter()
    setter(2)
    try:
        probe = _Probe()
        assert _blas.single_thread_matmul(probe, None) == "product"
        assert probe.seen == 1
        assert getter() == 2
        failing = _Probe(fail=True)
        with pytest.raises(ValueError, match="probe failure"):
            _blas.single_thread_matmul(failing, None)
        assert failing.seen == 1 and getter() == 2
    finally:
        setter(before)


@needs_blas
def test_overlapping_callers_never_leave_one_thread_behind():
    setter, getter = _blas._FUNCS
    before = getter()
    setter(2)
    try:
        a = np.random.default_rng(0).standard_normal((64, 96))
        b = np.random.default_rng(1).standard_normal((96, 80))
        errors = []

        def work():
            try:
                for _ in range(200):
                    np.testing.assert_array_equal(_blas.single_thread_matmul(a, b), a @ b)
            except AssertionError as e:
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert getter() == 2 and _blas._state[0] == 0
    finally:
        setter(before)


@needs_blas
def test_matmul_raw_sends_only_mid_sized_2d_products_there(monkeypatch):
    calls = []
    real = _blas.single_thread_matmul
    monkeypatch.setattr(_blas, "single_thread_matmul",
                        lambda a, b: calls.append((a.shape, b.shape)) or real(a, b))
    rng = np.random.default_rng(2)
    mid = rng.standard_normal((128, 400)).astype(np.float32), \
        rng.standard_normal((400, 120)).astype(np.float32)
    small = rng.standard_normal((4, 400)).astype(np.float32), mid[1]
    batched = rng.standard_normal((3, 128, 400)).astype(np.float32), mid[1]
    big = rng.standard_normal((1024, 512)).astype(np.float32), \
        rng.standard_normal((512, 1024)).astype(np.float32)
    for a, b in (mid, small, batched, big):
        np.testing.assert_allclose(_util.matmul_raw(a, b), a @ b, rtol=1e-5, atol=1e-4)
    assert calls == [((128, 400), (400, 120))]
