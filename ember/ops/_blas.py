"""Run mid-sized GEMMs on one OpenBLAS thread (NumPy's bundled OpenBLAS; a no-op elsewhere).

Why: OpenBLAS splits any GEMM above about half a million multiply-adds across its threads,
and when another process keeps a core busy its helper thread waits for that core: LeNet's
fully connected GEMMs at batch 128 (0.1 ms each on an idle machine) then took 5-15 ms
each (measured, medians, with a neighbour's CPU-bound job running), making whole training
steps 5x slower. Below SINGLE_MAX multiply-adds a second thread saves at most a few tens of
microseconds (0.12 vs 0.15 ms for LeNet's largest), so those run single-threaded; larger
ones keep OpenBLAS's threads.

The thread count is process-wide in OpenBLAS: a depth counter under a lock restores it only
when the last concurrent caller leaves, so overlapping calls from several threads can never
leave it at one.
"""

import ctypes
import glob
import os
import threading

import numpy as np

# OpenBLAS threads a GEMM from 2 * 2**18 multiply-adds on: below that nothing to change
SINGLE_MIN = 1 << 19
SINGLE_MAX = 1 << 24


def _load():
    """(set_num_threads, get_num_threads) of NumPy's OpenBLAS, or None."""
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    names = (("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
             ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
             ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
             ("openblas_set_num_threads", "openblas_get_num_threads"))
    for path in sorted(glob.glob(os.path.join(libs, "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)  # already loaded by NumPy: the same handle
        except OSError:
            continue
        for set_name, get_name in names:
            setter = getattr(lib, set_name, None)
            getter = getattr(lib, get_name, None)
            if setter is not None and getter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                return setter, getter
    return None


try:
    _FUNCS = _load()
except Exception:  # never let a BLAS probe break the import
    _FUNCS = None

_lock = threading.Lock()
_state = [0, 0]  # callers inside, thread count to restore


def _reset():
    global _lock
    _lock = threading.Lock()
    _state[0] = _state[1] = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset)


def available():
    """True when the OpenBLAS thread count can be controlled."""
    return _FUNCS is not None


def single_thread_matmul(a, b):
    """a @ b with OpenBLAS limited to one thread for the call."""
    setter, getter = _FUNCS
    with _lock:
        if _state[0] == 0:
            _state[1] = getter()
            if _state[1] > 1:
                setter(1)
        _state[0] += 1
    try:
        return a @ b
    finally:
        with _lock:
            _state[0] -= 1
            if _state[0] == 0 and _state[1] > 1:
                setter(_state[1])
