"""MNIST and Fashion-MNIST from the official IDX files (gzipped or not)."""

import gzip
import os

import numpy as np
from PIL import Image

from ...creation import from_numpy
from .download import MIRROR_ENV, download_url, resolve_urls
from .vision import VisionDataset

# IDX type codes (the third byte of the magic number) and the big-endian dtypes they denote.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Read an IDX file (optionally .gz) into a native-endian NumPy array."""
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: cannot read ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"{path}: {len(raw)} bytes, expected {expected} for shape {shape}")
    array = np.frombuffer(raw, dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable, native-endian copy


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 28x28 grayscale, 60,000 train and 10,000 test.

    The IDX files live in ``root/MNIST/raw/`` (gzipped as downloaded, or unpacked).

    Args:
        root: the folder holding ``MNIST/raw``.
        train: the training split (else the test split).
        transform: applied to the PIL image (mode ``L``).
        target_transform: applied to the label.
        download: fetch the missing files (mirrors, retries, resume, MD5 checks).
        url: a folder URL holding the files, overriding the mirrors (also through the
            ``EMBER_MNIST_URL`` / ``EMBER_DATASETS_MIRROR`` environment variables).

    Attributes: ``data`` (uint8 tensor N x 28 x 28), ``targets`` (int64 tensor), ``classes``.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    url_env = "EMBER_MNIST_URL"

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False, *, url=None):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self._url = url
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(
                f"{type(self).__name__} not found in {os.path.abspath(self.raw_folder)}. Use "
                f"download=True to fetch it, or {self._manual_hint()}")
        images, labels = self._load_data()
        self.data = from_numpy(images)
        self.targets = from_numpy(labels.astype(np.int64))

    @property
    def raw_folder(self):
        """``root/<ClassName>/raw``: where the IDX files are read from and downloaded to."""
        return os.path.join(os.fspath(self.root), type(self).__name__, "raw")

    @property
    def class_to_idx(self):
        """Class name to label."""
        return {name: i for i, name in enumerate(self.classes)}

    def _find(self, filename):
        """The path of `filename` in raw_folder, gzipped or unpacked; None when absent."""
        for name in (filename, filename[:-3] if filename.endswith(".gz") else filename + ".gz"):
            path = os.path.join(self.raw_folder, name)
            if os.path.isfile(path):
                return path
        return None

    def _check_exists(self):
        return all(self._find(name) is not None for name, _ in self.resources)

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        images_path = self._find(f"{prefix}-images-idx3-ubyte.gz")
        labels_path = self._find(f"{prefix}-labels-idx1-ubyte.gz")
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(f"{images_path}: expected uint8 images (N, H, W), got "
                             f"{images.dtype} {images.shape}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(f"{labels_path}: expected {len(images)} labels, got shape "
                             f"{labels.shape}")
        return images, labels

    def _manual_hint(self):
        names = ", ".join(name for name, _ in self.resources)
        return (f"put {names} (from {self.mirrors[0]}) into "
                f"{os.path.abspath(self.raw_folder)} by hand; a mirror can be set with "
                f"{self.url_env} or {MIRROR_ENV}")

    def download(self):
        """Fetch the missing IDX files into raw_folder, checking their MD5."""
        for filename, md5 in self.resources:
            if self._find(filename) is not None:
                continue
            urls = resolve_urls(filename, [m + filename for m in self.mirrors],
                                url=self._url, env_var=self.url_env, folder=True)
            download_url(urls, self.raw_folder, filename, md5,
                         manual_hint="To proceed offline, " + self._manual_hint() + ".")

    def __getitem__(self, index):
        img = Image.fromarray(self.data.numpy()[index])  # 2-D uint8: mode "L"
        target = int(self.targets.numpy()[index])
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


class FashionMNIST(MNIST):
    """Fashion-MNIST: 28x28 grayscale pictures of clothing in 10 classes, MNIST's layout."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    url_env = "EMBER_FASHIONMNIST_URL"
