"""The CPU thread pool (ember/ops/_parallel.py): coverage, errors, nesting, fork, settings."""

import os
import signal
import threading

import pytest

from ember.ops import _parallel as P


@pytest.fixture
def two_threads():
    old = P.get_num_threads()
    P.set_num_threads(2)
    yield
    P.set_num_threads(old)


def test_every_item_runs_once_with_a_valid_worker(two_threads):
    seen = []
    lock = threading.Lock()

    def body(item, worker):
        assert worker in (0, 1)
        with lock:
            seen.append(item)

    P.parallel_for(body, range(50))
    assert sorted(seen) == list(range(50))


def test_helpers_really_run_on_another_thread(two_threads):
    """Chunks that wait for each other can only finish when two threads run them."""
    barrier = threading.Barrier(2, timeout=10)
    idents = set()

    def body(item, worker):
        idents.add((threading.get_ident(), worker))
        barrier.wait()

    P.parallel_for(body, [0, 1])
    assert len({i for i, _ in idents}) == 2 and {w for _, w in idents} == {0, 1}


def test_first_error_is_reraised_after_the_others_finish(two_threads):
    done = []

    def body(item, worker):
        if item == 3:
            raise KeyError("chunk 3 failed")
        done.append(item)

    with pytest.raises(KeyError, match="chunk 3 failed"):
        P.parallel_for(body, range(8))
    P.parallel_for(lambda i, w: done.append(i), range(2))  # the pool still works afterwards


def test_nested_call_runs_serially_instead_of_deadlocking(two_threads):
    inner = []

    def body(item, worker):
        P.parallel_for(lambda i, w: inner.append((item, i, w)), range(3))

    P.parallel_for(body, range(4))
    assert sorted((a, b) for a, b, _ in inner) == [(a, b) for a in range(4) for b in range(3)]
    assert all(w == 0 for _, _, w in inner)


def test_one_thread_and_single_items_run_on_the_caller():
    old = P.get_num_threads()
    try:
        P.set_num_threads(1)
        got = []
        P.parallel_for(lambda i, w: got.append((i, w, threading.get_ident())), range(5))
        assert got == [(i, 0, threading.get_ident()) for i in range(5)]
        P.set_num_threads(2)
        got.clear()
        P.parallel_for(lambda i, w: got.append((i, w, threading.get_ident())), [7])
        assert got == [(7, 0, threading.get_ident())]
    finally:
        P.set_num_threads(old)


def test_set_num_threads_rejects_bad_values():
    with pytest.raises(ValueError, match="Number of threads must be positive, got 0"):
        P.set_num_threads(0)
    with pytest.raises(TypeError, match="set_num_threads expects an int, got float"):
        P.set_num_threads(2.0)
    with pytest.raises(TypeError, match="got bool"):
        P.set_num_threads(True)
    assert P.get_num_threads() >= 1
    assert P.available_cores() >= 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_pool_works_in_a_forked_child(two_threads):
    P.parallel_for(lambda i, w: None, range(4))  # the parent's pool exists now
    pid = os.fork()
    if pid == 0:  # child: must not wait on the parent's (absent) worker threads
        code = 1
        signal.alarm(20)  # a deadlock ends the child (and fails the test) instead of hanging
        try:
            out = []
            P.parallel_for(lambda i, w: out.append(i), range(6))
            code = 0 if sorted(out) == list(range(6)) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
