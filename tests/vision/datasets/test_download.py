"""download_url against a local HTTP server: good, corrupted, dropped, resumed, offline, 404."""

import hashlib
import os

import pytest

from ember.vision.datasets import download
from ember.vision.datasets.download import (
    ChecksumError,
    DownloadError,
    check_integrity,
    download_url,
    resolve_urls,
)

PAYLOAD = bytes(range(256)) * 400  # 100 KiB: several read chunks
MD5 = hashlib.md5(PAYLOAD).hexdigest()


@pytest.fixture
def server(http_server):
    http_server.files["/f.bin"] = PAYLOAD
    return http_server


def test_good_download(tmp_path, server):
    path = download_url(server.base_url + "/f.bin", tmp_path / "new", md5=MD5, progress=False)
    assert path == str(tmp_path / "new" / "f.bin")
    assert open(path, "rb").read() == PAYLOAD and os.listdir(tmp_path / "new") == ["f.bin"]
    assert check_integrity(path, MD5) and not check_integrity(path, "0" * 32)
    # Already there and verified: no request is made.
    count = len(server.requests)
    download_url(server.base_url + "/f.bin", tmp_path / "new", md5=MD5, progress=False)
    assert len(server.requests) == count


def test_checksum_failure_deletes_the_file(tmp_path, server):
    server.files["/f.bin"] = PAYLOAD[:-1] + b"!"
    with pytest.raises(ChecksumError, match=f"expected {MD5}"):
        download_url(server.base_url + "/f.bin", tmp_path, md5=MD5, progress=False)
    assert os.listdir(tmp_path) == []


def test_dropped_connection_is_resumed_with_range(tmp_path, server):
    server.drops["/f.bin"] = 2  # the first two answers stop halfway
    path = download_url(server.base_url + "/f.bin", tmp_path, md5=MD5, progress=False)
    assert open(path, "rb").read() == PAYLOAD
    half, quarter = len(PAYLOAD) // 2, len(PAYLOAD) // 4
    assert [r for _, r in server.requests] == [
        None, f"bytes={half}-", f"bytes={half + quarter}-"]


def test_partial_file_from_an_earlier_run_is_resumed(tmp_path, server):
    (tmp_path / "f.bin.part").write_bytes(PAYLOAD[:1000])
    download_url(server.base_url + "/f.bin", tmp_path, md5=MD5, progress=False)
    assert server.requests == [("/f.bin", "bytes=1000-")]
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD


def test_server_ignoring_range_restarts_from_zero(tmp_path, server):
    server.ignore_range.add("/f.bin")
    (tmp_path / "f.bin.part").write_bytes(b"garbage" * 10)
    download_url(server.base_url + "/f.bin", tmp_path, md5=MD5, progress=False)
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD


def test_complete_partial_file_answered_416(tmp_path, server):
    (tmp_path / "f.bin.part").write_bytes(PAYLOAD)
    download_url(server.base_url + "/f.bin", tmp_path, md5=MD5, progress=False)
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD


def test_retries_run_out_and_keep_the_partial_file(tmp_path, server):
    server.drops["/f.bin"] = 10
    with pytest.raises(DownloadError, match="resumes on the next try") as info:
        download_url(server.base_url + "/f.bin", tmp_path, md5=MD5, max_retries=1,
                     progress=False)
    assert "connection closed after" in str(info.value)
    assert len(server.requests) == 2 and os.listdir(tmp_path) == ["f.bin.part"]
    server.drops["/f.bin"] = 0
    download_url(server.base_url + "/f.bin", tmp_path, md5=MD5, progress=False)
    assert os.listdir(tmp_path) == ["f.bin"]


def test_offline_error_names_every_url_and_the_hint(tmp_path, dead_url):
    urls = [dead_url + "/a/f.bin", dead_url + "/b/f.bin"]
    with pytest.raises(DownloadError, match="unreachable") as info:
        download_url(urls, tmp_path / "root", md5=MD5, progress=False,
                     manual_hint="Put f.bin into the root by hand.")
    message = str(info.value)
    assert all(url in message for url in urls) and "refused" in message.lower()
    assert message.endswith("Put f.bin into the root by hand.")
    assert str(tmp_path / "root") in message and os.listdir(tmp_path / "root") == []


def test_http_404_is_not_retried_and_the_next_mirror_is_used(tmp_path, server):
    urls = [server.base_url + "/missing/f.bin", server.base_url + "/f.bin"]
    download_url(urls, tmp_path, md5=MD5, max_retries=3, progress=False)
    assert [path for path, _ in server.requests] == ["/missing/f.bin", "/f.bin"]


def test_transient_failures_back_off(tmp_path, dead_url, monkeypatch):
    sleeps = []
    monkeypatch.setattr(download, "RETRY_BACKOFF", 0.25)
    monkeypatch.setattr(download.time, "sleep", sleeps.append)
    with pytest.raises(DownloadError):
        download_url(dead_url + "/f.bin", tmp_path, max_retries=3, progress=False)
    assert sleeps == [0.25, 0.5, 1.0]


def test_progress_bar_shows_the_file(tmp_path, server, capsys):
    download_url(server.base_url + "/f.bin", tmp_path, md5=MD5, progress=True)
    assert "f.bin" in capsys.readouterr().err


def test_resolve_urls_priorities(monkeypatch):
    official = ["https://example.org/d/f.tgz"]
    assert resolve_urls("f.tgz", official) == official
    monkeypatch.setenv("EMBER_DATASETS_MIRROR", "http://m/x/")
    assert resolve_urls("f.tgz", official) == ["http://m/x/f.tgz"]
    monkeypatch.setenv("EMBER_F_URL", "http://e/f.tgz")
    assert resolve_urls("f.tgz", official, env_var="EMBER_F_URL") == ["http://e/f.tgz"]
    assert resolve_urls("f.tgz", official, url="http://a/b/", env_var="EMBER_F_URL") == [
        "http://a/b/f.tgz"]
    assert resolve_urls("f.gz", official, url="http://a/b", folder=True) == ["http://a/b/f.gz"]


def test_no_urls_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="at least one URL"):
        download_url([], tmp_path)
