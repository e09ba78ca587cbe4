"""Fetching dataset files: mirrors, retries, HTTP Range resume, a progress bar, MD5 checks.

A download streams into ``<root>/<filename>.part`` and is renamed onto ``<filename>`` only
after its checksum matched, so ``root`` never holds a half-written file under the real name.
A ``.part`` left by a dropped connection is resumed (HTTP Range) by the next attempt; one
whose checksum fails is deleted.
"""

import hashlib
import http.client
import os
import time
import urllib.error
import urllib.request

from tqdm.auto import tqdm

MIRROR_ENV = "EMBER_DATASETS_MIRROR"
# Seconds before the first retry; doubles with each further attempt (tests set it near zero).
RETRY_BACKOFF = 0.5
_CHUNK = 1 << 16
_USER_AGENT = "ember-datasets/0.1"


class DownloadError(RuntimeError):
    """A dataset file could not be fetched from any of its URLs."""


class ChecksumError(DownloadError):
    """A fetched file's MD5 differs from the published one."""


class _Transient(Exception):
    """A failure worth retrying (dropped connection, timeout, 5xx)."""


def calculate_md5(fpath, chunk_size=1 << 20):
    """Hex MD5 digest of the file at `fpath`."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for block in iter(lambda: f.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


def check_md5(fpath, md5):
    """True when the file at `fpath` has MD5 `md5`."""
    return calculate_md5(fpath) == md5


def check_integrity(fpath, md5=None):
    """True when `fpath` is a file and, if `md5` is given, has that checksum."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def resolve_urls(filename, official, *, url=None, env_var=None, folder=False):
    """The URLs to try for `filename`, best first.

    An explicit choice replaces the official list (a mirror is meant to be used, not to fall
    back on the unreachable original): the `url` argument, then the environment variable
    `env_var`, then ``EMBER_DATASETS_MIRROR``. A URL ending in ``/`` names a folder that holds
    `filename`, and so does every URL when `folder` is true (datasets of several files) and
    the general mirror. `official` is a list of full URLs.
    """
    chosen = url or (os.environ.get(env_var) if env_var else None)
    if chosen:
        if folder or chosen.endswith("/"):
            return [chosen.rstrip("/") + "/" + filename]
        return [chosen]
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        return [mirror.rstrip("/") + "/" + filename]
    return list(official)


def download_url(urls, root, filename=None, md5=None, *, max_retries=3, timeout=30.0,
                 progress=True, manual_hint=None):
    """Download a file into `root` and return its path; a no-op when it is already there.

    Args:
        urls: one URL or a list of them, tried in order (mirrors).
        root: the folder to write into (created when missing).
        filename: the name to save under; defaults to the URL's last component.
        md5: the expected MD5; a mismatch deletes the download and raises ChecksumError.
        max_retries: extra attempts per URL after a transient failure, each resuming the
            partial file with an HTTP Range request.
        timeout: seconds of socket inactivity before an attempt gives up.
        progress: show a tqdm progress bar.
        manual_hint: a sentence telling the user where to put the file by hand; it ends the
            error raised when no URL could be reached.
    """
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError("download_url needs at least one URL")
    root = os.path.expanduser(os.fspath(root))
    filename = filename or os.path.basename(urls[0].split("?")[0])
    fpath = os.path.join(root, filename)
    if check_integrity(fpath, md5):
        return fpath
    os.makedirs(root, exist_ok=True)
    part = fpath + ".part"
    failures = []
    checksum_failed = False
    for url in urls:
        try:
            _fetch_with_retries(url, part, max_retries, timeout, progress, filename)
        except (_Transient, urllib.error.URLError, OSError) as exc:
            failures.append(f"{url}: {_describe(exc)}")
            continue
        actual = calculate_md5(part) if md5 else None
        if md5 and actual != md5:
            os.remove(part)
            checksum_failed = True
            failures.append(f"{url}: MD5 is {actual}, expected {md5}")
            continue
        os.replace(part, fpath)
        return fpath
    tried = "\n  ".join(failures)
    root = os.path.abspath(root)
    if checksum_failed:
        raise ChecksumError(
            f"Downloaded {filename} but its checksum is wrong (the corrupted file was "
            f"deleted; nothing was written to {root}):\n  {tried}"
            + (f"\n{manual_hint}" if manual_hint else ""))
    kept = (f"\nThe partial download is kept at {part} and resumes on the next try."
            if os.path.exists(part) else "")
    raise DownloadError(
        f"Could not download {filename} into {root}: the network or the server is "
        f"unreachable (offline?).\n  {tried}{kept}"
        + (f"\n{manual_hint}" if manual_hint else ""))


def _describe(exc):
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or repr(exc)


def _fetch_with_retries(url, part, max_retries, timeout, progress, label):
    """Fetch `url` into `part`, retrying transient failures with exponential backoff."""
    for attempt in range(max_retries + 1):
        try:
            _fetch_once(url, part, timeout, progress, label)
            return
        except urllib.error.HTTPError as exc:
            if exc.code < 500 and exc.code != 429:
                raise  # 404 and friends will not heal by waiting
            error = _Transient(f"HTTP {exc.code} {exc.reason}")
        except (urllib.error.URLError, http.client.HTTPException, OSError, _Transient) as exc:
            if isinstance(exc, _Transient):
                error = exc
            else:
                error = _Transient(_describe(exc))
                error.__cause__ = exc
        if attempt == max_retries:
            raise error
        time.sleep(RETRY_BACKOFF * 2 ** attempt)


def _fetch_once(url, part, timeout, progress, label):
    """One HTTP(S)/file request; appends to `part` when the server honours a Range request."""
    offset = os.path.getsize(part) if os.path.exists(part) else 0
    headers = {"User-Agent": _USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            return  # the partial file is already complete; the checksum will tell
        raise
    with response:
        status = getattr(response, "status", None) or 200
        resuming = bool(offset) and status == 206 and _range_starts_at(response, offset)
        if not resuming:
            offset = 0  # the server sent the whole file: start over
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None
        with open(part, "ab" if resuming else "wb") as out, tqdm(
                total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,
                desc=label, disable=not progress, leave=False) as bar:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                bar.update(len(chunk))
    received = os.path.getsize(part)
    if total is not None and received < total:
        raise _Transient(f"connection closed after {received} of {total} bytes")


def _range_starts_at(response, offset):
    content_range = response.headers.get("Content-Range", "")
    return content_range.replace(" ", "").startswith(f"bytes{offset}-")
