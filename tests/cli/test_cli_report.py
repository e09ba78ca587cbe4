"""ember/cli/report.py: accuracies, the tutorial's text lines, the loss curve, metrics JSON."""

import json

import numpy as np
import pytest

from ember.cli import report

CLASSES = ("plane", "car", "bird")


def test_evaluation_counts():
    ev = report.Evaluation([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 0, 2], CLASSES)
    assert ev.total == 6 and ev.correct == 4
    assert ev.accuracy == pytest.approx(400 / 6)
    assert ev.confusion.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert ev.per_class() == {"plane": (1, 2), "car": (2, 2), "bird": (1, 2)}
    out = ev.to_json()
    assert out["per_class_accuracy"] == {"plane": 50.0, "car": 100.0, "bird": 50.0}
    assert out["correct"] == 4 and out["classes"] == list(CLASSES)


def test_text_lines_follow_the_tutorial():
    ev = report.Evaluation([0] * 7 + [1] * 3, [0] * 5 + [2] * 2 + [1] * 3, CLASSES)
    line = report.accuracy_line(ev)
    assert line.startswith("Accuracy of the network on the 10 test images: 80 %")
    lines = report.per_class_lines(ev)
    assert lines[0].startswith("Accuracy of plane : 71 %")
    assert lines[1].startswith("Accuracy of   car : 100 %")
    assert "no test images" in lines[2]
    truth, pred = report.sample_lines(CLASSES, [0, 1], [1, 1])
    assert truth == "GroundTruth: plane   car"
    assert pred == "Predicted:     car   car"


def test_spread_indices():
    assert report.spread_indices(10, 4).tolist() == [0, 2, 5, 7]
    assert report.spread_indices(3, 8).tolist() == [0, 1, 2]
    assert report.spread_indices(0, 4).tolist() == []


def test_loss_curve_windows():
    window, steps, losses = report.loss_curve(np.arange(10.0), points=3)
    assert window == 3
    assert steps == [3, 6, 9, 10]
    assert losses == [1.0, 4.0, 7.0, 9.0]
    assert report.loss_curve([]) == (1, [], [])


def test_write_json_is_strict_and_plain(tmp_path):
    path = tmp_path / "m.json"
    report.write_json(str(path), {"a": np.float32(1.5), "b": [float("nan"), np.int64(3)],
                                  "c": np.arange(2), "d": (1, 2)})
    loaded = json.loads(path.read_text())
    assert loaded == {"a": 1.5, "b": [None, 3], "c": [0, 1], "d": [1, 2]}
    assert not (tmp_path / "m.json.part").exists()
