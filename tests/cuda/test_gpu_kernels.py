"""ember.cuda.kernels on a real GPU, each kernel against a NumPy (or ember CPU) reference."""

import numpy as np
import pytest
from devices import requires_cuda

import ember
from ember import optim
from ember.ops._window import im2col as im2col_cpu

pytestmark = requires_cuda


@pytest.fixture
def cp():
    return ember.backend.cupy()


@pytest.fixture
def kernels():
    from ember.cuda import kernels

    return kernels


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("sa,sb,ta,tb", [
    ((3, 4), (4, 5), False, False), ((64, 64), (64, 64), False, False),
    ((70, 33), (33, 130), False, False), ((33, 70), (33, 130), True, False),
    ((70, 33), (130, 33), False, True), ((2, 5, 7), (7, 3), False, False),
    ((128, 400), (120, 400), False, True), ((4, 1), (1, 6), False, False),
])
def test_gemm_matches_numpy(cp, kernels, sa, sb, ta, tb):
    a, b = _rand(*sa, seed=1), _rand(*sb, seed=2)
    da, db = cp.asarray(a), cp.asarray(b)
    if ta:
        a, da = a.T, da.T
    if tb:
        b, db = b.T, db.T
    out = kernels.matmul(da, db)
    np.testing.assert_allclose(out.get(), a @ b, rtol=1e-4, atol=1e-4)


def _sgd_cpu(params, grads, steps, **kw):
    ps = [ember.tensor(p, requires_grad=True) for p in params]
    opt = optim.SGD(ps, **kw)
    for _ in range(steps):
        for p, g in zip(ps, grads):
            p.grad = ember.tensor(g)
        opt.step()
    return [p.detach().numpy() for p in ps]


@pytest.mark.parametrize("kw", [
    {"lr": 0.1}, {"lr": 0.1, "momentum": 0.9}, {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.1, "momentum": 0.8, "dampening": 0.3, "weight_decay": 1e-2, "maximize": True},
])
def test_fused_sgd_matches_ember_sgd(cp, kernels, kw):
    shapes = [(6, 3, 5, 5), (6,), (120, 400), (10,)]
    params = [_rand(*s, seed=i) for i, s in enumerate(shapes)]
    grads = [_rand(*s, seed=10 + i) for i, s in enumerate(shapes)]
    expect = _sgd_cpu(params, grads, 3, **kw)
    dp = [cp.asarray(p) for p in params]
    dg = [cp.asarray(g) for g in grads]
    bufs = [cp.zeros_like(p) for p in dp]
    for step in range(3):
        kernels.fused_sgd(dp, dg, bufs, first=step == 0, lr=kw["lr"],
                          momentum=kw.get("momentum", 0), dampening=kw.get("dampening", 0),
                          weight_decay=kw.get("weight_decay", 0),
                          nesterov=kw.get("nesterov", False), maximize=kw.get("maximize", False))
    for d, e in zip(dp, expect):
        np.testing.assert_allclose(d.get(), e, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("decoupled", [False, True])
def test_fused_adam_matches_ember_adam(cp, kernels, amsgrad, decoupled):
    shapes = [(16, 6, 5, 5), (16,), (84, 120)]
    params = [_rand(*s, seed=i) for i, s in enumerate(shapes)]
    grads = [[_rand(*s, seed=100 * k + i) for i, s in enumerate(shapes)] for k in range(3)]
    ps = [ember.tensor(p, requires_grad=True) for p in params]
    opt = optim.Adam(ps, lr=1e-2, weight_decay=1e-2, amsgrad=amsgrad,
                           decoupled_weight_decay=decoupled)
    dp = [cp.asarray(p) for p in params]
    m = [cp.zeros_like(p) for p in dp]
    v = [cp.zeros_like(p) for p in dp]
    vmax = [cp.zeros_like(p) for p in dp]
    step = cp.zeros(1, np.float32)
    for k in range(3):
        for p, g in zip(ps, grads[k]):
            p.grad = ember.tensor(g)
        opt.step()
        step += 1  # the device step count, as a captured step would keep it
        kernels.fused_adam(dp, [cp.asarray(g) for g in grads[k]], m, v, vmax, step=step,
                           lr=1e-2, weight_decay=1e-2, decoupled=decoupled, amsgrad=amsgrad)
    for d, p in zip(dp, ps):
        np.testing.assert_allclose(d.get(), p.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape,k,s,p,d", [
    ((4, 3, 32, 32), (5, 5), (1, 1), (0, 0), (1, 1)),
    ((2, 6, 14, 14), (5, 5), (1, 1), (2, 2), (1, 1)),
    ((2, 3, 9, 11), (3, 2), (2, 3), (1, 0), (2, 1)),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_and_col2im(cp, kernels, shape, k, s, p, d, dtype):
    x = _rand(*shape).astype(dtype)
    oh = kernels.conv_out_size(shape[2], k[0], s[0], p[0], d[0])
    ow = kernels.conv_out_size(shape[3], k[1], s[1], p[1], d[1])
    padded = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    expect = im2col_cpu(padded, k, s, d, (oh, ow))
    cols = kernels.im2col(cp.asarray(x), k, s, p, d)
    np.testing.assert_array_equal(cols.get(), expect)
    # col2im is im2col's adjoint: <im2col(x), c> == <x, col2im(c)>
    c = _rand(*expect.shape, seed=5).astype(dtype)
    back = kernels.col2im(cp.asarray(c), shape, k, s, p, d).get()
    np.testing.assert_allclose((expect * c).sum(), (x * back).sum(), rtol=1e-4)


def _log_softmax(x):
    m = x.max(1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(1, keepdims=True))


@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_kernels(cp, kernels, weighted):
    n, c = 37, 10
    x = _rand(n, c) * 3
    t = np.random.default_rng(1).integers(0, c, n)
    t[3] = -100  # ignored
    w = np.linspace(0.5, 1.5, c).astype(np.float32) if weighted else None
    loss, row_w, lse = kernels.cross_entropy_forward(
        cp.asarray(x), cp.asarray(t), None if w is None else cp.asarray(w))
    lsm = _log_softmax(x.astype(np.float64))
    keep = t != -100
    ww = np.where(keep, (w if w is not None else np.ones(c))[np.where(keep, t, 0)], 0)
    ref = np.where(keep, -lsm[np.arange(n), np.where(keep, t, 0)], 0) * ww
    np.testing.assert_allclose(loss.get(), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(row_w.get(), ww, rtol=1e-6)
    # mean reduction: d(sum(loss)/sum(w))/dx
    denom = row_w.sum().reshape(1)
    gx = kernels.cross_entropy_backward(cp.asarray(x), cp.asarray(t), row_w, lse,
                                        cp.ones(1, np.float32), denom).get()
    onehot = np.zeros((n, c))
    onehot[np.arange(n)[keep], t[keep]] = 1
    ref_g = (np.exp(lsm) - onehot) * ww[:, None] / ww.sum()
    np.testing.assert_allclose(gx, ref_g, rtol=1e-4, atol=1e-6)


def test_cross_entropy_bad_target_gives_nan(cp, kernels):
    loss, _, _ = kernels.cross_entropy_forward(cp.asarray(_rand(2, 3)), cp.asarray([0, 7]))
    assert np.isnan(loss.get()[1]) and not np.isnan(loss.get()[0])
