"""VisionDataset: the base of the image datasets (root, transforms, a readable repr)."""

import os

from ...utils.data.dataset import Dataset


class StandardTransform:
    """Applies `transform` to the input and `target_transform` to the target."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def __repr__(self):
        lines = [type(self).__name__]
        for label, fn in (("Transform", self.transform),
                          ("Target transform", self.target_transform)):
            if fn is not None:
                body = repr(fn).splitlines()
                lines.append(f"{label}: {body[0]}")
                lines.extend(" " * (len(label) + 2) + line for line in body[1:])
        return "\n".join(lines)


class VisionDataset(Dataset):
    """Base class of the image datasets.

    Args:
        root: the dataset's folder (``~`` is expanded in strings).
        transforms: a callable on ``(input, target)`` returning both, transformed.
        transform: a callable on the input alone (a PIL image for most datasets).
        target_transform: a callable on the target alone.
        Give either `transforms` or the other two, not both.
    """

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        separate = transform is not None or target_transform is not None
        if transforms is not None and separate:
            raise ValueError("Pass either transforms or transform/target_transform, not both")
        self.transform = transform
        self.target_transform = target_transform
        if separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} does not implement __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement __len__")

    def extra_repr(self):
        """Dataset-specific lines for the repr (the split, say)."""
        return ""

    def __repr__(self):
        lines = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            lines.append(f"Root location: {self.root}")
        lines += self.extra_repr().splitlines()
        if self.transforms is not None:
            lines += repr(self.transforms).splitlines()
        pad = " " * self._repr_indent
        return "\n".join([f"Dataset {type(self).__name__}"] + [pad + line for line in lines])
