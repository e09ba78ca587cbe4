"""What a finished training run prints and leaves in its output folder."""

import os

import numpy as np

from .. import __version__
from . import plots
from .report import (
    accuracy_line,
    loss_curve,
    per_class_lines,
    sample_lines,
    seconds,
    spread_indices,
    write_json,
)

GRID_IMAGES = 32  # test images in samples.png
SHOWN = 4  # test images in the GroundTruth / Predicted lines, as in the tutorial


def write_outputs(out, evaluation, test_split, config, device, history, train_images,
                  epochs_done):
    """Print the test results and write metrics.json and the pictures into `out`."""
    classes = test_split.classes
    preds = evaluation.predictions
    shown = spread_indices(len(test_split), SHOWN)
    for line in sample_lines(classes, test_split.labels[shown], preds[shown]):
        print(line)
    print(accuracy_line(evaluation))
    for line in per_class_lines(evaluation):
        print(line)
    times = history["epoch_times"]
    if times:
        print("Time per epoch: " + ", ".join(seconds(t) for t in times)
              + f" (mean {seconds(np.mean(times))})")

    written, skipped = [], []
    grid = spread_indices(len(test_split), GRID_IMAGES)
    if grid.size:
        path = os.path.join(out, "samples.png")
        plots.save_sample_grid(path, test_split.images[grid], test_split.labels[grid],
                               preds[grid], classes)
        written.append(path)
    window, steps, losses = loss_curve(history["step_losses"])
    if plots.matplotlib_available():
        path = os.path.join(out, "loss.png")
        epoch_steps = -(-train_images // config["batch_size"])
        # A printed loss is the mean of the log_every mini-batches before it: draw it mid-way.
        half = config["log_every"] / 2
        logged = [(epoch_steps * (e - 1) + s - half, loss) for e, s, loss in history["loss_log"]]
        plots.save_loss_curve(path, steps, losses, window, logged, epoch_steps)
        written.append(path)
        for name, draw in (("per_class.png", plots.save_per_class_chart),
                           ("confusion.png", plots.save_confusion_matrix)):
            path = os.path.join(out, name)
            draw(path, evaluation)
            written.append(path)
    else:
        skipped = ["loss.png", "per_class.png", "confusion.png"]

    metrics = evaluation.to_json()
    metrics.update({
        "epochs_completed": epochs_done,
        "epoch_times_s": times,
        "mean_epoch_time_s": float(np.mean(times)) if times else None,
        "loss_log": [{"epoch": e, "step": s, "loss": loss} for e, s, loss in history["loss_log"]],
        "loss_curve": {"window": window, "step": steps, "loss": losses},
        "samples": [{"index": int(i), "truth": classes[test_split.labels[i]],
                     "predicted": classes[preds[i]]} for i in grid],
        "data": test_split.description,
        "train_images": train_images,
        "test_images": len(test_split),
        "device": device,
        "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()},
        "ember_version": __version__,
    })
    path = os.path.join(out, "metrics.json")
    write_json(path, metrics)
    written.append(path)
    written.append(os.path.join(out, "checkpoint.pt"))
    print("Wrote: " + ", ".join(written))
    if skipped:
        print("Skipped " + ", ".join(skipped) + ": matplotlib is not installed "
              "(pip install 'ember[plots]' to get them)")
