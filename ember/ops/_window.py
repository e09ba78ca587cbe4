"""Sliding-window helpers shared by convolution and pooling (raw arrays, numpy or cupy).

Everything works on 4-D arrays (N, C, H, W); the 1-D ops run as 2-D ones with H == 1. A
window view is an ``as_strided`` view (N, C, KH, KW, OH, OW) over the (padded) input: slicing
``view[:, :, i, j]`` gives the input elements that kernel offset (i, j) meets at every output
position, so convolution (im2col) and pooling become a few large array calls.
"""

import numpy as np

from .. import backend


def pair(value, n, name, fn):
    """Normalize an int or a sequence of n ints (a 1-sequence is repeated) to an n-tuple."""
    if isinstance(value, (tuple, list)):
        vals = tuple(value)
        if len(vals) == 1:
            vals = vals * n
        if len(vals) != n:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {n} values to "
                f"match the {fn} dimensions, but got {name}={list(vals)}"
            )
    else:
        vals = (value,) * n
    out = []
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, int):
            try:
                v = int(v.__index__())
            except AttributeError:
                raise TypeError(f"{fn}(): {name} must be an int or a tuple of ints, "
                                f"got {type(v).__name__}") from None
        out.append(v)
    return tuple(out)


def out_size(size, k, s, pad_total, d, ceil_mode=False, pad_left=0):
    """Number of window positions along one axis (PyTorch's rule, ceil_mode included)."""
    span = size + pad_total - d * (k - 1) - 1
    if span < 0:
        return 0
    if not ceil_mode:
        return span // s + 1
    n = -(-span // s) + 1
    # the last window must start inside the input or its left padding
    if (n - 1) * s >= size + pad_left:
        n -= 1
    return n


def strided(a, shape, strides, offset=0):
    """A view of `a`'s memory with the given shape and byte strides, from element `offset`.

    numpy.ndarray(buffer=...) costs a third of as_strided (which matters at small sizes);
    as_strided remains the route for non-contiguous numpy arrays and for cupy.
    """
    if a.__class__ is np.ndarray and a.flags.c_contiguous:
        return np.ndarray(shape, a.dtype, buffer=a, offset=offset * a.itemsize,
                          strides=strides)
    xp = backend.array_module(a)
    base = a.reshape(-1)[offset:] if offset else a
    return xp.lib.stride_tricks.as_strided(base, shape, strides)


def windows(a, kernel, stride, dilation, out):
    """The (N, C, KH, KW, OH, OW) strided view of a 4-D array's sliding windows (no copy)."""
    s0, s1, s2, s3 = a.strides
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    shape = (a.shape[0], a.shape[1], kh, kw, oh, ow)
    strides = (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw)
    if a.__class__ is np.ndarray and a.flags.c_contiguous:
        return np.ndarray(shape, a.dtype, buffer=a, strides=strides)
    xp = backend.array_module(a)
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


def offset_view(a, i, j, stride, dilation, out):
    """The (N, C, OH, OW) strided slice of `a` that kernel offset (i, j) meets."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out
    r, c = i * dh, j * dw
    return a[:, :, r:r + sh * (oh - 1) + 1:sh, c:c + sw * (ow - 1) + 1:sw]


def overlapping(kernel, stride, dilation):
    """True when neighbouring windows share input elements (col2im must then accumulate)."""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


def pad4(a, pads, value=0):
    """Copy a 4-D array into a larger one filled with `value`; pads = (top, bottom, left, right)."""
    t, b, left, r = pads
    if not (t or b or left or r):
        return a
    xp = backend.array_module(a)
    n, c, h, w = a.shape
    out = xp.empty((n, c, h + t + b, w + left + r), a.dtype)
    if value == 0:
        # only the border needs filling: cheaper than zeroing the whole buffer first
        out[:, :, :t] = 0
        out[:, :, t + h:] = 0
        out[:, :, t:t + h, :left] = 0
        out[:, :, t:t + h, left + w:] = 0
    else:
        out.fill(value)
    out[:, :, t:t + h, left:left + w] = a
    return out


def crop4(a, pads, shape):
    """Undo pad4: the (H, W) interior of a padded array (a view)."""
    t, _, left, _ = pads
    h, w = shape[2], shape[3]
    if a.shape[2] == h and a.shape[3] == w:
        return a
    return a[:, :, t:t + h, left:left + w]


def im2col(a, kernel, stride, dilation, out):
    """Contiguous (N, C*KH*KW, OH*OW) patch matrix of a padded 4-D array (one copy)."""
    xp = backend.array_module(a)
    n, c = a.shape[:2]
    (kh, kw), (oh, ow) = kernel, out
    if kh == kw == 1 and stride == (1, 1) and a.shape[2:] == out:
        return xp.ascontiguousarray(a).reshape(n, c, oh * ow)  # 1x1 conv: no patches to build
    cols = xp.ascontiguousarray(windows(a, kernel, stride, dilation, out))
    return cols.reshape(n, c * kh * kw, oh * ow)


def col2im(cols, shape, kernel, stride, dilation, out, acc=None):
    """Sum patch gradients (N, C*KH*KW, OH*OW) back into a 4-D array of `shape`.

    Overlapping windows accumulate with one strided add per kernel offset (KH*KW calls, each
    over the whole batch); non-overlapping ones are written with a single assignment. With
    `acc` (a zeroed array of `shape`) the result is written there instead of a new array.
    """
    xp = backend.array_module(cols)
    n, c = shape[:2]
    (kh, kw), (oh, ow) = kernel, out
    if kh == kw == 1 and stride == (1, 1) and shape[2:] == out:
        if acc is None:
            return cols.reshape(shape)
        acc[...] = cols.reshape(shape)
        return acc
    cols = cols.reshape(n, c, kh, kw, oh, ow)
    if not overlapping(kernel, stride, dilation):
        covered = all(s * (o - 1) + d * (k - 1) + 1 == size and s == d * (k - 1) + 1 for
                      k, s, d, o, size in zip(kernel, stride, dilation, out, shape[2:]))
        res = acc
        if res is None:
            res = xp.empty(shape, cols.dtype) if covered else xp.zeros(shape, cols.dtype)
        windows(res, kernel, stride, dilation, out)[...] = cols
        return res
    res = xp.zeros(shape, cols.dtype) if acc is None else acc
    for i in range(kh):
        for j in range(kw):
            v = offset_view(res, i, j, stride, dilation, out)
            xp.add(v, cols[:, :, i, j], out=v)
    return res
