"""A training run's settings: the blitz's defaults, overlaid by the command line or a checkpoint."""

import os
import time

from .errors import CLIError, UsageError

# The tutorial's recipe. None means "decided at run time" (see resolve_device, data.resolve_source).
DEFAULTS = {
    "model": "lenet",
    "optimizer": "sgd",
    "lr": 0.001,
    "momentum": 0.9,
    "batch_size": 4,
    "epochs": 2,
    "seed": 0,
    "workers": None,  # see loader_workers
    "log_every": 2000,
    "data": None,
    "download": False,
    "device": "auto",
    "limit_train": None,
    "limit_test": None,
    "per_image": False,
    "mean": (0.5, 0.5, 0.5),
    "std": (0.5, 0.5, 0.5),
}

# Settings that shape the result; changing them on --resume is allowed but announced.
TRAJECTORY = ("optimizer", "lr", "momentum", "batch_size", "seed", "limit_train", "per_image")

# --optimizer name -> class name in ember.optim, and whether it takes momentum.
OPTIMIZERS = {"sgd": ("SGD", True), "adam": ("Adam", False), "adamw": ("AdamW", False),
              "rmsprop": ("RMSprop", True), "adagrad": ("Adagrad", False)}


def build_config(given, saved=None):
    """The run's settings: DEFAULTS, then a checkpoint's `saved` settings, then `given`.

    `given` holds only what the user actually typed (None elsewhere). Returns (config,
    notes) where notes are lines to print about settings changed relative to the checkpoint.
    """
    config = dict(DEFAULTS)
    notes = []
    if saved:
        config.update({k: v for k, v in saved.items() if k in DEFAULTS})
    for key, value in given.items():
        if key not in DEFAULTS or value is None:
            continue
        if saved and key in TRAJECTORY and saved.get(key) != value:
            notes.append(f"note: {key} changed from {saved.get(key)!r} (checkpoint) to {value!r}")
        config[key] = value
    if saved and given.get("model") not in (None, saved.get("model")):
        raise UsageError(f"--model {given['model']} does not match the checkpoint's model "
                         f"{saved.get('model')!r}")
    if config["optimizer"] not in OPTIMIZERS:
        raise UsageError(f"unknown optimizer {config['optimizer']!r}; "
                         f"choose from {', '.join(OPTIMIZERS)}")
    return config, notes


def loader_workers(config):
    """DataLoader worker processes: --workers, else 2 for --per-image (the tutorial's) and 0
    for in-memory batches, where a batch costs microseconds and workers only add copying."""
    if config["workers"] is not None:
        return config["workers"]
    return 2 if config["per_image"] else 0


def make_optimizer(name, params, lr, momentum):
    """An ember.optim optimizer by its --optimizer name."""
    from .. import optim

    class_name, takes_momentum = OPTIMIZERS[name]
    cls = getattr(optim, class_name, None)
    if cls is None:
        raise CLIError(f"optimizer {name!r} ({class_name}) is not available in this ember")
    if takes_momentum:
        return cls(params, lr=lr, momentum=momentum)
    return cls(params, lr=lr)


def resolve_device(name):
    """'auto' -> 'cuda' when a GPU is usable, else 'cpu'; 'cuda' without a GPU is an error."""
    from .. import cuda

    if name == "auto":
        return "cuda" if cuda.is_available() else "cpu"
    if name.startswith("cuda") and not cuda.is_available():
        raise CLIError(f"--device {name}: no usable GPU (CUDA needs an NVIDIA GPU and CuPy: "
                       f"pip install ember[cuda]); use --device cpu")
    return name


def new_run_dir(base="runs"):
    """A fresh ``runs/<date>-<time>`` folder; ``runs/latest`` is pointed at it when possible."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = os.path.join(base, stamp)
    suffix = 1
    while os.path.exists(path):
        suffix += 1
        path = os.path.join(base, f"{stamp}-{suffix}")
    os.makedirs(path)
    latest = os.path.join(base, "latest")
    try:
        if os.path.islink(latest):
            os.unlink(latest)
        if not os.path.exists(latest):
            os.symlink(os.path.basename(path), latest)
    except OSError:
        pass  # no symlinks here (some file systems, Windows without rights): only a convenience
    return path


def make_out_dir(path):
    """Create --out (and its parents); a clear error when that is impossible."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as err:
        raise CLIError(f"cannot create output folder {path}: {err.strerror or err}") from None
    if not os.access(path, os.W_OK):
        raise CLIError(f"output folder {path} is not writable")
    return path
