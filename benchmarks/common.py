"""Timing helpers shared by the benchmarks: medians of repeated runs, machine facts, tables."""

import datetime
import os
import platform
import statistics
import time


def median_time(fn, number, repeat=7, warmup=1):
    """Median seconds per call of fn over `repeat` runs of `number` calls each."""
    for _ in range(warmup):
        for _ in range(max(1, number // 10)):
            fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs)


def machine():
    """One line describing where the numbers were taken."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{datetime.date.today().isoformat()}")


def torch_or_none():
    """PyTorch when importable (the benchmarks' reference), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def table(rows, headers):
    """Format rows as a Markdown table."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + " |"
    sep = "| " + " | ".join("-" * w for w in widths) + " |"
    body = ["| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join([line, sep] + body)
