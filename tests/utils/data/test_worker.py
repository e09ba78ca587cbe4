"""DataLoader worker processes: seeding, worker info, errors, shutdown, persistence, timeouts.

Datasets live at module level so that the 'spawn' start method can pickle them by name.
"""

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info

pytestmark = pytest.mark.timeout(60)


class Indexed(Dataset):
    def __init__(self, n, fail_at=None, delay=0.0):
        self.n, self.fail_at, self.delay = n, fail_at, delay

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(self.delay)
        if i == self.fail_at:
            raise ValueError(f"sample {i} is broken")
        return ember.from_numpy(np.full(2, i, np.float32)), i


class WhoAmI(Dataset):
    """Each sample reports the worker that made it and draws from every seeded RNG."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return {
            "index": i,
            "worker": -1 if info is None else info.id,
            "num_workers": 0 if info is None else info.num_workers,
            "seed": -1 if info is None else info.seed,
            "ember": ember.rand(1).item(),
            "numpy": float(np.random.rand()),
            "random": random.random(),
        }


class Sharded(IterableDataset):
    """Yields range(n); each worker takes every num_workers-th item from its id."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


class Unsharded(IterableDataset):
    """Every worker yields the whole range (the documented pitfall)."""

    def __iter__(self):
        return iter(range(3))


class Hangs(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(30)
        return i


class Dies(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        os._exit(3)


class LocalError(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


class RaisesOddException(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        raise LocalError("two", "args")


def _init_marks_numpy(worker_id):
    np.random.seed(1000 + worker_id)


def _failing_init(worker_id):
    raise RuntimeError(f"init failed in {worker_id}")


def _alive(pid):
    """True while `pid` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _wait_gone(pids, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _worker_pids(it):
    return [w.pid for w in it._workers]


def test_batches_in_order_with_workers():
    loader = DataLoader(Indexed(23, delay=0.001), batch_size=3, num_workers=3)
    assert [b[1].tolist() for b in loader] == [list(range(i, min(i + 3, 23)))
                                              for i in range(0, 23, 3)]
    assert multiprocessing.active_children() == []


def test_batches_from_workers_are_writable_tensors():
    x, y = next(iter(DataLoader(Indexed(4), batch_size=2, num_workers=1)))
    assert isinstance(x, ember.Tensor) and x.dtype == ember.float32 and y.dtype == ember.int64
    x[0, 0] = 5.0
    assert x.numpy()[0, 0] == 5.0


def test_huge_tasks_and_batches_do_not_deadlock():
    # Index lists and batches far bigger than a pipe's buffer, several in flight per worker:
    # a blocking task send here would wait on a worker that waits on us.
    loader = DataLoader(list(range(200_000)), batch_size=50_000, num_workers=2,
                        prefetch_factor=2)
    sums = [int(batch.sum()) for batch in loader]
    assert sums == [sum(range(i, i + 50_000)) for i in range(0, 200_000, 50_000)]


def test_spawn_start_method():
    loader = DataLoader(Indexed(10), batch_size=4, num_workers=2, shuffle=True,
                        multiprocessing_context="spawn",
                        generator=ember.Generator().manual_seed(1))
    got = [b[1].tolist() for b in loader]
    reference = DataLoader(Indexed(10), batch_size=4, shuffle=True,
                           generator=ember.Generator().manual_seed(1))
    assert got == [b[1].tolist() for b in reference]


def test_worker_info_and_seeding():
    loader = DataLoader(WhoAmI(), batch_size=None, num_workers=2,
                        generator=ember.Generator().manual_seed(9))
    samples = list(loader)
    assert [s["worker"] for s in samples] == [0, 1] * 4  # round robin, in order
    assert {s["num_workers"] for s in samples} == {2}
    seeds = {s["worker"]: s["seed"] for s in samples}
    assert seeds[1] == seeds[0] + 1
    # Same generator seed -> same worker seeds and the same random draws in the workers.
    again = list(DataLoader(WhoAmI(), batch_size=None, num_workers=2,
                            generator=ember.Generator().manual_seed(9)))
    assert again == samples
    # The two workers' streams differ, in every RNG.
    for key in ("ember", "numpy", "random"):
        assert samples[0][key] != samples[1][key]
    assert get_worker_info() is None


def test_worker_seed_is_base_seed_plus_id():
    g = ember.Generator().manual_seed(4)
    base = int(ember.random.rng(ember.Generator().manual_seed(4)).integers(0, 2**63))
    samples = list(DataLoader(WhoAmI(), batch_size=None, num_workers=2, generator=g))
    assert {s["worker"]: s["seed"] for s in samples} == {0: base, 1: base + 1}
    # The worker's ember generator really is seeded with that value.
    ember.manual_seed(base)
    assert samples[0]["ember"] == ember.rand(1).item()


def test_worker_init_fn_runs_in_each_worker():
    loader = DataLoader(WhoAmI(), batch_size=None, num_workers=2,
                        worker_init_fn=_init_marks_numpy)
    samples = list(loader)
    np.random.seed(1000)
    assert samples[0]["numpy"] == np.random.rand()
    np.random.seed(1001)
    assert samples[1]["numpy"] == np.random.rand()


def test_worker_init_fn_error_reaches_the_main_process():
    loader = DataLoader(Indexed(4), num_workers=1, worker_init_fn=_failing_init)
    with pytest.raises(RuntimeError, match="init failed in 0"):
        next(iter(loader))


@pytest.mark.parametrize("context", [None, "spawn"])
def test_worker_error_reraised_with_traceback(context):
    loader = DataLoader(Indexed(8, fail_at=5), batch_size=2, num_workers=2,
                        multiprocessing_context=context)
    it = iter(loader)
    assert next(it)[1].tolist() == [0, 1]
    assert next(it)[1].tolist() == [2, 3]
    with pytest.raises(ValueError) as info:
        next(it)
    message = str(info.value)
    assert "Caught ValueError in DataLoader worker process 0" in message
    assert "Traceback (most recent call last)" in message
    assert 'raise ValueError(f"sample {i} is broken")' in message
    assert "sample 5 is broken" in message
    # The loader goes on with the next batch, as PyTorch's does.
    assert next(it)[1].tolist() == [6, 7]
    pids = _worker_pids(it)
    del it, info
    assert _wait_gone(pids) == []


def test_exception_that_cannot_be_rebuilt_becomes_runtime_error():
    loader = DataLoader(RaisesOddException(), num_workers=1)
    with pytest.raises(RuntimeError, match="Caught LocalError in DataLoader worker process 0"):
        next(iter(loader))


def test_clean_shutdown_on_break():
    loader = DataLoader(Indexed(100), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = _worker_pids(it)
    for i, _ in enumerate(it):
        if i == 3:
            break
    del it
    assert _wait_gone(pids, 5.0) == []
    assert multiprocessing.active_children() == []


def test_clean_shutdown_when_a_worker_is_blocked_sending():
    class Big(Indexed):
        def __getitem__(self, i):
            return np.zeros(200_000, np.float32)  # 800 kB batches fill the pipe at once

    it = iter(DataLoader(Big(40), batch_size=2, num_workers=2, prefetch_factor=4))
    next(it)
    time.sleep(0.3)  # let the workers block on full pipes
    pids = _worker_pids(it)
    start = time.monotonic()
    del it
    assert _wait_gone(pids, 5.0) == []
    assert time.monotonic() - start < 1.5  # drained, not terminated after a timeout


def test_clean_shutdown_after_the_epoch():
    it = iter(DataLoader(Indexed(6), batch_size=2, num_workers=2))
    pids = _worker_pids(it)
    assert len(list(it)) == 3
    assert _wait_gone(pids, 5.0) == []


def test_iterable_dataset_sharded_by_worker_info():
    loader = DataLoader(Sharded(11), batch_size=2, num_workers=3)
    got = [v for batch in loader for v in batch.tolist()]
    assert sorted(got) == list(range(11))
    loader = DataLoader(Sharded(11), batch_size=2, num_workers=3, drop_last=True)
    got = [batch.tolist() for batch in loader]
    assert all(len(b) == 2 for b in got)
    # each worker drops its own short tail (11 items over 3 workers: 4, 4, 3)
    assert sorted(v for b in got for v in b) == [0, 1, 2, 3, 4, 5, 6, 7, 9, 10]


def test_iterable_dataset_without_sharding_is_duplicated():
    got = sorted(int(v) for v in DataLoader(Unsharded(), batch_size=None, num_workers=2))
    assert got == [0, 0, 1, 1, 2, 2]


def test_persistent_workers_over_two_epochs():
    loader = DataLoader(Indexed(10), batch_size=3, num_workers=2, persistent_workers=True)
    first = [b[1].tolist() for b in loader]
    pids = _worker_pids(loader._iterator)
    # An early break leaves batches in flight: the next epoch must not see them.
    for i, _ in enumerate(loader):
        if i == 1:
            break
    second = [b[1].tolist() for b in loader]
    assert first == second == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert _worker_pids(loader._iterator) == pids
    assert all(_alive(p) for p in pids)
    del loader
    assert _wait_gone(pids, 5.0) == []


def test_persistent_workers_with_iterable_dataset():
    loader = DataLoader(Sharded(7), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert sorted(v for b in loader for v in b.tolist()) == list(range(7))


def test_timeout():
    loader = DataLoader(Hangs(), num_workers=1, timeout=0.5)
    it = iter(loader)
    pids = _worker_pids(it)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.5 seconds"):
        next(it)
    assert time.monotonic() - start < 3.0
    assert _wait_gone(pids, 5.0) == []


def test_worker_that_dies_is_reported():
    loader = DataLoader(Dies(), num_workers=1)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) exited unexpectedly "
                                           r"with exit code 3"):
        next(iter(loader))


def _run_script(body):
    script = textwrap.dedent(body)
    here = os.path.dirname(os.path.abspath(__file__))  # so that `import test_worker` works
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here] + [p for p in sys.path if p]))
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


_SCRIPT = """
    import sys, time
    from ember.utils.data import DataLoader
    from test_worker import Indexed
    loader = DataLoader(Indexed(1000, delay=0.05), batch_size=2, num_workers=2)
    it = iter(loader)
    next(it)
    print(" ".join(str(w.pid) for w in it._workers), flush=True)
    for batch in it:
        pass
"""


def _start_and_read_pids():
    proc = _run_script(_SCRIPT)
    line = proc.stdout.readline()
    pids = [int(p) for p in line.split()]
    assert len(pids) == 2, proc.stderr.read()
    return proc, pids


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX")
def test_ctrl_c_leaves_no_orphans():
    proc, pids = _start_and_read_pids()
    # Ctrl-C in a terminal signals the whole foreground process group.
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert "KeyboardInterrupt" in err
    assert _wait_gone(pids, 10.0) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX")
def test_workers_exit_when_the_main_process_is_killed():
    proc, pids = _start_and_read_pids()
    proc.kill()
    proc.wait(timeout=10)
    assert _wait_gone(pids, 10.0) == []
