"""Conversions between PIL images, numpy arrays and ember tensors (the functional forms)."""

import numpy as np
from PIL import Image

from ... import dtypes
from ._array_color import convert_dtype
from ._image import is_pil, is_tensor, wrap

# PIL modes whose pixels are not 8-bit; everything else converts through uint8.
_WIDE_MODES = {"I": np.int32, "I;16": np.int16, "I;16B": np.int16, "I;16L": np.int16,
               "F": np.float32}


def _float_image(hwc_uint8):
    """(H, W, C) uint8 -> (C, H, W) default-float tensor in [0, 1], in one pass."""
    h, w, c = hwc_uint8.shape
    ftype = dtypes.get_default_dtype().np
    out = np.empty((c, h, w), dtype=ftype)
    np.divide(hwc_uint8.transpose(2, 0, 1), ftype.type(255), out=out)
    return wrap(out)


def to_tensor(pic):
    """PIL image or (H, W[, C]) ndarray -> (C, H, W) tensor; uint8 data is scaled to [0, 1]."""
    if is_pil(pic):
        wide = _WIDE_MODES.get(pic.mode)
        arr = np.asarray(pic)
        if wide is not None:
            arr = arr.astype(wide)
        elif pic.mode == "1":
            arr = arr.astype(np.uint8) * np.uint8(255)
        if arr.ndim == 2:
            arr = arr[:, :, None]
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if arr.dtype == np.uint8:
        return _float_image(arr)
    return wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def pil_to_tensor(pic):
    """PIL image -> (C, H, W) tensor with the image's own integer type (no scaling)."""
    if not is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.asarray(pic)
    if arr.dtype == np.uint16 or arr.dtype.byteorder == ">":
        arr = arr.astype(np.int32)  # ember has no uint16; int32 holds every value
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def _host(array):
    return array if isinstance(array, np.ndarray) else array.get()


def _float_to_bytes(arr):
    # Truncate toward zero like torchvision's cast; going through int64 makes values outside
    # [0, 1] wrap the same way on every platform (a direct float->uint8 cast is undefined).
    return (arr * 255).astype(np.int64).astype(np.uint8)


_MODES_BY_CHANNELS = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}


def to_pil_image(pic, mode=None):
    """(C, H, W) tensor or (H, W, C) ndarray -> PIL image; floats are scaled by 255 (unless
    mode is 'F')."""
    if is_tensor(pic):
        arr = _host(pic._data)
        if arr.ndim == 3:
            arr = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        arr = pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
    if arr.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-1]} channels.")
    if arr.dtype.kind == "f" and mode != "F":
        arr = _float_to_bytes(arr)

    channels = arr.shape[2]
    if channels == 1:
        arr = arr[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(arr.dtype)
        if mode is not None and mode != expected:
            raise ValueError(
                f"Incorrect mode ({mode}) supplied for input type {arr.dtype}. "
                f"Should be {expected}"
            )
        mode = expected
    else:
        allowed = _MODES_BY_CHANNELS[channels]
        if mode is not None and mode not in allowed:
            raise ValueError(f"Only modes {allowed} are supported for {channels}D inputs")
        if mode is None and arr.dtype == np.uint8:
            mode = allowed[0]
    if mode is None:
        raise TypeError(f"Input type {arr.dtype} is not supported")
    if arr.dtype == np.int16:
        arr = arr.astype("<i2")  # 'I;16' is little-endian 16-bit
    if channels > 1 and arr.dtype != np.uint8:
        raise TypeError(f"Input type {arr.dtype} is not supported for {channels} channels")
    arr = np.ascontiguousarray(arr)
    h, w = arr.shape[:2]
    return Image.frombytes(mode, (w, h), arr.tobytes())


def convert_image_dtype(image, dtype=None):
    """Convert a tensor image to `dtype`, rescaling values (floats live in [0, 1])."""
    if not is_tensor(image):
        raise TypeError(f"Input img should be Tensor Image, got {type(image).__name__}")
    target = dtypes.float32 if dtype is None else dtypes.to_dtype(dtype)
    out = convert_dtype(image._data, target.np)
    return image if out is image._data else wrap(out)
