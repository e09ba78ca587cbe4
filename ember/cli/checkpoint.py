"""Training checkpoints: model and optimizer state, position in training, RNG state, settings.

A checkpoint is a plain dict written with ember.save:

- ``format`` / ``version``: marks it as an `ember train` checkpoint;
- ``model``, ``optimizer``: the state dicts;
- ``epoch``: epochs finished; ``step`` and ``samples``: mini-batches and images finished
  within the next epoch (0 at the end of an epoch); ``running_loss``: the loss summed since
  the last printed line; ``elapsed``: seconds spent in the unfinished epoch;
- ``rng``: ember's default generator state;
- ``config``: the run's settings (config.DEFAULTS' keys); ``classes``: the class names;
- ``history``: per-mini-batch losses, printed losses and epoch times so far.
"""

import os

import numpy as np

from .errors import CLIError

FORMAT = "ember-train-checkpoint"
VERSION = 1


def save_checkpoint(path, model, optimizer, config, classes, progress, history):
    """Write a checkpoint atomically (a half-written file never replaces a good one)."""
    from .. import get_rng_state
    from ..serialization import save

    payload = {
        "format": FORMAT,
        "version": VERSION,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": int(progress["epoch"]),
        "step": int(progress["step"]),
        "samples": int(progress.get("samples", 0)),
        "running_loss": float(progress.get("running_loss", 0.0)),
        "elapsed": float(progress.get("elapsed", 0.0)),
        "rng": get_rng_state(),
        "config": _plain_config(config),
        "classes": list(classes),
        # An array, not a list: 25,000 losses stay compact raw bytes in the file.
        "history": {**history, "step_losses": np.asarray(history["step_losses"], np.float64)},
    }
    tmp = f"{path}.part"
    save(payload, tmp)
    os.replace(tmp, path)


def _plain_config(config):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()}


def load_checkpoint(path):
    """Read a checkpoint written by save_checkpoint; CLIError when missing or not one."""
    from ..serialization import load

    if not os.path.exists(path):
        raise CLIError(f"checkpoint not found: {path} (a training run writes "
                       f"<out>/checkpoint.pt; see `ember train --help`)")
    if os.path.isdir(path):
        candidate = os.path.join(path, "checkpoint.pt")
        if not os.path.isfile(candidate):
            raise CLIError(f"{path} is a folder without a checkpoint.pt")
        path = candidate
    try:
        payload = load(path, map_location="cpu")
    except Exception as err:  # any failure to parse means "not a checkpoint we can read"
        raise CLIError(f"cannot read checkpoint {path}: {err}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CLIError(f"{path} is not an `ember train` checkpoint (a saved model state_dict "
                       f"alone cannot be resumed: it lacks the settings and class names)")
    if payload.get("version") != VERSION:
        raise CLIError(f"{path}: checkpoint version {payload.get('version')} is not supported "
                       f"(this ember reads version {VERSION})")
    config = dict(payload["config"])
    for key in ("mean", "std"):
        if key in config:
            config[key] = tuple(config[key])
    payload["config"] = config
    history = dict(payload.get("history") or {})
    history["step_losses"] = np.asarray(history.get("step_losses", []), np.float64).tolist()
    payload["history"] = history
    payload["path"] = path
    return payload


def restore_rng(payload):
    """Put ember's default generator back where the checkpoint left it."""
    from .. import set_rng_state

    set_rng_state(payload["rng"])
