"""Convolutions: conv1d, conv2d, conv_transpose1d, conv_transpose2d.

Each is one graph node over raw arrays. The forward builds the patch matrix with one strided
copy (im2col) and multiplies it by the weight in one batched GEMM laid out
(O, C*KH*KW) @ (N, C*KH*KW, OH*OW), which lands directly in NCHW order. The weight gradient
is the matching batched GEMM summed over the batch, and the input gradient a GEMM plus col2im
(one strided add per kernel offset). 1-D convolutions run as 2-D ones of height 1.
"""

import numpy as np

from .. import backend, dtypes
from ..autograd.function import Op
from ..tensor import Tensor
from ._im2col import Patches, matmul_into, scratch
from ._parallel import parallel_for
from ._util import dispatch, matmul_raw
from ._window import col2im, crop4, im2col, out_size, pad4, pair

# Upper bound (elements) on the per-image weight-gradient products summed at once.
_WGRAD_CHUNK = 1 << 22


class _Geometry:
    """Everything the forward and backward of one convolution call need to know about shapes."""

    __slots__ = ("xs", "ws", "x4", "w4", "out4", "out", "kernel", "stride", "dilation", "pads",
                 "groups", "full", "patches")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)


def _wgrad(gm, cols):
    """sum over the batch of gm[n] @ cols[n].T, in chunks that bound the temporary."""
    xp = backend.array_module(gm)
    n = gm.shape[0]
    per = max(gm.size // max(n * gm.shape[-1], 1), 1) * cols.shape[-2]
    step = max(1, _WGRAD_CHUNK // max(per, 1))
    acc = None
    # (K, L) @ (L, O) per image measured faster than (O, L) @ (L, K) with numpy's matmul
    for s in range(0, n, step):
        part = matmul_raw(cols[s:s + step], xp.swapaxes(gm[s:s + step], -1, -2)).sum(0)
        acc = part if acc is None else xp.add(acc, part, out=acc)
    if acc is None:  # empty batch
        return xp.zeros(gm.shape[1:-1] + cols.shape[-2:-1], gm.dtype)
    return xp.swapaxes(acc, -1, -2)


def _run(chunk, starts, threaded):
    """chunk(n0, worker) for every start: on the thread pool, or here in order."""
    if threaded:
        parallel_for(chunk, starts)
    else:
        for n0 in starts:
            chunk(n0, 0)


def _grouped(a, n, groups):
    """View (N, G*X, L) as (N, G, X, L) for grouped GEMMs (unchanged for one group)."""
    if groups == 1:
        return a
    return a.reshape(n, groups, a.shape[1] // groups, a.shape[2])


class Conv(Op):
    """N-d convolution (cross-correlation): patch matrices times the weight, chunk by chunk."""

    def name(self):
        """PyTorch's node name for this op."""
        return "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geo):
        xp = backend.array_module(x)
        n = geo.x4[0]
        o = geo.w4[0]
        groups = geo.groups
        oh, ow = geo.out
        pt = geo.patches
        src = pt.source(x.reshape(geo.x4))
        wm = w.reshape(o, pt.k) if groups == 1 else w.reshape(groups, o // groups, -1)
        out = xp.empty((n, o, oh, ow), x.dtype)
        bias = None if b is None else b.reshape(o, 1, 1)
        kept = None
        if pt.identity:
            matmul_into(wm, _grouped(src.reshape(n, pt.k, -1), n, groups), out.reshape(n, o, -1)
                        if groups == 1 else out.reshape(n, groups, o // groups, -1))
        else:
            step, threaded, _ = pt.plan(xp)
            lx = pt.cols_per_image
            m = min(step, n)

            bufs = {}  # per worker, fetched once per call (pool lookups per chunk cost more)

            def chunk(n0, worker):
                nb = min(step, n - n0)
                colbuf, obuf = bufs.get(worker) or bufs.setdefault(worker, (
                    scratch(xp, ("cols", worker), (m, pt.k, lx), x.dtype),
                    scratch(xp, ("out", worker), (m, o, lx), x.dtype) if pt.wide else None))
                cols = _grouped(pt.cols(src, n0, nb, colbuf[:nb]), nb, groups)
                dst = out[n0:n0 + nb]
                if pt.wide:
                    res = matmul_into(wm, cols, _grouped(obuf[:nb], nb, groups))
                    dst[...] = res.reshape(nb, o, oh, pt.wp)[..., :ow]
                else:
                    matmul_into(wm, cols, _grouped(dst.reshape(nb, o, lx), nb, groups))
                return colbuf

            if step >= n:
                kept = chunk(0, 0) if n else None
            else:
                _run(chunk, range(0, n, step), threaded)
        if bias is not None:
            out += bias
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            # one chunk: keep its patch matrix, the weight gradient needs it again
            ctx.cols = kept if need[1] else None
            ctx.save_for_backward(src if need[1] else None, w if need[0] else None)
            ctx.geo = geo
        return out.reshape(geo.full)

    @staticmethod
    def backward(ctx, grad):
        src, w = ctx.saved_tensors
        kept = ctx.cols
        geo = ctx.geo
        need = ctx.needs_input_grad
        xp = backend.array_module(grad)
        n = geo.x4[0]
        o = geo.w4[0]
        groups = geo.groups
        oh, ow = geo.out
        pt = geo.patches
        g4 = grad.reshape(n, o, oh, ow)
        gx = gw = gb = None
        if need[2]:
            gb = g4.sum(axis=(0, 2, 3))
        if not (need[0] or need[1]):
            return gx, gw, gb, None
        if n == 0:  # empty batch: nothing flows back, but the shapes must still be right
            return (xp.zeros(geo.xs, grad.dtype) if need[0] else None,
                    xp.zeros(geo.ws, grad.dtype) if need[1] else None, gb, None)
        if need[0]:
            wt = w.reshape(o, pt.k).T if groups == 1 else \
                xp.swapaxes(w.reshape(groups, o // groups, -1), -1, -2)
        if pt.identity:
            gm = _grouped(g4.reshape(n, o, -1), n, groups)
            if need[1]:
                gw = _wgrad(gm, _grouped(src.reshape(n, pt.k, -1), n, groups)).reshape(geo.ws)
            if need[0]:
                gx = matmul_raw(wt, gm).reshape(geo.xs)
            return gx, gw, gb, None
        step, threaded, block = pt.plan(xp)
        lx = pt.cols_per_image
        m = min(step, n)
        acc = pt.grad_buffer(xp, grad.dtype) if need[0] else None
        starts = range(0, n, step)
        # weight-gradient partial sums per block of images, combined in block order below:
        # the same additions in the same order whichever thread ran which chunk
        parts = [None] * -(-n // block)
        kw, dw = geo.kernel[1], geo.dilation[1]
        # the weight gradient by kernel column: measured 15-20% faster for LeNet's conv1
        by_column = need[1] and kept is None and pt.wide and groups == 1

        bufs = {}  # per worker, fetched once per call

        def buffers(worker):
            # wide: gradients enter with zeros in the garbage columns, set once per buffer
            # (only columns :ow are ever written, so the pooled buffer's others stay zero)
            return (scratch(xp, ("grad", ow, worker), (m, o, oh, pt.wp), grad.dtype, zero=True)
                    if pt.wide else None,
                    scratch(xp, ("rows", worker), (m, pt.k // kw, lx + pt.tail), grad.dtype)
                    if by_column else
                    scratch(xp, ("cols", worker), (m, pt.k, lx), grad.dtype)
                    if need[1] and kept is None else None,
                    pt.gcol_buffer(xp, m, grad.dtype, worker) if need[0] else None)

        def chunk(n0, worker):
            nb = min(step, n - n0)
            gbuf, colbuf, gcolbuf = bufs.get(worker) or bufs.setdefault(worker, buffers(worker))
            if pt.wide:
                gbuf[:nb, :, :, :ow] = g4[n0:n0 + nb]
                gc = gbuf[:nb].reshape(nb, o, lx)
            else:
                gc = g4[n0:n0 + nb].reshape(nb, o, lx)
            gc = _grouped(gc, nb, groups)
            blocks = range(0, nb, block)
            if need[1] and by_column:
                # one GEMM per kernel column over views of a KW times smaller copy
                rows = pt.rows(src, n0, nb, colbuf[:nb])
                for b0 in blocks:
                    parts[(n0 + b0) // block] = xp.empty((rows.shape[1], kw, o), grad.dtype)
                gct = xp.swapaxes(gc, -1, -2)
                for j in range(kw):
                    prod = matmul_raw(rows[:, :, j * dw:j * dw + lx], gct)
                    for b0 in blocks:
                        xp.sum(prod[b0:b0 + block], axis=0, out=parts[(n0 + b0) // block][:, j])
            elif need[1]:
                cols = kept if kept is not None else pt.cols(src, n0, nb, colbuf[:nb])
                cols = _grouped(cols, nb, groups)
                # (K, L) @ (L, O) per image measured faster than (O, L) @ (L, K) here
                prod = matmul_raw(cols, xp.swapaxes(gc, -1, -2))
                for b0 in blocks:
                    parts[(n0 + b0) // block] = prod[b0:b0 + block].sum(0)
            if need[0]:
                matmul_into(wt, gc, _grouped(pt.gcol_target(gcolbuf, nb), nb, groups))
                pt.scatter(gcolbuf, acc, n0, nb)

        _run(chunk, starts, threaded)
        if need[1]:
            gw = parts[0]
            for part in parts[1:]:
                gw = xp.add(gw, part, out=gw)
            if by_column:
                gw = gw.reshape(pt.k, o)
            gw = xp.swapaxes(gw, -1, -2).reshape(geo.ws)
        if need[0]:
            gx = pt.input_grad(acc).reshape(geo.xs)
        return gx, gw, gb, None


class ConvTranspose(Op):
    """N-d transposed convolution: the input-gradient computation of Conv, run forward."""

    def name(self):
        """PyTorch's node name for this op."""
        return "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geo):
        xp = backend.array_module(x)
        n, cin, h, wd = geo.x4
        groups = geo.groups
        cout = geo.out4[1]
        k = w.size // cin  # (Cout/G)*KH*KW
        xm = x.reshape(n, cin, h * wd)
        if groups == 1:
            cols = matmul_raw(w.reshape(cin, k).T, xm)
        else:
            wm = w.reshape(groups, cin // groups, k)
            cols = matmul_raw(xp.swapaxes(wm, -1, -2), _grouped(xm, n, groups))
        t, bt, left, r = geo.pads
        full = (n, cout, geo.out4[2] + t + bt, geo.out4[3] + left + r)
        out = col2im(cols.reshape(n, groups * k, h * wd), full, geo.kernel, geo.stride,
                     geo.dilation, (h, wd))
        out = crop4(out, geo.pads, geo.out4)
        if out.base is not None and (t or bt or left or r):
            out = xp.ascontiguousarray(out)
        if b is not None:
            out += b.reshape(cout, 1, 1)
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
            ctx.geo = geo
        return out.reshape(geo.full)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        geo = ctx.geo
        need = ctx.needs_input_grad
        n, cin, h, wd = geo.x4
        groups = geo.groups
        g4 = grad.reshape(geo.out4)
        gx = gw = gb = None
        if need[2]:
            gb = g4.sum(axis=(0, 2, 3))
        if not (need[0] or need[1]):
            return gx, gw, gb, None
        cols = im2col(pad4(g4, geo.pads), geo.kernel, geo.stride, geo.dilation, (h, wd))
        if need[0]:
            k = w.size // cin
            if groups == 1:
                gx = matmul_raw(w.reshape(cin, k), cols)
            else:
                wm = w.reshape(groups, cin // groups, k)
                gx = matmul_raw(wm, _grouped(cols, n, groups))
            gx = gx.reshape(geo.xs)
        if need[1]:
            xm = x.reshape(n, cin, h * wd)
            gw = _wgrad(_grouped(xm, n, groups), _grouped(cols, n, groups)).reshape(geo.ws)
        return gx, gw, gb, None


# ------------------------------------------------------------------ argument checks
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
                 "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
                 "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
                 "complex128": "ComplexDouble"}


def _type_name(t):
    """PyTorch's ScalarType name of a tensor's dtype ('Float', 'Double', ...)."""
    name = dtypes.from_np(t._data.dtype).name
    return _SCALAR_NAMES.get(name, name)


def _short_name(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        dtypes.from_np(t._data.dtype).name, dtypes.from_np(t._data.dtype).name)


def _check_tensors(input, weight, bias, nd, fn):
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{fn}(): argument 'bias' must be Tensor, not {type(bias).__name__}")
    x = input._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{fn}, but got input of size: {list(x.shape)}")
    if weight._data.ndim != nd + 2:
        raise RuntimeError(f"{fn}: expected a {nd + 2}-D weight, but got weight of size "
                           f"{list(weight._data.shape)}")
    if x.dtype != weight._data.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found "
                           f"{_type_name(weight)}")
    if bias is not None and bias._data.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_short_name(input)}) and bias type "
                           f"({_short_name(bias)}) should be the same")
    arrays = [x, weight._data] + ([bias._data] if bias is not None else [])
    backend.check_same_device(arrays, fn)


def _check_positive(stride, dilation, groups):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"groups must be an int, got {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _check_bias(bias, weight, channels):
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != channels):
        raise RuntimeError(f"Given weight of size {list(weight._data.shape)}, expected bias to "
                           f"be 1-dimensional with {channels} elements, but got bias of size "
                           f"{list(bias._data.shape)} instead")


def _to_2d(nd, batched, xshape, wshape, stride, dilation, pads):
    """Express a 1-D or 2-D problem as 4-D arrays: shapes, stride, dilation, pads4."""
    if not batched:
        xshape = (1,) + tuple(xshape)
    if nd == 1:
        return ((xshape[0], xshape[1], 1, xshape[2]), (wshape[0], wshape[1], 1, wshape[2]),
                (1, stride[0]), (1, dilation[0]), (0, 0) + pads[0])
    return (tuple(xshape), tuple(wshape), stride, dilation, pads[0] + pads[1])


# Validated geometries by call signature: a training loop repeats the same few shapes, and
# parsing and checking the arguments costs more than a small convolution itself.
_GEOMETRIES = {}
_ndarray = np.ndarray


def _cached(key, input, weight, bias):
    """The geometry validated earlier for this signature, if the tensors still fit it."""
    try:
        geo = _GEOMETRIES.get(key)
    except TypeError:  # unhashable argument (a list): take the slow path
        return None
    if geo is None:
        return None
    x, w = input._data, weight._data
    if x.__class__ is not _ndarray or w.__class__ is not _ndarray or x.dtype != w.dtype:
        return None
    if bias is not None and (bias._data.__class__ is not _ndarray or bias._data.dtype != x.dtype):
        return None
    return geo


def _remember(key, geo):
    try:
        if len(_GEOMETRIES) > 512:
            _GEOMETRIES.clear()
        _GEOMETRIES[key] = geo
    except TypeError:
        pass


def _conv(input, weight, bias, stride, padding, dilation, groups, nd, fn):
    key = None
    if isinstance(input, Tensor) and isinstance(weight, Tensor) and (
            bias is None or isinstance(bias, Tensor)):
        key = (input._data.shape, weight._data.shape, None if bias is None else bias._data.shape,
               stride, padding, dilation, groups, nd)
        geo = _cached(key, input, weight, bias)
        if geo is not None:
            return dispatch(Conv, input, weight, bias, geo)
    _check_tensors(input, weight, bias, nd, fn)
    x, w = input._data, weight._data
    stride = pair(stride, nd, "stride", "convolution")
    dilation = pair(dilation, nd, "dilation", "convolution")
    _check_positive(stride, dilation, groups)
    kernel = w.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # PyTorch puts the odd extra element of the total padding on the right
            pads = tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                         for k, d in zip(kernel, dilation))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = pair(padding, nd, "padding", "convolution")
        if any(v < 0 for v in p):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((v, v) for v in p)
    batched = x.ndim == nd + 2
    channels = x.shape[1] if batched else x.shape[0]
    o = w.shape[0]
    if o % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w.shape)}] instead")
    if w.shape[1] * groups != channels:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                           f"input{list(x.shape)} to have {w.shape[1] * groups} channels, but "
                           f"got {channels} channels instead")
    _check_bias(bias, weight, o)
    spatial = x.shape[-nd:]
    padded = [s + a + b for s, (a, b) in zip(spatial, pads)]
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
            "actual input size"
        )
    x4, w4, stride2, dil2, pads4 = _to_2d(nd, batched, x.shape, w.shape, stride, dilation, pads)
    kernel2 = w4[2:]
    out = tuple(out_size(x4[2 + i], kernel2[i], stride2[i], pads4[2 * i] + pads4[2 * i + 1],
                         dil2[i]) for i in range(2))
    out4 = (x4[0], o) + out
    full = (x4[0], o) + out[2 - nd:] if batched else (o,) + out[2 - nd:]
    geo = _Geometry(xs=x.shape, ws=w.shape, x4=x4, w4=w4, out4=out4, out=out, kernel=kernel2,
                    stride=stride2, dilation=dil2, pads=pads4, groups=groups, full=full,
                    patches=Patches(x4, pads4, kernel2, stride2, dil2, out))
    if key is not None:
        _remember(key, geo)
    return dispatch(Conv, input, weight, bias, geo)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over (N, C, L) or (C, L) input, as torch.nn.functional.conv1d."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over (N, C, H, W) or (C, H, W) input, as torch.nn.functional.conv2d."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd,
                    fn):
    _check_tensors(input, weight, bias, nd, fn)
    x, w = input._data, weight._data
    stride = pair(stride, nd, "stride", "convolution")
    dilation = pair(dilation, nd, "dilation", "convolution")
    _check_positive(stride, dilation, groups)
    if isinstance(padding, str):
        raise RuntimeError(f"{fn}: padding must be an int or a tuple of ints, not '{padding}'")
    pad = pair(padding, nd, "padding", "convolution")
    opad = pair(output_padding, nd, "output_padding", "convolution")
    if any(v < 0 for v in pad):
        raise RuntimeError("negative padding is not supported")
    if any(v < 0 for v in opad):
        raise RuntimeError("negative output padding is not supported")
    if any(op >= s and op >= d for op, s, d in zip(opad, stride, dilation)):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding={list(opad)}, stride={list(stride)}, dilation={list(dilation)}"
        )
    batched = x.ndim == nd + 2
    channels = x.shape[1] if batched else x.shape[0]
    cin = w.shape[0]
    if cin != channels:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected "
                           f"input{list(x.shape)} to have {cin} channels, but got {channels} "
                           "channels instead")
    if cin % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w.shape)}] instead")
    cout = w.shape[1] * groups
    _check_bias(bias, weight, cout)
    kernel = w.shape[2:]
    spatial = x.shape[-nd:]
    size = [(s - 1) * st - 2 * p + d * (k - 1) + op + 1 for s, st, p, d, k, op in
            zip(spatial, stride, pad, dilation, kernel, opad)]
    if any(v <= 0 for v in size):
        raise RuntimeError(f"{fn}: calculated output size {size} is too small for input of size "
                           f"{list(x.shape)} (padding={list(pad)})")
    # The full (uncropped) output has `pad` on both sides plus output_padding on the far side.
    pads = tuple((p, p) for p in pad)
    x4, w4, stride2, dil2, pads4 = _to_2d(nd, batched, x.shape, w.shape, stride, dilation, pads)
    out = (1, size[0]) if nd == 1 else tuple(size)
    out4 = (x4[0], cout) + out
    full = (x4[0], cout) + tuple(size) if batched else (cout,) + tuple(size)
    geo = _Geometry(xs=x.shape, ws=w.shape, x4=x4, w4=w4, out4=out4, out=out, kernel=w4[2:],
                    stride=stride2, dilation=dil2, pads=pads4, groups=groups, full=full)
    return dispatch(ConvTranspose, input, weight, bias, geo)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution, as torch.nn.functional.conv_transpose1d."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution, as torch.nn.functional.conv_transpose2d."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")
