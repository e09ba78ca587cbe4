"""Image grids: make_grid tiles a batch of images into one, save_image writes it with Pillow."""

import math
import os
import secrets

import numpy as np
from PIL import Image

from ..backend import array_module
from .transforms._image import is_tensor, wrap

__all__ = ["make_grid", "save_image"]


def _as_batch(tensor):
    """The images as one (N, C, H, W) array; single-channel images become three-channel."""
    if is_tensor(tensor):
        x = tensor._data
    elif isinstance(tensor, (list, tuple)):
        if not tensor:
            raise ValueError("make_grid needs at least one image, got an empty list")
        for t in tensor:
            if not is_tensor(t):
                raise TypeError(
                    f"tensor or list of tensors expected, got a list containing {type(t)}"
                )
        shapes = {tuple(t._data.shape) for t in tensor}
        if len(shapes) != 1:
            raise ValueError(f"all images must have the same shape, got {sorted(shapes)}")
        xp = array_module(tensor[0]._data)
        x = xp.stack([t._data for t in tensor])
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    xp = array_module(x)
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise ValueError(
            f"make_grid expects images of shape (H, W), (C, H, W) or (N, C, H, W), "
            f"got shape {tuple(x.shape)}"
        )
    if x.shape[1] == 1:
        x = xp.concatenate((x, x, x), axis=1)
    return x


def _rescale(x, value_range, scale_each):
    """Clamp to value_range (default: the data's min and max) and map it onto [0, 1]."""
    xp = array_module(x)
    if x.dtype.kind != "f":
        raise TypeError(f"make_grid(normalize=True) needs a floating-point tensor, got {x.dtype}")
    if value_range is not None:
        if not isinstance(value_range, tuple) or len(value_range) != 2:
            raise TypeError(
                "value_range has to be a tuple (min, max) if specified. min and max are numbers"
            )
        low = xp.asarray(value_range[0], dtype=x.dtype)
        high = xp.asarray(value_range[1], dtype=x.dtype)
    elif scale_each:
        low = x.min(axis=(1, 2, 3), keepdims=True)
        high = x.max(axis=(1, 2, 3), keepdims=True)
    else:
        low, high = x.min(), x.max()
    out = xp.clip(x, low, high)
    out -= low
    out /= xp.maximum(high - low, x.dtype.type(1e-5))
    return out


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Tile images (a (N, C, H, W) tensor or a list of (C, H, W) tensors) into one image.

    Args:
        nrow: images per row; the grid has ceil(N / nrow) rows.
        padding: pixels of `pad_value` around and between the images.
        normalize: rescale values to [0, 1] using value_range, or the data's min and max.
        scale_each: with normalize, rescale every image by its own min and max.
    Returns:
        a (C, H', W') tensor (a single image comes back without padding).
    """
    if not isinstance(nrow, int) or nrow <= 0:
        raise ValueError(f"nrow must be a positive int, got {nrow!r}")
    if not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be a non-negative int, got {padding!r}")
    x = _as_batch(tensor)
    if normalize:
        x = _rescale(x, value_range, scale_each)
    if x.shape[0] == 1:
        return wrap(x[0].copy())
    xp = array_module(x)
    n, c, h, w = x.shape
    cols = min(nrow, n)
    rows = int(math.ceil(n / cols))
    cell_h, cell_w = h + padding, w + padding
    # Lay the images out in cells of (h + padding, w + padding) whose top-left holds the image;
    # one outer band of padding on the top and left then completes the frame.
    cells = xp.full((rows * cols, c, cell_h, cell_w), pad_value, dtype=x.dtype)
    cells[:n, :, :h, :w] = x
    body = cells.reshape(rows, cols, c, cell_h, cell_w).transpose(2, 0, 3, 1, 4)
    grid = xp.full((c, rows * cell_h + padding, cols * cell_w + padding), pad_value,
                   dtype=x.dtype)
    grid[:, padding:, padding:] = body.reshape(c, rows * cell_h, cols * cell_w)
    return wrap(grid)


def _to_uint8_hwc(grid):
    x = grid if isinstance(grid, np.ndarray) else grid.get()
    if x.dtype == np.uint8:
        out = x
    elif x.dtype.kind == "f":
        # +0.5 before truncation rounds to the nearest of the 256 levels.
        out = np.clip(x * 255 + 0.5, 0, 255).astype(np.uint8)
    else:
        raise TypeError(f"save_image needs a float tensor in [0, 1] or a uint8 tensor, "
                        f"got {x.dtype}")
    if out.shape[0] not in (1, 2, 3, 4):
        raise ValueError(
            f"save_image can write images with 1, 2, 3 or 4 channels, got {out.shape[0]} "
            f"(grid shape {tuple(out.shape)})"
        )
    out = out.transpose(1, 2, 0)
    return np.ascontiguousarray(out[:, :, 0] if out.shape[2] == 1 else out)


def _format_for(path, format):
    if format is not None:
        return format
    ext = os.path.splitext(path)[1].lower()
    fmt = Image.registered_extensions().get(ext)
    if fmt is None:
        raise ValueError(f"unknown file extension {ext!r} for {path!r}: "
                         "pass format= (for example 'PNG') or use a name ending in .png")
    return fmt


def save_image(tensor, fp, format=None, **kwargs):
    """Write images as one image file (a grid when several), via make_grid and Pillow.

    Args:
        fp: a path (written atomically: a temporary file renamed into place) or a file object.
        format: Pillow's format name; by default taken from the file extension.
        kwargs: make_grid's arguments (nrow, padding, normalize, value_range, ...).
    """
    grid = make_grid(tensor, **kwargs)
    image = Image.fromarray(_to_uint8_hwc(grid._data))
    if not isinstance(fp, (str, bytes, os.PathLike)):
        image.save(fp, format=format)
        return
    path = os.fsdecode(fp)
    fmt = _format_for(path, format)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save image to {path!r}: folder {folder!r} does not exist")
    # Write beside the target and rename into place, so readers never see half a file.
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "xb") as f:
            image.save(f, format=fmt)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
