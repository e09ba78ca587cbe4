"""`ember predict`: the class (and its probability) a trained checkpoint gives image files."""

import numpy as np
from PIL import Image, UnidentifiedImageError

from . import data as data_mod
from .checkpoint import load_checkpoint
from .config import resolve_device
from .errors import CLIError, UsageError
from .evaluate import load_model, predict_arrays

SIZE = 32  # the networks here take CIFAR-sized images


def read_image(path, size=SIZE):
    """An image file as (size, size, 3) uint8, resized (aspect ratio not kept) when needed."""
    try:
        with Image.open(path) as img:
            img = img.convert("RGB")
            if img.size != (size, size):
                img = img.resize((size, size), Image.Resampling.BICUBIC, reducing_gap=3.0)
            return np.asarray(img, dtype=np.uint8)
    except FileNotFoundError:
        raise CLIError(f"image not found: {path}") from None
    except IsADirectoryError:
        raise CLIError(f"{path} is a folder, not an image file") from None
    except UnidentifiedImageError:
        raise CLIError(f"{path} is not an image Pillow can read") from None
    except OSError as err:
        raise CLIError(f"cannot read image {path}: {err}") from None


def softmax(logits):
    """Row-wise softmax of a 2-D float array, computed stably in float64."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def run(args):
    """Entry point of `ember predict`."""
    if args.top < 1:
        raise UsageError(f"--top must be at least 1, got {args.top}")
    payload = load_checkpoint(args.checkpoint)
    config, classes = payload["config"], tuple(payload["classes"])
    device = resolve_device(args.device)
    pixels = np.stack([read_image(path) for path in args.images])
    labels = np.zeros(len(pixels), dtype=np.int64)
    inputs = data_mod.ImageBatches(data_mod.Split(pixels, labels, classes, "images"),
                                   config["mean"], config["std"])
    model = load_model(payload, device)
    probs = softmax(predict_arrays(model, inputs, device))
    top = min(args.top, len(classes))
    width = max(len(p) for p in args.images)
    for path, p in zip(args.images, probs):
        order = np.argsort(-p, kind="stable")[:top]
        guesses = ", ".join(f"{classes[k]} ({100 * p[k]:.1f} %)" for k in order)
        print(f"{path:<{width}}  {guesses}")
    return 0
