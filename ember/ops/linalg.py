"""Linear algebra: matmul (and @), mm, bmm, mv, dot, outer, addmm, einsum."""

import numpy as np

from .. import backend
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import dispatch, matmul_raw, promote, unbroadcast, write_out


def _shape_str(shape):
    return "x".join(str(s) for s in shape)


class Matmul(Op):
    """Matrix product with NumPy's matmul broadcasting rules."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return matmul_raw(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        xp = backend.array_module(g)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        # restore the dims a 1-D operand dropped from the result: b's column first, so that
        # the 0-d gradient of vector @ vector becomes (1, 1)
        g2 = g
        if b.ndim == 1:
            g2 = xp.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = xp.expand_dims(g2, -2)
        ga = gb = None
        if n[0]:
            ga = matmul_raw(g2, xp.swapaxes(b2, -1, -2))
            ga = unbroadcast(ga, a2.shape).reshape(a.shape)
        if n[1]:
            gb = matmul_raw(xp.swapaxes(a2, -1, -2), g2)
            gb = unbroadcast(gb, b2.shape).reshape(b.shape)
        return ga, gb


class Addmm(Op):
    """beta * c + alpha * (a @ b) for matrices (the fused linear-layer form)."""

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.meta = (c.shape, beta, alpha)
        out = matmul_raw(a, b)
        if alpha != 1:
            out *= alpha
        out += c if beta == 1 else beta * c
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        cshape, beta, alpha = ctx.meta
        n = ctx.needs_input_grad
        gc = unbroadcast(g if beta == 1 else g * beta, cshape) if n[0] else None
        ga = matmul_raw(g, b.T) * alpha if n[1] else None
        gb = matmul_raw(a.T, g) * alpha if n[2] else None
        return gc, ga, gb, None, None


def _check_float_pair(a, b, name):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{name}(): arguments must be Tensors")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}"
        )


def matmul(input, other, *, out=None):
    """Matrix product: dot for 1-D, mm for 2-D, batched and broadcast beyond."""
    _check_float_pair(input, other, "matmul")
    sa, sb = input._data.shape, other._data.shape
    if input._data.ndim == 0 or other._data.ndim == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{input._data.ndim}D and {other._data.ndim}D")
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka != kb:
        if len(sa) <= 2 and len(sb) <= 2:
            if len(sa) == 1 and len(sb) == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{ka}] and src "
                                   f"[{kb}] to have the same number of elements, but got {ka} "
                                   f"and {kb} elements respectively")
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_str(sa if len(sa) == 2 else (1,) + sa)} and "
                               f"{_shape_str(sb if len(sb) == 2 else sb + (1,))})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sb[0] if len(sb) > 2 else 1}, {ka}] but got: {list(sb)}; "
                           f"cannot multiply {_shape_str(sa)} by {_shape_str(sb)}")
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise RuntimeError(f"matmul: batch dimensions of {list(sa)} and {list(sb)} are not "
                           "broadcastable") from None
    r = dispatch(Matmul, input, other)
    return write_out(out, r) if out is not None else r


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors."""
    if input._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError(f"mm(): both arguments must be 2-D matrices, got {input._data.ndim}D "
                           f"and {mat2._data.ndim}D")
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    if input._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor, got {input._data.ndim}D and "
                           f"{mat2._data.ndim}D")
    if input._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{input._data.shape[0]} and {mat2._data.shape[0]}")
    return matmul(input, mat2, out=out)


def mv(input, vec, *, out=None):
    """Matrix-vector product."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError("vector + matrix @ vector expected, got "
                           f"{input._data.ndim}D and {vec._data.ndim}D")
    return matmul(input, vec, out=out)


def dot(input, other, *, out=None):
    """Inner product of two 1-D tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    return matmul(input, other, out=out)


inner = dot
vdot = dot


def outer(input, vec2, *, out=None):
    """Outer product of two 1-D tensors."""
    r = input.reshape(-1, 1) * vec2.reshape(1, -1)
    return write_out(out, r) if out is not None else r


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    if mat1._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError("addmm(): mat1 and mat2 must be 2-D matrices")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({_shape_str(mat1._data.shape)} and {_shape_str(mat2._data.shape)})")
    out_shape = (mat1._data.shape[0], mat2._data.shape[1])
    try:
        if np.broadcast_shapes(input._data.shape, out_shape) != out_shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"addmm: input of shape {list(input._data.shape)} cannot be "
                           f"broadcast to the product's shape {list(out_shape)}") from None
    input, mat1 = promote(input, mat1)
    r = dispatch(Addmm, input, mat1, mat2, beta, alpha)
    return write_out(out, r) if out is not None else r


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec)."""
    return input * beta + matmul(mat, vec) * alpha


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * bmm(batch1, batch2)."""
    return input * beta + bmm(batch1, batch2) * alpha


class Einsum(Op):
    """Einstein summation over two operands or more (gradient by re-contraction)."""

    @staticmethod
    def forward(ctx, spec, *arrays):
        ctx.save_for_backward(*arrays)
        ctx.spec = spec
        return backend.array_module(arrays[0]).einsum(spec, *arrays, optimize=True)

    @staticmethod
    def backward(ctx, g):
        arrays = ctx.saved_tensors
        ins, out = ctx.spec.split("->")
        terms = ins.split(",")
        xp = backend.array_module(g)
        grads = [None]
        for i, a in enumerate(arrays):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(terms) if j != i]
            ops_ = [arr for j, arr in enumerate(arrays) if j != i]
            spec = ",".join([out] + others) + "->" + terms[i]
            # letters of term i absent elsewhere were summed out: they broadcast back
            present = set(out + "".join(others))
            missing = [c for c in terms[i] if c not in present]
            if missing:
                spec_partial = ",".join([out] + others) + "->" + \
                    "".join(c for c in terms[i] if c in present)
                part = xp.einsum(spec_partial, g, *ops_, optimize=True)
                idx = tuple(slice(None) if c in present else None for c in terms[i])
                grads.append(xp.broadcast_to(part[idx], a.shape).copy())
            else:
                grads.append(xp.einsum(spec, g, *ops_, optimize=True))
        return tuple(grads)


def einsum(equation, *operands):
    """Einstein summation, e.g. einsum('ij,jk->ik', a, b)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    spec = equation.replace(" ", "")
    if "->" not in spec:
        ins = spec.split(",")
        letters = sorted(c for c in set("".join(ins)) if "".join(ins).count(c) == 1)
        spec = spec + "->" + "".join(letters)
    if "..." in spec:
        raise NotImplementedError("einsum with '...' is not supported by ember yet")
    try:
        return dispatch(Einsum, spec, *operands)
    except ValueError as e:
        shapes = ", ".join(str(list(t._data.shape)) for t in operands)
        raise RuntimeError(f"einsum('{equation}') with operands of shapes {shapes}: {e}") \
            from None
