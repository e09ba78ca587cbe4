"""`ember evaluate` and `ember predict` on a checkpoint from a short training run."""

import json

import numpy as np
import pytest
from cli_helpers import QUICK, run_cli
from PIL import Image

from ember.cli.predict import read_image, softmax


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("trained")
    code, _, err = run_cli("train", *QUICK, "--limit-train", "32", "--limit-test", "24",
                           "--epochs", "1", "--out", out)
    assert code == 0, err
    return out


def test_evaluate_reproduces_the_training_runs_accuracy(trained):
    metrics = json.loads((trained / "metrics.json").read_text())
    code, out, err = run_cli("evaluate", "--checkpoint", trained / "checkpoint.pt",
                             "--data", "fake", "--limit-test", "24")
    assert code == 0, err
    assert f"({metrics['correct']}/24 = {metrics['accuracy']:.2f} %)" in out
    assert sum(line.startswith("Accuracy of ") for line in out.splitlines()) == 11


def test_evaluate_accepts_the_run_folder(trained):
    code, out, err = run_cli("evaluate", "--checkpoint", trained, "--limit-test", "8")
    assert code == 0, err  # --data comes from the checkpoint's settings (fake)
    assert "Accuracy of the network on the 8 test images" in out


def _images(folder):
    rng = np.random.default_rng(0)
    paths = []
    for name, size, mode in (("big.jpg", (200, 120), "RGB"), ("tiny.png", (9, 9), "L"),
                             ("exact.png", (32, 32), "RGBA")):
        channels = {"RGB": 3, "L": 1, "RGBA": 4}[mode]
        pixels = rng.integers(0, 256, size=(size[1], size[0], channels), dtype=np.uint8)
        Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels, mode).save(
            folder / name)
        paths.append(folder / name)
    return paths


def test_predict_any_image_size(trained, tmp_path):
    paths = _images(tmp_path)
    code, out, err = run_cli("predict", "--checkpoint", trained / "checkpoint.pt", *paths)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    classes = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
    for path, line in zip(paths, lines):
        assert line.startswith(str(path))
        guess = line.split()[-3]
        assert guess in classes and line.endswith("%)")


def test_predict_top_k_probabilities_sum_to_one(trained, tmp_path):
    paths = _images(tmp_path)[:1]
    code, out, err = run_cli("predict", "--checkpoint", trained, "--top", "10", *paths)
    assert code == 0, err
    shares = [float(part.split("(")[1].split()[0]) for part in out.strip().split(", ")]
    assert len(shares) == 10 and shares == sorted(shares, reverse=True)
    assert sum(shares) == pytest.approx(100, abs=0.1)


def test_predict_bad_files(trained, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    code, _, err = run_cli("predict", "--checkpoint", trained, text)
    assert code == 1 and "is not an image Pillow can read" in err
    code, _, err = run_cli("predict", "--checkpoint", trained, tmp_path / "missing.jpg")
    assert code == 1 and "image not found" in err and "Traceback" not in err


def test_read_image_resizes_and_converts(tmp_path):
    Image.new("L", (64, 40), color=200).save(tmp_path / "gray.png")
    pixels = read_image(tmp_path / "gray.png")
    assert pixels.shape == (32, 32, 3) and pixels.dtype == np.uint8
    assert (pixels == 200).all()


def test_softmax_is_stable():
    probs = softmax(np.array([[1000.0, 1000.0, -1000.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(probs, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
