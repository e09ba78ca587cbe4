"""Core micro benchmark: per-op overhead of ember against PyTorch on tiny tensors.

Run: python -m benchmarks.bench_core [--repeat 7]
Cases: `x + y` on 5x3 float32 without grad; the same with x requiring grad; and a 20-op
forward + backward chain on a 5x3 leaf.
"""

import argparse

import numpy as np

import ember

from .common import machine, median_time, table, torch_or_none


def chain(lib, x, y):
    """Twenty elementwise ops ending in a sum, then backward."""
    z = x
    for _ in range(5):
        z = z * y
        z = z + 1.0
        z = lib.tanh(z)
        z = z - y
    z.sum().backward()


def _measure(name, lib, a, b, repeat):
    x, y = lib.tensor(a), lib.tensor(b)
    xg = lib.tensor(a, requires_grad=True)
    return {
        (name, "add"): median_time(lambda: x + y, 20000, repeat),
        (name, "add_grad"): median_time(lambda: xg + y, 20000, repeat),
        (name, "chain"): median_time(lambda: chain(lib, xg, y), 500, repeat),
    }


def run(repeat=7):
    """Return rows of (case, ember us, torch us, ratio)."""
    torch = torch_or_none()
    a = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    b = np.random.default_rng(1).random((5, 3), dtype=np.float32)
    libs = {"ember": ember}
    if torch is not None:
        libs["torch"] = torch
    results = {}
    for name, lib in libs.items():
        results.update(_measure(name, lib, a, b, repeat))
    rows = []
    for case, label in (("add", "x + y, 5x3, no grad"), ("add_grad", "x + y, 5x3, x requires grad"),
                        ("chain", "20-op forward + backward, 5x3")):
        e = results[("ember", case)] * 1e6
        t = results.get(("torch", case))
        rows.append((label, f"{e:.2f}", f"{t * 1e6:.2f}" if t else "-",
                     f"{e / (t * 1e6):.2f}" if t else "-"))
    return rows


def main():
    """Print the core micro benchmark table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    print(f"machine: {machine()}")
    print(table(run(args.repeat), ["case", "ember (us)", "torch (us)", "ember/torch"]))


if __name__ == "__main__":
    main()
