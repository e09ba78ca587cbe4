"""Convolutions (ember/ops/conv.py): PyTorch oracle, NumPy reference, gradcheck, errors."""

import numpy as np
import pytest
from helpers import torch_or_skip

import ember
from ember.ops import conv as C

# torch's own note about even 'same' kernels is not about ember
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

TOL = {"float32": 1e-5, "float64": 1e-10}


def assert_close(actual, expected, dtype, what=""):
    """rtol at the dtype's tolerance; atol the same fraction of the largest magnitude, since
    outputs and weight gradients are long float sums whose rounding scales with their size."""
    tol = TOL[dtype]
    expected = np.asarray(expected)
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale, err_msg=what)


def _arrays(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [None if s is None else rng.standard_normal(s).astype(dtype) for s in shapes]


def _check_vs_torch(name, shapes, kwargs, dtype):
    """Forward and every input gradient of ember's `name` equal torch's on the same data."""
    torch = torch_or_skip()
    arrays = _arrays(shapes, dtype)
    ein = [None if a is None else ember.from_numpy(a.copy()).requires_grad_() for a in arrays]
    tin = [None if a is None else torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    out = getattr(C, name)(*ein, **kwargs)
    ref = getattr(torch.nn.functional, name)(*tin, **kwargs)
    assert out.shape == tuple(ref.shape)
    assert out.dtype == getattr(ember, dtype)
    assert_close(out._data, ref.detach().numpy(), dtype, "forward")
    g = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(dtype)
    out.backward(ember.from_numpy(g))
    ref.backward(torch.from_numpy(g))
    for i, (e, t) in enumerate(zip(ein, tin)):
        if e is None:
            continue
        assert e.grad is not None, f"no gradient for input {i}"
        assert_close(e.grad._data, t.grad.numpy(), dtype, f"gradient of input {i}")


# (x shape, weight shape, bias?, kwargs); batches up to 37 make the op run several chunks
CONV2D = [
    ((2, 3, 8, 8), (4, 3, 3, 3), True, {}),
    ((37, 3, 32, 32), (6, 3, 5, 5), True, {}),  # LeNet conv1, many chunks
    ((9, 6, 14, 14), (16, 6, 5, 5), True, {}),  # LeNet conv2
    ((3, 3, 9, 8), (4, 3, 3, 2), True, dict(stride=2, padding=1, dilation=2)),
    ((3, 4, 9, 8), (6, 2, 4, 3), True, dict(padding="same", groups=2)),
    ((3, 4, 9, 8), (6, 4, 3, 3), False, dict(padding="same", dilation=(2, 1))),
    ((3, 4, 9, 8), (6, 4, 3, 3), True, dict(padding="valid")),
    ((5, 6, 10, 7), (9, 2, 3, 3), True, dict(padding=(2, 0), groups=3, stride=(1, 2))),
    ((4, 6, 7, 7), (6, 1, 3, 3), True, dict(padding=1, groups=6)),  # depthwise
    ((7, 6, 10, 10), (5, 6, 1, 1), True, {}),  # 1x1, no patches
    ((7, 6, 10, 10), (6, 2, 1, 1), False, dict(groups=3)),
    ((7, 6, 10, 10), (5, 6, 1, 1), True, dict(stride=2)),
    ((2, 3, 8, 8), (4, 3, 2, 2), True, dict(stride=2)),  # non-overlapping patches
    ((2, 3, 9, 9), (4, 3, 3, 3), True, dict(stride=3, padding=1)),
    ((2, 3, 5, 40), (4, 3, 3, 3), True, dict(padding=1)),  # wide rows, narrow output
    ((3, 8, 8), (4, 3, 3, 3), True, dict(padding=1)),  # unbatched
    ((2, 3, 6, 6), (4, 3, 6, 6), True, {}),  # kernel as large as the input
    ((0, 3, 6, 6), (4, 3, 3, 3), True, {}),  # empty batch
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("xs,ws,bias,kw", CONV2D, ids=[str(i) for i in range(len(CONV2D))])
def test_conv2d_matches_torch(xs, ws, bias, kw, dtype):
    _check_vs_torch("conv2d", [xs, ws, (ws[0],) if bias else None], kw, dtype)


CONV1D = [
    ((2, 3, 10), (4, 3, 3), True, {}),
    ((6, 3, 50), (4, 3, 5), True, dict(stride=2, padding=3, dilation=2)),
    ((6, 4, 11), (6, 2, 4), False, dict(padding="same", groups=2)),
    ((3, 10), (4, 3, 3), True, dict(padding=1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("xs,ws,bias,kw", CONV1D, ids=[str(i) for i in range(len(CONV1D))])
def test_conv1d_matches_torch(xs, ws, bias, kw, dtype):
    _check_vs_torch("conv1d", [xs, ws, (ws[0],) if bias else None], kw, dtype)


TRANSPOSE2D = [
    ((2, 3, 5, 4), (3, 4, 3, 3), True, {}),
    ((2, 3, 5, 4), (3, 4, 3, 3), True, dict(stride=2, padding=1, output_padding=1)),
    ((2, 3, 5, 4), (3, 2, 3, 2), True, dict(stride=(2, 3), padding=(0, 1), groups=3,
                                            dilation=2)),
    ((2, 4, 5, 5), (4, 3, 2, 2), False, dict(stride=2)),
    ((2, 4, 5, 5), (4, 3, 3, 3), True, dict(stride=3, output_padding=(2, 1))),
    ((4, 5, 5), (4, 3, 3, 3), True, dict(padding=1)),
    ((0, 3, 5, 4), (3, 4, 3, 3), True, dict(stride=2)),  # empty batch
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("xs,ws,bias,kw", TRANSPOSE2D,
                         ids=[str(i) for i in range(len(TRANSPOSE2D))])
def test_conv_transpose2d_matches_torch(xs, ws, bias, kw, dtype):
    groups = kw.get("groups", 1)
    _check_vs_torch("conv_transpose2d", [xs, ws, (ws[1] * groups,) if bias else None], kw,
                    dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_transpose1d_matches_torch(dtype):
    _check_vs_torch("conv_transpose1d", [(2, 4, 7), (4, 3, 3), (3,)],
                    dict(stride=2, padding=1, output_padding=1), dtype)


# ------------------------------------------------------------------ torch-free checks
def _naive_conv2d(x, w, pad):
    """Direct sum over kernel offsets (the definition), for a stride-1 convolution."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    kh, kw = w.shape[2:]
    oh, ow = xp.shape[2] - kh + 1, xp.shape[3] - kw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("oc,nchw->nohw", w[:, :, i, j], xp[:, :, i:i + oh, j:j + ow])
    return out


@pytest.mark.parametrize("pad", [0, 2])
def test_conv2d_matches_definition(pad):
    x, w = _arrays([(11, 3, 12, 10), (5, 3, 3, 4)], "float64")
    out = C.conv2d(ember.from_numpy(x), ember.from_numpy(w), padding=pad)
    np.testing.assert_allclose(out._data, _naive_conv2d(x, w, pad), rtol=1e-12, atol=1e-12)


def test_conv2d_float32_stays_float32():
    x, w, b = _arrays([(4, 3, 8, 8), (2, 3, 3, 3), (2,)], "float32")
    xt = ember.from_numpy(x).requires_grad_()
    out = C.conv2d(xt, ember.from_numpy(w), ember.from_numpy(b))
    assert out._data.dtype == np.float32
    out.sum().backward()
    assert xt.grad._data.dtype == np.float32


GRADCHECK = [
    ("conv2d", [(2, 3, 6, 5), (4, 3, 3, 2), (4,)], dict(stride=(2, 1), padding=1)),
    ("conv2d", [(2, 4, 6, 6), (4, 2, 2, 3), None], dict(dilation=2, groups=2)),
    ("conv2d", [(2, 3, 5, 5), (2, 3, 3, 3), (2,)], dict(padding="same")),
    ("conv2d", [(3, 5, 5), (2, 3, 1, 1), (2,)], {}),
    ("conv1d", [(2, 3, 9), (2, 3, 3), (2,)], dict(stride=2, padding=2)),
    ("conv_transpose2d", [(2, 3, 3, 4), (3, 2, 3, 3), (2,)],
     dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose2d", [(2, 4, 3, 3), (4, 1, 2, 2), None], dict(groups=2, dilation=2)),
    ("conv_transpose1d", [(2, 3, 4), (3, 2, 3), (2,)], dict(stride=3)),
]


@pytest.mark.parametrize("name,shapes,kw", GRADCHECK, ids=[f"{g[0]}-{i}" for i, g in
                                                            enumerate(GRADCHECK)])
def test_gradcheck(name, shapes, kw):
    ins = [None if a is None else ember.from_numpy(a).requires_grad_()
           for a in _arrays(shapes, "float64", seed=3)]
    fn = getattr(C, name)
    assert ember.autograd.gradcheck(lambda *t: fn(*t, **kw), [t for t in ins if t is not None]
                                    if ins[-1] is not None else ins[:-1], eps=1e-6, atol=1e-6)


def test_partial_gradients_and_no_grad():
    x, w, b = _arrays([(3, 2, 6, 6), (4, 2, 3, 3), (4,)], "float64")
    xt, wt, bt = ember.from_numpy(x.copy()), ember.from_numpy(w.copy()), ember.from_numpy(b)
    out = C.conv2d(xt, wt, bt)
    assert not out.requires_grad and out.grad_fn is None
    wt.requires_grad_()
    C.conv2d(xt, wt, bt).sum().backward()
    assert xt.grad is None and bt.grad is None and wt.grad is not None
    np.testing.assert_array_equal(xt._data, x)  # the op never writes into its inputs
    np.testing.assert_array_equal(wt._data, w)


def test_backward_twice_with_retain_graph():
    x, w = _arrays([(2, 2, 5, 5), (3, 2, 3, 3)], "float64")
    xt, wt = ember.from_numpy(x).requires_grad_(), ember.from_numpy(w).requires_grad_()
    out = C.conv2d(xt, wt, padding=1).sum()
    out.backward(retain_graph=True)
    first = xt.grad._data.copy()
    out.backward()
    np.testing.assert_allclose(xt.grad._data, 2 * first)


# ------------------------------------------------------------------ bad input
def _t(shape, dtype="float32"):
    return ember.from_numpy(np.zeros(shape, dtype))


@pytest.mark.parametrize("call,match", [
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 2, 3, 3))),
     r"weight of size \[4, 2, 3, 3\], expected input\[2, 3, 8, 8\] to have 2 channels, "
     r"but got 3 channels"),
    (lambda: C.conv2d(_t((2, 3, 4, 4)), _t((4, 3, 5, 5))),
     r"padded input size per channel: \(4 x 4\). Kernel size: \(5 x 5\)"),
    (lambda: C.conv2d(_t((2, 3, 4, 4)), _t((4, 3, 3, 3)), dilation=2),
     r"Kernel size: \(5 x 5\). Kernel size can't be greater"),
    (lambda: C.conv2d(_t((2, 3, 8, 8), "float64"), _t((4, 3, 3, 3))),
     "expected scalar type Double but found Float"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), _t((4,), "float64")),
     r"Input type \(float\) and bias type \(double\)"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), _t((5,))),
     r"expected bias to be 1-dimensional with 4 elements, but got bias of size \[5\]"),
    (lambda: C.conv2d(_t((8, 8)), _t((4, 3, 3, 3))),
     r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: "
     r"\[8, 8\]"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3))), "expected a 4-D weight"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), stride=0),
     "non-positive stride"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), padding=-1), "negative padding"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), dilation=0), "non-positive dilation"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), groups=0), "non-positive groups"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), stride=2, padding="same"),
     "padding='same' is not supported for strided convolutions"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), padding="full"),
     "Invalid padding string: 'full'"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((5, 1, 3, 3)), groups=3),
     "expected weight to be divisible by 3 at dimension 0"),
    (lambda: C.conv2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3)), stride=(1, 1, 1)),
     "a list of 2 values"),
    (lambda: C.conv1d(_t((2, 3, 8, 8)), _t((4, 3, 3))),
     r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv1d"),
    (lambda: C.conv_transpose2d(_t((2, 3, 8, 8)), _t((4, 3, 3, 3))),
     r"Given transposed=1, weight of size \[4, 3, 3, 3\], expected input\[2, 3, 8, 8\] to "
     r"have 4 channels"),
    (lambda: C.conv_transpose2d(_t((2, 3, 8, 8)), _t((3, 3, 3, 3)), stride=2,
                                output_padding=2),
     "output padding must be smaller than either stride or dilation"),
])
def test_bad_input(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


def test_bad_argument_types():
    with pytest.raises(TypeError, match="argument 'input' must be Tensor"):
        C.conv2d(np.zeros((1, 1, 3, 3)), _t((1, 1, 1, 1)))
    with pytest.raises(TypeError, match="stride must be an int"):
        C.conv2d(_t((1, 1, 3, 3)), _t((1, 1, 1, 1)), stride=1.5)


def test_mixed_dtypes_rejected_even_with_grad():
    x = _t((1, 1, 3, 3), "float64").requires_grad_()
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        C.conv2d(x, _t((1, 1, 1, 1)))


def test_cached_signature_still_checks_each_call():
    """A geometry remembered for one call must not let a later bad call through."""
    x, w, b = _t((2, 3, 8, 8)), _t((4, 3, 3, 3)), _t((4,))
    assert C.conv2d(x, w, b).shape == (2, 4, 6, 6)
    assert C.conv2d(x, w, b).shape == (2, 4, 6, 6)
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 4"):
        C.conv2d(x, w, _t((5,)))
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        C.conv2d(_t((2, 3, 8, 8), "float64"), w, b)
    with pytest.raises(RuntimeError, match=r"Input type \(float\) and bias type \(double\)"):
        C.conv2d(x, w, _t((4,), "float64"))
    assert C.conv2d(x, w, b, stride=[2, 2]).shape == (2, 4, 3, 3)  # unhashable: no cache


def test_scratch_pool_never_shares_a_buffer_in_use():
    from ember.ops._im2col import scratch

    a = scratch(np, "test", (3,), np.float32)
    b = scratch(np, "test", (3,), np.float32)
    assert a is not b
    view = b[1:]
    del b
    c = scratch(np, "test", (3,), np.float32)
    assert not np.shares_memory(c, view)  # b is still seen through a view
    assert not np.shares_memory(c, a)
    first = a.__array_interface__["data"][0]
    del a
    d = scratch(np, "test", (3,), np.float32)
    assert d.__array_interface__["data"][0] == first  # a released buffer is reused


def test_scratch_buffers_are_cache_line_aligned():
    from ember.ops._im2col import scratch

    for shape in [(3,), (5, 7), (2, 3, 11)]:
        for dtype in (np.float32, np.float64):
            buf = scratch(np, ("align", shape), shape, dtype, zero=True)
            assert buf.shape == shape and buf.dtype == dtype and buf.flags.c_contiguous
            assert buf.__array_interface__["data"][0] % 64 == 0
            assert not buf.any()


@pytest.mark.parametrize("shape", [(4, 3, 12, 12), (40, 3, 32, 32)])
def test_graphs_alive_together_keep_their_own_buffers(shape):
    """Pooled temporaries must not leak between two graphs recorded before either backward."""
    x1, x2, w = _arrays([shape, shape, (5, 3, 5, 5)], "float64", seed=7)
    wt = ember.from_numpy(w).requires_grad_()
    x1t, x2t = ember.from_numpy(x1).requires_grad_(), ember.from_numpy(x2).requires_grad_()
    y1 = C.conv2d(x1t, wt, padding=1)
    y2 = C.conv2d(x2t, wt, padding=1)
    (y2 * 3).sum().backward()
    g_after_2 = wt.grad._data.copy()
    y1.sum().backward()
    # reference: each gradient computed alone
    wa = ember.from_numpy(w).requires_grad_()
    C.conv2d(ember.from_numpy(x1), wa, padding=1).sum().backward()
    wb = ember.from_numpy(w).requires_grad_()
    (C.conv2d(ember.from_numpy(x2), wb, padding=1) * 3).sum().backward()
    np.testing.assert_allclose(g_after_2, wb.grad._data, rtol=1e-12)
    np.testing.assert_allclose(wt.grad._data, wa.grad._data + wb.grad._data, rtol=1e-12)
    xa = ember.from_numpy(x1).requires_grad_()
    C.conv2d(xa, ember.from_numpy(w), padding=1).sum().backward()
    np.testing.assert_allclose(x1t.grad._data, xa.grad._data, rtol=1e-12)


# ------------------------------------------------------------------ threads
# LeNet's two convolutions and padded/grouped/strided ones, cut into many small chunks
THREADED = [
    ((21, 3, 32, 32), (6, 3, 5, 5), {}),
    ((23, 6, 14, 14), (16, 6, 5, 5), {}),
    ((18, 4, 20, 20), (8, 2, 3, 3), dict(padding=1, groups=2)),
    ((17, 3, 24, 24), (5, 3, 3, 3), dict(stride=2, padding=1)),  # not wide: col2im path
]


@pytest.fixture
def small_chunks(monkeypatch):
    from ember.ops import _im2col

    monkeypatch.setattr(_im2col, "CHUNK_ELEMENTS", 1 << 14)  # serial blocks of 1-4 images
    # threads from a small size on, in chunks of several blocks
    monkeypatch.setattr(_im2col, "THREAD_MIN_ELEMENTS", 1 << 16)
    monkeypatch.setattr(_im2col, "THREAD_CHUNK_ELEMENTS", 1 << 18)


def _conv_with_grads(xs, ws, kw, dtype="float32"):
    x, w, b, g = _arrays([xs, ws, (ws[0],), None], dtype, seed=5)
    xt, wt, bt = (ember.from_numpy(a.copy()).requires_grad_() for a in (x, w, b))
    out = C.conv2d(xt, wt, bt, **kw)
    g = np.random.default_rng(6).standard_normal(out.shape).astype(dtype)
    out.backward(ember.from_numpy(g))
    return [out._data.copy(), xt.grad._data.copy(), wt.grad._data.copy(), bt.grad._data.copy()]


@pytest.mark.parametrize("xs,ws,kw", THREADED, ids=[str(i) for i in range(len(THREADED))])
def test_chunk_order_and_worker_never_change_a_bit(xs, ws, kw, monkeypatch, small_chunks):
    """Chunks run in any order on any worker's buffers must give the serial result exactly."""
    from ember.ops import _parallel

    monkeypatch.setattr(_parallel, "_threads", [1])
    serial = _conv_with_grads(xs, ws, kw)
    monkeypatch.setattr(_parallel, "_threads", [2])  # threaded plans: chunks of several blocks
    calls = []

    def shuffled(fn, items):
        calls.append(len(items))
        order = list(items)[::-1]
        for k, item in enumerate(order):
            fn(item, k % 3)  # three workers' buffers, in turn

    monkeypatch.setattr(C, "parallel_for", shuffled)
    mixed = _conv_with_grads(xs, ws, kw)
    # the threaded plan really ran, in chunks of several images (several blocks)
    assert calls and all(1 < n < xs[0] for n in calls)
    for a, b in zip(serial, mixed):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("xs,ws,kw", THREADED, ids=[str(i) for i in range(len(THREADED))])
def test_threads_match_serial_bit_for_bit(xs, ws, kw, small_chunks):
    from ember.ops import _parallel

    old = _parallel.get_num_threads()
    try:
        _parallel.set_num_threads(1)
        serial = _conv_with_grads(xs, ws, kw, "float64")
        _parallel.set_num_threads(2)
        for _ in range(3):
            threaded = _conv_with_grads(xs, ws, kw, "float64")
            for a, b in zip(serial, threaded):
                np.testing.assert_array_equal(a, b)
    finally:
        _parallel.set_num_threads(old)


def test_threaded_conv_matches_torch(small_chunks):
    torch = torch_or_skip()
    from ember.ops import _parallel

    old = _parallel.get_num_threads()
    try:
        _parallel.set_num_threads(2)
        xs, ws = THREADED[1][:2]
        mine = _conv_with_grads(xs, ws, {})
        x, w, b, _ = _arrays([xs, ws, (ws[0],), None], "float32", seed=5)
        tin = [torch.from_numpy(a.copy()).requires_grad_() for a in (x, w, b)]
        ref = torch.nn.functional.conv2d(*tin)
        g = np.random.default_rng(6).standard_normal(tuple(ref.shape)).astype("float32")
        ref.backward(torch.from_numpy(g))
        for a, r in zip(mine, [ref.detach()] + [t.grad for t in tin]):
            assert_close(a, r.numpy(), "float32")
    finally:
        _parallel.set_num_threads(old)
