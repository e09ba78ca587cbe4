"""The main job's recipe, ember vs PyTorch in one run: seconds per CIFAR-10 training epoch.

Run:  .venv/bin/python -m benchmarks.bench_train                 (one full epoch each)
      .venv/bin/python -m benchmarks.bench_train --steps 2000    (an estimate from 2000 steps)

Both frameworks train the blitz LeNet with the blitz recipe (CrossEntropyLoss, SGD lr 0.001
momentum 0.9, batch 4) on the real CIFAR-10 training images from
../shared/datasets/cifar10-jpeg.zip, with in-memory batching: the images are decoded and
normalized once, and each step slices its batch from one array in the same shuffled order for
both. The loop is the tutorial's, written once and run with each framework's names.
"""

import argparse
import os
import time

import numpy as np

import ember

from .common import machine, table, torch_or_none

ARCHIVE = os.path.join("..", "shared", "datasets", "cifar10-jpeg.zip")


def load_train(root):
    """Normalized float32 training images (N, 3, 32, 32) and int64 labels."""
    from ember.vision.datasets import CIFAR10

    ds = CIFAR10(root, train=True, source=ARCHIVE)
    x = np.ascontiguousarray(ds.data.transpose(0, 3, 1, 2), dtype=np.float32) / 255.0
    return (x - 0.5) / 0.5, np.asarray(ds.targets, dtype=np.int64)


def lenet(lib):
    """The blitz's CIFAR-10 network in framework `lib`."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(-1, 16 * 5 * 5)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return Net()


def epoch_seconds(lib, images, labels, order, steps, batch_size=4):
    """Seconds for `steps` training steps of the tutorial loop, and the final running loss."""
    lib.manual_seed(0)
    net = lenet(lib)
    criterion = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    x_all, y_all = lib.from_numpy(images), lib.from_numpy(labels)
    running = 0.0
    start = time.perf_counter()
    for i in range(steps):
        idx = lib.from_numpy(order[i * batch_size:(i + 1) * batch_size])
        inputs, targets = x_all[idx], y_all[idx]
        optimizer.zero_grad()
        loss = criterion(net(inputs), targets)
        loss.backward()
        optimizer.step()
        running += loss.item()
    return time.perf_counter() - start, running / steps


def main():
    """Print seconds per epoch for each framework and the ratio."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=None,
                   help="time this many steps and scale to an epoch (default: a full epoch)")
    p.add_argument("--root", default="data", help="where the decoded-image cache lives")
    args = p.parse_args()
    images, labels = load_train(args.root)
    full = len(images) // 4
    steps = min(args.steps or full, full)
    order = np.random.default_rng(0).permutation(len(images))
    torch = torch_or_none()
    print(f"machine: {machine()}")
    if torch is not None:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    rows, per_epoch = [], {}
    for name, lib in (("ember", ember), ("torch", torch)):
        if lib is None:
            continue
        seconds, mean_loss = epoch_seconds(lib, images, labels, order, steps)
        per_epoch[name] = seconds * full / steps
        rows.append((name, steps, f"{seconds / steps * 1e3:.3f}", f"{per_epoch[name]:.1f}",
                     f"{mean_loss:.3f}"))
    print(table(rows, ["framework", "steps", "ms/step", "s/epoch", "mean loss"]))
    if len(per_epoch) == 2:
        print(f"ember/torch epoch time: {per_epoch['ember'] / per_epoch['torch']:.2f}")


if __name__ == "__main__":
    main()
