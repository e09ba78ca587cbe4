"""Test-set results and how the CLI prints and stores them (text lines, metrics.json)."""

import json
import os

import numpy as np


class Evaluation:
    """Labels and predictions over a test set, with the accuracies derived from them."""

    def __init__(self, labels, predictions, classes):
        self.labels = np.asarray(labels, dtype=np.int64)
        self.predictions = np.asarray(predictions, dtype=np.int64)
        self.classes = tuple(classes)
        k = len(self.classes)
        # confusion[t, p]: images of true class t predicted as p.
        self.confusion = np.bincount(self.labels * k + self.predictions,
                                     minlength=k * k).reshape(k, k)

    @property
    def total(self):
        """Number of images evaluated."""
        return int(self.labels.size)

    @property
    def correct(self):
        """Number of images predicted right."""
        return int(np.trace(self.confusion))

    @property
    def accuracy(self):
        """Percentage of images predicted right (0 when there are none)."""
        return 100.0 * self.correct / self.total if self.total else 0.0

    def per_class(self):
        """{class name: (correct, total)} in class order."""
        hits = np.diag(self.confusion)
        counts = self.confusion.sum(axis=1)
        return {name: (int(h), int(n)) for name, h, n in zip(self.classes, hits, counts)}

    def to_json(self):
        """The numbers for metrics.json."""
        per_class = {name: (100.0 * h / n if n else None)
                     for name, (h, n) in self.per_class().items()}
        return {"accuracy": self.accuracy, "correct": self.correct, "total": self.total,
                "per_class_accuracy": per_class, "classes": list(self.classes),
                "confusion_matrix": self.confusion.tolist()}


def accuracy_line(ev):
    """The tutorial's summary line (whole percent), followed by the exact figure."""
    return ("Accuracy of the network on the %d test images: %d %%" % (ev.total, ev.accuracy)
            + f"  ({ev.correct}/{ev.total} = {ev.accuracy:.2f} %)")


def per_class_lines(ev):
    """One tutorial-style line per class: ``Accuracy of plane : 57 %``, with counts."""
    lines = []
    for name, (hits, count) in ev.per_class().items():
        if count:
            lines.append("Accuracy of %5s : %2d %%   (%d/%d)" % (name, 100 * hits / count,
                                                                 hits, count))
        else:
            lines.append("Accuracy of %5s :  - %%   (no test images)" % name)
    return lines


def sample_lines(classes, truth, predicted):
    """The tutorial's GroundTruth / Predicted lines for a few test images."""
    return ["GroundTruth: " + " ".join("%5s" % classes[t] for t in truth),
            "Predicted:   " + " ".join("%5s" % classes[p] for p in predicted)]


def seconds(t):
    """A duration for people: two decimals when short, one otherwise."""
    return f"{t:.2f} s" if t < 10 else f"{t:.1f} s"


def spread_indices(size, count):
    """`count` indices spread evenly over range(size) (all of them when size <= count)."""
    count = min(count, size)
    return (np.arange(count) * size) // count if count else np.zeros(0, dtype=np.int64)


def loss_curve(step_losses, points=200):
    """Per-mini-batch losses averaged over windows, for plotting: (window, steps, losses)."""
    losses = np.asarray(step_losses, dtype=np.float64)
    if losses.size == 0:
        return 1, [], []
    window = max(1, losses.size // points)
    usable = (losses.size // window) * window
    means = losses[:usable].reshape(-1, window).mean(axis=1)
    if usable < losses.size:  # the tail that does not fill a window still counts
        means = np.append(means, losses[usable:].mean())
    ends = np.minimum(np.arange(1, means.size + 1) * window, losses.size)
    return window, ends.tolist(), means.tolist()


def write_json(path, payload):
    """Write `payload` as indented JSON, atomically (a temporary file renamed into place)."""
    tmp = f"{path}.part"
    with open(tmp, "w") as f:
        json.dump(_finite(payload), f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)


def _finite(value):
    """`value` with numpy types made plain and NaN/inf (a diverged loss) made None: strict JSON."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, np.ndarray):
        return _finite(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
