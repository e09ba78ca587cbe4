"""The `ember` command: train the blitz's CIFAR-10 classifier, evaluate it, predict with it.

    ember train                      # the tutorial's recipe: 2 epochs, batch 4, SGD
    ember evaluate                   # test accuracy of runs/latest/checkpoint.pt
    ember predict cat.jpg dog.png    # what the trained network sees in your images

Exit codes: 0 success, 1 a runtime problem (missing data, unreadable file...), 2 bad
arguments, 130 stopped by Ctrl-C (a checkpoint is saved first when training).
"""

import argparse
import os
import sys

from .errors import CLIError

LATEST = os.path.join("runs", "latest", "checkpoint.pt")

TRAIN_HELP = """\
Train a small convolutional network (LeNet) to recognise the 10 classes of CIFAR-10
(plane, car, bird, cat, deer, dog, frog, horse, ship, truck), exactly as in PyTorch's
"Training a classifier" tutorial, then test it.

While training it prints the average loss every --log-every mini-batches and shows a
progress bar. At the end it prints the test accuracy (overall and per class) and writes
into the output folder: samples.png (test images with true and predicted labels),
loss.png, per_class.png and confusion.png (these three need matplotlib:
pip install 'ember[plots]'), metrics.json and checkpoint.pt.

Data: by default the JPEG copy of CIFAR-10 at ../shared/datasets/cifar10-jpeg.zip
(relative to the current folder) or the folder ./data; point --data elsewhere, or add
--download to fetch the official archive (needs internet).

Ctrl-C saves a checkpoint and stops; continue with --resume <out>/checkpoint.pt.
"""

TRAIN_EXAMPLES = """\
examples:
  ember train                                  # the tutorial's run (about 54 % accuracy)
  ember train --epochs 1 --limit-train 5000    # a quick look on 5,000 images
  ember train --data ~/datasets/cifar10-jpeg.zip --out runs/mine
  ember train --optimizer adam --lr 0.0005 --batch-size 32
  ember train --resume runs/latest/checkpoint.pt --epochs 4   # continue to 4 epochs
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps our line breaks and shows defaults."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "%(default)" not in text and action.default not in (None, False, argparse.SUPPRESS):
            text += " (default: %(default)s)"
        return text


def _count(low):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    parse.__name__ = "count"  # argparse names the type in some messages
    return parse


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def _device(text):
    if text in ("auto", "cpu", "cuda") or text.startswith("cuda:"):
        return text
    raise argparse.ArgumentTypeError(f"expected auto, cpu, cuda or cuda:N, got {text!r}")


def _add_data_options(p, for_checkpoint=False):
    where = ("default: the data the checkpoint was trained on" if for_checkpoint else
             "default: ../shared/datasets/cifar10-jpeg.zip, then ./data")
    p.add_argument("--data", metavar="PATH",
                   help="CIFAR-10 as a .zip of JPEGs (like cifar10-jpeg.zip) or a folder holding "
                        "cifar-10-batches-py/ or cifar10-jpeg.zip, or 'fake' (random images, "
                        f"to try the pipeline); {where}")
    p.add_argument("--download", action="store_true", default=None,
                   help="download the official CIFAR-10 archive into --data (or ./data) when "
                        "it is not there (needs internet)")
    # None in train means "not given" (so --resume keeps the checkpoint's choice).
    p.add_argument("--device", type=_device, default="auto" if for_checkpoint else None,
                   help="where to compute: auto (a GPU when available), cpu, cuda or cuda:N"
                        + ("" if for_checkpoint else " (default: auto)"))


def build_parser():
    """The argument parser of the `ember` command."""
    parser = argparse.ArgumentParser(
        prog="ember", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="ember: train, test and use the 60-minute blitz's CIFAR-10 classifier.",
        epilog="Run 'ember <command> --help' for a command's options. Start with: ember train")
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="<command>")
    commands.required = True

    train = commands.add_parser("train", help="train the CIFAR-10 classifier and test it",
                                description=TRAIN_HELP, epilog=TRAIN_EXAMPLES,
                                formatter_class=_Formatter)
    _add_data_options(train)
    t = train.add_argument_group("recipe (defaults: the tutorial's)")
    t.add_argument("--epochs", type=_count(1), help="passes over the training set (default: 2)")
    t.add_argument("--batch-size", type=_count(1), help="images per mini-batch (default: 4)")
    t.add_argument("--lr", type=_positive_float, help="learning rate (default: 0.001)")
    t.add_argument("--momentum", type=_non_negative_float,
                   help="momentum for sgd and rmsprop (default: 0.9)")
    t.add_argument("--optimizer", choices=("sgd", "adam", "adamw", "rmsprop", "adagrad"),
                   help="the optimizer (default: sgd)")
    t.add_argument("--model", help="the network; 'lenet' is the tutorial's (default: lenet)")
    t.add_argument("--seed", type=_count(0),
                   help="random seed for the initial weights and the shuffling; the same seed "
                        "gives the same run (default: 0)")
    r = train.add_argument_group("running")
    r.add_argument("--workers", type=_count(0),
                   help="DataLoader worker processes; 0 loads in the main process (default: 0 "
                        "for the in-memory batches, 2 with --per-image as in the tutorial)")
    r.add_argument("--out", metavar="DIR",
                   help="output folder (default: runs/<date>-<time>, with runs/latest pointing "
                        "at it; with --resume, the checkpoint's folder)")
    r.add_argument("--resume", metavar="CHECKPOINT",
                   help="continue a run from its checkpoint.pt (settings come from the "
                        "checkpoint; options given here override them)")
    r.add_argument("--log-every", type=_count(1), metavar="N",
                   help="print the average loss every N mini-batches (default: 2000)")
    r.add_argument("--limit-train", type=_count(1), metavar="N",
                   help="train on N images only, spread evenly over the training set "
                        "(for quick looks)")
    r.add_argument("--limit-test", type=_count(1), metavar="N",
                   help="test on N images only, spread evenly over the test set")
    r.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is also off when stderr is not a terminal)")
    r.add_argument("--per-image", action="store_true", default=None,
                   help="convert images one by one with PIL and the transforms, as the "
                        "tutorial's DataLoader does (slower; the same numbers as the default "
                        "batched conversion)")
    # For tests: behave as if Ctrl-C came after N mini-batches of this invocation.
    r.add_argument("--stop-after", type=_count(1), help=argparse.SUPPRESS)
    train.set_defaults(run=_lazy("train"))

    evaluate = commands.add_parser(
        "evaluate", help="test accuracy of a trained checkpoint", formatter_class=_Formatter,
        description="Print a checkpoint's accuracy on the CIFAR-10 test set, overall and per "
                    "class.",
        epilog="example:\n  ember evaluate --checkpoint runs/latest/checkpoint.pt")
    evaluate.add_argument("--checkpoint", default=LATEST, metavar="FILE",
                          help="the checkpoint.pt of a training run")
    _add_data_options(evaluate, for_checkpoint=True)
    evaluate.add_argument("--limit-test", type=_count(1), metavar="N",
                          help="test on N images only, spread evenly over the test set")
    evaluate.set_defaults(run=_lazy("evaluate"))

    predict = commands.add_parser(
        "predict", help="classify image files with a trained checkpoint",
        formatter_class=_Formatter,
        description="Print the most likely classes, with probabilities, for image files of any "
                    "size and format Pillow reads (they are resized to 32x32).",
        epilog="example:\n  ember predict --checkpoint runs/latest/checkpoint.pt cat.jpg "
               "ship.png")
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    predict.add_argument("--checkpoint", default=LATEST, metavar="FILE",
                         help="the checkpoint.pt of a training run")
    predict.add_argument("--top", type=_count(1), default=1, metavar="K",
                         help="show the K most likely classes")
    predict.add_argument("--device", type=_device, default="auto",
                         help="auto, cpu, cuda or cuda:N")
    predict.set_defaults(run=_lazy("predict"))
    return parser


def _version():
    from .. import __version__

    return f"ember {__version__}"


def _lazy(name):
    # Import a command's module only when it runs: `ember --help` stays quick.
    def run(args):
        from importlib import import_module

        return import_module(f"{__package__}.{name}").run(args)

    return run


def main(argv=None):
    """Run the `ember` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CLIError as err:
        print(f"ember {args.command}: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
