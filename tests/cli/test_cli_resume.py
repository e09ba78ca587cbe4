"""Checkpoints and --resume: stopping and continuing gives exactly the uninterrupted weights."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import QUICK, run_cli, state_arrays

from ember.cli.checkpoint import load_checkpoint

# 48 images in batches of 4: 12 mini-batches per epoch.
RECIPE = [*QUICK, "--limit-train", "48", "--limit-test", "8", "--log-every", "5", "--seed", "3"]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """Two epochs without interruption: the reference weights and printed lines."""
    out = tmp_path_factory.mktemp("straight")
    code, stdout, err = run_cli("train", *RECIPE, "--epochs", "2", "--out", out)
    assert code == 0, err
    return state_arrays(out / "checkpoint.pt"), stdout


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def _loss_lines(text):
    return [line for line in text.splitlines() if line.startswith("[")]


def test_resume_from_end_of_epoch(tmp_path, straight):
    weights, lines = straight
    code, first, err = run_cli("train", *RECIPE, "--epochs", "1", "--out", tmp_path)
    assert code == 0, err
    assert load_checkpoint(str(tmp_path / "checkpoint.pt"))["epoch"] == 1
    code, second, err = run_cli("train", "--resume", tmp_path / "checkpoint.pt", "--epochs", "2",
                                "--no-progress")
    assert code == 0, err
    assert "Resuming from" in second
    _assert_same_weights(state_arrays(tmp_path / "checkpoint.pt"), weights)
    assert _loss_lines(first) + _loss_lines(second) == _loss_lines(lines)


def test_stop_in_mid_epoch_and_resume(tmp_path, straight):
    weights, lines = straight
    code, first, err = run_cli("train", *RECIPE, "--epochs", "2", "--out", tmp_path,
                               "--stop-after", "7")
    assert code == 130
    assert "Interrupted in epoch 1 after mini-batch 7" in first
    assert f"Resume with: ember train --resume {tmp_path / 'checkpoint.pt'}" in first
    payload = load_checkpoint(str(tmp_path / "checkpoint.pt"))
    assert (payload["epoch"], payload["step"]) == (0, 7)
    code, second, err = run_cli("train", "--resume", tmp_path / "checkpoint.pt",
                                "--no-progress")
    assert code == 0, err
    _assert_same_weights(state_arrays(tmp_path / "checkpoint.pt"), weights)
    # The loss line of mini-batch 10 averages over the interruption at 7.
    assert _loss_lines(first) + _loss_lines(second) == _loss_lines(lines)


def test_workers_and_per_image_pipeline_give_the_same_weights(tmp_path, straight):
    weights, _ = straight
    recipe = [a for a in RECIPE if a not in ("--workers", "0")]
    code, _, err = run_cli("train", *recipe, "--epochs", "2", "--workers", "2", "--per-image",
                           "--out", tmp_path)
    assert code == 0, err
    _assert_same_weights(state_arrays(tmp_path / "checkpoint.pt"), weights)


def test_a_different_seed_gives_different_weights(tmp_path, straight):
    weights, _ = straight
    recipe = [a if a != "3" else "4" for a in RECIPE]
    code, _, err = run_cli("train", *recipe, "--epochs", "2", "--out", tmp_path)
    assert code == 0, err
    other = state_arrays(tmp_path / "checkpoint.pt")
    assert not np.array_equal(other["conv1.weight"], weights["conv1.weight"])


def test_resume_with_another_model_is_refused(tmp_path, straight):
    code, _, err = run_cli("train", *RECIPE, "--epochs", "1", "--out", tmp_path)
    assert code == 0, err
    code, _, err = run_cli("train", "--resume", tmp_path / "checkpoint.pt", "--model", "other")
    assert code == 2 and "does not match the checkpoint's model 'lenet'" in err


def test_ctrl_c_saves_a_checkpoint(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cmd = [sys.executable, "-m", "ember", "train", *QUICK, "--batch-size", "1",
           "--epochs", "100", "--log-every", "50", "--out", str(tmp_path)]
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        first = proc.stdout.readline()
        while first and not first.startswith("[1,"):
            first = proc.stdout.readline()
        assert first.startswith("[1,"), proc.stderr.read()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Ctrl-C: stopping after this mini-batch" in err and "Traceback" not in err
    assert "Resume with: ember train --resume" in out
    payload = load_checkpoint(str(tmp_path / "checkpoint.pt"))
    assert payload["step"] >= 50 or payload["epoch"] >= 1
