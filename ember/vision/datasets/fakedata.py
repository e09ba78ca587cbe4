"""FakeData: random images with random labels, the same ones for the same index every time."""

import numpy as np
from PIL import Image

from .vision import VisionDataset

_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


class FakeData(VisionDataset):
    """A dataset of `size` random PIL images of shape `image_size` (C, H, W).

    Sample ``i`` is drawn from its own generator seeded with ``i + random_offset``, so it is
    the same on every access and in every worker process, and the global random state is
    left untouched.

    Args:
        size: number of samples.
        image_size: (channels, height, width); channels 1, 3 or 4.
        num_classes: labels are drawn from ``range(num_classes)``.
        transform, target_transform: applied to the image and to the label.
        random_offset: shifts the seeds, giving a different set of samples.
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        image_size = tuple(int(s) for s in image_size)
        if len(image_size) != 3 or image_size[0] not in _MODES or min(image_size) < 1:
            raise ValueError(f"image_size must be (channels, height, width) with 1, 3 or 4 "
                             f"channels and positive sides, got {image_size}")
        if size < 0:
            raise ValueError(f"size must be non-negative, got {size}")
        if num_classes < 1:
            raise ValueError(f"num_classes must be positive, got {num_classes}")
        self.size = int(size)
        self.image_size = image_size
        self.num_classes = int(num_classes)
        self.random_offset = int(random_offset)

    def __getitem__(self, index):
        if not -self.size <= index < self.size:
            raise IndexError(f"{type(self).__name__} index {index} is out of range "
                             f"for {self.size} samples")
        index %= self.size
        rng = np.random.default_rng(index + self.random_offset)
        channels, height, width = self.image_size
        pixels = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
        img = Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels)  # mode from shape
        target = int(rng.integers(0, self.num_classes))
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return self.size
