"""VisionDataset: transforms plumbing and the repr."""

import pytest

from ember.utils.data import Dataset
from ember.vision.datasets import StandardTransform, VisionDataset


class Tiny(VisionDataset):
    def __init__(self, **kwargs):
        super().__init__("~/somewhere", **kwargs)

    def __getitem__(self, index):
        img, target = index * 10, index
        if self.transforms is not None:
            img, target = self.transforms(img, target)
        return img, target

    def __len__(self):
        return 3

    def extra_repr(self):
        return "Split: Tiny"


def test_transform_pairs_and_repr():
    ds = Tiny(transform=lambda x: x + 1, target_transform=lambda t: -t)
    assert isinstance(ds, Dataset) and ds[2] == (21, -2)
    assert isinstance(ds.transforms, StandardTransform)
    assert not ds.root.startswith("~")
    text = repr(ds)
    assert text.startswith("Dataset Tiny\n    Number of datapoints: 3\n    Root location: ")
    assert "    Split: Tiny" in text and "    Transform: <function" in text
    assert Tiny(transforms=lambda x, t: (t, x))[2] == (2, 20)


def test_transforms_and_transform_are_exclusive():
    with pytest.raises(ValueError, match="either transforms or transform"):
        Tiny(transforms=lambda x, t: (x, t), transform=abs)


def test_base_methods_must_be_overridden():
    with pytest.raises(NotImplementedError, match="VisionDataset"):
        len(VisionDataset("r"))
