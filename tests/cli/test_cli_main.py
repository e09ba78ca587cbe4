"""The `ember` command's surface: help, usage errors (exit 2) and runtime errors (exit 1)."""

import os
import subprocess
import sys

import pytest
from cli_helpers import QUICK, run_cli


def test_help_lists_commands_and_examples():
    code, out, _ = run_cli("--help")
    assert code == 0
    assert "train" in out and "evaluate" in out and "predict" in out
    code, out, _ = run_cli("train", "--help")
    assert code == 0
    for text in ("--epochs", "--batch-size", "--resume", "--limit-train", "examples:",
                 "ember train --epochs 1", "cifar10-jpeg.zip", "2000"):
        assert text in out


def test_python_dash_m_runs_the_command():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-m", "ember", "--version"], capture_output=True,
                          text=True, cwd=root, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("ember ")


def test_no_command_is_a_usage_error():
    code, _, err = run_cli()
    assert code == 2 and "required" in err


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
    (["--batch-size", "four"], "argument --batch-size: expected a whole number, got 'four'"),
    (["--lr", "-1"], "argument --lr: must be positive, got -1"),
    (["--optimizer", "sgdd"], "argument --optimizer: invalid choice: 'sgdd'"),
    (["--device", "tpu"], "argument --device: expected auto, cpu, cuda or cuda:N, got 'tpu'"),
    (["--limit-test", "0"], "argument --limit-test: must be at least 1, got 0"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_train_arguments(argv, message):
    code, out, err = run_cli("train", *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert out == ""


def test_unknown_model_is_a_usage_error(tmp_path):
    code, _, err = run_cli("train", *QUICK, "--model", "resnet999", "--out", tmp_path)
    assert code == 2
    assert "unknown model 'resnet999'; choose from lenet" in err


def test_missing_data_path(tmp_path):
    code, out, err = run_cli("train", "--data", tmp_path / "nope", "--out", tmp_path)
    assert code == 1
    assert err.startswith("ember train: error: --data ")
    assert "no such file or folder" in err and "cifar10-jpeg.zip" in err
    assert "Traceback" not in err


def test_no_data_anywhere_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMBER_CIFAR10_SOURCE", raising=False)
    code, _, err = run_cli("train", "--no-progress")
    assert code == 1
    assert "no CIFAR-10 data found" in err
    assert os.path.join("..", "shared", "datasets", "cifar10-jpeg.zip") in err
    assert "--download" in err
    assert not (tmp_path / "runs").exists() or not os.listdir(tmp_path / "runs" / "latest")


def test_download_failure_offline_is_a_clear_error(tmp_path, monkeypatch):
    # An unreachable mirror stands in for "no internet": the error must explain, not trace.
    monkeypatch.setenv("EMBER_CIFAR10_URL", "http://127.0.0.1:9/cifar-10-python.tar.gz")
    monkeypatch.delenv("EMBER_DATASETS_MIRROR", raising=False)
    monkeypatch.setattr("ember.vision.datasets.download.RETRY_BACKOFF", 0.0)
    code, _, err = run_cli("train", "--data", tmp_path / "data", "--download",
                           "--out", tmp_path / "out", "--no-progress")
    assert code == 1
    assert "could not download CIFAR-10" in err and "cifar10-jpeg.zip" in err
    assert "Traceback" not in err


def test_evaluate_missing_checkpoint(tmp_path):
    code, _, err = run_cli("evaluate", "--checkpoint", tmp_path / "none.pt")
    assert code == 1 and "checkpoint not found" in err


def test_evaluate_rejects_a_file_that_is_not_a_checkpoint(tmp_path):
    bogus = tmp_path / "bogus.pt"
    bogus.write_bytes(b"not a checkpoint at all")
    code, _, err = run_cli("evaluate", "--checkpoint", bogus)
    assert code == 1 and "cannot read checkpoint" in err and "Traceback" not in err


def test_predict_needs_images():
    code, _, err = run_cli("predict")
    assert code == 2 and "IMAGE" in err
