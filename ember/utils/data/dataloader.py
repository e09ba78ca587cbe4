"""DataLoader: batches from a dataset, in the main process or in worker processes.

With ``num_workers > 0`` each worker is a real process with its own task pipe and result
pipe. Tasks go out round robin, at most ``prefetch_factor`` per worker ahead of the consumer,
and the main process always reads the worker that owns the next batch, so batches arrive in
order without a reorder buffer. The sampler always runs in the main process, and one base
seed is drawn per epoch for any ``num_workers``: the same seed gives the same index order
whatever the number of workers.
"""

import math
import multiprocessing
import os
import pickle
import select
import signal
import time
from multiprocessing.connection import wait as _wait_any

from ... import backend
from ... import random as _random
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .worker import (
    ExceptionWrapper,
    TaskSender,
    WorkerConfig,
    _Exhausted,
    _IterableEnd,
    _ResumeIteration,
    get_worker_info,
    make_fetcher,
    worker_loop,
)

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

# Seconds the main process gives workers to exit politely before terminating them.
_SHUTDOWN_TIMEOUT = 5.0


class _InfiniteConstantSampler(Sampler):
    """Yields None forever: iterable datasets decide themselves when to stop."""

    def __iter__(self):
        while True:
            yield None


def _pin_memory(data):
    """Page-lock the tensors in a batch when the Tensor type supports it."""
    pin = getattr(data, "pin_memory", None)
    if pin is not None and hasattr(data, "_data"):
        return pin()
    if isinstance(data, dict):
        return type(data)({k: _pin_memory(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(_pin_memory(v) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(_pin_memory(v) for v in data)
    return data


def _loader_length(dataset, is_iterable, index_sampler, batch_size, drop_last):
    """Batches per epoch: from the sampler, or from len(dataset) for iterable datasets."""
    if not is_iterable:
        return len(index_sampler)
    length = len(dataset)  # TypeError when the iterable dataset has no length
    if batch_size is None:
        return length
    return length // batch_size if drop_last else math.ceil(length / batch_size)


def _check_non_negative_int(name, value, hint=""):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} option should be a non-negative integer, got {value!r}{hint}")


class DataLoader:
    """Iterates over a dataset in (shuffled, collated) batches, optionally with worker processes.

    Args are PyTorch's: ``batch_size``, ``shuffle``, ``sampler``, ``batch_sampler``,
    ``num_workers``, ``collate_fn``, ``pin_memory`` (a no-op without a GPU), ``drop_last``,
    ``timeout`` (seconds to wait for a worker's batch), ``worker_init_fn``,
    ``multiprocessing_context`` ('fork', 'spawn', 'forkserver' or a context), ``generator``
    (for shuffling and the workers' base seed), ``prefetch_factor`` and
    ``persistent_workers``.
    """

    _frozen_attrs = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                     "persistent_workers")

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        _check_non_negative_int(
            "num_workers", num_workers, "; use num_workers=0 to disable multiprocessing"
        )
        if not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"timeout option should be non-negative, got {timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing: "
                "set num_workers > 0 to enable multiprocessing, otherwise leave "
                "prefetch_factor as None"
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and (
            isinstance(prefetch_factor, bool) or not isinstance(prefetch_factor, int)
            or prefetch_factor < 1
        ):
            raise ValueError(
                f"prefetch_factor option should be a positive integer, got {prefetch_factor!r}"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        is_iterable = isinstance(dataset, IterableDataset)
        if is_iterable:
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )
        if sampler is None:
            if is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order  # batches always come in order; False is accepted
        self.multiprocessing_context = self._check_context(multiprocessing_context, num_workers)
        self._is_iterable = is_iterable
        self._iterator = None
        self._initialized = True

    @staticmethod
    def _check_context(context, num_workers):
        if context is None:
            return None
        if num_workers == 0:
            raise ValueError(
                "multiprocessing_context can only be used with multi-process loading "
                f"(num_workers > 0), but got num_workers={num_workers}"
            )
        if isinstance(context, str):
            methods = multiprocessing.get_all_start_methods()
            if context not in methods:
                raise ValueError(
                    "multiprocessing_context option should specify a valid start method in "
                    f"{methods!r}, but got multiprocessing_context={context!r}"
                )
            return multiprocessing.get_context(context)
        if not isinstance(context, multiprocessing.context.BaseContext):
            raise TypeError(
                "multiprocessing_context option should be a valid context object or a string "
                f"specifying the start method, but got multiprocessing_context={context!r}"
            )
        return context

    def __setattr__(self, name, value):
        if self.__dict__.get("_initialized") and name in self._frozen_attrs:
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        return _loader_length(self.dataset, self._is_iterable, self._index_sampler,
                              self.batch_size, self.drop_last)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or self._iterator._closed:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset()
            return self._iterator
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        return _MultiProcessIter(self)


class _BaseIter:
    """What both iterators share: the epoch's sampler iterator, base seed and length."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._is_iterable = loader._is_iterable
        self._index_sampler = loader._index_sampler
        self._auto_collation = loader._auto_collation
        self._collate_fn = loader.collate_fn
        self._drop_last = loader.drop_last
        self._generator = loader.generator
        # No reference to the loader itself: a persistent loader holds its iterator, and a
        # cycle would delay shutting the workers down until the garbage collector runs.
        self._length_args = (self._dataset, self._is_iterable, self._index_sampler,
                             loader.batch_size, self._drop_last)
        self._pin = bool(loader.pin_memory) and backend.cupy() is not None
        self._start_epoch()

    def _start_epoch(self):
        # Drawn every epoch, with or without workers, so the sampler's stream never depends
        # on num_workers or persistent_workers.
        self._base_seed = int(_random.rng(self._generator).integers(0, 2**63))
        self._sampler_iter = iter(self._index_sampler)

    def __iter__(self):
        return self

    def next(self):
        """The next batch (the 0.x spelling of ``next(iterator)``)."""
        return self.__next__()

    def __len__(self):
        return _loader_length(*self._length_args)

    def __getstate__(self):
        raise TypeError(f"{type(self).__name__} cannot be pickled")


class _SingleProcessIter(_BaseIter):
    """Loads every batch in the main process (num_workers=0)."""

    def __init__(self, loader):
        super().__init__(loader)
        self._fetch = make_fetcher(self._is_iterable, self._dataset, self._auto_collation,
                                   self._collate_fn, self._drop_last).fetch

    def __next__(self):
        indices = next(self._sampler_iter)  # StopIteration ends the epoch
        try:
            data = self._fetch(indices)
        except _Exhausted:
            raise StopIteration from None
        if self._pin:
            data = _pin_memory(data)
        return data


def _describe_exit(process):
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"was killed by signal: {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited unexpectedly with exit code {code}"


class _MultiProcessIter(_BaseIter):
    """Loads batches in worker processes and hands them out in order."""

    def __init__(self, loader):
        self._closed = True  # until the workers exist, there is nothing to shut down
        super().__init__(loader)
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        context = loader.multiprocessing_context or multiprocessing.get_context()
        config = WorkerConfig(self._dataset, self._is_iterable, self._auto_collation,
                              self._collate_fn, self._drop_last, loader.worker_init_fn,
                              self._num_workers)
        self._workers, self._senders, self._readers, self._pollers = [], [], [], []
        # Set at shutdown so that workers skip the tasks still queued instead of loading them.
        self._done_event = context.Event()
        self._closed = False
        try:
            for worker_id in range(self._num_workers):
                task_reader, task_writer = context.Pipe(duplex=False)
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(
                    target=worker_loop,
                    args=(config, (task_reader, task_writer, reader, writer), self._done_event,
                          worker_id, self._base_seed, os.getpid()),
                    daemon=True,
                )
                process.start()
                # The worker holds the only copies of its ends now (EOF detection needs it).
                task_reader.close()
                writer.close()
                self._workers.append(process)
                self._senders.append(TaskSender(task_writer))
                self._readers.append(reader)
                self._pollers.append(self._make_poller(reader, process))
            self._reset_state()
            self._fill()
        except BaseException:
            self._shutdown_workers()
            raise

    @staticmethod
    def _make_poller(reader, process):
        """A poll object waiting on a worker's result pipe and its exit."""
        poller = select.poll()
        poller.register(reader.fileno(), select.POLLIN)
        poller.register(process.sentinel, select.POLLIN)
        return poller

    def _reset_state(self):
        self._send_idx = 0  # next task to send
        self._rcvd_idx = 0  # next task to hand out
        self._task_worker = {}  # task index -> worker, for tasks not handed out yet
        self._active = [True] * self._num_workers  # False once an iterable share is used up
        self._next_worker = 0
        self._sampler_done = False

    def _reset(self):
        """Start a new epoch on the same (persistent) workers."""
        self._start_epoch()
        for sender in self._senders:
            sender.send(_ResumeIteration())
        # Each worker answers in order, so everything before its echo is left over from the
        # previous epoch (an early break) and is dropped.
        try:
            for worker_id in range(self._num_workers):
                while not isinstance(self._receive(worker_id)[0], _ResumeIteration):
                    pass
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset_state()
        self._fill()

    def _fill(self):
        """Send tasks until prefetch_factor per worker are in flight."""
        limit = self._prefetch * self._num_workers
        while not self._sampler_done and self._send_idx - self._rcvd_idx < limit:
            worker_id = self._next_active_worker()
            if worker_id is None:
                self._sampler_done = True
                return
            try:
                indices = next(self._sampler_iter)
            except StopIteration:
                self._sampler_done = True
                return
            self._senders[worker_id].send((self._send_idx, indices))
            self._task_worker[self._send_idx] = worker_id
            self._send_idx += 1

    def _next_active_worker(self):
        for _ in range(self._num_workers):
            worker_id = self._next_worker
            self._next_worker = (worker_id + 1) % self._num_workers
            if self._active[worker_id]:
                return worker_id
        return None

    def __next__(self):
        try:
            return self._next_data()
        except KeyboardInterrupt:
            self._shutdown_workers()
            raise

    def _next_data(self):
        while True:
            if self._rcvd_idx >= self._send_idx or self._closed:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            idx = self._rcvd_idx
            worker_id = self._task_worker[idx]
            if not self._active[worker_id]:
                # That worker's iterable share ended: the task will never be answered.
                del self._task_worker[idx]
                self._rcvd_idx += 1
                self._fill()
                continue
            msg_idx, data = self._receive(worker_id)
            if isinstance(data, _IterableEnd):
                self._active[worker_id] = False
                continue
            if msg_idx != idx:
                self._shutdown_workers()
                raise RuntimeError(
                    f"DataLoader internal error: expected batch {idx} from worker "
                    f"{worker_id}, got {msg_idx}"
                )
            del self._task_worker[idx]
            self._rcvd_idx += 1
            self._fill()
            if isinstance(data, ExceptionWrapper):
                data.reraise()
            if self._pin:
                data = _pin_memory(data)
            return data

    def _receive(self, worker_id):
        """The next message from one worker, watching its exit and the loader's timeout."""
        reader = self._readers[worker_id]
        poller = self._pollers[worker_id]
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait_ms = None if deadline is None else max(0.0, deadline - time.monotonic()) * 1000
            if not self._flush_senders():
                # Tasks wait for room in a pipe: wake up now and then to push them through.
                wait_ms = 10 if wait_ms is None else min(wait_ms, 10)
            events = poller.poll(wait_ms)
            if events:
                break
            if deadline is not None and time.monotonic() >= deadline:
                self._shutdown_workers(wait=False)  # a worker that missed the deadline is stuck
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
        if any(fd == reader.fileno() for fd, _ in events):
            try:
                return pickle.loads(reader.recv_bytes())
            except EOFError:
                pass
        process = self._workers[worker_id]
        process.join(0.1)
        pid, reason = process.pid, _describe_exit(process)
        self._shutdown_workers()
        raise RuntimeError(f"DataLoader worker (pid {pid}) {reason}")

    def _flush_senders(self):
        """Push pending task bytes; True when no sender has any left."""
        done = True
        for sender in self._senders:
            if sender.pending and not sender.flush():
                done = False
        return done

    def _shutdown_workers(self, wait=True):
        """Stop the workers: ask politely, drain what they are sending, then terminate.

        With ``wait=False`` the workers are terminated at once.
        """
        if self._closed:
            return
        self._closed = True
        self._done_event.set()
        for sender in self._senders:
            sender.send(None)
        deadline = time.monotonic() + (_SHUTDOWN_TIMEOUT if wait else 0.0)
        for reader, process in zip(self._readers, self._workers):
            # A worker blocked sending a batch nobody will read gets unblocked by draining.
            while process.is_alive():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._flush_senders()
                fired = _wait_any([reader, process.sentinel], min(remaining, 0.05))
                if reader in fired:
                    try:
                        reader.recv_bytes()
                    except (EOFError, OSError):
                        process.join(max(0.0, deadline - time.monotonic()))
                        break
                elif fired:
                    break
            process.join(max(0.0, min(1.0, deadline - time.monotonic())))
            if process.is_alive():
                process.terminate()
                process.join(1.0)
            if process.is_alive():
                process.kill()
                process.join()
        for sender in self._senders:
            sender.close()
        for reader in self._readers:
            reader.close()
        self._pollers = [None] * len(self._pollers)

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:  # interpreter shutdown may have torn down what this needs
            pass
