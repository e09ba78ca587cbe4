"""ember vs PyTorch, side by side in one run: LeNet training steps and conv2d forward+backward.

Run:  .venv/bin/python -m benchmarks.bench_nn            (full)
      .venv/bin/python -m benchmarks.bench_nn --quick    (fewer repeats)
      .venv/bin/python -m benchmarks.bench_nn --only lenet_b4 --repeats 500

Cases (same data and the same initial weights in both frameworks):
  lenet_b4     one SGD(momentum=0.9) training step of the blitz CIFAR-10 LeNet at batch 4
  lenet_b128   the same at batch 128 (also reported as images/s)
  conv_fb      conv2d forward + backward (input, weight and bias gradients),
               128x3x32x32 input, 6x3x5x5 kernel

Times are medians over repeated runs after a warm-up; torch runs with its default thread
count (printed). Other processes on the machine skew both columns alike, so read the ratio.
"""

import argparse
import statistics
import time

import numpy as np

import ember

from .bench_train import lenet
from .common import machine, table

try:
    import torch
except ImportError:  # the ember column still runs
    torch = None


def make_lenet(lib):
    """The blitz's CIFAR-10 network and its loss, in framework `lib`."""
    return lenet(lib), lib.nn.CrossEntropyLoss()


def copy_weights(src, dst):
    """Copy torch module parameters into the ember module (same names and order)."""
    for (name, p), (tname, tp) in zip(dst.named_parameters(), src.named_parameters()):
        assert name == tname, (name, tname)
        p._data[...] = tp.detach().numpy()


def timed_pair(fe, ft, repeats, warmup, rounds=4):
    """Median seconds of fe() and ft() (ft may be None).

    The two run in alternating blocks (`rounds` of each), so that load from other processes
    falls on both alike, while torch's worker threads, which keep spinning for a moment
    after torch returns, rarely overlap ember's timed calls.
    """
    te, tt = [], []
    per = max(1, repeats // rounds)
    for fn in (fe, ft):
        if fn is not None:
            for _ in range(warmup):
                fn()
    for _ in range(rounds):
        for fn, out in ((fe, te), (ft, tt)):
            if fn is None:
                continue
            fn()  # untimed: absorbs the switch from the other framework
            for _ in range(per):
                t0 = time.perf_counter()
                fn()
                out.append(time.perf_counter() - t0)
    return statistics.median(te), (statistics.median(tt) if tt else None)


def lenet_step(lib, batch, seed=0):
    """A closure running one training step, and the model (for checks)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    tnet, tloss = make_lenet(torch) if torch is not None else (None, None)
    if lib is ember:
        net, crit = make_lenet(ember)
        if tnet is not None:
            copy_weights(tnet, net)
        xs, ys = ember.from_numpy(x), ember.from_numpy(y)
        opt = ember.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    else:
        net, crit = tnet, tloss
        xs, ys = torch.from_numpy(x), torch.from_numpy(y)
        opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = crit(net(xs), ys)
        loss.backward()
        opt.step()
        return loss

    return step, net


def conv_fb(lib, seed=0):
    """A closure running conv2d forward + backward with input, weight and bias gradients."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((128, 3, 32, 32)).astype(np.float32)
    w = rng.standard_normal((6, 3, 5, 5)).astype(np.float32) * 0.1
    b = rng.standard_normal(6).astype(np.float32)
    g = rng.standard_normal((128, 6, 28, 28)).astype(np.float32)
    mk = ember.from_numpy if lib is ember else torch.from_numpy
    xs, ws, bs, gs = (mk(a.copy()) for a in (x, w, b, g))
    for t in (xs, ws, bs):
        t.requires_grad_(True)
    f = lib.nn.functional

    def run():
        xs.grad = ws.grad = bs.grad = None
        out = f.conv2d(xs, ws, bs)
        out.backward(gs)
        return out

    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a rough look)")
    ap.add_argument("--repeats", type=int, default=None, help="override the repeat count")
    ap.add_argument("--only", choices=["lenet_b4", "lenet_b128", "conv_fb"], action="append",
                    help="run only these cases (repeatable)")
    ap.add_argument("--no-torch", action="store_true", help="ember column only")
    args = ap.parse_args()
    global torch
    if args.no_torch:
        torch = None
    scale = 0.2 if args.quick else 1.0
    cases = {
        "lenet_b4": (lambda lib: lenet_step(lib, 4)[0], 300, 1),
        "lenet_b128": (lambda lib: lenet_step(lib, 128)[0], 40, 128),
        "conv_fb": (conv_fb, 40, 1),
    }
    if torch is not None:
        torch.manual_seed(0)
        threads = torch.get_num_threads()  # the machine default, set explicitly
        torch.set_num_threads(threads)
    print(machine())
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'absent'}"
          + (f" ({threads} threads)" if torch else "") + "; medians, ember and torch "
          "in alternating blocks")
    rows = []
    for name, (factory, reps, batch) in cases.items():
        if args.only and name not in args.only:
            continue
        reps = args.repeats or max(5, int(reps * scale))
        warm = max(2, reps // 10)
        e, t = timed_pair(factory(ember), factory(torch) if torch is not None else None,
                          reps, warm)
        note = ""
        if batch > 1:
            note = f"ember {batch / e:,.0f} img/s" + (f", torch {batch / t:,.0f} img/s"
                                                      if t else "")
        rows.append([name, f"{e * 1e3:.2f}", f"{t * 1e3:.2f}" if t else "-",
                     f"{e / t:.2f}" if t else "-", note])
    print(table(rows, ["case", "ember ms", "torch ms", "ember/torch", "throughput"]))


if __name__ == "__main__":
    main()
