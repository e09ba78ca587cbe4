"""CIFAR10/CIFAR100 from the official python format, and their download end to end."""

import hashlib
import os
import pickle

import numpy as np
import pytest
from datasets_fakes import (
    CIFAR10_CLASSES,
    extract_tar_bytes,
    make_cifar10_tar,
    make_cifar100_tar,
    py2_pickle,
)
from PIL import Image

from ember.vision.datasets import CIFAR10, CIFAR100, ChecksumError, DownloadError


@pytest.fixture(scope="module")
def cifar10_tar():
    return make_cifar10_tar()


@pytest.mark.parametrize("train", [True, False])
def test_cifar10_reads_official_batches(tmp_path, cifar10_tar, train):
    blob, expected = cifar10_tar
    extract_tar_bytes(blob, tmp_path)
    ds = CIFAR10(tmp_path, train=train)
    data, targets = expected["train" if train else "test"]
    assert ds.data.dtype == np.uint8 and ds.data.shape == (len(targets), 32, 32, 3)
    np.testing.assert_array_equal(ds.data, data)
    assert ds.targets == targets and all(type(t) is int for t in ds.targets)
    assert ds.classes == CIFAR10_CLASSES
    assert ds.class_to_idx == {c: i for i, c in enumerate(CIFAR10_CLASSES)}
    assert len(ds) == (15 if train else 3)
    img, target = ds[1]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(img), data[1])
    assert target == targets[1]
    assert ds.source is None


def test_cifar10_channel_planes_become_hwc(tmp_path, cifar10_tar):
    blob, expected = cifar10_tar
    extract_tar_bytes(blob, tmp_path)
    ds = CIFAR10(tmp_path)
    # Row layout of the batches: 1024 red values, then green, then blue.
    with open(tmp_path / "cifar-10-batches-py" / "data_batch_1", "rb") as f:
        row = pickle.load(f, encoding="latin1")["data"][0]
    assert ds.data[0, 0, 1, 0] == row[1] and ds.data[0, 0, 1, 2] == row[2048 + 1]
    assert ds.data[0, 2, 0, 1] == row[1024 + 64]


def test_cifar10_transforms_are_applied(tmp_path, cifar10_tar):
    extract_tar_bytes(cifar10_tar[0], tmp_path)
    ds = CIFAR10(tmp_path, transform=lambda img: np.asarray(img).sum(),
                 target_transform=lambda t: t + 100)
    img, target = ds[0]
    assert img == int(ds.data[0].astype(np.int64).sum()) and target == ds.targets[0] + 100
    assert "Split: Train" in repr(ds) and "Number of datapoints: 15" in repr(ds)


def test_cifar100_reads_fine_labels(tmp_path):
    blob, expected = make_cifar100_tar()
    extract_tar_bytes(blob, tmp_path)
    ds = CIFAR100(tmp_path, train=False)
    np.testing.assert_array_equal(ds.data, expected["test"][0])
    assert ds.targets == expected["test"][1]
    assert ds.classes[:2] == ["fine0", "fine1"] and len(ds.classes) == 100
    with pytest.raises(ValueError, match="source"):
        CIFAR100(tmp_path, source=tmp_path / "x.zip")


def test_missing_dataset_says_what_to_do(tmp_path):
    with pytest.raises(RuntimeError, match="download=True") as info:
        CIFAR10(tmp_path / "nothing")
    message = str(info.value)
    assert str(tmp_path / "nothing") in message and "cifar-10-python.tar.gz" in message
    assert "EMBER_CIFAR10_URL" in message and "cifar10-jpeg.zip" in message


def test_refuses_pickles_that_run_code(tmp_path, cifar10_tar):
    extract_tar_bytes(cifar10_tar[0], tmp_path)
    evil = tmp_path / "cifar-10-batches-py" / "data_batch_1"
    evil.write_bytes(pickle.dumps(os.system, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system|os\.system") as info:
        CIFAR10(tmp_path)
    assert "data_batch_1" in str(info.value)


def test_malformed_batch_is_reported(tmp_path, cifar10_tar):
    extract_tar_bytes(cifar10_tar[0], tmp_path)
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(
        py2_pickle({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}))
    with pytest.raises(ValueError, match=r"test_batch.*\(N, 3072\)"):
        CIFAR10(tmp_path, train=False)


# --- downloads against a local server -------------------------------------------------------

@pytest.fixture
def served_cifar10(http_server, cifar10_tar, monkeypatch):
    blob, expected = cifar10_tar
    http_server.files["/kriz/cifar-10-python.tar.gz"] = blob
    monkeypatch.setattr(CIFAR10, "tgz_md5", hashlib.md5(blob).hexdigest())
    return http_server, blob, expected


def test_download_good_archive(tmp_path, served_cifar10):
    server, blob, expected = served_cifar10
    root = tmp_path / "data"
    ds = CIFAR10(root, train=False, download=True,
                 url=server.base_url + "/kriz/cifar-10-python.tar.gz")
    np.testing.assert_array_equal(ds.data, expected["test"][0])
    assert sorted(os.listdir(root)) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]
    assert (root / "cifar-10-python.tar.gz").read_bytes() == blob
    # Present and verified: a second download=True fetches nothing.
    count = len(server.requests)
    CIFAR10(root, download=True, url=server.base_url + "/kriz/cifar-10-python.tar.gz")
    assert len(server.requests) == count


def test_download_through_environment_mirrors(tmp_path, served_cifar10, monkeypatch):
    server, _, expected = served_cifar10
    monkeypatch.setenv("EMBER_DATASETS_MIRROR", server.base_url + "/kriz")
    ds = CIFAR10(tmp_path / "a", train=False, download=True)
    assert ds.targets == expected["test"][1]
    monkeypatch.setenv("EMBER_CIFAR10_URL", server.base_url + "/kriz/")  # wins over the mirror
    monkeypatch.setenv("EMBER_DATASETS_MIRROR", server.base_url + "/nowhere")
    ds = CIFAR10(tmp_path / "b", train=False, download=True)
    assert ds.targets == expected["test"][1]


def test_download_corrupted_archive_leaves_nothing(tmp_path, served_cifar10):
    server, blob, _ = served_cifar10
    server.files["/kriz/cifar-10-python.tar.gz"] = blob[:-10] + b"0123456789"
    root = tmp_path / "data"
    with pytest.raises(ChecksumError, match="checksum") as info:
        CIFAR10(root, download=True, url=server.base_url + "/kriz/cifar-10-python.tar.gz")
    assert "expected " + CIFAR10.tgz_md5 in str(info.value)
    assert os.listdir(root) == []


def test_download_resumes_after_dropped_connection(tmp_path, served_cifar10):
    server, blob, expected = served_cifar10
    server.drops["/kriz/cifar-10-python.tar.gz"] = 1
    ds = CIFAR10(tmp_path, download=True, url=server.base_url + "/kriz/cifar-10-python.tar.gz")
    assert ds.targets == expected["train"][1]
    ranges = [r for path, r in server.requests if path.endswith(".tar.gz")]
    assert ranges == [None, f"bytes={len(blob) // 2}-"]
    assert not (tmp_path / "cifar-10-python.tar.gz.part").exists()


def test_download_offline_names_url_and_place(tmp_path, dead_url):
    root = tmp_path / "data"
    url = dead_url + "/cifar-10-python.tar.gz"
    with pytest.raises(DownloadError) as info:
        CIFAR10(root, download=True, url=url)
    message = str(info.value)
    assert url in message and "offline" in message
    assert f"into {root}" in message and CIFAR10.tgz_md5 in message
    assert not any(name.endswith(".part") for name in os.listdir(root))


def test_archive_put_by_hand_is_checked_and_extracted_offline(tmp_path, cifar10_tar, dead_url,
                                                             monkeypatch):
    blob, expected = cifar10_tar
    monkeypatch.setattr(CIFAR10, "tgz_md5", hashlib.md5(blob).hexdigest())
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(blob)
    with pytest.raises(RuntimeError, match="download=True"):
        CIFAR10(tmp_path)
    ds = CIFAR10(tmp_path, train=False, download=True, url=dead_url + "/x.tar.gz")
    assert ds.targets == expected["test"][1]
