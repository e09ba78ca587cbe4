"""Every script in examples/ runs to the end (the CIFAR-10 ones in their --quick form)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..")
ARCHIVE = os.path.join(ROOT, "..", "shared", "datasets", "cifar10-jpeg.zip")
NEEDS_DATA = {"blitz_4_cifar10.py", "blitz_5_gpu.py"}
SCRIPTS = sorted(f for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script, tmp_path):
    if script in NEEDS_DATA and not os.path.exists(ARCHIVE):
        pytest.skip("CIFAR-10 JPEG archive not present")
    args = [sys.executable, os.path.join(ROOT, "examples", script)]
    if script in NEEDS_DATA:
        args.append("--quick")
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "the example printed nothing"
