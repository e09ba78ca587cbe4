"""ember/cli/data.py: finding the data, limiting splits, batched conversion, epoch order."""

import os

import numpy as np
import pytest

from ember.cli import data
from ember.cli.errors import CLIError, UsageError
from ember.utils.data import default_collate

ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets",
                       "cifar10-jpeg.zip")
needs_archive = pytest.mark.skipif(not os.path.isfile(ARCHIVE),
                                   reason="../shared/datasets/cifar10-jpeg.zip not present")


def _split(n=12, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(n, dtype=np.int64) % 10
    return data.Split(images, labels, data.CIFAR10_CLASSES, "test pixels")


def test_fake_source_and_split():
    assert data.resolve_source("fake", False) == ("fake", None)
    split = data.load_split("fake", None, train=True, limit=40)
    assert split.images.shape == (40, 32, 32, 3) and split.images.dtype == np.uint8
    assert split.labels.dtype == np.int64 and split.labels.shape == (40,)
    assert split.classes == data.CIFAR10_CLASSES
    test = data.load_split("fake", None, train=False)
    assert not np.array_equal(test.images[:5], split.images[:5])  # different samples per split


def test_missing_path_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(CLIError, match="no such file or folder") as info:
        data.resolve_source(str(missing), False)
    assert "cifar10-jpeg.zip" in str(info.value) and "--download" in str(info.value)


def test_not_a_zip_is_rejected(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(CLIError, match="expected a folder or a .zip"):
        data.resolve_source(str(text), False)


def test_default_search_without_data_explains_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMBER_CIFAR10_SOURCE", raising=False)
    with pytest.raises(CLIError) as info:
        data.resolve_source(None, False)
    message = str(info.value)
    assert "no CIFAR-10 data found" in message
    assert os.path.join("..", "shared", "datasets", "cifar10-jpeg.zip") in message
    assert "--data" in message and "--download" in message


def test_default_search_prefers_the_shared_archive(tmp_path, monkeypatch):
    shared = tmp_path / "shared" / "datasets"
    shared.mkdir(parents=True)
    (shared / "cifar10-jpeg.zip").write_bytes(b"PK")
    repo = tmp_path / "repo"
    repo.mkdir()
    monkeypatch.chdir(repo)
    assert data.resolve_source(None, False) == ("cifar10", data.SHARED_ARCHIVE)


def test_empty_folder_gives_the_datasets_message(tmp_path):
    kind, path = data.resolve_source(str(tmp_path), False)
    with pytest.raises(CLIError, match="not found") as info:
        data.load_split(kind, path, train=True)
    assert "cifar10-jpeg.zip" in str(info.value)


def test_check_limit():
    data.check_limit("--limit-test", None)
    data.check_limit("--limit-test", 1)
    with pytest.raises(UsageError, match="--limit-test must be at least 1, got 0"):
        data.check_limit("--limit-test", 0)


@needs_archive
def test_limit_spreads_over_the_sorted_archive():
    split = data.load_split("cifar10", ARCHIVE, train=False, limit=100)
    assert len(split) == 100
    # The archive is sorted by class: an even spread has 10 images of each class.
    assert np.bincount(split.labels, minlength=10).tolist() == [10] * 10
    assert split.classes[0] == "plane" and split.classes[1] == "car"


def test_batched_conversion_equals_the_tutorial_transform():
    split = _split()
    mean, std = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)
    batched = data.ImageBatches(split, mean, std)
    per_image = data.PerImage(split, data.tutorial_transform(mean, std))
    indices = [3, 0, 11, 7]
    x, y = batched.__getitems__(indices)
    x_ref, y_ref = default_collate([per_image[i] for i in indices])
    assert x.shape == (4, 3, 32, 32) and str(x.dtype) == "ember.float32"
    np.testing.assert_array_equal(x.numpy(), x_ref.numpy())  # bit for bit
    np.testing.assert_array_equal(y.numpy(), y_ref.numpy())
    single, label = batched[11]
    np.testing.assert_array_equal(single.numpy(), x_ref.numpy()[2])
    assert label == int(split.labels[11])
    assert x.numpy().min() >= -1 and x.numpy().max() <= 1


def test_batched_conversion_other_statistics():
    split = _split(4)
    mean, std = (0.49, 0.48, 0.45), (0.25, 0.24, 0.26)
    x, _ = data.ImageBatches(split, mean, std).__getitems__([0, 1, 2, 3])
    expected = (split.images.transpose(0, 3, 1, 2) / 255.0
                - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_epoch_batches_depend_on_seed_and_epoch_only():
    first = list(data.EpochBatches(10, 4, shuffle=True, seed=3, epoch=0))
    assert [len(b) for b in first] == [4, 4, 2]
    assert sorted(i for b in first for i in b) == list(range(10))
    assert first == list(data.EpochBatches(10, 4, shuffle=True, seed=3, epoch=0))
    assert first != list(data.EpochBatches(10, 4, shuffle=True, seed=3, epoch=1))
    assert first != list(data.EpochBatches(10, 4, shuffle=True, seed=4, epoch=0))
    assert list(data.EpochBatches(5, 2, shuffle=False)) == [[0, 1], [2, 3], [4]]


def test_epoch_batches_start_skips_samples():
    full = [i for b in data.EpochBatches(10, 3, shuffle=True, seed=1, epoch=2) for i in b]
    rest = data.EpochBatches(10, 3, shuffle=True, seed=1, epoch=2, start=6)
    assert len(rest) == 2
    assert [i for b in rest for i in b] == full[6:]
