"""ImageFolder and DatasetFolder from a folder tree and from inside a .zip archive."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest
from PIL import Image

from ember.vision.datasets import DatasetFolder, ImageFolder
from ember.vision.datasets.folder import find_classes, make_dataset

# class -> files (relative to the class folder); "x.txt" is not an image.
LAYOUT = {
    "cat": ["b.png", "a.png", "sub/c.png", "x.txt"],
    "dog": ["z.PNG", "m.jpg"],
    "emu": ["only.bmp"],
}
EXPECTED = [("cat", "a.png"), ("cat", "b.png"), ("cat", "sub/c.png"),
            ("dog", "m.jpg"), ("dog", "z.PNG"), ("emu", "only.bmp")]


def _image_bytes(name, fmt):
    value = sum(map(ord, name)) % 256
    buf = io.BytesIO()
    Image.new("L", (4, 3), value).save(buf, fmt)
    return buf.getvalue(), value


def _fmt(name):
    ext = name.rsplit(".", 1)[1].lower()
    return {"png": "PNG", "jpg": "JPEG", "bmp": "BMP", "txt": None}[ext]


def _members(prefix=""):
    out = {}
    for cls, names in LAYOUT.items():
        for name in names:
            fmt = _fmt(name)
            out[f"{prefix}{cls}/{name}"] = _image_bytes(cls + name, fmt)[0] if fmt else b"t"
    return out


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    for rel, payload in _members().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(payload)
    (root / "stray.png").write_bytes(b"")  # files beside the class folders are ignored
    return root


@pytest.fixture
def zipped(tmp_path):
    path = tmp_path / "imgs.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, payload in _members("train/").items():
            zf.writestr(rel, payload)
        zf.writestr("val/other/q.png", _image_bytes("q", "PNG")[0])
    return path


def _check(ds, base, sep):
    assert ds.classes == ["cat", "dog", "emu"]
    assert ds.class_to_idx == {"cat": 0, "dog": 1, "emu": 2}
    expected = [(base + sep + cls + sep + name.replace("/", sep), ds.class_to_idx[cls])
                for cls, name in EXPECTED]
    assert ds.samples == expected and ds.imgs is ds.samples
    assert ds.targets == [0, 0, 0, 1, 1, 2] and len(ds) == 6
    img, target = ds[2]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (4, 3)
    assert np.asarray(img)[0, 0, 0] == _image_bytes("catsub/c.png", "PNG")[1]
    assert target == 0


def test_image_folder_from_directory(tree):
    _check(ImageFolder(tree), str(tree), os.sep)


def test_image_folder_from_zip_with_prefix(zipped):
    _check(ImageFolder(str(zipped) + "/train"), str(zipped) + "/train", "/")


def test_image_folder_from_zip_root(tmp_path):
    path = tmp_path / "flat.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, payload in _members().items():
            zf.writestr(rel, payload)
    _check(ImageFolder(path), str(path), "/")


def test_zip_dataset_survives_pickling(zipped):
    ds = ImageFolder(str(zipped) + "/train", transform=np.asarray)
    first = ds[0][0]
    clone = pickle.loads(pickle.dumps(ds))
    np.testing.assert_array_equal(clone[0][0], first)


def test_transforms_and_custom_loader(tree):
    seen = []

    def loader(path):
        seen.append(path)
        return os.path.basename(path)

    ds = DatasetFolder(tree, loader, extensions=(".png",), transform=str.upper,
                       target_transform=lambda t: -t, allow_empty=True)
    assert [os.path.basename(p) for p, _ in ds.samples] == ["a.png", "b.png", "c.png", "z.PNG"]
    assert ds[3] == ("Z.PNG", -1) and seen == [ds.samples[3][0]]


def test_is_valid_file(tree):
    ds = ImageFolder(tree, is_valid_file=lambda p: p.endswith(".txt"), allow_empty=True)
    assert [os.path.basename(p) for p, _ in ds.samples] == ["x.txt"]
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes dog, emu"):
        ImageFolder(tree, is_valid_file=lambda p: p.endswith(".txt"))


def test_empty_class_and_extension_message(tree):
    with pytest.raises(FileNotFoundError, match=r"classes emu\. Supported extensions are: .png"):
        DatasetFolder(tree, str, extensions=".png")
    ds = DatasetFolder(tree, str, extensions=".png", allow_empty=True)
    assert ds.classes == ["cat", "dog", "emu"] and set(ds.targets) == {0, 1}


def test_argument_errors(tree, tmp_path):
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        DatasetFolder(tree, str, extensions=".png", is_valid_file=bool)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        DatasetFolder(tree, str)
    with pytest.raises(FileNotFoundError, match="Dataset folder not found"):
        ImageFolder(tmp_path / "missing")
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "a.png").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        ImageFolder(tmp_path / "flat")
    with pytest.raises(ValueError, match="class_to_idx"):
        DatasetFolder.make_dataset(str(tree), None, extensions=".png")


def test_module_level_helpers(tree, zipped):
    assert find_classes(tree) == find_classes(str(zipped) + "/train")
    assert find_classes(zipped)[0] == ["train", "val"]
    samples = make_dataset(str(zipped) + "/val", extensions=(".png",))
    assert samples == [(str(zipped) + "/val/other/q.png", 0)]


def test_find_classes_override(tree):
    class Reversed(ImageFolder):
        def find_classes(self, directory):
            classes = sorted(os.listdir(directory), reverse=True)
            classes.remove("stray.png")
            return classes, {c: i for i, c in enumerate(classes)}

    ds = Reversed(tree)
    assert ds.class_to_idx == {"emu": 0, "dog": 1, "cat": 2}
    assert ds.targets == [2, 2, 2, 1, 1, 0]
