"""Affine layers as single ops: linear (x @ W^T + b, one GEMM) and bilinear."""

import numpy as np

from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ..tensor import Tensor
from ._util import NULL_CTX, dispatch, make, matmul_raw

_ndarray = np.ndarray


def _shape_str(shape):
    return "x".join(str(s) for s in shape)


class Linear(Op):
    """x @ W^T + b over the last axis of x, as one GEMM with the bias added in place."""

    @staticmethod
    def forward(ctx, x, w, b):
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        out = matmul_raw(x2, w.T)
        if b is not None:
            out += b
        ctx.save_for_backward(x, w)
        return out.reshape(x.shape[:-1] + (w.shape[0],)) if x.ndim != 2 else out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = gw = gb = None
        if n[0]:
            gx = matmul_raw(g2, w).reshape(x.shape)
        if n[1]:
            x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
            gw = matmul_raw(g2.T, x2)
        if n[2]:
            gb = g2.sum(axis=0)
        return gx, gw, gb

    def name(self):
        """Named after PyTorch's node for the same 2-D case."""
        return "AddmmBackward0"


def linear(input, weight, bias=None):
    """y = input @ weight^T + bias, over the last dimension of input."""
    if isinstance(input, Tensor) and isinstance(weight, Tensor):
        # the layer's everyday case, checked in one go: 2-D host arrays of one dtype
        x, w = input._data, weight._data
        if x.__class__ is _ndarray and w.__class__ is _ndarray and x.ndim == 2 and \
                w.ndim == 2 and x.shape[1] == w.shape[1] and x.dtype == w.dtype:
            if bias is None:
                b = None
            elif isinstance(bias, Tensor) and bias._data.__class__ is _ndarray and \
                    bias._data.shape == w.shape[:1] and bias._data.dtype == w.dtype:
                b = bias._data
            else:
                b = False
            if b is not False:
                if STATE.enabled and (input._requires_grad or weight._requires_grad or
                                      (b is not None and bias._requires_grad)):
                    return Linear.apply(input, weight, bias)
                return make(Linear.forward(NULL_CTX, x, w, b))
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError("linear(): input and weight must be Tensors")
    xs, ws = input._data.shape, weight._data.shape
    if weight._data.ndim == 1:
        # a vector weight gives a scalar per row, as PyTorch allows
        out = input.matmul(weight)
        return out if bias is None else out + bias
    if input._data.ndim == 0 or weight._data.ndim != 2 or xs[-1] != ws[1]:
        a = (1,) + xs if input._data.ndim <= 1 else (int(np.prod(xs[:-1])), xs[-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a)} and "
                           f"{_shape_str(ws[::-1])})")
    if input._data.dtype != weight._data.dtype or (
            bias is not None and bias._data.dtype != weight._data.dtype):
        other = weight if input._data.dtype != weight._data.dtype else bias
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{input.dtype} and {other.dtype}")
    if bias is not None and bias._data.shape not in ((ws[0],), (), (1,)):
        raise RuntimeError(f"The size of tensor a ({ws[0]}) must match the size of tensor b "
                           f"({bias._data.shape[-1]}) at non-singleton dimension 1")
    if input._data.ndim == 1:
        return dispatch(Linear, input.unsqueeze(0), weight, bias).squeeze(0)
    return dispatch(Linear, input, weight, bias)


class Bilinear(Op):
    """y[n, o] = x1[n] @ W[o] @ x2[n] + b[o]."""

    @staticmethod
    def forward(ctx, x1, x2, w, b):
        ctx.save_for_backward(x1, x2, w)
        out = np.einsum("ni,oij,nj->no", x1, w, x2, optimize=True)
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, g):
        x1, x2, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        g1 = np.einsum("no,oij,nj->ni", g, w, x2, optimize=True) if n[0] else None
        g2 = np.einsum("no,oij,ni->nj", g, w, x1, optimize=True) if n[1] else None
        gw = np.einsum("no,ni,nj->oij", g, x1, x2, optimize=True) if n[2] else None
        gb = g.sum(axis=0) if n[3] else None
        return g1, g2, gw, gb


def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b for each output feature; inputs (..., in1) and (..., in2)."""
    s1, s2, sw = input1._data.shape, input2._data.shape, weight._data.shape
    if weight._data.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D, got {weight._data.ndim}-D")
    if s1[:-1] != s2[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{list(s1[:-1])} and {list(s2[:-1])}")
    if s1[-1] != sw[1] or s2[-1] != sw[2]:
        raise RuntimeError(f"bilinear(): input sizes ({s1[-1]}, {s2[-1]}) do not match weight "
                           f"size {list(sw)}")
    lead = s1[:-1]
    a = input1.reshape(-1, s1[-1])
    b = input2.reshape(-1, s2[-1])
    out = dispatch(Bilinear, a, b, weight, bias)
    return out.reshape(lead + (sw[0],))
