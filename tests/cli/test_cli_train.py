"""`ember train` end to end on small data: printed lines, pictures, metrics, checkpoint."""

import json
import os

import numpy as np
import pytest
from cli_helpers import ARCHIVE, QUICK, run_cli
from PIL import Image

from ember.cli import plots
from ember.cli.checkpoint import load_checkpoint

# 64 images in batches of 8: 8 mini-batches per epoch, a loss line every 4.
SMALL = [*QUICK, "--limit-train", "64", "--limit-test", "40", "--batch-size", "8",
         "--log-every", "4"]


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory):
    """One short training run on FakeData, shared by the tests that inspect its outputs."""
    out = tmp_path_factory.mktemp("run")
    code, stdout, stderr = run_cli("train", *SMALL, "--epochs", "1", "--out", out)
    assert code == 0, stderr
    return stdout, out


def test_prints_the_tutorials_lines(fake_run):
    out, _ = fake_run
    lines = out.splitlines()
    losses = [line for line in lines if line.startswith("[1, ")]
    assert len(losses) == 2
    assert losses[0].startswith("[1,     4] loss: ") and losses[1].startswith("[1,     8] loss: ")
    assert 0 < float(losses[0].split()[-1]) < 10
    assert "Finished Training" in lines
    truth = [line for line in lines if line.startswith("GroundTruth: ")]
    predicted = [line for line in lines if line.startswith("Predicted: ")]
    assert len(truth) == len(predicted) == 1 and len(truth[0].split()) == 5
    assert any(line.startswith("Accuracy of the network on the 40 test images: ")
               for line in lines)
    per_class = [line for line in lines
                 if line.startswith("Accuracy of ") and "network" not in line]
    assert len(per_class) == 10 and per_class[0].startswith("Accuracy of plane : ")
    assert any(line.startswith("Epoch 1 done in ") for line in lines)
    assert any(line.startswith("Time per epoch: ") for line in lines)


def test_metrics_json_matches_the_printed_results(fake_run):
    out, folder = fake_run
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["total"] == 40 and 0 <= metrics["correct"] <= 40
    assert f"({metrics['correct']}/40 = {metrics['accuracy']:.2f} %)" in out
    assert len(metrics["per_class_accuracy"]) == 10
    assert np.array(metrics["confusion_matrix"]).sum() == 40
    assert [(e["epoch"], e["step"]) for e in metrics["loss_log"]] == [(1, 4), (1, 8)]
    assert metrics["loss_curve"]["step"][-1] == 8
    assert len(metrics["epoch_times_s"]) == 1 and metrics["epoch_times_s"][0] > 0
    assert metrics["config"]["lr"] == 0.001 and metrics["config"]["momentum"] == 0.9
    assert metrics["config"]["batch_size"] == 8 and metrics["config"]["optimizer"] == "sgd"
    assert metrics["epochs_completed"] == 1 and metrics["train_images"] == 64


def test_pictures_are_readable(fake_run):
    _, folder = fake_run
    names = ["samples.png"]
    if plots.matplotlib_available():
        names += ["loss.png", "per_class.png", "confusion.png"]
    for name in names:
        with Image.open(folder / name) as img:
            img.load()
            assert img.format == "PNG" and min(img.size) > 100, name


def test_checkpoint_holds_the_run(fake_run):
    _, folder = fake_run
    payload = load_checkpoint(str(folder / "checkpoint.pt"))
    assert payload["epoch"] == 1 and payload["step"] == 0
    assert payload["config"]["model"] == "lenet" and len(payload["classes"]) == 10
    assert set(payload["model"]) >= {"conv1.weight", "fc3.bias"}
    assert len(payload["history"]["step_losses"]) == 8
    assert payload["optimizer"]["state"]  # momentum buffers are saved


def test_without_matplotlib_the_grid_is_still_made(tmp_path, monkeypatch):
    monkeypatch.setattr(plots, "matplotlib_available", lambda: False)
    code, out, err = run_cli("train", *QUICK, "--limit-train", "16", "--limit-test", "8",
                             "--epochs", "1", "--out", tmp_path)
    assert code == 0, err
    assert "Skipped loss.png, per_class.png, confusion.png: matplotlib is not installed" in out
    assert (tmp_path / "samples.png").is_file() and not (tmp_path / "loss.png").exists()
    assert (tmp_path / "metrics.json").is_file() and (tmp_path / "checkpoint.pt").is_file()


def test_default_out_is_a_new_run_folder_with_latest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("train", *QUICK, "--limit-train", "8", "--limit-test", "4",
                             "--epochs", "1")
    assert code == 0, err
    runs = [p for p in os.listdir("runs") if p != "latest"]
    assert len(runs) == 1 and f"Output: {os.path.join('runs', runs[0])}" in out
    assert os.path.isfile(os.path.join("runs", "latest", "checkpoint.pt"))
    # evaluate and predict default to runs/latest/checkpoint.pt
    code, out, err = run_cli("evaluate", "--data", "fake", "--limit-test", "4")
    assert code == 0, err and "Accuracy of the network on the 4 test images" in out


@pytest.mark.skipif(not os.path.isfile(ARCHIVE), reason="CIFAR-10 JPEG archive not present")
def test_short_run_on_the_real_archive(tmp_path):
    code, out, err = run_cli("train", "--data", ARCHIVE, "--limit-train", "200",
                             "--limit-test", "100", "--epochs", "1", "--workers", "0",
                             "--log-every", "25", "--no-progress", "--out", tmp_path)
    assert code == 0, err
    assert "Data: CIFAR-10 train from" in out and "(200 images), test (100 images)" in out
    assert "[1,    50] loss: " in out
    assert "Accuracy of the network on the 100 test images: " in out
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    # 10 test images per class: the limited split is spread over the class-sorted archive.
    assert all(sum(row) == 10 for row in metrics["confusion_matrix"])
    with Image.open(tmp_path / "samples.png") as img:
        assert img.size[0] > 700
