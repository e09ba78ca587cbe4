"""Helpers shared by the CLI tests: run `ember ...` in-process and capture what it prints."""

import contextlib
import io
import os

from ember.cli.main import main

ARCHIVE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared",
                                       "datasets", "cifar10-jpeg.zip"))
# Small and quick: fake data, no worker processes, no progress bar.
QUICK = ["--data", "fake", "--workers", "0", "--no-progress"]


def run_cli(*argv):
    """(exit code, stdout, stderr) of ``ember *argv`` run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit_:  # argparse's usage errors and --help
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def state_arrays(checkpoint_path):
    """The model weights in a checkpoint, as {name: numpy array}."""
    from ember.cli.checkpoint import load_checkpoint

    payload = load_checkpoint(str(checkpoint_path))
    return {k: v.numpy() for k, v in payload["model"].items()}
