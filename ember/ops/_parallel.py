"""A small persistent thread pool for splitting one op's independent chunks across cores.

Why threads can help although Python has a GIL: the chunk bodies of a convolution are a few
large NumPy calls (strided copies, BLAS GEMMs, reductions), and NumPy releases the GIL inside
each of them, so two threads keep two cores busy. The pool is created on first use, holds
``get_num_threads() - 1`` daemon workers (the calling thread is worker 0), and is forgotten in
a forked child (DataLoader workers fork; the parent's threads do not exist there).

Determinism: callers give every chunk its own output (or its own partial result, combined in
chunk order afterwards), so which thread ran a chunk never changes a single bit.
"""

import os
import queue
import threading

__all__ = ["available_cores", "get_num_threads", "set_num_threads", "parallel_for"]


def available_cores():
    """CPU cores this process may run on (its affinity mask, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# Off (one thread) by default: on the 2-core VM this was built on, threaded convolutions made
# the LeNet batch-128 training step slower (bench_nn: 24-27 ms vs 14.5 ms serial), although
# they sped up a convolution run alone by 1.1-1.4x: GIL hand-offs between the workers, the
# second core's memory bandwidth, and OpenBLAS's (and a neighbouring torch's) spinning
# threads took the second core's gain. set_num_threads(n) turns the pool on.
_threads = [1]
_pool = [None]
_pool_guard = threading.Lock()


def get_num_threads():
    """Number of threads ember's CPU ops may use (the caller included)."""
    return _threads[0]


def set_num_threads(n):
    """Set the number of threads ember's CPU ops may use (1 runs everything serially)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads expects an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"Number of threads must be positive, got {n}")
    with _pool_guard:
        _threads[0] = n
        old, _pool[0] = _pool[0], None
    if old is not None:
        old.close()


class _Job:
    """One parallel_for call: the chunks, a cursor handing them out, and the first error."""

    __slots__ = ("fn", "items", "cursor", "lock", "error")

    def __init__(self, fn, items):
        self.fn, self.items = fn, items
        self.cursor = 0
        self.lock = threading.Lock()
        self.error = None

    def drain(self, worker):
        """Run chunks until none is left (or one failed)."""
        items, n = self.items, len(self.items)
        while True:
            with self.lock:
                i = self.cursor
                self.cursor = i + 1
            if i >= n or self.error is not None:
                return
            try:
                self.fn(items[i], worker)
            except BaseException as e:  # handed to the caller, which re-raises it
                with self.lock:
                    if self.error is None:
                        self.error = e


def _serve(inbox, done, worker):
    while True:
        job = inbox.get()
        if job is None:
            return
        job.drain(worker)
        done.put(None)


class _Pool:
    """Worker threads 1..size-1, each waiting on its own inbox."""

    def __init__(self, size):
        self.size = size
        self.busy = threading.Lock()  # one parallel region at a time
        self.done = queue.SimpleQueue()
        self.inboxes = []
        for worker in range(1, size):
            inbox = queue.SimpleQueue()
            threading.Thread(target=_serve, args=(inbox, self.done, worker), daemon=True,
                             name=f"ember-worker-{worker}").start()
            self.inboxes.append(inbox)

    def run(self, job):
        """Run `job` on every worker and the caller; return once all chunks are done."""
        helpers = self.inboxes[:len(job.items) - 1]
        for inbox in helpers:
            inbox.put(job)
        job.drain(0)
        for _ in helpers:
            self.done.get()

    def close(self):
        for inbox in self.inboxes:
            inbox.put(None)


def _get_pool():
    pool = _pool[0]
    if pool is None:
        with _pool_guard:
            pool = _pool[0]
            if pool is None and _threads[0] > 1:
                pool = _pool[0] = _Pool(_threads[0])
    return pool


def _forget_pool():
    # in a forked child the workers are gone and the locks may be held by them: start over
    global _pool_guard
    _pool_guard = threading.Lock()
    _pool[0] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def parallel_for(fn, items):
    """Call ``fn(item, worker)`` once for every item, on up to get_num_threads() threads.

    `worker` (0 for the calling thread) lets `fn` pick per-thread scratch buffers. Items run in
    any order and concurrently, so each must write only its own outputs. Runs serially when
    there is a single item, one thread, or when the pool is already busy (a parallel_for
    from inside a chunk, or from another thread at the same moment). The first exception
    raised by any chunk is re-raised here after all running chunks have finished.
    """
    if len(items) > 1 and _threads[0] > 1:
        pool = _get_pool()
        if pool is not None and pool.busy.acquire(blocking=False):
            try:
                job = _Job(fn, items)
                pool.run(job)
            finally:
                pool.busy.release()
            if job.error is not None:
                raise job.error
            return
    for item in items:
        fn(item, 0)
