"""`ember train`: the blitz's CIFAR-10 classifier, trained, tested and pictured by one command.

The loop is the tutorial's (zero_grad, forward, loss, backward, step; the running loss printed
every --log-every mini-batches). Around it: a progress bar, a checkpoint after every epoch and
on Ctrl-C, and a test-set report with pictures at the end.
"""

import os
import signal
import sys
import threading
import time

from tqdm.auto import tqdm

from . import data as data_mod
from .checkpoint import load_checkpoint, restore_rng, save_checkpoint
from .config import (
    DEFAULTS,
    build_config,
    loader_workers,
    make_optimizer,
    make_out_dir,
    new_run_dir,
    resolve_device,
)
from .errors import UsageError
from .evaluate import evaluate_model
from .outputs import write_outputs
from .report import seconds

CHECKPOINT = "checkpoint.pt"
INTERRUPTED = 130  # the shell's code for "stopped by Ctrl-C"


class _StopRequest:
    """SIGINT handler: the first Ctrl-C asks to stop after the current mini-batch (so the
    checkpoint is consistent); a second one stops at once."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nCtrl-C: stopping after this mini-batch to save a checkpoint "
              "(press Ctrl-C again to quit without saving)", file=sys.stderr, flush=True)


def _validate(config):
    for key, low in (("epochs", 1), ("batch_size", 1), ("log_every", 1), ("workers", 0)):
        if config[key] is not None and config[key] < low:
            raise UsageError(f"--{key.replace('_', '-')} must be at least {low}, "
                             f"got {config[key]}")
    if not config["lr"] > 0:
        raise UsageError(f"--lr must be positive, got {config['lr']}")
    if config["momentum"] < 0:
        raise UsageError(f"--momentum must not be negative, got {config['momentum']}")
    data_mod.check_limit("--limit-train", config["limit_train"])
    data_mod.check_limit("--limit-test", config["limit_test"])


class Trainer:
    """Runs the epochs of one `ember train` invocation, with checkpoints and Ctrl-C handling."""

    def __init__(self, model, optimizer, criterion, dataset, config, device, out, classes,
                 progress, history, show_progress, stop_after=None):
        self.model = model
        self.optimizer = optimizer
        self.criterion = criterion
        self.dataset = dataset
        self.config = config
        self.device = device
        self.out = out
        self.classes = classes
        self.progress = progress  # epoch, step, samples, running_loss, elapsed
        self.history = history  # step_losses, loss_log, epoch_times
        self.show_progress = show_progress
        self.stop_after = stop_after
        self.stop = _StopRequest()
        self.steps_run = 0

    @property
    def checkpoint_path(self):
        """Where checkpoints of this run go."""
        return os.path.join(self.out, CHECKPOINT)

    def save(self):
        """Write the checkpoint for the current position."""
        save_checkpoint(self.checkpoint_path, self.model, self.optimizer, self.config,
                        self.classes, self.progress, self.history)

    def fit(self):
        """Train up to config['epochs']; False when stopped early by Ctrl-C (after saving)."""
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, self.stop) if in_main else None
        try:
            while self.progress["epoch"] < self.config["epochs"]:
                if not self._run_epoch():
                    self.save()
                    return False
                self.save()
        finally:
            if in_main:
                signal.signal(signal.SIGINT, previous)
        return True

    def _loader(self, epoch, start):
        from .. import Generator
        from ..utils.data import DataLoader

        cfg = self.config
        batches = data_mod.EpochBatches(len(self.dataset), cfg["batch_size"], shuffle=True,
                                        seed=cfg["seed"], epoch=epoch, start=start)
        collate = None if cfg["per_image"] else data_mod.collate_batch
        # Our own generator: worker seeding must not consume the global RNG stream.
        generator = Generator().manual_seed(cfg["seed"] * 1000 + epoch)
        loader = DataLoader(self.dataset, batch_sampler=batches, num_workers=loader_workers(cfg),
                            collate_fn=collate, generator=generator)
        return loader, len(batches)

    def _run_epoch(self):
        """One epoch (or its remainder); False when a stop was requested."""
        cfg, progress, history = self.config, self.progress, self.history
        epoch = progress["epoch"]
        log_every = cfg["log_every"]
        loader, remaining = self._loader(epoch, progress["samples"])
        step, samples, running = progress["step"], progress["samples"], progress["running_loss"]
        model, optimizer, criterion, device = self.model, self.optimizer, self.criterion, \
            self.device
        losses = history["step_losses"]
        bar = tqdm(total=step + remaining, initial=step, desc=f"epoch {epoch + 1}/{cfg['epochs']}",
                   unit="batch", file=sys.stderr, disable=not self.show_progress,
                   dynamic_ncols=True, leave=False)
        stopped = False
        start_time = time.perf_counter()
        batch_iter = iter(loader)
        try:
            for inputs, labels in batch_iter:
                if device != "cpu":
                    inputs, labels = inputs.to(device), labels.to(device)
                optimizer.zero_grad()
                loss = criterion(model(inputs), labels)
                loss.backward()
                optimizer.step()
                value = loss.item()
                losses.append(value)
                running += value
                step += 1
                samples += len(labels)
                bar.update()
                if step % log_every == 0:
                    line = "[%d, %5d] loss: %.3f" % (epoch + 1, step, running / log_every)
                    history["loss_log"].append([epoch + 1, step, running / log_every])
                    running = 0.0
                    if self.show_progress:  # keeps the bar intact below the printed line
                        tqdm.write(line, file=sys.stdout)
                    else:
                        print(line, flush=True)
                self.steps_run += 1
                if self.stop.requested or self.steps_run == self.stop_after:
                    stopped = True
                    break
        finally:
            bar.close()
            elapsed = progress["elapsed"] + time.perf_counter() - start_time
            progress.update(step=step, samples=samples, running_loss=running, elapsed=elapsed)
            del batch_iter, loader  # worker processes (if any) exit with their iterator
        if stopped and samples < len(self.dataset):
            return False
        history["epoch_times"].append(elapsed)
        print(f"Epoch {epoch + 1} done in {seconds(elapsed)} ({step} mini-batches, "
              f"{samples / elapsed:.0f} images/s)", flush=True)
        progress.update(epoch=epoch + 1, step=0, samples=0, running_loss=0.0, elapsed=0.0)
        return not stopped


def _given(args):
    """The settings the user typed (None for the ones left at their default)."""
    given = {key: getattr(args, key, None) for key in DEFAULTS}
    for flag in ("download", "per_image"):  # store_true: False means "not given"
        if not given[flag]:
            given[flag] = None
    return given


def run(args):
    """Entry point of `ember train`."""
    from .. import manual_seed, nn
    from ..vision.models import get_model, list_models

    payload = load_checkpoint(args.resume) if args.resume else None
    config, notes = build_config(_given(args), payload["config"] if payload else None)
    _validate(config)
    if config["model"] not in list_models():
        raise UsageError(f"unknown model {config['model']!r}; choose from "
                         f"{', '.join(list_models())}")
    device = resolve_device(config["device"])
    if args.out:
        out = make_out_dir(args.out)
    elif payload:
        out = make_out_dir(os.path.dirname(os.path.abspath(payload["path"])))
    else:
        out = new_run_dir()
    for note in notes:
        print(note)

    kind, path = data_mod.resolve_source(config["data"], config["download"])
    train_split = data_mod.load_split(kind, path, True, config["download"],
                                      config["limit_train"])
    test_split = data_mod.load_split(kind, path, False, config["download"], config["limit_test"])
    classes = train_split.classes
    if config["per_image"]:
        dataset = data_mod.PerImage(train_split,
                                    data_mod.tutorial_transform(config["mean"], config["std"]))
    else:
        dataset = data_mod.ImageBatches(train_split, config["mean"], config["std"])

    manual_seed(config["seed"])  # the weights' initialization depends on it
    model = get_model(config["model"], num_classes=len(classes)).to(device)
    optimizer = make_optimizer(config["optimizer"], model.parameters(), config["lr"],
                               config["momentum"])
    criterion = nn.CrossEntropyLoss()
    progress = {"epoch": 0, "step": 0, "samples": 0, "running_loss": 0.0, "elapsed": 0.0}
    history = {"step_losses": [], "loss_log": [], "epoch_times": []}
    if payload:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
        restore_rng(payload)
        saved_history = payload.get("history") or {}
        for key in history:
            history[key] = list(saved_history.get(key, []))
        progress.update(epoch=payload["epoch"], step=payload["step"],
                        samples=payload.get("samples", payload["step"] * config["batch_size"]),
                        running_loss=payload.get("running_loss", 0.0),
                        elapsed=payload.get("elapsed", 0.0))

    print(f"Data: {train_split.description} ({len(train_split)} images), "
          f"test ({len(test_split)} images)")
    print(f"Model: {config['model']}, optimizer: {config['optimizer']} (lr {config['lr']}"
          + (f", momentum {config['momentum']}" if config["optimizer"] in ("sgd", "rmsprop")
             else "") + f"), batch size {config['batch_size']}, {config['epochs']} epoch(s), "
          f"device {device}, seed {config['seed']}")
    print(f"Output: {out}")
    if payload:
        print(f"Resuming from {payload['path']}: epoch {payload['epoch'] + 1}, "
              f"after mini-batch {payload['step']}")

    show = not args.no_progress and sys.stderr.isatty()
    trainer = Trainer(model, optimizer, criterion, dataset, config, device, out, classes,
                      progress, history, show, stop_after=args.stop_after)
    try:
        finished = trainer.fit()
    except KeyboardInterrupt:
        print(f"\nStopped without saving; the last checkpoint is {trainer.checkpoint_path} "
              f"(if an epoch had finished).", file=sys.stderr)
        return INTERRUPTED
    if not finished:
        print(f"Interrupted in epoch {progress['epoch'] + 1} after mini-batch "
              f"{progress['step']}; checkpoint saved to {trainer.checkpoint_path}.\n"
              f"Resume with: ember train --resume {trainer.checkpoint_path}", flush=True)
        return INTERRUPTED
    print("Finished Training")

    evaluation = evaluate_model(model, test_split, config["mean"], config["std"], device)
    write_outputs(out, evaluation, test_split, config, device, history,
                  train_images=len(train_split), epochs_done=progress["epoch"])
    return 0
