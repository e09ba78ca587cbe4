"""Builders of small dataset archives in the official formats (shared by these tests)."""

import gzip
import io
import pickle
import random
import struct
import tarfile
import zipfile

import numpy as np
from PIL import Image

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck"]


class _Py2Pickler(pickle._Pickler):
    """Writes bytes as Python 2 ``str`` (BINSTRING), as the official CIFAR pickles do."""

    dispatch = dict(pickle._Pickler.dispatch)

    def _save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def py2_pickle(obj):
    """Pickle `obj` the way Python 2's cPickle (protocol 2) wrote the CIFAR batches."""
    buf = io.BytesIO()
    _Py2Pickler(buf, protocol=2).dump(obj)
    # The real files name NumPy 1's module path; NumPy 2 writes numpy._core.
    return buf.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def _tar_gz(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def extract_tar_bytes(blob, root):
    """Unpack a tar.gz given as bytes into the folder `root`."""
    with tarfile.open(fileobj=io.BytesIO(blob)) as tf:
        tf.extractall(root, filter="data")


def make_cifar10_tar(per_batch=3, seed=0):
    """A tiny cifar-10-python.tar.gz with the real layout; returns (bytes, expected dict)."""
    rng = np.random.default_rng(seed)
    members, expected = {}, {"train": ([], []), "test": ([], [])}
    batches = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in batches:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = [int(x) for x in rng.integers(0, 10, per_batch)]
        entry = {b"batch_label": b"fake " + name.encode(), b"labels": labels, b"data": data,
                 b"filenames": [f"img_{i}.png".encode() for i in range(per_batch)]}
        members[f"cifar-10-batches-py/{name}"] = py2_pickle(entry)
        split = "test" if name == "test_batch" else "train"
        expected[split][0].append(data)
        expected[split][1].extend(labels)
    meta = {b"num_cases_per_batch": per_batch, b"num_vis": 3072,
            b"label_names": [c.encode() for c in CIFAR10_CLASSES]}
    members["cifar-10-batches-py/batches.meta"] = py2_pickle(meta)
    members["cifar-10-batches-py/readme.html"] = b"<html></html>"
    hwc = {split: (np.concatenate(d).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), t)
           for split, (d, t) in expected.items()}
    return _tar_gz(members), hwc


def make_cifar100_tar(n=4, seed=1):
    """A tiny cifar-100-python.tar.gz; returns (bytes, expected dict of (data HWC, fine))."""
    rng = np.random.default_rng(seed)
    members, expected = {}, {}
    for split in ("train", "test"):
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        fine = [int(x) for x in rng.integers(0, 100, n)]
        entry = {b"filenames": [b"x.png"] * n, b"batch_label": split.encode(),
                 b"fine_labels": fine, b"coarse_labels": [f // 5 for f in fine], b"data": data}
        members[f"cifar-100-python/{split}"] = py2_pickle(entry)
        expected[split] = (data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), fine)
    meta = {b"fine_label_names": [f"fine{i}".encode() for i in range(100)],
            b"coarse_label_names": [f"coarse{i}".encode() for i in range(20)]}
    members["cifar-100-python/meta"] = py2_pickle(meta)
    return _tar_gz(members), expected


def idx_bytes(array):
    """Encode a uint8 array as an IDX file."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def make_mnist_files(n_train=5, n_test=3, seed=2):
    """The four gzipped IDX files of MNIST (tiny); returns ({filename: bytes}, expected)."""
    rng = np.random.default_rng(seed)
    files, expected = {}, {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(idx_bytes(images), mtime=0)
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(labels), mtime=0)
        expected[prefix] = (images, labels)
    return files, expected


def class_color(label, index):
    """A flat colour that identifies (label, index) even after JPEG compression."""
    return (25 * label + 5, 40 * index + 10, 200 - 15 * label)


def make_jpeg_zip(path, per_class=(3, 2), classes=CIFAR10_CLASSES, size=(32, 32),
                  extra=None, seed=3):
    """A zip laid out like cifar10-jpeg.zip: train/<class>/NNNN.jpg and test/<class>/NNNN.jpg.

    Members are written in shuffled order (as in the real archive) and with gaps in the
    numbering; image i of a class is flat class_color(label, i) in sorted-name order.
    """
    entries = []
    for split, count in zip(("train", "test"), per_class):
        for label, name in enumerate(classes):
            for i in range(count):
                img = Image.new("RGB", size, class_color(label, i))
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=75)
                entries.append((f"{split}/{name}/{3 * i + 1:04d}.jpg", buf.getvalue()))
    entries += list((extra or {}).items())
    random.Random(seed).shuffle(entries)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for split in ("train/", "test/"):
            zf.writestr(split, b"")
        for name, payload in entries:
            zf.writestr(name, payload)
    return path
