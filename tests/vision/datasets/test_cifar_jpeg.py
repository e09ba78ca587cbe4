"""CIFAR10 from a zip of JPEGs: layout, label order, the decoded-array cache, the real archive."""

import io
import os
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from datasets_fakes import (
    CIFAR10_CLASSES,
    class_color,
    extract_tar_bytes,
    make_cifar10_tar,
    make_jpeg_zip,
)
from PIL import Image

from ember.vision.datasets import CIFAR10, cifar_jpeg

REAL_ARCHIVE = Path(__file__).resolve().parents[3] / ".." / "shared" / "datasets" / \
    "cifar10-jpeg.zip"


@pytest.fixture
def jpeg_zip(tmp_path):
    """A small cifar10-jpeg.zip (3 train and 2 test images per class) alone in a folder."""
    (tmp_path / "src").mkdir()
    return make_jpeg_zip(tmp_path / "src" / "cifar10-jpeg.zip")


@pytest.fixture
def decode_calls(monkeypatch):
    """Counts JPEG decodes (cache misses)."""
    calls = []
    original = cifar_jpeg.decode_members

    def counting(*args, **kwargs):
        calls.append(len(args[1]))
        return original(*args, **kwargs)

    monkeypatch.setattr(cifar_jpeg, "decode_members", counting)
    return calls


def _expected_colors(label, count):
    return [class_color(label, i) for i in range(count)]


@pytest.mark.parametrize("train,count", [(True, 3), (False, 2)])
def test_loads_in_label_order_sorted_by_name(tmp_path, jpeg_zip, train, count):
    ds = CIFAR10(tmp_path / "data", train=train, source=jpeg_zip)
    assert ds.data.shape == (10 * count, 32, 32, 3) and ds.data.dtype == np.uint8
    assert ds.targets == [label for label in range(10) for _ in range(count)]
    assert ds.classes == CIFAR10_CLASSES and ds.class_to_idx["truck"] == 9
    # Members were zipped in shuffled order; each class's images come back by sorted name.
    for label in range(10):
        for i, color in enumerate(_expected_colors(label, count)):
            pixel = ds.data[label * count + i].reshape(-1, 3).mean(0)
            np.testing.assert_allclose(pixel, color, atol=4)
    img, target = ds[count]
    assert isinstance(img, Image.Image) and img.size == (32, 32) and target == 1
    assert Path(ds.source) == jpeg_zip


def test_transforms_apply_to_jpeg_samples(tmp_path, jpeg_zip):
    ds = CIFAR10(tmp_path / "data", train=False, source=jpeg_zip,
                 transform=lambda img: img.size, target_transform=str)
    assert ds[19] == ((32, 32), "9") and len(ds) == 20


def test_root_that_is_or_holds_the_archive(tmp_path, jpeg_zip):
    by_zip = CIFAR10(jpeg_zip, train=False)
    by_folder = CIFAR10(jpeg_zip.parent, train=False)
    np.testing.assert_array_equal(by_zip.data, by_folder.data)
    assert (jpeg_zip.parent / "cifar10-jpeg-cache" / "test.npz").is_file()


def test_environment_variable_names_the_archive(tmp_path, jpeg_zip, monkeypatch):
    monkeypatch.setenv("EMBER_CIFAR10_SOURCE", str(jpeg_zip))
    ds = CIFAR10(tmp_path / "data", train=False, download=True)  # found before downloading
    assert len(ds) == 20
    assert (tmp_path / "data" / "cifar10-jpeg-cache" / "test.npz").is_file()
    monkeypatch.setenv("EMBER_CIFAR10_SOURCE", str(tmp_path / "missing.zip"))
    with pytest.raises(FileNotFoundError, match="missing.zip"):
        CIFAR10(tmp_path / "data2")


def test_missing_source_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.zip"):
        CIFAR10(tmp_path, source=tmp_path / "nope.zip")


def test_cache_hit_skips_decoding(tmp_path, jpeg_zip, decode_calls):
    first = CIFAR10(tmp_path / "data", source=jpeg_zip)
    assert decode_calls == [30]
    second = CIFAR10(tmp_path / "data", source=jpeg_zip)
    assert decode_calls == [30]
    np.testing.assert_array_equal(first.data, second.data)
    assert first.targets == second.targets
    cache_dir = tmp_path / "data" / "cifar10-jpeg-cache"
    assert sorted(os.listdir(cache_dir)) == ["train.npz"]  # no temporary files left behind
    CIFAR10(tmp_path / "data", train=False, source=jpeg_zip)
    assert decode_calls == [30, 20]


def test_changed_archive_is_decoded_again(tmp_path, jpeg_zip, decode_calls):
    before = CIFAR10(tmp_path / "data", train=False, source=jpeg_zip)
    # Same layout and sizes, different pixels in one member: only the CRC-32 changes.
    with zipfile.ZipFile(jpeg_zip) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(jpeg_zip, "w", zipfile.ZIP_STORED) as zf:
        for info, payload in members:
            if info.filename == "test/cat/0001.jpg":
                buf = io.BytesIO()
                Image.new("RGB", (32, 32), (255, 255, 255)).save(buf, "JPEG", quality=75)
                payload = buf.getvalue()
            zf.writestr(info.filename, payload)
    after = CIFAR10(tmp_path / "data", train=False, source=jpeg_zip)
    assert decode_calls == [20, 20]
    assert before.data[6].mean() < 200 and after.data[6].mean() > 250


def test_touching_the_archive_keeps_the_cache(tmp_path, jpeg_zip, decode_calls):
    CIFAR10(tmp_path / "data", train=False, source=jpeg_zip)
    os.utime(jpeg_zip, (1, 1))
    CIFAR10(tmp_path / "data", train=False, source=jpeg_zip)
    assert decode_calls == [20]


def test_damaged_cache_is_rebuilt(tmp_path, jpeg_zip, decode_calls):
    CIFAR10(tmp_path / "data", train=False, source=jpeg_zip)
    cache = tmp_path / "data" / "cifar10-jpeg-cache" / "test.npz"
    cache.write_bytes(cache.read_bytes()[:1000])
    ds = CIFAR10(tmp_path / "data", train=False, source=jpeg_zip)
    assert decode_calls == [20, 20] and len(ds) == 20


def test_read_only_root_caches_elsewhere(tmp_path, jpeg_zip, monkeypatch):
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "usercache"))
    os.chmod(jpeg_zip.parent, 0o555)
    try:
        ds = CIFAR10(jpeg_zip.parent, train=False)
    finally:
        os.chmod(jpeg_zip.parent, 0o755)
    assert len(ds) == 20 and not (jpeg_zip.parent / "cifar10-jpeg-cache").exists()
    (cache_dir,) = (tmp_path / "usercache" / "datasets").iterdir()
    assert (cache_dir / "test.npz").is_file()


def test_explicit_cache_dir(tmp_path, jpeg_zip):
    CIFAR10(tmp_path / "data", train=False, source=jpeg_zip, cache_dir=tmp_path / "c")
    assert (tmp_path / "c" / "test.npz").is_file()


def test_parallel_decode_matches_serial(tmp_path, jpeg_zip):
    members, targets = cifar_jpeg._list_members(str(jpeg_zip), "train", CIFAR10_CLASSES)
    serial = cifar_jpeg.decode_members(str(jpeg_zip), members, workers=1)
    parallel = cifar_jpeg.decode_members(str(jpeg_zip), members, workers=2)
    np.testing.assert_array_equal(serial, parallel)
    assert targets == [label for label in range(10) for _ in range(3)]


def test_deflated_members_are_read_too(tmp_path):
    path = make_jpeg_zip(tmp_path / "deflated.zip", per_class=(1, 1))
    with zipfile.ZipFile(path) as zf:
        members = [(info.filename, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members:
            zf.writestr(name, payload)
    ds = CIFAR10(tmp_path, train=False, source=path)
    np.testing.assert_allclose(ds.data[3].reshape(-1, 3).mean(0), class_color(3, 0), atol=4)


def test_bad_layouts_are_reported(tmp_path):
    missing = make_jpeg_zip(tmp_path / "a.zip", classes=CIFAR10_CLASSES[:9])
    with pytest.raises(ValueError, match=r"no images in train/truck/"):
        CIFAR10(tmp_path / "d1", source=missing)
    extra = make_jpeg_zip(tmp_path / "b.zip", extra={"train/unicorn/0001.jpg": b"x"})
    with pytest.raises(ValueError, match="unexpected class folder train/unicorn/"):
        CIFAR10(tmp_path / "d2", source=extra)
    big = make_jpeg_zip(tmp_path / "c.zip", size=(33, 32))
    with pytest.raises(ValueError, match=r"is 33x32; CIFAR-10 images are 32x32"):
        CIFAR10(tmp_path / "d3", source=big)


def test_official_batches_win_over_a_nearby_archive(tmp_path, jpeg_zip):
    blob, expected = make_cifar10_tar()
    extract_tar_bytes(blob, jpeg_zip.parent)
    ds = CIFAR10(jpeg_zip.parent, train=False)
    assert ds.source is None and ds.targets == expected["test"][1]


@pytest.mark.skipif(not REAL_ARCHIVE.is_file(), reason="../shared/datasets/cifar10-jpeg.zip absent")
def test_real_archive_test_split(tmp_path):
    ds = CIFAR10(tmp_path, train=False, source=REAL_ARCHIVE)
    assert ds.data.shape == (10000, 32, 32, 3)
    assert np.bincount(ds.targets).tolist() == [1000] * 10
    assert ds.targets == sorted(ds.targets)
    mean = ds.data.reshape(-1, 3).mean(0) / 255
    np.testing.assert_allclose(mean, (0.4941, 0.4851, 0.4504), atol=2e-3)
    start = time.perf_counter()
    cached = CIFAR10(tmp_path, train=False, source=REAL_ARCHIVE)
    elapsed = time.perf_counter() - start
    np.testing.assert_array_equal(cached.data, ds.data)
    assert elapsed < 2.0, f"cached load took {elapsed:.2f} s"
