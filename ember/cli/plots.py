"""The pictures a training run leaves in its output folder.

The labelled sample grid needs only Pillow (and ember.vision.utils.make_grid); the loss curve,
per-class accuracy chart and confusion matrix need matplotlib (``pip install ember[plots]``)
and are skipped, with a message, without it.
"""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .. import from_numpy
from ..vision.utils import make_grid

_SCALE = 3  # 32x32 images are too small to judge by eye; show them 3x larger
_CAPTION = 28  # pixels under each image for the two label lines
_PAD = 4
_RIGHT, _WRONG, _TEXT = (0, 120, 0), (200, 0, 0), (0, 0, 0)


def matplotlib_available():
    """True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def save_sample_grid(path, images, truth, predicted, classes, nrow=8):
    """A PNG grid of (N, H, W, 3) uint8 images, each captioned with its true and predicted class.

    The caption's second line is green when the prediction is right and red when wrong.
    """
    images = np.asarray(images, dtype=np.uint8)
    n, h, w = images.shape[:3]
    big = images.repeat(_SCALE, axis=1).repeat(_SCALE, axis=2)
    tiles = np.ones((n, 3, h * _SCALE + _CAPTION, w * _SCALE), dtype=np.float32)
    tiles[:, :, :h * _SCALE] = big.transpose(0, 3, 1, 2) / np.float32(255)
    grid = make_grid(from_numpy(tiles), nrow=nrow, padding=_PAD, pad_value=1.0)
    pixels = (np.clip(grid.numpy(), 0, 1) * 255 + 0.5).astype(np.uint8).transpose(1, 2, 0)
    picture = Image.fromarray(np.ascontiguousarray(pixels))
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default()
    tile_w, tile_h = w * _SCALE + _PAD, h * _SCALE + _CAPTION + _PAD
    for i in range(n):
        x = _PAD + (i % nrow) * tile_w + 2
        y = _PAD + (i // nrow) * tile_h + h * _SCALE + 1
        t, p = int(truth[i]), int(predicted[i])
        draw.text((x, y), f"true: {classes[t]}", fill=_TEXT, font=font)
        draw.text((x, y + _CAPTION // 2), f"pred: {classes[p]}", fill=_RIGHT if t == p else _WRONG,
                  font=font)
    picture.save(path, format="PNG")


def _figure(width, height):
    # The object-oriented API, not pyplot: no global state and no GUI backend is touched.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_loss_curve(path, steps, losses, window=1, logged=(), epoch_steps=None):
    """Training loss against mini-batches: averaged windows as a line, printed points as dots.

    Args:
        steps, losses, window: the averaged curve (see report.loss_curve); each mean is
            drawn at the middle of its window.
        logged: (mini-batch, loss) pairs that were printed during training.
        epoch_steps: mini-batches per epoch, for dotted epoch boundaries.
    """
    fig = _figure(7, 4)
    ax = fig.add_subplot()
    ax.plot([s - window / 2 for s in steps], losses, color="tab:blue", linewidth=1.2,
            label="training loss (window mean)")
    if logged:
        xs, ys = zip(*logged)
        ax.plot(xs, ys, "o", color="tab:orange", markersize=4, label="printed loss")
    if epoch_steps and steps:
        for boundary in range(epoch_steps, int(steps[-1]), epoch_steps):
            ax.axvline(boundary, color="gray", linestyle=":", linewidth=1)
    ax.set_xlabel("mini-batch")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title("Training loss")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.savefig(path, format="png")


def save_per_class_chart(path, evaluation):
    """Horizontal bars of per-class test accuracy, with the overall accuracy as a line."""
    names = list(evaluation.classes)
    counts = evaluation.confusion.sum(axis=1)
    hits = np.diag(evaluation.confusion)
    acc = np.where(counts > 0, 100.0 * hits / np.maximum(counts, 1), 0.0)
    fig = _figure(6, 0.35 * len(names) + 1.2)
    ax = fig.add_subplot()
    ax.barh(names, acc, color="tab:blue")
    ax.axvline(evaluation.accuracy, color="tab:red", linestyle="--",
               label=f"overall {evaluation.accuracy:.1f} %")
    for y, value in enumerate(acc):
        ax.text(value + 1, y, f"{value:.0f} %", va="center", fontsize=8)
    ax.set_xlim(0, 112)  # room for the label of a 100 % bar
    ax.set_xticks(range(0, 101, 20))
    ax.invert_yaxis()
    ax.set_xlabel("test accuracy (%)")
    ax.set_title("Accuracy per class")
    ax.legend(loc="lower right")
    fig.savefig(path, format="png")


def save_confusion_matrix(path, evaluation):
    """The confusion matrix (rows: true class, columns: predicted class) with counts."""
    names = list(evaluation.classes)
    matrix = evaluation.confusion
    fig = _figure(6.5, 5.5)
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix (test set)")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (t, p), count in np.ndenumerate(matrix):
        ax.text(p, t, str(count), ha="center", va="center", fontsize=7,
                color="white" if count > threshold else "black")
    fig.savefig(path, format="png")
