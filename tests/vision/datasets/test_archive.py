"""Archive helpers: safe extraction, zip paths, the central-directory fingerprint, ZipReader."""

import gzip
import io
import os
import pickle
import tarfile
import zipfile

import pytest

from ember.vision.datasets.archive import (
    ZipReader,
    central_directory_sha256,
    extract_archive,
    split_zip_path,
    zip_namelist,
)


def _tar(path, members, mode="w:gz"):
    with tarfile.open(path, mode) as tf:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    return path


def test_extract_tar_merges_into_existing_folders(tmp_path):
    (tmp_path / "top").mkdir()
    (tmp_path / "top" / "mine.txt").write_text("keep")
    archive = _tar(tmp_path / "a.tar.gz", {"top/a.txt": b"A", "top/sub/b.txt": b"B"})
    assert extract_archive(archive) == str(tmp_path)
    assert (tmp_path / "top" / "a.txt").read_bytes() == b"A"
    assert (tmp_path / "top" / "sub" / "b.txt").read_bytes() == b"B"
    assert (tmp_path / "top" / "mine.txt").read_text() == "keep"
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".extract-")]


def test_extract_refuses_escaping_members(tmp_path):
    archive = _tar(tmp_path / "evil.tar", {"../outside.txt": b"x"}, mode="w")
    (tmp_path / "dest").mkdir()
    with pytest.raises(RuntimeError, match="evil.tar"):
        extract_archive(archive, tmp_path / "dest")
    assert not (tmp_path / "outside.txt").exists() and os.listdir(tmp_path / "dest") == []


def test_extract_damaged_archive_leaves_destination_alone(tmp_path):
    good = _tar(tmp_path / "g.tar.gz", {"d/x.bin": os.urandom(5000)})
    damaged = tmp_path / "d.tar.gz"
    damaged.write_bytes(good.read_bytes()[:200])
    (tmp_path / "dest").mkdir()
    with pytest.raises(RuntimeError, match="damaged"):
        extract_archive(damaged, tmp_path / "dest")
    assert os.listdir(tmp_path / "dest") == []


def test_extract_zip_and_gz_and_remove(tmp_path):
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:
        zf.writestr("folder/file.txt", "hello")
    extract_archive(tmp_path / "z.zip", tmp_path / "out", remove_finished=True)
    assert (tmp_path / "out" / "folder" / "file.txt").read_text() == "hello"
    assert not (tmp_path / "z.zip").exists()
    (tmp_path / "f.idx.gz").write_bytes(gzip.compress(b"raw"))
    extract_archive(tmp_path / "f.idx.gz")
    assert (tmp_path / "f.idx").read_bytes() == b"raw"
    (tmp_path / "f.rar").write_bytes(b"")
    with pytest.raises(ValueError, match="Unsupported archive type"):
        extract_archive(tmp_path / "f.rar")


def test_split_zip_path(tmp_path):
    with zipfile.ZipFile(tmp_path / "imgs.zip", "w") as zf:
        zf.writestr("train/cat/1.png", b"")
    zpath = str(tmp_path / "imgs.zip")
    assert split_zip_path(zpath) == (zpath, "")
    assert split_zip_path(zpath + "/train") == (zpath, "train")
    assert split_zip_path(zpath + "/train/cat/") == (zpath, "train/cat")
    assert split_zip_path(tmp_path) is None
    assert split_zip_path(tmp_path / "nothing" / "here") is None
    assert zip_namelist(zpath) == ("train/cat/1.png",)


def test_central_directory_fingerprint_follows_content(tmp_path):
    def build(path, payload):
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("a/1.jpg", payload)
            zf.writestr("a/2.jpg", b"same")
        return path

    one = central_directory_sha256(build(tmp_path / "1.zip", b"first"))
    assert one == central_directory_sha256(build(tmp_path / "2.zip", b"first"))
    assert one != central_directory_sha256(build(tmp_path / "3.zip", b"other"))
    (tmp_path / "not.zip").write_bytes(b"hello")
    with pytest.raises(ValueError, match="not a zip archive"):
        central_directory_sha256(tmp_path / "not.zip")


def test_zip64_fingerprint(tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open("x.bin", "w", force_zip64=True) as f:
            f.write(b"x" * 10)
    with zipfile.ZipFile(path) as zf:
        assert zf.read("x.bin") == b"x" * 10
    assert len(central_directory_sha256(path)) == 64


def test_zip_reader_pickles_without_its_handle(tmp_path):
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as zf:
        zf.writestr("m.txt", b"payload")
    reader = ZipReader(tmp_path / "r.zip")
    assert reader.read("m.txt") == b"payload"
    clone = pickle.loads(pickle.dumps(reader))
    assert clone._zf is None and clone.read("m.txt") == b"payload"
    reader.close()
    assert reader.read("m.txt") == b"payload"
