"""DataLoader throughput, ember vs PyTorch, on the same in-memory CIFAR-10-sized data.

50,000 random uint8 32x32x3 images with labels; each sample goes through the same NumPy
ToTensor+Normalize equivalent in both frameworks (HWC uint8 -> CHW float32 in [-1, 1]), so
the loaders themselves are what is compared. One epoch at batch 4, num_workers 0 and 2.

Run: .venv/bin/python -m benchmarks.bench_dataloader [--limit N] [--workers 0 2] [--repeat R]
"""

import argparse
import time

import numpy as np

import ember
from ember.utils.data import DataLoader, Dataset

MEAN = np.full((3, 1, 1), 0.5, np.float32)
INV_STD = np.full((3, 1, 1), 1 / 0.5, np.float32)


def preprocess(image):
    """ToTensor + Normalize((0.5,)*3, (0.5,)*3) in NumPy: HWC uint8 -> CHW float32."""
    chw = image.transpose(2, 0, 1).astype(np.float32) * np.float32(1 / 255)
    return (chw - MEAN) * INV_STD


def make_data(n, seed=0):
    """CIFAR-10-shaped random images (N, 32, 32, 3) uint8 and int64 labels in [0, 10)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.int64)
    return images, labels


class EmberImages(Dataset):
    """The in-memory images as (ember float32 tensor, int label)."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return ember.from_numpy(preprocess(self.images[i])), int(self.labels[i])


def torch_dataset(images, labels):
    """The same dataset for PyTorch (None when torch is not installed)."""
    try:
        import torch
    except ImportError:
        return None

    class TorchImages(torch.utils.data.Dataset):
        def __len__(self):
            return len(images)

        def __getitem__(self, i):
            return torch.from_numpy(preprocess(images[i])), int(labels[i])

    return TorchImages()


def time_epoch(loader, limit):
    """Batches per second over one epoch (or `limit` batches), worker start-up included."""
    start = time.perf_counter()
    count = 0
    for _ in loader:
        count += 1
        if limit and count >= limit:
            break
    return count / (time.perf_counter() - start), count


def main(argv=None):
    """Print a table of batches/s for both frameworks and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="number of images")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--limit", type=int, default=0, help="stop after N batches (0: epoch)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; best is kept")
    args = parser.parse_args(argv)

    images, labels = make_data(args.n)
    ours = EmberImages(images, labels)
    theirs = torch_dataset(images, labels)
    if theirs is not None:
        import torch

        torch_loader = torch.utils.data.DataLoader
    print(f"{args.n} images 32x32x3, batch {args.batch_size}, shuffle, "
          f"{'limit ' + str(args.limit) + ' batches' if args.limit else 'one epoch'}, "
          f"best of {args.repeat}")
    print(f"{'num_workers':>11} {'batches':>8} {'ember b/s':>10} {'torch b/s':>10} "
          f"{'ember/torch':>11}")
    for workers in args.workers:
        best_ember = best_torch = 0.0
        for _ in range(args.repeat):  # interleaved so both see the same machine load
            loader = DataLoader(ours, batch_size=args.batch_size, shuffle=True,
                                num_workers=workers)
            rate, count = time_epoch(loader, args.limit)
            best_ember = max(best_ember, rate)
            if theirs is not None:
                loader = torch_loader(theirs, batch_size=args.batch_size, shuffle=True,
                                      num_workers=workers)
                best_torch = max(best_torch, time_epoch(loader, args.limit)[0])
        torch_text = f"{best_torch:10.0f}" if theirs is not None else f"{'n/a':>10}"
        ratio = f"{best_ember / best_torch:11.2f}" if best_torch else f"{'n/a':>11}"
        print(f"{workers:>11} {count:>8} {best_ember:10.0f} {torch_text} {ratio}")


if __name__ == "__main__":
    main()
