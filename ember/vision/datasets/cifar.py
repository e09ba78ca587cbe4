"""CIFAR-10 and CIFAR-100: the official python-format batches, or CIFAR-10 from a JPEG zip."""

import os

import numpy as np
from PIL import Image

from . import cifar_jpeg
from .archive import extract_archive
from .download import MIRROR_ENV, check_integrity, download_url, resolve_urls
from .safe_pickle import restricted_load
from .vision import VisionDataset


class CIFAR10(VisionDataset):
    """The CIFAR-10 dataset: 32x32 RGB images in 10 classes, 50,000 train and 10,000 test.

    Where the data comes from, first match wins:

    1. `source`: a zip of JPEGs laid out as ``train/<class>/NNNN.jpg`` and
       ``test/<class>/NNNN.jpg`` (such as cifar10-jpeg.zip);
    2. the official python batches in ``root/cifar-10-batches-py/``;
    3. `root` itself being such a zip, or a folder holding ``cifar10-jpeg.zip``;
    4. the zip named by the ``EMBER_CIFAR10_SOURCE`` environment variable;
    5. with ``download=True``, the official archive from `url`, ``EMBER_CIFAR10_URL``,
       ``EMBER_DATASETS_MIRROR`` or the official site (checksummed, then extracted into root).

    JPEGs are decoded once and cached as arrays (see `cache_dir`), so later loads are fast.

    Args:
        root: the dataset folder (or the JPEG zip itself).
        train: the training split (else the test split).
        transform: applied to the PIL image.
        target_transform: applied to the class index.
        download: fetch the official archive when no data is found.
        source: path of a JPEG zip to read instead of the official batches.
        url: a mirror of the official archive (a folder URL ending in ``/`` works too).
        cache_dir: where decoded JPEG arrays are cached; by default
            ``<root>/cifar10-jpeg-cache``.

    Attributes: ``data`` (N, 32, 32, 3) uint8, ``targets`` (list of int), ``classes``,
    ``class_to_idx``.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}
    labels_key = "labels"
    url_env = "EMBER_CIFAR10_URL"
    # The class folders of the JPEG zip, in the standard label order.
    jpeg_classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                    "ship", "truck")

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False, *, source=None, url=None, cache_dir=None):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self._url = url
        root = os.fspath(self.root)
        archive = self._jpeg_archive(root, source)
        if archive is None:
            if download:
                self.download()
            if not self._check_exists():
                raise RuntimeError(self._not_found_message())
            self.data, self.targets = self._load_batches()
            self._load_meta()
        else:
            if cache_dir is None:
                cache_dir = cifar_jpeg.default_cache_dir(root, archive)
            split = "train" if train else "test"
            self.data, self.targets = cifar_jpeg.load_split(
                archive, split, self.jpeg_classes, os.fspath(cache_dir))
            self.classes = list(self.jpeg_classes)
            self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
        self.source = archive

    def _jpeg_archive(self, root, source):
        """The JPEG zip to read, or None to use the official batches (see the class doc)."""
        if source is not None:
            source = os.fspath(source)
            if not os.path.isfile(source):
                raise FileNotFoundError(f"CIFAR JPEG source not found: {source}")
            return source
        if self._check_exists():
            return None
        archive = cifar_jpeg.find_archive(root)
        if archive is not None:
            return archive
        from_env = os.environ.get(cifar_jpeg.SOURCE_ENV)
        if from_env:
            if not os.path.isfile(from_env):
                raise FileNotFoundError(
                    f"{cifar_jpeg.SOURCE_ENV}={from_env} does not name an existing file")
            return from_env
        return None

    def _batch_dir(self):
        return os.path.join(os.fspath(self.root), self.base_folder)

    def _check_exists(self):
        files = self.train_list + self.test_list + [[self.meta["filename"], None]]
        return all(os.path.isfile(os.path.join(self._batch_dir(), name)) for name, _ in files)

    def _load_batches(self):
        chunks, targets = [], []
        for name, _ in self.train_list if self.train else self.test_list:
            path = os.path.join(self._batch_dir(), name)
            with open(path, "rb") as f:
                entry = restricted_load(f, what=path)
            images = _field(entry, "data", path)
            labels = _field(entry, self.labels_key, path)
            images = np.asarray(images)
            if images.dtype != np.uint8 or images.ndim != 2 or images.shape[1] != 3072:
                raise ValueError(f"{path}: 'data' must be a uint8 array of shape (N, 3072), "
                                 f"got {images.dtype} {images.shape}")
            if len(labels) != len(images):
                raise ValueError(f"{path}: {len(images)} images but {len(labels)} labels")
            chunks.append(images)
            targets.extend(int(t) for t in labels)
        # Rows are channel planes (R, G, B) of 32x32; PIL and the transforms want HWC.
        data = np.concatenate(chunks).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(data), targets

    def _load_meta(self):
        path = os.path.join(self._batch_dir(), self.meta["filename"])
        with open(path, "rb") as f:
            names = _field(restricted_load(f, what=path), self.meta["key"], path)
        self.classes = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _urls(self):
        return resolve_urls(self.filename, [self.url], url=self._url, env_var=self.url_env)

    def _not_found_message(self):
        root = os.path.abspath(os.fspath(self.root))
        return (f"{type(self).__name__} not found in {root} (expected "
                f"{os.path.join(root, self.base_folder)}/). Use download=True to fetch it, "
                f"or {self._manual_hint()}")

    def _manual_hint(self):
        root = os.path.abspath(os.fspath(self.root))
        hint = (f"put {self.filename} (from {self.url}, md5 {self.tgz_md5}) into {root} by "
                f"hand and run again with download=True to check and extract it (or extract it "
                f"yourself so that {os.path.join(root, self.base_folder)}/ exists); a mirror "
                f"can be set with {self.url_env} or {MIRROR_ENV}")
        if self.jpeg_classes:
            hint += (f"; or use a JPEG copy: source='path/to/{cifar_jpeg.ARCHIVE_NAME}', "
                     f"{cifar_jpeg.SOURCE_ENV}, or {cifar_jpeg.ARCHIVE_NAME} inside root")
        return hint

    def download(self):
        """Fetch, verify and extract the official archive into root (skipped when present)."""
        if self._check_exists():
            return
        root = os.fspath(self.root)
        archive = os.path.join(root, self.filename)
        if not check_integrity(archive, self.tgz_md5):
            download_url(self._urls(), root, self.filename, self.tgz_md5,
                         manual_hint="To proceed offline, " + self._manual_hint() + ".")
        extract_archive(archive, root)

    def __getitem__(self, index):
        img, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        """The split shown in the repr."""
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """The CIFAR-100 dataset: like CIFAR10, with 100 fine classes (``targets`` are fine labels)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}
    labels_key = "fine_labels"
    url_env = "EMBER_CIFAR100_URL"
    jpeg_classes = ()  # no JPEG copy of CIFAR-100 here

    def _jpeg_archive(self, root, source):
        if source is not None:
            raise ValueError("CIFAR100 reads only the official python batches; `source` (a "
                             "JPEG zip) is supported by CIFAR10")
        return None


def _field(entry, key, path):
    """entry[key] for a batch dict, whose keys are str (Python 2 pickles) or bytes."""
    if not isinstance(entry, dict):
        raise ValueError(f"{path}: expected a pickled dict, got {type(entry).__name__}")
    for candidate in (key, key.encode()):
        if candidate in entry:
            return entry[candidate]
    raise ValueError(f"{path}: missing key {key!r} (found {sorted(map(str, entry))})")
