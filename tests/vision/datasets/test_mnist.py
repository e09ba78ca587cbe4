"""MNIST and FashionMNIST: IDX parsing, tensors and PIL samples, downloads end to end."""

import gzip
import hashlib
import os

import numpy as np
import pytest
from datasets_fakes import idx_bytes, make_mnist_files
from PIL import Image

import ember
from ember.vision.datasets import MNIST, ChecksumError, DownloadError, FashionMNIST
from ember.vision.datasets.mnist import read_idx


def _place(root, cls_name, files, unpack=False):
    raw = root / cls_name / "raw"
    raw.mkdir(parents=True)
    for name, blob in files.items():
        if unpack:
            (raw / name[:-3]).write_bytes(gzip.decompress(blob))
        else:
            (raw / name).write_bytes(blob)


@pytest.mark.parametrize("unpack", [False, True])
@pytest.mark.parametrize("train", [True, False])
def test_mnist_reads_idx_files(tmp_path, train, unpack):
    files, expected = make_mnist_files()
    _place(tmp_path, "MNIST", files, unpack)
    ds = MNIST(tmp_path, train=train)
    images, labels = expected["train" if train else "t10k"]
    assert isinstance(ds.data, ember.Tensor) and ds.data.dtype == ember.uint8
    assert tuple(ds.data.shape) == images.shape
    assert ds.targets.dtype == ember.int64
    np.testing.assert_array_equal(ds.data.numpy(), images)
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    img, target = ds[2]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), images[2])
    assert target == int(labels[2]) and type(target) is int
    assert len(ds) == len(labels) and ds.class_to_idx["3 - three"] == 3


def test_fashion_mnist_has_its_own_folder_and_classes(tmp_path):
    files, expected = make_mnist_files()
    _place(tmp_path, "FashionMNIST", files)
    ds = FashionMNIST(tmp_path, train=False, transform=lambda img: np.asarray(img).max(),
                      target_transform=lambda t: ds.classes[t])
    assert ds.classes[9] == "Ankle boot" and len(ds) == 3
    value, name = ds[0]
    assert value == expected["t10k"][0][0].max()
    assert name == ds.classes[int(expected["t10k"][1][0])]
    with pytest.raises(RuntimeError, match=r"^MNIST not found .*MNIST.raw"):
        MNIST(tmp_path)


def test_missing_mnist_message(tmp_path):
    with pytest.raises(RuntimeError, match="download=True") as info:
        MNIST(tmp_path)
    assert str(tmp_path / "MNIST" / "raw") in str(info.value)
    assert "train-images-idx3-ubyte.gz" in str(info.value)


def test_read_idx_rejects_bad_files(tmp_path):
    good = idx_bytes(np.zeros((2, 3), np.uint8))
    (tmp_path / "bad_magic").write_bytes(b"\x01" + good[1:])
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad_magic")
    (tmp_path / "short").write_bytes(good[:-1])
    with pytest.raises(ValueError, match=r"short: 17 bytes, expected 18 for shape \(2, 3\)"):
        read_idx(tmp_path / "short")
    (tmp_path / "bad.gz").write_bytes(b"not gzip")
    with pytest.raises(ValueError, match="cannot read"):
        read_idx(tmp_path / "bad.gz")


def test_read_idx_other_types_are_native_endian(tmp_path):
    values = np.array([[1, -2], [300, 4]], dtype=">i4")
    (tmp_path / "i4").write_bytes(bytes([0, 0, 0x0C, 2]) + b"\0\0\0\2\0\0\0\2" +
                                  values.tobytes())
    out = read_idx(tmp_path / "i4")
    assert out.dtype == np.int32 and out.dtype.isnative
    np.testing.assert_array_equal(out, values)


def test_mismatched_labels_are_reported(tmp_path):
    files, _ = make_mnist_files()
    files["t10k-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(np.zeros(7, np.uint8)))
    _place(tmp_path, "MNIST", files)
    with pytest.raises(ValueError, match="expected 3 labels"):
        MNIST(tmp_path, train=False)


@pytest.fixture
def served_mnist(http_server, monkeypatch):
    files, expected = make_mnist_files()
    for name, blob in files.items():
        http_server.files["/mnist/" + name] = blob
    resources = [(name, hashlib.md5(blob).hexdigest()) for name, blob in files.items()]
    monkeypatch.setattr(MNIST, "resources", resources)
    monkeypatch.setattr(FashionMNIST, "resources", resources)
    return http_server, files, expected


def test_download_from_folder_url(tmp_path, served_mnist):
    server, files, expected = served_mnist
    server.drops["/mnist/train-images-idx3-ubyte.gz"] = 1
    ds = MNIST(tmp_path, download=True, url=server.base_url + "/mnist")
    np.testing.assert_array_equal(ds.data.numpy(), expected["train"][0])
    assert sorted(os.listdir(tmp_path / "MNIST" / "raw")) == sorted(files)
    assert ("/mnist/train-images-idx3-ubyte.gz", None) in server.requests
    assert any(r and r.startswith("bytes=") for _, r in server.requests)


def test_download_via_environment(tmp_path, served_mnist, monkeypatch):
    server, _, expected = served_mnist
    monkeypatch.setenv("EMBER_DATASETS_MIRROR", server.base_url + "/mnist/")
    ds = FashionMNIST(tmp_path, train=False, download=True)
    np.testing.assert_array_equal(ds.targets.numpy(), expected["t10k"][1])


def test_download_corrupted_and_offline(tmp_path, served_mnist, dead_url):
    server, _, _ = served_mnist
    server.files["/mnist/t10k-images-idx3-ubyte.gz"] = b"corrupt"
    with pytest.raises(ChecksumError):
        MNIST(tmp_path, download=True, url=server.base_url + "/mnist/")
    raw = tmp_path / "MNIST" / "raw"
    assert "t10k-images-idx3-ubyte.gz" not in os.listdir(raw)
    assert not [name for name in os.listdir(raw) if name.endswith(".part")]
    with pytest.raises(DownloadError, match="unreachable") as info:
        MNIST(tmp_path / "other", download=True, url=dead_url)
    assert dead_url + "/train-images-idx3-ubyte.gz" in str(info.value)
    assert str(tmp_path / "other" / "MNIST" / "raw") in str(info.value)
