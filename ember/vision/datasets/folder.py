"""DatasetFolder and ImageFolder: one sub-folder per class, from disk or from inside a .zip.

A root such as ``"pets.zip"`` or ``"pets.zip/train"`` reads the class folders out of the
archive without unpacking it; the loader then receives a binary file object instead of a
path (Pillow's loader accepts both).
"""

import io
import os
import posixpath

from PIL import Image

from .archive import ZipReader, split_zip_path, zip_namelist
from .vision import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """True when `filename` ends with one of `extensions` (case-insensitive)."""
    if isinstance(extensions, str):
        extensions = (extensions,)
    return filename.lower().endswith(tuple(ext.lower() for ext in extensions))


def is_image_file(filename):
    """True when `filename` has one of the image extensions Pillow reads here."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def pil_loader(path):
    """Open an image file (a path or a binary file object) as an RGB PIL image."""
    with Image.open(path) as img:
        return img.convert("RGB")


def default_loader(path):
    """The loader ImageFolder uses by default: Pillow, converted to RGB."""
    return pil_loader(path)


def _zip_entries(zip_path, prefix):
    """(relative folder, file name) of every file below `prefix` inside the archive."""
    start = prefix.strip("/") + "/" if prefix.strip("/") else ""
    for name in zip_namelist(zip_path):
        if name.startswith(start) and not name.endswith("/"):
            rel = name[len(start):]
            yield posixpath.dirname(rel), posixpath.basename(rel)


def find_classes(directory):
    """The class names (sorted sub-folder names of `directory`) and their indices.

    `directory` may be a folder, a .zip file or a folder inside a .zip file.
    """
    directory = os.fspath(directory)
    zipped = split_zip_path(directory)
    if zipped is not None:
        classes = sorted({folder.split("/")[0] for folder, _ in _zip_entries(*zipped) if folder})
    elif os.path.isdir(directory):
        classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    else:
        raise FileNotFoundError(f"Dataset folder not found: {directory}")
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None,
                 allow_empty=False):
    """List ``(path, class_index)`` for every accepted file in the class folders.

    Files are taken in sorted folder order, then sorted by name, recursing into
    sub-folders of a class. Exactly one of `extensions` and `is_valid_file` must be given.
    For a zip-backed `directory` the paths read ``<archive>.zip/<member>``.
    """
    directory = os.fspath(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_idx' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the "
                         "same time")
    if is_valid_file is None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)

    by_class = {name: [] for name in class_to_idx}
    zipped = split_zip_path(directory)
    if zipped is not None:
        zip_path, prefix = zipped
        base = zip_path + "/" + (prefix + "/" if prefix else "")
        for folder, fname in _zip_entries(zip_path, prefix):
            head = folder.split("/")[0]
            if head in by_class:
                by_class[head].append((folder, fname))
    else:
        for name in by_class:
            class_dir = os.path.join(directory, name)
            if not os.path.isdir(class_dir):
                continue
            for dirpath, _, fnames in os.walk(class_dir, followlinks=True):
                folder = os.path.relpath(dirpath, directory)
                by_class[name].extend((folder, fname) for fname in fnames)

    samples, empty = [], []
    for name in sorted(by_class):
        found = 0
        # (folder, name) order: a folder's files come before those of its sub-folders.
        for folder, fname in sorted(by_class[name]):
            if zipped is not None:
                path = base + folder + "/" + fname
            else:
                path = os.path.join(directory, folder, fname)
            if is_valid_file(path):
                samples.append((path, class_to_idx[name]))
                found += 1
        if not found:
            empty.append(name)
    if empty and not allow_empty:
        message = f"Found no valid file for the classes {', '.join(empty)}. "
        if extensions is not None:
            exts = extensions if isinstance(extensions, str) else ", ".join(extensions)
            message += f"Supported extensions are: {exts}"
        raise FileNotFoundError(message)
    return samples


class DatasetFolder(VisionDataset):
    """A generic dataset whose samples sit in one folder per class: ``root/<class>/<file>``.

    Args:
        root: the folder holding the class folders; also a ``.zip`` file, or a folder inside
            one (``"data.zip/train"``).
        loader: opens one sample given its path (or, inside a zip, a binary file object).
        extensions: the accepted file extensions; exclusive with `is_valid_file`.
        transform, target_transform: applied to the loaded sample and to the class index.
        is_valid_file: a callable telling whether a path is a sample.
        allow_empty: accept class folders without any valid file.

    Attributes: ``classes``, ``class_to_idx``, ``samples`` (path, class index), ``targets``.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        directory = os.fspath(self.root)
        classes, class_to_idx = self.find_classes(directory)
        samples = self.make_dataset(directory, class_to_idx, extensions, is_valid_file,
                                    allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [target for _, target in samples]
        zipped = split_zip_path(directory)
        self._zip = ZipReader(zipped[0]) if zipped is not None else None

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None,
                     allow_empty=False):
        """List ``(path, class_index)`` samples; override to change how files are found."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory):
        """Class names and indices for `directory`; override for another folder structure."""
        return find_classes(directory)

    def _open(self, path):
        if self._zip is None:
            return path
        return io.BytesIO(self._zip.read(path[len(self._zip.path) + 1:].replace(os.sep, "/")))

    def __getitem__(self, index):
        path, target = self.samples[index]
        sample = self.loader(self._open(path))
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Images in one folder per class (``root/cat/001.png``), loaded with Pillow as RGB.

    Same arguments as DatasetFolder with `extensions` fixed to the image types (unless
    `is_valid_file` is given); ``imgs`` is an alias of ``samples``.
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
