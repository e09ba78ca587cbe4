"""The transform protocol, Compose and Lambda."""


class Transform:
    """Base of the class transforms: calling one runs its ``forward``."""

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, img):
        """Apply the transform (subclasses override this)."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def __repr__(self):
        return f"{type(self).__name__}()"


class Compose(Transform):
    """Apply several transforms one after the other."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    forward = __call__

    def __repr__(self):
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class Lambda(Transform):
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    forward = __call__
