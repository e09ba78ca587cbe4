"""ember/cli/plots.py: the pictures are real PNGs of the expected size."""

import numpy as np
import pytest
from PIL import Image

from ember.cli import plots
from ember.cli.report import Evaluation

CLASSES = ("plane", "car", "bird", "cat")


def test_sample_grid_is_a_readable_png(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(10, 32, 32, 3), dtype=np.uint8)
    images[0] = 0  # a black tile, to find in the picture
    path = tmp_path / "samples.png"
    plots.save_sample_grid(str(path), images, [0, 1, 2, 3] * 2 + [0, 1],
                           [0, 2, 2, 3] * 2 + [1, 1], CLASSES, nrow=4)
    with Image.open(path) as img:
        assert img.format == "PNG" and img.mode == "RGB"
        tile_w, tile_h = 32 * 3 + 4, 32 * 3 + 28 + 4
        assert img.size == (4 + 4 * tile_w, 4 + 3 * tile_h)
        pixels = np.asarray(img)
    assert (pixels[4:4 + 96, 4:4 + 96] == 0).all()  # the first image, scaled 3x, at the corner
    caption = pixels[4 + 96:4 + 96 + 28, 4:4 + 96]
    assert (caption != 255).any()  # labels were drawn
    # A wrong prediction (tile 1) is captioned in red somewhere.
    second = pixels[4 + 96:4 + 96 + 28, 4 + tile_w:4 + tile_w + 96].reshape(-1, 3)
    assert ((second[:, 0] > 150) & (second[:, 1] < 80)).any()


def test_matplotlib_charts(tmp_path):
    pytest.importorskip("matplotlib")
    ev = Evaluation([0, 1, 2, 3, 3], [0, 1, 1, 3, 2], CLASSES)
    for name, draw in (("per_class.png", plots.save_per_class_chart),
                       ("confusion.png", plots.save_confusion_matrix)):
        draw(str(tmp_path / name), ev)
    plots.save_loss_curve(str(tmp_path / "loss.png"), [10, 20, 30], [2.3, 2.0, 1.8], window=10,
                          logged=[(20, 2.1)], epoch_steps=15)
    for name in ("per_class.png", "confusion.png", "loss.png"):
        with Image.open(tmp_path / name) as img:
            assert img.format == "PNG" and img.size[0] > 300 and img.size[1] > 150
