"""Hand-written CUDA kernels (CuPy RawModules) for GPU fast paths, compiled on first use.

What is here and why:

- ``matmul``: a tiled float32 GEMM with arbitrary strides (so transposed and broadcast operands
  need no copies). CuPy refuses cuBLAS calls during stream capture, so ember uses this GEMM
  only while a CUDA graph is being captured; eager code keeps cuBLAS.
- ``fused_sgd`` / ``fused_adam``: one launch updates every parameter of a group (up to
  ``SLOTS`` tensors per launch) instead of several elementwise launches per tensor. Adam can
  read its step count from device memory, so a captured step replays correctly.
- ``im2col`` / ``col2im``: the unfold/fold of convolution as gather kernels (col2im sums
  without atomics, so results are deterministic).
- ``cross_entropy_forward`` / ``cross_entropy_backward``: log-softmax + NLL per row in one
  pass, and the softmax-minus-one-hot gradient in one elementwise pass.

The CUDA sources are plain strings (see ``sources()``), so they can be compiled with NVRTC on a
machine without a GPU; the tests do that when NVRTC is installed.
"""

import numpy as np

from .. import backend

THREADS = 256
SLOTS = 32  # tensors per multi-tensor launch (kernel parameters stay well under 4 KiB)
_modules = {}


def _cupy():
    cp = backend.cupy()
    if cp is None:
        raise RuntimeError("CUDA is not available: ember's GPU kernels need CuPy and an NVIDIA "
                           "GPU")
    return cp


def _function(name, fn_name):
    """The compiled kernel `fn_name` from source `name` (compiled once per process)."""
    mod = _modules.get(name)
    if mod is None:
        mod = _modules[name] = _cupy().RawModule(code=sources()[name],
                                                 options=("--std=c++14",))
    return mod.get_function(fn_name)


def _blocks(n, per_thread=1, cap=65535):
    return max(1, min(cap, -(-n // (THREADS * per_thread))))


# ------------------------------------------------------------------ GEMM (capture-safe)
GEMM_SRC = r"""
#define TM 64
#define TN 64
#define TK 16
extern "C" __global__ void __launch_bounds__(256)
ember_sgemm(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
            int M, int N, int K,
            long long sam, long long sak, long long sbk, long long sbn,
            long long scm, long long scn, long long sab, long long sbb, long long scb,
            float alpha, float beta)
{
    __shared__ float As[TK][TM + 4];
    __shared__ float Bs[TK][TN + 4];
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
    const int row0 = blockIdx.y * TM, col0 = blockIdx.x * TN;
    const long long z = blockIdx.z;
    A += z * sab;
    B += z * sbb;
    C += z * scb;
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = 0.f;
    for (int k0 = 0; k0 < K; k0 += TK) {
        // walk memory in the operand's contiguous direction so global loads coalesce
        for (int i = tid; i < TM * TK; i += 256) {
            int r, c;
            if (sam == 1) { r = i % TM; c = i / TM; } else { r = i / TK; c = i % TK; }
            const int gr = row0 + r, gc = k0 + c;
            As[c][r] = (gr < M && gc < K) ? A[gr * sam + gc * sak] : 0.f;
        }
        for (int i = tid; i < TK * TN; i += 256) {
            int r, c;
            if (sbk == 1) { r = i % TK; c = i / TK; } else { r = i / TN; c = i % TN; }
            const int gr = k0 + r, gc = col0 + c;
            Bs[r][c] = (gr < K && gc < N) ? B[gr * sbk + gc * sbn] : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TK; ++kk) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) a[i] = As[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; ++j) b[j] = Bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; ++i)
#pragma unroll
                for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const int r = row0 + ty + 16 * i;
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            const int c = col0 + tx + 16 * j;
            if (r < M && c < N) {
                float v = alpha * acc[i][j];
                if (beta != 0.f) v += beta * C[r * scm + c * scn];
                C[r * scm + c * scn] = v;
            }
        }
    }
}
"""


def _elem_strides(a):
    return tuple(s // a.itemsize for s in a.strides)


def gemm(a, b, out=None, alpha=1.0, beta=0.0):
    """``out = alpha * a @ b + beta * out`` for float32 arrays of shape (B, M, K) @ (B, K, N).

    Any strides work (a transposed or stride-0 broadcast view is read in place); ``out`` must
    be (B, M, N) and is allocated when None.
    """
    cp = _cupy()
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ValueError(f"gemm expects (B, M, K) and (B, K, N) arrays, got {a.shape} and "
                         f"{b.shape}")
    if a.dtype != np.float32 or b.dtype != np.float32:
        raise TypeError(f"ember's capture-safe GEMM supports float32 only, got {a.dtype} and "
                        f"{b.dtype}")
    batch, m, k = a.shape
    n = b.shape[2]
    if out is None:
        out = cp.empty((batch, m, n), np.float32)
        beta = 0.0
    if batch > 65535:
        raise ValueError(f"gemm supports at most 65535 batches, got {batch}")
    sab, sam, sak = _elem_strides(a)
    sbb, sbk, sbn = _elem_strides(b)
    scb, scm, scn = _elem_strides(out)
    if m == 0 or n == 0 or batch == 0:
        return out
    grid = (-(-n // 64), -(-m // 64), batch)
    _function("gemm", "ember_sgemm")(
        grid, (16, 16, 1),
        (a, b, out, np.int32(m), np.int32(n), np.int32(k), np.int64(sam), np.int64(sak),
         np.int64(sbk), np.int64(sbn), np.int64(scm), np.int64(scn), np.int64(sab),
         np.int64(sbb), np.int64(scb), np.float32(alpha), np.float32(beta)))
    return out


def matmul(a, b):
    """``a @ b`` with NumPy's matmul rules, through ember's GEMM (float32; float16/bfloat16
    are computed in float32 and cast back)."""
    cp = _cupy()
    dtype = np.result_type(a.dtype, b.dtype)
    if dtype != np.float32:
        if dtype.kind != "f" or dtype.itemsize > 4:
            raise TypeError(
                f"matmul of {dtype} tensors is not supported while capturing a CUDA graph "
                "(CuPy refuses cuBLAS during capture and ember's GEMM is float32): use float32"
            )
        return matmul(a.astype(np.float32), b.astype(np.float32)).astype(dtype)
    vec_a, vec_b = a.ndim == 1, b.ndim == 1
    a2 = a[None, :] if vec_a else a
    b2 = b[:, None] if vec_b else b
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    m, k = a2.shape[-2:]
    n = b2.shape[-1]
    a3 = cp.broadcast_to(a2, batch + (m, k)).reshape((-1, m, k))
    b3 = cp.broadcast_to(b2, batch + (k, n)).reshape((-1, k, n))
    out = gemm(a3, b3).reshape(batch + (m, n))
    if vec_a:
        out = out[..., 0, :]
    if vec_b:
        out = out[..., 0]
    return out


# ------------------------------------------------------------------ multi-tensor optimizers
def multi_tensor_source(kind, slots=SLOTS):
    """CUDA source of the fused `kind` ('sgd' or 'adam') update over `slots` tensors.

    Each tensor's pointers and size are separate kernel arguments (no pointer table in device
    memory, so nothing is copied from the host per step and the launch is capturable);
    blockIdx.y picks the tensor.
    """
    names = {"sgd": ("p", "g", "buf"), "adam": ("p", "g", "m", "v", "vmax")}[kind]
    params = []
    for s in range(slots):
        params += [f"float* {nm}{s}" for nm in names] + [f"long long n{s}"]
    cases = []
    for s in range(slots):
        sets = " ".join(f"{nm} = {nm}{s};" for nm in names)
        cases.append(f"        case {s}: {sets} n = n{s}; break;")
    decl = " ".join(f"float* {nm} = 0;" for nm in names)
    if kind == "sgd":
        scalars = ("float lr, float momentum, float dampening, float wd, int nesterov, "
                   "int maximize, int first")
        prologue = ""
        body = r"""
        float d = g[i];
        if (maximize) d = -d;
        if (wd != 0.f) d = fmaf(wd, p[i], d);
        if (momentum != 0.f) {
            const float b = first ? d : fmaf(momentum, buf[i], (1.f - dampening) * d);
            buf[i] = b;
            d = nesterov ? fmaf(momentum, b, d) : b;
        }
        p[i] = fmaf(-lr, d, p[i]);"""
    else:
        scalars = ("float lr, float beta1, float beta2, float eps, float wd, int decoupled, "
                   "int amsgrad, int maximize, const float* step_ptr, float step_host")
        # bias corrections once per thread, in double as PyTorch computes them on the host
        prologue = r"""
    const double t = step_ptr ? (double)(*step_ptr) : (double)step_host;
    const float step_size = (float)(lr / (1.0 - pow((double)beta1, t)));
    const float bc2_sqrt = (float)sqrt(1.0 - pow((double)beta2, t));"""
        body = r"""
        float gr = maximize ? -g[i] : g[i];
        float pv = p[i];
        if (wd != 0.f) {
            if (decoupled) pv *= 1.f - lr * wd;
            else gr = fmaf(wd, pv, gr);
        }
        float mv = m[i];
        mv += (1.f - beta1) * (gr - mv);
        m[i] = mv;
        float vv = fmaf(beta2, v[i], (1.f - beta2) * gr * gr);
        v[i] = vv;
        if (amsgrad) { vv = fmaxf(vmax[i], vv); vmax[i] = vv; }
        const float denom = sqrtf(vv) / bc2_sqrt + eps;
        p[i] = pv - step_size * mv / denom;"""
    return (
        f'extern "C" __global__ void ember_{kind}_multi({", ".join(params)}, {scalars})\n'
        "{\n"
        f"    {decl} long long n = 0;\n"
        "    switch (blockIdx.y) {\n" + "\n".join(cases) + "\n        default: return;\n    }"
        + prologue + "\n"
        "    const long long stride = (long long)gridDim.x * blockDim.x;\n"
        "    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;"
        " i += stride) {" + body + "\n    }\n}\n"
    )


def _check_group(arrays_by_role, what):
    ref = arrays_by_role[0]
    for role in arrays_by_role:
        for a, r in zip(role, ref):
            if a is None:
                continue
            if a.dtype != np.float32 or not a.flags.c_contiguous or a.size != r.size:
                raise ValueError(f"{what}: fused kernels need contiguous float32 arrays of "
                                 f"matching sizes (got {a.dtype}, shape {a.shape})")


def _launch_multi(kind, per_tensor, scalars):
    """Launch `kind` over the tensors in `per_tensor` (tuples of arrays/None), SLOTS at once."""
    fn = _function(f"{kind}_multi", f"ember_{kind}_multi")
    width = len(per_tensor[0]) if per_tensor else 0
    for start in range(0, len(per_tensor), SLOTS):
        chunk = per_tensor[start:start + SLOTS]
        args = []
        biggest = 0
        for s in range(SLOTS):
            if s < len(chunk):
                arrs = chunk[s]
                args += list(arrs) + [np.int64(arrs[0].size)]
                biggest = max(biggest, arrs[0].size)
            else:
                args += [np.uint64(0)] * width + [np.int64(0)]
        if biggest == 0:
            continue
        grid = (_blocks(biggest, per_thread=4, cap=1024), len(chunk), 1)
        fn(grid, (THREADS, 1, 1), tuple(args) + tuple(scalars))


def _ptr_args(arrays):
    # a missing buffer travels as a null pointer (np.uint64(0)); the kernel never reads it
    return [np.uint64(0) if a is None else a for a in arrays]


def fused_sgd(params, grads, momentum_buffers, *, lr, momentum=0.0, dampening=0.0,
              weight_decay=0.0, nesterov=False, maximize=False, first=False):
    """PyTorch's SGD update for every (param, grad, buffer) in one launch per SLOTS tensors.

    Arrays are updated in place; `momentum_buffers` holds arrays (or None when momentum is 0).
    ``first=True`` initializes the buffers to the gradient, as PyTorch's first step does.
    """
    bufs = list(momentum_buffers) if momentum else [None] * len(params)
    _check_group([list(params), list(grads)] + ([bufs] if momentum else []), "fused_sgd")
    per_tensor = [tuple(_ptr_args((p, g, b))) for p, g, b in zip(params, grads, bufs)]
    scalars = (np.float32(lr), np.float32(momentum), np.float32(dampening),
               np.float32(weight_decay), np.int32(bool(nesterov)), np.int32(bool(maximize)),
               np.int32(bool(first)))
    _launch_multi("sgd", per_tensor, scalars)


def fused_adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs=None, *, step, lr,
               beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False,
               amsgrad=False, maximize=False):
    """PyTorch's Adam/AdamW update for every parameter in one launch per SLOTS tensors.

    `step` is the step number after this update (1 on the first step): a Python number, or a
    float32 device array of one element, read on the device so a captured graph that also
    increments it replays with correct bias corrections.
    """
    vmaxes = list(max_exp_avg_sqs) if amsgrad else [None] * len(params)
    roles = [list(params), list(grads), list(exp_avgs), list(exp_avg_sqs)]
    _check_group(roles + ([vmaxes] if amsgrad else []), "fused_adam")
    per_tensor = [tuple(_ptr_args(t)) for t in zip(*roles, vmaxes)]
    if isinstance(step, (int, float)):
        step_ptr, step_host = np.uint64(0), np.float32(step)
    else:
        if step.dtype != np.float32 or step.size != 1:
            raise ValueError(f"fused_adam: a device step must be one float32 element, got "
                             f"{step.dtype} of shape {step.shape}")
        step_ptr, step_host = step, np.float32(0)
    scalars = (np.float32(lr), np.float32(beta1), np.float32(beta2), np.float32(eps),
               np.float32(weight_decay), np.int32(bool(decoupled)), np.int32(bool(amsgrad)),
               np.int32(bool(maximize)), step_ptr, step_host)
    _launch_multi("adam", per_tensor, scalars)


# ------------------------------------------------------------------ convolution unfold/fold
def conv_source(ctype):
    """im2col/col2im kernels for element type `ctype` ('float' or 'double')."""
    return r"""
extern "C" __global__ void ember_im2col_T(
    const T* __restrict__ x, T* __restrict__ cols, long long total,
    int C, int H, int W, int KH, int KW, int OH, int OW,
    int sh, int sw, int ph, int pw, int dh, int dw)
{
    // cols is (N, C*KH*KW, OH*OW): its flat index decodes to (n, c, kh, kw, oh, ow)
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += stride) {
        long long t = idx;
        const int ow = t % OW; t /= OW;
        const int oh = t % OH; t /= OH;
        const int kw = t % KW; t /= KW;
        const int kh = t % KH; t /= KH;
        const int c = t % C;
        const long long n = t / C;
        const int ih = oh * sh - ph + kh * dh, iw = ow * sw - pw + kw * dw;
        cols[idx] = (ih >= 0 && ih < H && iw >= 0 && iw < W)
            ? x[((n * C + c) * H + ih) * W + iw] : (T)0;
    }
}

extern "C" __global__ void ember_col2im_T(
    const T* __restrict__ cols, T* __restrict__ x, long long total,
    int C, int H, int W, int KH, int KW, int OH, int OW,
    int sh, int sw, int ph, int pw, int dh, int dw)
{
    // one thread per input element gathers every window position that read it: no atomics
    const long long stride = (long long)gridDim.x * blockDim.x;
    const long long L = (long long)OH * OW;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += stride) {
        long long t = idx;
        const int iw = t % W; t /= W;
        const int ih = t % H; t /= H;
        const int c = t % C;
        const long long n = t / C;
        T acc = (T)0;
        for (int kh = 0; kh < KH; ++kh) {
            const int y = ih + ph - kh * dh;
            if (y < 0 || y % sh) continue;
            const int oh = y / sh;
            if (oh >= OH) continue;
            for (int kw = 0; kw < KW; ++kw) {
                const int xw = iw + pw - kw * dw;
                if (xw < 0 || xw % sw) continue;
                const int ow = xw / sw;
                if (ow >= OW) continue;
                const long long row = ((long long)c * KH + kh) * KW + kw;
                acc += cols[(n * C * KH * KW + row) * L + (long long)oh * OW + ow];
            }
        }
        x[idx] = acc;
    }
}
""".replace("_T(", f"_{ctype}(").replace("T*", f"{ctype}*").replace("(T)", f"({ctype})") \
        .replace("T acc", f"{ctype} acc")


_CTYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}


def _geometry(stride, padding, dilation):
    return [np.int32(v) for v in (*stride, *padding, *dilation)]


def conv_out_size(size, kernel, stride, padding, dilation):
    """Output length of a convolution along one axis."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def im2col(x, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
    """Unfold an (N, C, H, W) array into (N, C*KH*KW, OH*OW) columns (float32/float64)."""
    cp = _cupy()
    ctype = _CTYPES.get(x.dtype)
    if ctype is None or x.ndim != 4:
        raise TypeError(f"im2col expects a 4-D float32/float64 array, got {x.ndim}-D {x.dtype}")
    x = cp.ascontiguousarray(x)
    n, c, h, w = x.shape
    oh = conv_out_size(h, kernel[0], stride[0], padding[0], dilation[0])
    ow = conv_out_size(w, kernel[1], stride[1], padding[1], dilation[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(f"im2col: kernel {tuple(kernel)} does not fit input {h}x{w} with "
                         f"padding {tuple(padding)} and dilation {tuple(dilation)}")
    cols = cp.empty((n, c * kernel[0] * kernel[1], oh * ow), x.dtype)
    total = cols.size
    if total:
        _function(f"conv_{ctype}", f"ember_im2col_{ctype}")(
            (_blocks(total, 4),), (THREADS,),
            (x, cols, np.int64(total), np.int32(c), np.int32(h), np.int32(w),
             np.int32(kernel[0]), np.int32(kernel[1]), np.int32(oh), np.int32(ow),
             *_geometry(stride, padding, dilation)))
    return cols


def col2im(cols, input_shape, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
    """Fold (N, C*KH*KW, OH*OW) columns back to an (N, C, H, W) array, summing overlaps."""
    cp = _cupy()
    ctype = _CTYPES.get(cols.dtype)
    if ctype is None:
        raise TypeError(f"col2im expects float32/float64 columns, got {cols.dtype}")
    n, c, h, w = input_shape
    oh = conv_out_size(h, kernel[0], stride[0], padding[0], dilation[0])
    ow = conv_out_size(w, kernel[1], stride[1], padding[1], dilation[1])
    expect = (n, c * kernel[0] * kernel[1], oh * ow)
    if tuple(cols.shape) != expect:
        raise ValueError(f"col2im: columns of shape {tuple(cols.shape)} do not match input "
                         f"{tuple(input_shape)} (expected {expect})")
    cols = cp.ascontiguousarray(cols)
    x = cp.empty(tuple(input_shape), cols.dtype)
    total = x.size
    if total:
        _function(f"conv_{ctype}", f"ember_col2im_{ctype}")(
            (_blocks(total, 4),), (THREADS,),
            (cols, x, np.int64(total), np.int32(c), np.int32(h), np.int32(w),
             np.int32(kernel[0]), np.int32(kernel[1]), np.int32(oh), np.int32(ow),
             *_geometry(stride, padding, dilation)))
    return x


# ------------------------------------------------------------------ fused cross-entropy
XENT_SRC = r"""
__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}
__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// One warp per row: loss[i] = w[t_i] * (logsumexp(x_i) - x_i[t_i]); rows with the ignored
// target give 0 (and weight 0); an out-of-range target gives NaN, because a captured graph
// cannot stop to raise an error.
extern "C" __global__ void ember_xent_fwd(
    const float* __restrict__ x, const long long* __restrict__ target,
    const float* __restrict__ weight, float* __restrict__ loss, float* __restrict__ row_w,
    float* __restrict__ lse, int N, int C, long long ignore_index)
{
    const int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (row >= N) return;  // whole warps leave together: N rows, 32 lanes each
    const float* xr = x + (long long)row * C;
    float m = __int_as_float(0xff800000);  // -inf (NVRTC has no math.h macros)
    for (int j = lane; j < C; j += 32) m = fmaxf(m, xr[j]);
    m = warp_max(m);
    float s = 0.f;
    for (int j = lane; j < C; j += 32) s += expf(xr[j] - m);
    s = warp_sum(s);
    if (lane == 0) {
        const float l = m + logf(s);
        lse[row] = l;
        const long long t = target[row];
        if (t == ignore_index) {
            loss[row] = 0.f;
            row_w[row] = 0.f;
        } else if (t < 0 || t >= C) {
            loss[row] = __int_as_float(0x7fc00000);
            row_w[row] = 1.f;
        } else {
            const float w = weight ? weight[t] : 1.f;
            loss[row] = w * (l - xr[t]);
            row_w[row] = w;
        }
    }
}

// grad_x[i, j] = scale_i * row_w[i] * (softmax(x_i)_j - [j == t_i]), where
// scale_i = gout[i * gout_stride] / (denom ? *denom : 1) (mean divides by the weight sum).
extern "C" __global__ void ember_xent_bwd(
    const float* __restrict__ x, const long long* __restrict__ target,
    const float* __restrict__ row_w, const float* __restrict__ lse,
    const float* __restrict__ gout, long long gout_stride, const float* __restrict__ denom,
    float* __restrict__ gx, long long total, int C)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    const float inv = denom ? 1.f / *denom : 1.f;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += stride) {
        const long long i = idx / C;
        const int j = idx % C;
        const float w = row_w[i];
        const float p = expf(x[idx] - lse[i]);
        const float onehot = (target[i] == j) ? 1.f : 0.f;
        gx[idx] = (w == 0.f) ? 0.f : gout[i * gout_stride] * inv * w * (p - onehot);
    }
}
"""


def cross_entropy_forward(x, target, weight=None, ignore_index=-100):
    """Per-row losses, per-row weights and log-sum-exps for (N, C) float32 logits.

    Returns (loss, row_w, lse), each of shape (N,). The caller reduces: 'sum' is
    loss.sum(), 'mean' is loss.sum() / row_w.sum(), as PyTorch's weighted mean.
    """
    cp = _cupy()
    if x.ndim != 2 or x.dtype != np.float32:
        raise TypeError(f"cross_entropy kernel expects (N, C) float32 logits, got {x.ndim}-D "
                        f"{x.dtype}")
    x = cp.ascontiguousarray(x)
    n, c = x.shape
    target = cp.ascontiguousarray(target.astype(np.int64, copy=False))
    if target.shape != (n,):
        raise ValueError(f"cross_entropy kernel expects target of shape ({n},), got "
                         f"{tuple(target.shape)}")
    w = np.uint64(0) if weight is None else cp.ascontiguousarray(weight, dtype=np.float32)
    loss = cp.empty((n,), np.float32)
    row_w = cp.empty((n,), np.float32)
    lse = cp.empty((n,), np.float32)
    if n:
        warps_per_block = THREADS // 32
        grid = (-(-n // warps_per_block),)
        _function("xent", "ember_xent_fwd")(
            grid, (THREADS,),
            (x, target, w, loss, row_w, lse, np.int32(n), np.int32(c), np.int64(ignore_index)))
    return loss, row_w, lse


def cross_entropy_backward(x, target, row_w, lse, grad_out, denom=None):
    """Gradient of the losses from cross_entropy_forward with respect to the logits.

    grad_out: a one-element array (for 'sum'/'mean') or one value per row ('none').
    denom: for 'mean', the one-element weight sum (left on the device, no host sync).
    """
    cp = _cupy()
    x = cp.ascontiguousarray(x)
    n, c = x.shape
    gout = cp.ascontiguousarray(grad_out, dtype=np.float32).reshape(-1)
    if gout.size not in (1, n):
        raise ValueError(f"cross_entropy backward: grad_out has {gout.size} elements for {n} "
                         "rows")
    gx = cp.empty_like(x)
    total = gx.size
    if total:
        d = np.uint64(0) if denom is None else cp.ascontiguousarray(denom, dtype=np.float32)
        _function("xent", "ember_xent_bwd")(
            (_blocks(total, 4),), (THREADS,),
            (x, cp.ascontiguousarray(target.astype(np.int64, copy=False)), row_w, lse, gout,
             np.int64(0 if gout.size == 1 else 1), d, gx, np.int64(total), np.int32(c)))
    return gx


# ------------------------------------------------------------------ sources (for compile checks)
def sources():
    """Every CUDA source this module compiles, by module name."""
    return {
        "gemm": GEMM_SRC,
        "sgd_multi": multi_tensor_source("sgd"),
        "adam_multi": multi_tensor_source("adam"),
        "conv_float": conv_source("float"),
        "conv_double": conv_source("double"),
        "xent": XENT_SRC,
    }


def kernel_names():
    """(module name, kernel function name) pairs, for checks that every kernel compiles."""
    return [("gemm", "ember_sgemm"), ("sgd_multi", "ember_sgd_multi"),
            ("adam_multi", "ember_adam_multi"), ("conv_float", "ember_im2col_float"),
            ("conv_float", "ember_col2im_float"), ("conv_double", "ember_im2col_double"),
            ("conv_double", "ember_col2im_double"), ("xent", "ember_xent_fwd"),
            ("xent", "ember_xent_bwd")]


__all__ = ["matmul", "gemm", "fused_sgd", "fused_adam", "im2col", "col2im",
           "cross_entropy_forward", "cross_entropy_backward", "sources"]
