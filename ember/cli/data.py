"""Where the CLI's images come from, and how they are batched.

A split is held in memory as uint8 (N, H, W, C) pixels with int labels. Batches are made by
`ImageBatches`, which turns a whole mini-batch into normalized float32 in one vectorized step:
the same numbers, bit for bit, as the tutorial's ToTensor() + Normalize() applied image by image
(`--per-image` runs that slower path instead, for comparison).
"""

import os

import numpy as np
from PIL import Image

from .. import from_numpy
from ..utils.data import Dataset
from ..vision import transforms
from .errors import CLIError, UsageError

# The tutorial's short class names, in CIFAR-10's label order.
CIFAR10_CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
ARCHIVE_NAME = "cifar10-jpeg.zip"
# Where a checkout of the project finds the shared JPEG copy of CIFAR-10, relative to cwd.
SHARED_ARCHIVE = os.path.join("..", "shared", "datasets", ARCHIVE_NAME)
DEFAULT_ROOT = "data"
FAKE = "fake"
# FakeData sizes before --limit-*: small, because random labels teach nothing anyway.
_FAKE_SIZES = {True: 512, False: 128}


class Split:
    """One split in memory: `images` (N, H, W, C) uint8, `labels` (N,) int64, `classes`."""

    def __init__(self, images, labels, classes, description):
        self.images = images
        self.labels = labels
        self.classes = tuple(classes)
        self.description = description

    def __len__(self):
        return len(self.labels)


def resolve_source(data, download):
    """The data to use as ``(kind, path)``: ``("fake", None)`` or ``("cifar10", path)``.

    `data` is what --data said (None: look in the usual places). Raises CLIError with
    instructions when nothing is found and downloading was not asked for.
    """
    if data == FAKE:
        return FAKE, None
    if data is not None:
        path = os.path.expanduser(os.fspath(data))
        if os.path.isfile(path):
            if not path.lower().endswith(".zip"):
                raise CLIError(f"--data {data}: expected a folder or a .zip of CIFAR-10 JPEGs "
                               f"(such as {ARCHIVE_NAME}), got another kind of file")
            return "cifar10", path
        if os.path.isdir(path) or download:
            return "cifar10", path
        raise CLIError(f"--data {data}: no such file or folder. {_where_to_put_data(path)}")
    if os.path.isfile(SHARED_ARCHIVE):
        return "cifar10", SHARED_ARCHIVE
    if os.path.isdir(DEFAULT_ROOT) or download:
        return "cifar10", DEFAULT_ROOT
    if os.environ.get("EMBER_CIFAR10_SOURCE"):
        return "cifar10", DEFAULT_ROOT  # CIFAR10 reads the archive named by the variable
    raise CLIError("no CIFAR-10 data found (looked for " + SHARED_ARCHIVE + " and ./"
                   + DEFAULT_ROOT + "/). " + _where_to_put_data(DEFAULT_ROOT))


def _where_to_put_data(root):
    root = os.path.abspath(root)
    return (f"Either point --data at a copy of {ARCHIVE_NAME} (on this project's machines: "
            f"{SHARED_ARCHIVE}, relative to the repository root) or at a folder holding the "
            f"official cifar-10-batches-py/ or {ARCHIVE_NAME}; put them in {root} to have "
            f"them found by default; or add --download to fetch the official archive "
            f"(needs internet access).")


def load_split(kind, path, train, download=False, limit=None):
    """The train or test split as a `Split`, limited to `limit` images spread evenly over it."""
    if kind == FAKE:
        split = _fake_split(train)
    else:
        split = _cifar10_split(path, train, download)
    if limit is not None and limit < len(split):
        # Evenly spaced rather than the first N: the JPEG archive is sorted by class, and a
        # quick run should still see every class.
        keep = (np.arange(limit) * len(split)) // limit
        split = Split(split.images[keep], split.labels[keep], split.classes,
                      split.description)
    return split


def _cifar10_split(path, train, download):
    from ..vision.datasets import CIFAR10, DownloadError

    try:
        dataset = CIFAR10(path, train=train, download=download)
    except DownloadError as err:
        raise CLIError(f"could not download CIFAR-10: {err}\n{_where_to_put_data(path)}") \
            from None
    except RuntimeError as err:  # not found (the dataset explains where it looked)
        raise CLIError(f"{err}\n{_where_to_put_data(path)}") from None
    except (OSError, ValueError) as err:
        raise CLIError(f"cannot read CIFAR-10 from {path}: {err}") from None
    images = np.ascontiguousarray(dataset.data, dtype=np.uint8)
    labels = np.asarray(dataset.targets, dtype=np.int64)
    classes = CIFAR10_CLASSES if len(dataset.classes) == 10 else dataset.classes
    where = dataset.source or os.path.join(os.fspath(path), CIFAR10.base_folder)
    return Split(images, labels, classes, f"CIFAR-10 {'train' if train else 'test'} from {where}")


def _fake_split(train):
    from ..vision.datasets import FakeData

    size = _FAKE_SIZES[train]
    fake = FakeData(size=size, image_size=(3, 32, 32), num_classes=10,
                    random_offset=0 if train else 10**6)
    images = np.stack([np.asarray(fake[i][0]) for i in range(size)])
    labels = np.array([fake[i][1] for i in range(size)], dtype=np.int64)
    return Split(images, labels, CIFAR10_CLASSES, f"FakeData ({'train' if train else 'test'})")


def check_limit(name, value):
    """`value` for --limit-* must be a positive number of images."""
    if value is not None and value < 1:
        raise UsageError(f"{name} must be at least 1, got {value}")


class ImageBatches(Dataset):
    """A Split as a Dataset of normalized float32 (C, H, W) tensors, fetched a batch at a time.

    ``dataset[i]`` is one ``(image, label)`` pair; ``dataset.__getitems__(indices)`` (which the
    DataLoader calls for a whole batch) returns the batch already stacked, so use
    `collate_batch` as the loader's collate_fn.
    """

    def __init__(self, split, mean, std):
        # Channels-first once for the whole split, so each batch is a contiguous gather.
        self.images = np.ascontiguousarray(split.images.transpose(0, 3, 1, 2))
        self.labels = split.labels
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)

    def __len__(self):
        return len(self.labels)

    def _convert(self, indices):
        # The float32 operations of ToTensor then Normalize, in the same order, in place.
        x = self.images.take(indices, axis=0).astype(np.float32)
        np.divide(x, np.float32(255), out=x)
        np.subtract(x, self.mean, out=x)
        np.divide(x, self.std, out=x)
        return x

    def __getitem__(self, index):
        index = range(len(self))[index]  # IndexError for out-of-range indices, as lists do
        return from_numpy(self._convert([index])[0]), int(self.labels[index])

    def __getitems__(self, indices):
        indices = np.asarray(indices, dtype=np.intp)
        return from_numpy(self._convert(indices)), from_numpy(self.labels[indices])


def collate_batch(batch):
    """collate_fn for `ImageBatches`: the batch arrives stacked already."""
    return batch


class PerImage(Dataset):
    """A Split seen through the tutorial's per-image pipeline: PIL image, then `transform`."""

    def __init__(self, split, transform):
        self.images = split.images
        self.labels = split.labels
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.transform(Image.fromarray(self.images[index])), int(self.labels[index])


def tutorial_transform(mean, std):
    """The tutorial's transform: ToTensor() then Normalize(mean, std)."""
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean, std)])


class EpochBatches:
    """Batches of indices for one epoch; the order depends only on (seed, epoch).

    A fixed function of seed and epoch is what lets a run resumed from a checkpoint see the
    same batches as an uninterrupted one. `start` skips the first `start` samples of the
    epoch's order (resuming in the middle of an epoch).
    """

    def __init__(self, size, batch_size, shuffle, seed=0, epoch=0, start=0):
        self.size = size
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = epoch
        self.start = start

    def order(self):
        """All indices of the epoch, in visiting order."""
        if not self.shuffle:
            return np.arange(self.size)
        return np.random.default_rng([self.seed, self.epoch]).permutation(self.size)

    def __iter__(self):
        order = self.order()[self.start:].tolist()
        for i in range(0, len(order), self.batch_size):
            yield order[i:i + self.batch_size]

    def __len__(self):
        return -(-(self.size - self.start) // self.batch_size)
