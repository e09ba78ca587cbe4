"""What a DataLoader worker process does: seed, fetch batches on request, send them back.

Protocol (one worker): the main process sends ``(task_idx, indices)`` down the worker's task
pipe; the worker answers on its own result pipe with ``(task_idx, batch)`` in the order the
tasks came, an ExceptionWrapper instead of the batch when fetching failed, or an
``_IterableEnd`` when its share of an iterable dataset is used up (later tasks get no answer
until the next epoch). ``_ResumeIteration`` starts a new epoch (persistent workers) and is
echoed back; ``None`` asks the worker to exit.
"""

import itertools
import os
import pickle
import random
import select
import signal
import struct
import sys
import traceback

import numpy as np

from ... import random as _random

# How often (seconds) an idle worker checks that its parent is still alive.
_PARENT_CHECK_INTERVAL = 1.0

_worker_info = None


class WorkerInfo:
    """Facts about the current worker process: id, num_workers, seed, and its dataset copy."""

    __slots__ = ("id", "num_workers", "seed", "dataset")

    def __init__(self, id, num_workers, seed, dataset):
        for name, value in (("id", id), ("num_workers", num_workers), ("seed", seed),
                            ("dataset", dataset)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")

    def __repr__(self):
        return (f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, "
                f"dataset={type(self.dataset).__name__})")


def get_worker_info():
    """The WorkerInfo of this DataLoader worker process, or None in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process with its traceback text."""

    def __init__(self, exc_info=None, where="in background"):
        exc_type, exc, tb = exc_info or sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self):
        """Raise the exception again, its message carrying the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            # KeyError's str() is the repr of its argument; this keeps the newlines readable.
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            # Exception types whose constructor wants other arguments.
            exc = RuntimeError(msg)
        try:
            raise exc
        finally:
            # Break the frame <-> traceback cycle so that the iterator (and its worker
            # processes) can be freed as soon as the caller drops the exception.
            del exc


class _KeyErrorMessage(str):
    def __repr__(self):
        return str(self)


class _IterableEnd:
    """Sent by a worker whose iterator is exhausted for this epoch."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Starts a new epoch in a persistent worker; echoed back as the acknowledgement."""


class _Exhausted(Exception):
    """An iterable-style fetcher ran out of samples (kept apart from user StopIterations)."""


class MapFetcher:
    """Fetches samples of a map-style dataset by index and collates them."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self._getitems = getitems if callable(getitems) else None

    def fetch(self, indices):
        """One batch (or one sample without auto-collation) for the given index/indices."""
        if not self.auto_collation:
            return self.collate_fn(self.dataset[indices])
        if self._getitems is not None:
            return self.collate_fn(self._getitems(indices))
        dataset = self.dataset
        return self.collate_fn([dataset[i] for i in indices])


class IterableFetcher:
    """Pulls the next samples from an iterable-style dataset and collates them."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.iterator = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, indices):
        """The next batch; `indices` only gives its size (a list of Nones)."""
        if self.ended:
            raise _Exhausted
        if not self.auto_collation:
            try:
                sample = next(self.iterator)
            except StopIteration:
                self.ended = True
                raise _Exhausted from None
            return self.collate_fn(sample)
        samples = list(itertools.islice(self.iterator, len(indices)))
        if not samples or (self.drop_last and len(samples) < len(indices)):
            self.ended = True
            raise _Exhausted
        return self.collate_fn(samples)


def make_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last):
    """The fetcher for a dataset's kind."""
    kind = IterableFetcher if is_iterable else MapFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


class WorkerConfig:
    """Everything a worker needs, pickled once per worker when it starts."""

    def __init__(self, dataset, is_iterable, auto_collation, collate_fn, drop_last,
                 worker_init_fn, num_workers):
        self.dataset = dataset
        self.is_iterable = is_iterable
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.worker_init_fn = worker_init_fn
        self.num_workers = num_workers


def seed_worker(seed):
    """Seed ember's default generator, NumPy's global RNG and `random` with `seed`."""
    random.seed(seed)
    _random.manual_seed(seed)
    # NumPy's legacy seed takes 32-bit words: pass both halves so no bits are lost.
    np.random.seed([seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF])


def _send(conn, message):
    """Pickle and send one message; an unpicklable batch is reported instead of lost."""
    try:
        blob = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        idx = message[0]
        where = "while pickling a batch in a DataLoader worker process"
        wrapper = ExceptionWrapper(where=where)
        wrapper.exc_type = RuntimeError
        blob = pickle.dumps((idx, wrapper), protocol=pickle.HIGHEST_PROTOCOL)
    conn.send_bytes(blob)


_HEADER = struct.Struct("!Q")


class TaskSender:
    """The main process's end of a worker's task pipe: sends never block.

    A blocking write could deadlock (the main process waiting for the worker to take a task
    while the worker waits for the main process to take a batch), so the pipe is
    non-blocking and whatever it cannot take now waits in a buffer for ``flush``. Tasks are
    a few bytes, so in practice every send goes straight through with one write.
    """

    def __init__(self, conn):
        self._conn = conn  # owns the file descriptor
        self._fd = conn.fileno()
        os.set_blocking(self._fd, False)
        self._pending = b""

    def send(self, message):
        """Queue one message and write as much as the pipe takes."""
        blob = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._pending += _HEADER.pack(len(blob)) + blob
        self.flush()

    def flush(self):
        """Write pending bytes; True when none are left (a dead reader drops them)."""
        while self._pending:
            try:
                written = os.write(self._fd, self._pending)
            except BlockingIOError:
                return False
            except OSError:  # the worker is gone; its death is reported elsewhere
                self._pending = b""
                return True
            self._pending = self._pending[written:]
        return True

    @property
    def pending(self):
        """True while some bytes still wait for room in the pipe."""
        return bool(self._pending)

    def close(self):
        """Close the pipe."""
        self._conn.close()


class _TaskReader:
    """The worker's end of its task pipe (blocking reads of TaskSender's frames)."""

    def __init__(self, conn):
        self._conn = conn
        self._fd = conn.fileno()
        self._poller = select.poll()
        self._poller.register(self._fd, select.POLLIN)

    def poll(self, seconds):
        """True when a message (or EOF) is ready within `seconds`."""
        return bool(self._poller.poll(seconds * 1000))

    def _read_exactly(self, n):
        chunks = []
        while n:
            chunk = os.read(self._fd, n)
            if not chunk:
                raise EOFError("the main process closed the task pipe")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def recv(self):
        """The next message."""
        (size,) = _HEADER.unpack(self._read_exactly(_HEADER.size))
        return pickle.loads(self._read_exactly(size))


def _wrap_current_exception(worker_id):
    wrapper = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    try:
        pickle.dumps(wrapper.exc_type)
    except Exception:  # a locally defined exception class cannot travel; keep its text
        wrapper.exc_type = RuntimeError
    return wrapper


def worker_loop(config, pipes, done_event, worker_id, base_seed, parent_pid):
    """The body of a worker process (the target of multiprocessing.Process).

    `pipes` is (task reader, task writer, result reader, result writer); the worker keeps
    the task reader and the result writer and closes the main process's ends, so that
    each side sees EOF when the other goes away.
    """
    global _worker_info
    # Ctrl-C goes to the whole process group; the main process handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    task_conn, task_writer, result_reader, result_conn = pipes
    task_writer.close()
    result_reader.close()
    tasks = _TaskReader(task_conn)
    seed = base_seed + worker_id
    seed_worker(seed)
    _worker_info = WorkerInfo(worker_id, config.num_workers, seed, config.dataset)

    def new_fetcher():
        return make_fetcher(config.is_iterable, config.dataset, config.auto_collation,
                            config.collate_fn, config.drop_last)

    init_error = None
    fetcher = None
    try:
        if config.worker_init_fn is not None:
            config.worker_init_fn(worker_id)
        fetcher = new_fetcher()
    except Exception:
        init_error = _wrap_current_exception(worker_id)

    try:
        while True:
            if not tasks.poll(_PARENT_CHECK_INTERVAL):
                if os.getppid() != parent_pid or done_event.is_set():
                    return  # the main process died or gave up on us: do not linger
                continue
            task = tasks.recv()
            if task is None:
                return
            if isinstance(task, _ResumeIteration):
                if init_error is None:
                    try:
                        fetcher = new_fetcher()
                    except Exception:
                        init_error = _wrap_current_exception(worker_id)
                _send(result_conn, (task, None))
                continue
            if done_event.is_set():
                continue  # shutting down: skip to the None that ends the queue
            idx, indices = task
            if init_error is not None:
                data = init_error  # every batch reports it: this worker cannot fetch anything
            elif fetcher.__class__ is IterableFetcher and fetcher.ended:
                continue  # nothing more this epoch; the main process skips these tasks
            else:
                try:
                    data = fetcher.fetch(indices)
                except _Exhausted:
                    data = _IterableEnd(worker_id)
                except Exception:
                    data = _wrap_current_exception(worker_id)
            _send(result_conn, (idx, data))
    except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
        return  # the main process went away
    finally:
        result_conn.close()
        task_conn.close()
