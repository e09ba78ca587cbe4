"""Patch matrices for convolution, built a cache-sized chunk of the batch at a time.

Why chunks: a whole-batch patch matrix is KH*KW times the input (30 MB for a 128x3x32x32
batch and a 5x5 kernel), so building it, multiplying it and summing gradients back out of it
all stream through main memory. Built for a few images at a time, it stays in the CPU cache
between the copy and the GEMM that consumes it; the backward rebuilds it rather than keep
30 MB alive. On the GPU the chunk is the whole batch (one big GEMM is what it wants).

Why "wide" windows: for stride 1, output row y of a window at kernel offset (i, j) reads
input row y + i*dh starting at column j*dw. Taking every output position over the full padded
width Wp (not just the OW valid ones) makes all the rows of one (channel, offset) pair one
contiguous run of OH*Wp elements, so im2col copies and col2im adds move long runs instead of
OW-element pieces. The Wp - OW extra columns per row are garbage in the forward (dropped) and
are fed zero gradients in the backward, so they add nothing.
"""

import math
import os
import sys
import threading

import numpy as np

from .. import backend
from ._parallel import get_num_threads
from ._util import matmul_raw
from ._window import col2im, crop4, pad4, strided, windows

# Patch-matrix elements per chunk: about 1 MB of float32, well inside a core's L2 cache.
CHUNK_ELEMENTS = 1 << 18
# Threaded calls: every chunk costs the workers a few GIL hand-offs (tens of microseconds
# each on this 2-core VM), which outweigh cache residency: LeNet's convolutions at batch 128
# ran fastest in two chunks per thread (measured 1.35-1.45x over the serial cache-sized
# chunks; 16 chunks per thread were slower than serial). Threads start at THREAD_MIN_ELEMENTS
# patch elements (below, the hand-offs cost more than a second core gains) and chunks stay
# under THREAD_CHUNK_ELEMENTS.
THREAD_MIN_ELEMENTS = 1 << 20
THREAD_CHUNK_ELEMENTS = 1 << 21


# Scratch buffers start on a cache-line boundary: GEMMs and copies on 16-byte-aligned
# buffers (what malloc gives) measured up to 15% slower than on 64-byte-aligned ones.
_ALIGN = 64


def _aligned(raw, start, shape, dtype):
    """The `shape` array of `dtype` at byte `start` of `raw` (a view whose base is `raw`:
    every array derived from it keeps `raw` referenced)."""
    size = dtype.itemsize
    for d in shape:
        size *= d
    return raw[start:start + size].view(dtype).reshape(shape)


class _ScratchPool:
    """Reusable host buffers for convolution temporaries.

    Why: a step allocates and frees the same few megabyte-sized temporaries every time, and
    glibc hands such blocks back to the OS and faults them in again (hundreds of page faults
    per LeNet step, measured). The pool keeps the raw byte blocks; a block is reused only when
    nothing but this pool refers to it (checked with its reference count, under a lock, so
    two threads never share one; every view handed out, and every view of those, has the
    block as its base). Buffers are keyed by a tag that states what the caller relies on
    (e.g. zero padding that it never writes), so a reused buffer always still satisfies it.
    """

    per_key = 2
    max_keys = 64

    def __init__(self):
        self._free = {}
        self._lock = threading.Lock()

    def get(self, key, shape, dtype, zero):
        """A buffer of `shape` for `key`: zeroed when new (zero=True), else uninitialized."""
        with self._lock:
            raws = self._free.get(key)
            if raws is None:
                if len(self._free) >= self.max_keys:
                    self._free.clear()
                raws = self._free[key] = []
            for raw, start in raws:
                # referents: the (raw, start) pair, `raw`, and getrefcount's argument
                if sys.getrefcount(raw) == 3:
                    return _aligned(raw, start, shape, dtype)
            nbytes = dtype.itemsize * math.prod(shape) + _ALIGN
            raw = np.zeros(nbytes, np.uint8) if zero else np.empty(nbytes, np.uint8)
            start = -raw.ctypes.data % _ALIGN
            if len(raws) < self.per_key:
                raws.append((raw, start))
            return _aligned(raw, start, shape, dtype)

    def reset(self):
        """Forget every buffer and make a fresh lock (in a forked child)."""
        self._free = {}
        self._lock = threading.Lock()


_POOL = _ScratchPool()
if hasattr(os, "register_at_fork"):  # a lock held by a parent's thread stays held
    os.register_at_fork(after_in_child=_POOL.reset)


def scratch(xp, tag, shape, dtype, zero=False):
    """A temporary buffer: pooled on the CPU (see _ScratchPool), fresh on the GPU.

    With zero=True the buffer is zero when first made; callers that reuse it must only rely
    on regions they never write (and say which in `tag`).
    """
    if xp is not np:
        return xp.zeros(shape, dtype) if zero else xp.empty(shape, dtype)
    shape = tuple(shape)
    dtype = np.dtype(dtype)
    return _POOL.get((tag, shape, dtype), shape, dtype, zero)


def matmul_into(a, b, out):
    """a @ b written into `out` (numpy's out= where available, else a copy)."""
    if out.__class__ is np.ndarray and a.__class__ is np.ndarray:
        return np.matmul(a, b, out=out)
    out[...] = matmul_raw(a, b)
    return out


class Patches:
    """How to build (N, C*KH*KW, L) patch matrices for one convolution geometry."""

    def __init__(self, x4, pads, kernel, stride, dilation, out):
        n, c, h, w = x4
        t, b, left, r = pads
        self.x4, self.pads, self.kernel = x4, pads, kernel
        self.stride, self.dilation, self.out = stride, dilation, out
        self.hp, self.wp = h + t + b, w + left + r
        self.k = c * kernel[0] * kernel[1]
        oh, ow = out
        self.identity = kernel == (1, 1) and stride == (1, 1) and not any(pads)
        # wide windows only pay off when the wasted columns are a modest fraction
        self.wide = (not self.identity and stride == (1, 1) and ow > 0
                     and self.wp <= 2 * ow)
        self.cols_per_image = oh * self.wp if self.wide else oh * ow
        self.tail = (kernel[1] - 1) * dilation[1] if self.wide else 0

    def plan(self, xp):
        """(images per chunk, run the chunks on the thread pool?, images per block).

        Blocks are the serial, cache-sized chunks; a threaded chunk is a run of whole
        blocks, and partial sums are formed per block, so that the result does not depend
        on the thread count.
        """
        n = self.x4[0]
        if xp is not np or n <= 1:
            return max(n, 1), False, max(n, 1)
        total = n * self.k * self.cols_per_image
        pieces = -(-total // CHUNK_ELEMENTS)
        # slightly over the target: one chunk beats two half-empty ones
        block = n if pieces <= 2 else -(-n // pieces)
        threads = get_num_threads()
        if threads > 1 and total >= THREAD_MIN_ELEMENTS and block < n:
            pieces = threads * max(2, -(-total // (threads * THREAD_CHUNK_ELEMENTS)))
            step = -(-n // min(pieces, n))
            return -(-step // block) * block, True, block
        return block, False, block

    # ---------------------------------------------------------------- forward side
    def source(self, x4):
        """The array patches are read from: the input, or a padded (wide: flat) copy."""
        if self.identity:
            return x4
        if not self.wide:
            return pad4(x4, self.pads)
        xp = backend.array_module(x4)
        n, c = x4.shape[:2]
        plane = self.hp * self.wp
        flat = scratch(xp, "source", (n * c * plane + self.tail,), x4.dtype)
        flat[n * c * plane:] = 0
        body = flat[:n * c * plane].reshape(n, c, self.hp, self.wp)
        t, b, left, r = self.pads
        h, w = x4.shape[2:]
        if t or b or left or r:
            body[:, :, :t] = 0
            body[:, :, t + h:] = 0
            body[:, :, t:t + h, :left] = 0
            body[:, :, t:t + h, left + w:] = 0
        body[:, :, t:t + h, left:left + w] = x4
        return flat

    def _wide_view(self, flat, n0, nb):
        """(nb, C, KH, KW, OH*Wp) view of the wide windows of images n0..n0+nb."""
        c = self.x4[1]
        plane = self.hp * self.wp
        e = flat.itemsize
        (kh, kw), (dh, dw) = self.kernel, self.dilation
        return strided(flat, (nb, c, kh, kw, self.out[0] * self.wp),
                       (c * plane * e, plane * e, dh * self.wp * e, dw * e, e),
                       n0 * c * plane)

    def cols(self, src, n0, nb, buf):
        """Fill buf (nb, K, L) with the patch matrices of images n0..n0+nb and return it."""
        if self.identity:
            return src[n0:n0 + nb].reshape(nb, self.k, self.cols_per_image)
        if self.wide:
            view = self._wide_view(src, n0, nb)
        else:
            view = windows(src[n0:n0 + nb], self.kernel, self.stride, self.dilation, self.out)
        xp = backend.array_module(buf)
        xp.copyto(buf.reshape(view.shape), view)
        return buf

    def rows(self, src, n0, nb, buf):
        """Wide only: fill buf (nb, C*KH, L + tail) with the input runs that kernel row i of
        channel c reads, and return it. Kernel column j's (C*KH, L) patch rows are then the
        view [..., j*dw : j*dw + L], so KW GEMMs replace a KW times larger patch copy."""
        c = self.x4[1]
        plane = self.hp * self.wp
        e = src.itemsize
        kh, dh = self.kernel[0], self.dilation[0]
        view = strided(src, (nb, c, kh, self.cols_per_image + self.tail),
                       (c * plane * e, plane * e, dh * self.wp * e, e), n0 * c * plane)
        xp = backend.array_module(buf)
        xp.copyto(buf.reshape(view.shape), view)
        return buf

    # ---------------------------------------------------------------- backward side
    # Wide layout of the input-gradient side: the patch gradients of a chunk are kept as
    # (K, row) rows, image n's L values at [front + n*seg + lead, ... + L) and zeros in the
    # `lead` gaps before each image, between images and at the end, with seg >= L + lead =
    # Hp*Wp + tail (the accumulator's per-image length, rounded up to a cache line; `front`
    # aligns the data runs the GEMM writes). Then for every kernel offset the contributions
    # to a whole chunk, all images in a row, are one contiguous run shifted by that offset,
    # and col2im is a single sum over long runs (rather than over per-image pieces of Hp*Wp
    # elements). The accumulator is laid out (C, N, seg) to match; its last seg - Hp*Wp
    # positions per image collect garbage that input_grad drops.
    def _layout(self, itemsize):
        """(seg, front) of the wide layout above for elements of `itemsize` bytes."""
        unit = max(1, 64 // itemsize)
        lead = self._lead()
        seg = self.hp * self.wp + self.tail
        seg += -seg % unit
        front = -lead % unit
        return seg, front

    def grad_buffer(self, xp, dtype):
        """Accumulator for the input gradient: (C, N*seg) wide, else a zeroed (N, C, Hp, Wp).

        Wide, every element is written by `scatter`, so it needs no zeroing.
        """
        n, c = self.x4[:2]
        if self.wide:
            seg = self._layout(np.dtype(dtype).itemsize)[0]
            return scratch(xp, "acc", (c, n * seg), dtype)
        return xp.zeros((n, c, self.hp, self.wp), dtype)

    def _lead(self):
        """Wide patch-gradient rows carry this many zeros before each image's data (the
        largest kernel-offset shift), so that every shift is a plain strided view."""
        (kh, kw), (dh, dw) = self.kernel, self.dilation
        return (kh - 1) * dh * self.wp + (kw - 1) * dw

    def gcol_buffer(self, xp, m, dtype, worker=0):
        """Buffer for the patch gradients of up to m images (zero gaps when wide, see
        above); `worker` picks a thread's own pooled buffer."""
        if self.wide:
            itemsize = np.dtype(dtype).itemsize
            seg, front = self._layout(itemsize)
            row = front + m * seg + self._lead()
            row += -row % max(1, 64 // itemsize)
            # the GEMM only ever writes the data runs: the gaps stay zero
            return scratch(xp, ("gcols", self._lead(), self.cols_per_image, worker),
                           (self.k, row), dtype, zero=True)
        return scratch(xp, ("gcols", worker), (m, self.k, self.cols_per_image), dtype)

    def gcol_target(self, buf, nb):
        """The (nb, K, L) part of the buffer that the patch-gradient GEMM writes."""
        if self.wide:
            e = buf.itemsize
            seg, front = self._layout(e)
            return strided(buf, (nb, self.k, self.cols_per_image),
                           (seg * e, buf.shape[1] * e, e), front + self._lead())
        return buf[:nb]

    def scatter(self, buf, acc, n0, nb):
        """col2im: sum the patch gradients of images n0..n0+nb into their input positions.

        Wide: position m of the chunk's accumulator run receives, from every kernel offset
        (i, j), the patch gradient at m + lead - shift(i, j) of that offset's row; over the
        zero gaps that is one strided (KH, KW, C, nb*seg) view, summed over its first two
        axes in a single call.
        """
        xp = backend.array_module(buf)
        c = self.x4[1]
        (kh, kw), (dh, dw) = self.kernel, self.dilation
        if self.wide:
            row = buf.shape[1]
            e = buf.itemsize
            seg, front = self._layout(e)
            shifts = strided(buf, (kh, kw, c, nb * seg),
                             ((kw * row - dh * self.wp) * e, (row - dw) * e, kh * kw * row * e,
                              e), front + self._lead())
            xp.sum(shifts, axis=(0, 1), out=acc[:, n0 * seg:(n0 + nb) * seg])
            return
        part = acc[n0:n0 + nb]
        col2im(buf[:nb], part.shape, self.kernel, self.stride, self.dilation, self.out, acc=part)

    def input_grad(self, acc):
        """The (N, C, H, W) input gradient from the accumulator."""
        if self.wide:
            n, c = self.x4[:2]
            seg = self._layout(acc.itemsize)[0]
            planes = acc.reshape(c, n, seg)[:, :, :self.hp * self.wp]
            inner = crop4(planes.reshape(c, n, self.hp, self.wp), self.pads,
                          (c, n) + self.x4[2:])
            return backend.array_module(acc).ascontiguousarray(inner.transpose(1, 0, 2, 3))
        return crop4(acc, self.pads, self.x4)
