"""The helpers torchvision exposes as ``torchvision.datasets.utils``, under the same names."""

import os

from .archive import extract_archive
from .download import calculate_md5, check_integrity, check_md5, download_url

__all__ = ["calculate_md5", "check_integrity", "check_md5", "download_and_extract_archive",
           "download_url", "extract_archive"]


def download_and_extract_archive(url, download_root, extract_root=None, filename=None,
                                 md5=None, remove_finished=False):
    """Download an archive into `download_root` (see download_url) and unpack it."""
    download_root = os.path.expanduser(os.fspath(download_root))
    path = download_url(url, download_root, filename, md5)
    return extract_archive(path, extract_root or download_root, remove_finished)
