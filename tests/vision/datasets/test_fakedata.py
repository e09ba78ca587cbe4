"""FakeData: sizes, modes, determinism per index, offsets, transforms, bad arguments."""

import numpy as np
import pytest
from PIL import Image

from ember.vision.datasets import FakeData


def test_samples_are_deterministic_per_index():
    ds = FakeData(size=5, image_size=(3, 8, 6), num_classes=4)
    img, target = ds[3]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (6, 8)
    again, target_again = FakeData(size=5, image_size=(3, 8, 6), num_classes=4)[3]
    np.testing.assert_array_equal(np.asarray(img), np.asarray(again))
    assert target == target_again and 0 <= target < 4 and type(target) is int
    assert not np.array_equal(np.asarray(ds[2][0]), np.asarray(img))
    np.testing.assert_array_equal(np.asarray(ds[-2][0]), np.asarray(img))


def test_global_random_state_is_untouched():
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    FakeData(2)[1]
    assert np.random.rand() == expected


def test_offset_modes_and_length():
    base = FakeData(size=3, image_size=(1, 4, 4))
    shifted = FakeData(size=3, image_size=(1, 4, 4), random_offset=1)
    np.testing.assert_array_equal(np.asarray(base[1][0]), np.asarray(shifted[0][0]))
    assert base[0][0].mode == "L" and FakeData(1, (4, 2, 2))[0][0].mode == "RGBA"
    assert len(FakeData(7)) == 7
    targets = {FakeData(200, (1, 1, 1), num_classes=3)[i][1] for i in range(200)}
    assert targets == {0, 1, 2}


def test_transforms_and_errors():
    ds = FakeData(2, (3, 2, 2), transform=lambda img: img.size, target_transform=lambda t: -1)
    assert ds[0] == ((2, 2), -1)
    with pytest.raises(IndexError, match="index 2 is out of range for 2 samples"):
        ds[2]
    with pytest.raises(ValueError, match="channels"):
        FakeData(image_size=(2, 4, 4))
    with pytest.raises(ValueError, match="size must be non-negative"):
        FakeData(size=-1)
    with pytest.raises(ValueError, match="num_classes"):
        FakeData(num_classes=0)
