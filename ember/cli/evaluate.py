"""`ember evaluate`: a checkpoint's accuracy on the test set, overall and per class."""

import numpy as np

from . import data as data_mod
from .checkpoint import load_checkpoint
from .config import resolve_device
from .errors import CLIError
from .report import Evaluation, accuracy_line, per_class_lines

# Images per forward pass when testing: large batches are far faster than the training batch
# of 4, and the predictions do not depend on the batch size.
EVAL_BATCH = 250


def predict_arrays(model, inputs, device, batch_size=EVAL_BATCH):
    """Logits (N, classes) as a float32 numpy array for a dataset of normalized images."""
    from .. import no_grad

    loader_batches = range(0, len(inputs), batch_size)
    outputs = []
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for start in loader_batches:
                indices = list(range(start, min(start + batch_size, len(inputs))))
                x, _ = inputs.__getitems__(indices)
                if device != "cpu":
                    x = x.to(device)
                outputs.append(model(x).cpu().numpy())
    finally:
        model.train(was_training)
    if not outputs:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(outputs)


def evaluate_model(model, split, mean, std, device):
    """An Evaluation of `model` on a data.Split."""
    inputs = data_mod.ImageBatches(split, mean, std)
    logits = predict_arrays(model, inputs, device)
    predictions = logits.argmax(axis=1) if len(logits) else np.zeros(0, dtype=np.int64)
    return Evaluation(split.labels, predictions, split.classes)


def load_model(payload, device):
    """The model stored in a checkpoint payload, on `device`, in eval mode."""
    from ..vision.models import get_model

    config = payload["config"]
    model = get_model(config["model"], num_classes=len(payload["classes"]))
    model.load_state_dict(payload["model"])
    model.to(device)
    model.eval()
    return model


def run(args):
    """Entry point of `ember evaluate`."""
    data_mod.check_limit("--limit-test", args.limit_test)
    payload = load_checkpoint(args.checkpoint)
    config = payload["config"]
    device = resolve_device(args.device)
    data = args.data if args.data is not None else config.get("data")
    download = bool(args.download)
    kind, path = data_mod.resolve_source(data, download)
    split = data_mod.load_split(kind, path, train=False, download=download,
                                limit=args.limit_test)
    if len(split.classes) != len(payload["classes"]):
        raise CLIError(f"the checkpoint knows {len(payload['classes'])} classes but the data "
                       f"has {len(split.classes)}")
    split.classes = tuple(payload["classes"])
    model = load_model(payload, device)
    print(f"Checkpoint: {payload['path']} ({config['model']}, {payload['epoch']} epoch(s))")
    print(f"Data: {split.description} ({len(split)} images)")
    evaluation = evaluate_model(model, split, config["mean"], config["std"], device)
    print(accuracy_line(evaluation))
    for line in per_class_lines(evaluation):
        print(line)
    return 0
