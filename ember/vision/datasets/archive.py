"""Archives: safe extraction of downloads, and reading image trees straight out of .zip files."""

import functools
import gzip
import hashlib
import os
import shutil
import struct
import tarfile
import tempfile
import zipfile

_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Unpack a .tar(.gz/.bz2/.xz), .zip or single-file .gz archive into `to_path`.

    Members land in a hidden staging folder first and are then renamed into place, so an
    archive that turns out to be broken leaves `to_path` as it was. Tar members that would
    escape `to_path` (absolute paths, ``..``, links outward, devices) are refused.

    Returns:
        `to_path` (by default the archive's folder).
    """
    from_path = os.fspath(from_path)
    to_path = os.fspath(to_path) if to_path is not None else os.path.dirname(from_path) or "."
    os.makedirs(to_path, exist_ok=True)
    lower = from_path.lower()
    staging = tempfile.mkdtemp(prefix=".extract-", dir=to_path)
    try:
        try:
            if lower.endswith(".zip"):
                with zipfile.ZipFile(from_path) as zf:
                    zf.extractall(staging)  # zipfile drops absolute paths and ".." itself
            elif lower.endswith(_TAR_SUFFIXES):
                with tarfile.open(from_path) as tf:
                    _safe_extract_tar(tf, staging)
            elif lower.endswith(".gz"):
                target = os.path.join(staging, os.path.basename(from_path)[:-3])
                with gzip.open(from_path, "rb") as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            else:
                raise ValueError(f"Unsupported archive type (by its extension): {from_path}")
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, gzip.BadGzipFile) as exc:
            raise RuntimeError(f"Could not extract {from_path}: {exc}; the archive is damaged, "
                               "delete it and download it again") from exc
        for name in os.listdir(staging):
            _merge(os.path.join(staging, name), os.path.join(to_path, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if remove_finished:
        os.remove(from_path)
    return to_path


def _safe_extract_tar(tf, dest):
    if hasattr(tarfile, "data_filter"):
        tf.extractall(dest, filter="data")
        return
    # Older Pythons lack extraction filters: check every member by hand.
    real_dest = os.path.realpath(dest)
    for member in tf.getmembers():
        target = os.path.realpath(os.path.join(dest, member.name))
        if not (member.isfile() or member.isdir()) or os.path.commonpath(
                [real_dest, target]) != real_dest:
            raise tarfile.TarError(f"refusing to extract {member.name!r}")
    tf.extractall(dest)


def _merge(src, dst):
    """Move `src` onto `dst`, merging folders so that files already beside them survive."""
    if os.path.isdir(src) and os.path.isdir(dst) and not os.path.islink(dst):
        for name in os.listdir(src):
            _merge(os.path.join(src, name), os.path.join(dst, name))
        return
    if os.path.isdir(dst) and not os.path.islink(dst):
        shutil.rmtree(dst)
    os.replace(src, dst)


def split_zip_path(path):
    """Split a path that is a .zip file, or lies inside one, into (zip file, inner folder).

    ``"data/imgs.zip"`` gives ``("data/imgs.zip", "")`` and ``"data/imgs.zip/train"`` gives
    ``("data/imgs.zip", "train")``. Returns None for anything else (a real folder, say).
    """
    path = os.path.normpath(os.fspath(path))
    if os.path.isdir(path):
        return None
    head, inner = path, []
    while head and head != os.path.dirname(head):
        if head.lower().endswith(".zip") and os.path.isfile(head):
            return head, "/".join(reversed(inner))
        head, tail = os.path.split(head)
        inner.append(tail)
    return None


def zip_namelist(zip_path):
    """The member names of a zip file, cached while the file keeps its size and mtime."""
    st = os.stat(zip_path)
    return _cached_namelist(os.path.abspath(zip_path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _cached_namelist(abs_path, size, mtime_ns):
    with zipfile.ZipFile(abs_path) as zf:
        return tuple(zf.namelist())


class ZipReader:
    """Reads members of one zip file; opened lazily, once per process.

    Safe to pickle (DataLoader workers with spawn) and to fork: a child process opens its own
    handle instead of sharing the parent's file position.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self._zf = None
        self._pid = None

    def read(self, name):
        """The bytes of member `name`."""
        if self._zf is None or self._pid != os.getpid():
            self._zf = zipfile.ZipFile(self.path)
            self._pid = os.getpid()
        return self._zf.read(name)

    def close(self):
        """Close this process's handle (it reopens on the next read)."""
        if self._zf is not None and self._pid == os.getpid():
            self._zf.close()
        self._zf = None

    def __getstate__(self):
        return {"path": self.path}

    def __setstate__(self, state):
        self.__init__(state["path"])

    def __repr__(self):
        return f"ZipReader({self.path!r})"


def central_directory_sha256(zip_path):
    """SHA-256 of a zip file's central directory.

    The central directory lists every member with its size and CRC-32, so this fingerprints
    the whole archive while reading only its tail (a few MB for 60,000 images).
    """
    with open(zip_path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        tail_len = min(size, 22 + 0xFFFF)  # end record plus the longest possible comment
        f.seek(size - tail_len)
        tail = f.read(tail_len)
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 or len(tail) - pos < 22:
            raise ValueError(f"{zip_path} is not a zip archive (no end of central directory)")
        cd_size, cd_offset = struct.unpack("<II", tail[pos + 12:pos + 20])
        if 0xFFFFFFFF in (cd_size, cd_offset):
            cd_size, cd_offset = _zip64_directory(f, size - tail_len + pos, zip_path)
        f.seek(cd_offset)
        directory = f.read(cd_size)
    if len(directory) != cd_size:
        raise ValueError(f"{zip_path} is truncated (central directory incomplete)")
    return hashlib.sha256(directory).hexdigest()


def _zip64_directory(f, eocd_at, zip_path):
    f.seek(eocd_at - 20)
    locator = f.read(20)
    if locator[:4] != b"PK\x06\x07":
        raise ValueError(f"{zip_path}: malformed ZIP64 end of central directory")
    (record_at,) = struct.unpack("<Q", locator[8:16])
    f.seek(record_at)
    record = f.read(56)
    if record[:4] != b"PK\x06\x06":
        raise ValueError(f"{zip_path}: malformed ZIP64 end of central directory")
    cd_size, cd_offset = struct.unpack("<QQ", record[40:56])
    return cd_size, cd_offset
