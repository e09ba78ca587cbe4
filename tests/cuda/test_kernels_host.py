"""Host-side checks of ember.cuda.kernels that need no GPU.

- Every CUDA source compiles with NVRTC (when NVRTC is installed; it needs no GPU).
- The Python wrappers pass shapes, strides and pointers that match each kernel's documented
  contract: the launch is replaced by a NumPy model of that contract, so these tests check the
  bookkeeping (transposes, broadcasting, chunking), not the CUDA code itself, which the GPU
  tests in this folder compare against NumPy on a real device.
"""

import types

import numpy as np
import pytest

from ember.cuda import kernels

# ------------------------------------------------------------------ sources


def test_sources_cover_every_kernel():
    srcs = kernels.sources()
    for module, fn in kernels.kernel_names():
        assert f"void {fn}(" in srcs[module] or f"{fn}(" in srcs[module], (module, fn)


def test_multi_tensor_source_has_one_case_per_slot():
    src = kernels.multi_tensor_source("sgd", slots=3)
    assert src.count("case ") == 3
    assert "float* p2" in src and "float* buf2" in src and "long long n2" in src
    assert "float* p3" not in src
    adam = kernels.multi_tensor_source("adam", slots=2)
    assert "const float* step_ptr" in adam and "vmax1" in adam


def test_multi_tensor_source_rejects_unknown_kind():
    with pytest.raises(KeyError):
        kernels.multi_tensor_source("lion")


def _nvrtc():
    try:
        from cupy_backends.cuda.libs import nvrtc

        nvrtc.getVersion()
        return nvrtc
    except Exception:  # no CuPy, or CuPy without the NVRTC library
        return None


@pytest.mark.parametrize("name", sorted(kernels.sources()))
@pytest.mark.parametrize("arch", ["compute_80", "compute_90"])
def test_source_compiles_with_nvrtc(name, arch):
    nvrtc = _nvrtc()
    if nvrtc is None:
        pytest.skip("NVRTC (CuPy with the CUDA NVRTC library) is not installed")
    prog = nvrtc.createProgram(kernels.sources()[name], f"{name}.cu", [], [])
    try:
        nvrtc.compileProgram(prog, [f"-arch={arch}", "--std=c++14", "-ftz=true"])  # as CuPy
    except Exception:
        pytest.fail(nvrtc.getProgramLog(prog))
    ptx = nvrtc.getPTX(prog)
    ptx = ptx.decode() if isinstance(ptx, bytes) else ptx
    for module, fn in kernels.kernel_names():
        if module == name:
            assert f".entry {fn}(" in ptx


# ------------------------------------------------------------------ wrappers against models
FAKE_CP = types.SimpleNamespace(
    empty=np.empty, empty_like=np.empty_like, broadcast_to=np.broadcast_to,
    ascontiguousarray=np.ascontiguousarray)


def _view(arr, shape, elem_strides):
    return np.lib.stride_tricks.as_strided(arr, shape, [s * arr.itemsize for s in elem_strides])


def sgemm_model(grid, block, args):
    """What ember_sgemm computes, given its arguments (pointers are the arrays passed)."""
    a, b, c, m, n, k, sam, sak, sbk, sbn, scm, scn, sab, sbb, scb, alpha, beta = args
    batch = grid[2]
    assert block == (16, 16, 1) and grid[0] * 64 >= n and grid[1] * 64 >= m
    av = _view(a, (batch, m, k), (sab, sam, sak))
    bv = _view(b, (batch, k, n), (sbb, sbk, sbn))
    cv = _view(c, (batch, m, n), (scb, scm, scn))
    res = alpha * (av.astype(np.float64) @ bv)
    if beta:
        res += beta * cv
    cv[...] = res


@pytest.fixture
def fake_launch(monkeypatch):
    launches = []
    models = {"ember_sgemm": sgemm_model}

    def function(module, fn):
        def launch(grid, block, args):
            launches.append((fn, grid, block, args))
            if fn in models:
                models[fn](grid, block, args)
        return launch

    monkeypatch.setattr(kernels, "_cupy", lambda: FAKE_CP)
    monkeypatch.setattr(kernels, "_function", function)
    return launches


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("make", [
    lambda: (_rand(3, 4), _rand(4, 5)),
    lambda: (_rand(4, 3).T, _rand(4, 5)),                   # transposed a
    lambda: (_rand(3, 4), _rand(5, 4).T),                   # transposed b
    lambda: (_rand(70, 33), _rand(33, 130)),                # several tiles, ragged edges
    lambda: (_rand(2, 3, 4), _rand(4, 5)),                  # batched a, shared b
    lambda: (_rand(3, 4), _rand(2, 4, 5)),                  # shared a, batched b
    lambda: (_rand(2, 1, 3, 4), _rand(5, 4, 6)),            # broadcast batch dims
    lambda: (_rand(4), _rand(4, 5)),                        # vector @ matrix
    lambda: (_rand(3, 4), _rand(4)),                        # matrix @ vector
    lambda: (_rand(4), _rand(4)),                           # dot
], ids=["mm", "aT", "bT", "tiles", "batch_a", "batch_b", "broadcast", "vm", "mv", "dot"])
def test_matmul_wrapper_matches_numpy(fake_launch, make):
    a, b = make()
    out = kernels.matmul(a, b)
    expect = a @ b
    assert out.shape == expect.shape
    np.testing.assert_allclose(out, expect, rtol=1e-5, atol=1e-5)
    assert [f for f, *_ in fake_launch] == ["ember_sgemm"]


def test_matmul_half_precision_computes_in_float32(fake_launch):
    a, b = _rand(3, 4).astype(np.float16), _rand(4, 2).astype(np.float16)
    out = kernels.matmul(a, b)
    assert out.dtype == np.float16
    np.testing.assert_allclose(out, (a.astype(np.float32) @ b.astype(np.float32)), rtol=1e-2)


def test_matmul_rejects_float64_with_a_reason(fake_launch):
    with pytest.raises(TypeError, match="float64.*capturing"):
        kernels.matmul(np.ones((2, 2)), np.ones((2, 2)))


def test_gemm_beta_accumulates(fake_launch):
    a, b = _rand(1, 3, 4), _rand(1, 4, 5)
    c = np.ones((1, 3, 5), np.float32)
    kernels.gemm(a, b, out=c, alpha=2.0, beta=0.5)
    np.testing.assert_allclose(c, 2 * (a @ b) + 0.5, rtol=1e-5, atol=1e-5)


def test_gemm_checks_shapes(fake_launch):
    with pytest.raises(ValueError, match=r"\(B, M, K\)"):
        kernels.gemm(_rand(3, 4), _rand(4, 5))
    with pytest.raises(ValueError, match="got"):
        kernels.gemm(_rand(1, 3, 4), _rand(1, 5, 4))


def test_fused_sgd_chunks_tensors_by_slot(fake_launch):
    n = kernels.SLOTS + 8
    params = [_rand(i + 1) for i in range(n)]
    grads = [_rand(i + 1) for i in range(n)]
    kernels.fused_sgd(params, grads, [None] * n, lr=0.1)
    assert len(fake_launch) == 2
    (_, grid1, block, args1), (_, grid2, _, args2) = fake_launch
    assert block == (kernels.THREADS, 1, 1)
    assert grid1[1] == kernels.SLOTS and grid2[1] == 8
    width = 4  # p, g, buf, n per slot
    assert len(args1) == kernels.SLOTS * width + 7
    # slot s of the second launch is tensor SLOTS + s; buffers are null without momentum
    assert args2[0] is params[kernels.SLOTS] and args2[1] is grads[kernels.SLOTS]
    assert args2[2] == 0 and int(args2[3]) == kernels.SLOTS + 1
    assert int(args2[8 * width + 3]) == 0  # padding slot: empty
    lr, momentum = args1[-7:-5]
    assert np.float32(lr) == np.float32(0.1) and momentum == 0


def test_fused_adam_step_on_device_or_host(fake_launch):
    p, g, m, v = (_rand(5, seed=i) for i in range(4))
    kernels.fused_adam([p], [g], [m], [v], step=3, lr=1e-3)
    step_ptr, step_host = fake_launch[-1][3][-2:]
    assert step_ptr == 0 and step_host == 3
    dev_step = np.ones(1, np.float32)
    kernels.fused_adam([p], [g], [m], [v], step=dev_step, lr=1e-3)
    assert fake_launch[-1][3][-2] is dev_step
    with pytest.raises(ValueError, match="one float32 element"):
        kernels.fused_adam([p], [g], [m], [v], step=np.ones(2), lr=1e-3)


def test_fused_updates_reject_mismatched_arrays(fake_launch):
    with pytest.raises(ValueError, match="contiguous float32"):
        kernels.fused_sgd([_rand(4)], [_rand(4).astype(np.float64)], [None], lr=0.1)
    with pytest.raises(ValueError, match="contiguous float32"):
        kernels.fused_sgd([_rand(4, 4)], [_rand(4, 4).T], [None], lr=0.1)


def test_conv_out_size_matches_the_formula():
    # 32x32 input, 5x5 kernel (LeNet): 28; 3x3, stride 2, padding 1, dilation 2: 15
    assert kernels.conv_out_size(32, 5, 1, 0, 1) == 28
    assert kernels.conv_out_size(32, 3, 2, 1, 2) == 15
    assert kernels.conv_out_size(7, 3, 2, 1, 1) == 4
