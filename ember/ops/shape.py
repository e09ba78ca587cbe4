"""Shape ops: view/reshape, permute/transpose, expand, squeeze, cat/stack, split, flip, ..."""

import numpy as np

from .. import backend
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import dispatch, make, promote, shape_arg, unbroadcast, wrap_dim, write_out


def _infer_shape(shape, numel, what="view"):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    total = 1
    for s in shape:
        total *= s
    if total != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class Reshape(Op):
    """Same elements, new shape (a view when the layout allows)."""

    _view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class View(Reshape):
    """Same elements, new shape; never copies (errors when a copy would be needed)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        out = a.view()
        try:
            out.shape = shape  # assigning .shape raises instead of silently copying
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return out


class Permute(Op):
    """Reorder dimensions (a view)."""

    _view = True

    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return a.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(np.argsort(ctx.axes)), None


class Expand(Op):
    """Broadcast singleton dims to a larger size (a view)."""

    _view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return backend.array_module(a).broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.shape), None


class Slice(Op):
    """Basic indexing (ints, slices, None, Ellipsis): a view of the input."""

    _view = True

    @staticmethod
    def forward(ctx, a, key):
        ctx.meta = (a.shape, a.dtype, key)
        out = a[key]
        if not isinstance(out, np.ndarray) and isinstance(a, np.ndarray):
            # an int for every dim gives a NumPy scalar (a copy); with a trailing Ellipsis it
            # is a 0-d view, so x[0].add_(1) writes into x as in PyTorch
            out = a[(key if isinstance(key, tuple) else (key,)) + (Ellipsis,)]
        return out

    @staticmethod
    def backward(ctx, g):
        shape, dtype, key = ctx.meta
        out = backend.array_module(g).zeros(shape, g.dtype)
        out[key] = g
        return out, None


def slice_view(t, key):
    """t[key] for basic indexing: a view that remembers its base, so that an in-place op on
    it can rewrite the base's autograd history (see _util.inplace)."""
    out = dispatch(Slice, t, key)
    out._view_base = (t, key)
    return out


class Cat(Op):
    """Join tensors along an existing axis."""

    @staticmethod
    def forward(ctx, axis, *arrays):
        ctx.meta = (axis, [a.shape[axis] for a in arrays])
        return backend.array_module(arrays[0]).concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        axis, sizes = ctx.meta
        bounds = np.cumsum(sizes)[:-1]
        return (None,) + tuple(backend.array_module(g).split(g, bounds, axis=axis))


class Stack(Op):
    """Join tensors along a new axis."""

    @staticmethod
    def forward(ctx, axis, *arrays):
        ctx.axis = axis
        return backend.array_module(arrays[0]).stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        xp = backend.array_module(g)
        return (None,) + tuple(xp.moveaxis(g, ctx.axis, 0))


class Flip(Op):
    """Reverse the order of elements along axes."""

    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return backend.array_module(a).flip(a, axes).copy()

    @staticmethod
    def backward(ctx, g):
        return backend.array_module(g).flip(g, ctx.axes), None


class Roll(Op):
    """Shift elements cyclically along axes."""

    @staticmethod
    def forward(ctx, a, shifts, axes):
        ctx.meta = (shifts, axes)
        return backend.array_module(a).roll(a, shifts, axes)

    @staticmethod
    def backward(ctx, g):
        shifts, axes = ctx.meta
        neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return backend.array_module(g).roll(g, neg, axes), None, None


class Repeat(Op):
    """Tile the tensor `reps` times along each dim."""

    @staticmethod
    def forward(ctx, a, reps):
        ctx.meta = (a.shape, reps)
        return backend.array_module(a).tile(a, reps)

    @staticmethod
    def backward(ctx, g):
        shape, reps = ctx.meta
        lead = len(reps) - len(shape)
        full = (1,) * lead + tuple(shape)
        inter = []
        for r, s in zip(reps, full):
            inter.extend((r, s))
        g = g.reshape(inter).sum(axis=tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(shape), None


# ---------------------------------------------------------------- functions
def reshape(input, *shape):
    """Same elements, new shape (-1 infers one dim); a view when possible."""
    shape = _infer_shape(shape_arg(shape), input._data.size)
    if shape == input._data.shape:
        return dispatch(Reshape, input, shape) if input._requires_grad else _alias(input)
    return dispatch(Reshape, input, shape)


def _alias(t):
    if t._requires_grad:
        # still a graph node, or the result would silently drop out of autograd
        return dispatch(Reshape, t, t._data.shape)
    out = make(t._data)
    out._vc = t._version_counter()
    return out


def view(input, *shape):
    """Same elements, new shape, sharing memory (-1 infers one dim)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer)):
        from .. import dtypes

        dt = dtypes.to_dtype(shape[0])
        if dt.itemsize != input._data.itemsize:
            raise RuntimeError("view(dtype) with a different element size is not supported")
        return make(input._data.view(dt.np))
    shape = _infer_shape(shape_arg(shape), input._data.size)
    return dispatch(View, input, shape)


def view_as(input, other):
    """view(other.shape)."""
    return view(input, other._data.shape)


def reshape_as(input, other):
    """reshape(other.shape)."""
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = input._data.shape
    n = 1
    for d in shp[s:e + 1]:
        n *= d
    return reshape(input, shp[:s] + (n,) + shp[e + 1:])


def unflatten(input, dim, sizes):
    """Split one dim into several."""
    d = wrap_dim(dim, input._data.ndim)
    shp = input._data.shape
    sizes = _infer_shape(tuple(sizes), shp[d])
    return reshape(input, shp[:d] + sizes + shp[d + 1:])


def squeeze(input, dim=None):
    """Remove size-1 dims (all, or the given ones)."""
    shp = input._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {wrap_dim(d, len(shp)) for d in dims}
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    if new == shp:
        return _alias(input) if not input._requires_grad else dispatch(Reshape, input, new)
    return dispatch(Reshape, input, new)


def unsqueeze(input, dim):
    """Insert a size-1 dim at position dim."""
    shp = input._data.shape
    d = wrap_dim(dim, len(shp) + 1)
    return dispatch(Reshape, input, shp[:d] + (1,) + shp[d:])


def permute(input, *dims):
    """Reorder dims."""
    nd = input._data.ndim
    dims = shape_arg(dims) if dims else ()
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(): number of dims don't match: input.dim() = {nd} is not equal to "
            f"len(dims) = {len(dims)}"
        )
    axes = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(axes)) != nd:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    return dispatch(Permute, input, axes)


def transpose(input, dim0, dim1):
    """Swap two dims."""
    nd = input._data.ndim
    if nd == 0:
        return _alias(input)
    axes = list(range(nd))
    a, b = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    axes[a], axes[b] = axes[b], axes[a]
    return dispatch(Permute, input, tuple(axes))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a matrix (0-D and 1-D tensors come back unchanged)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    if nd < 2:
        return _alias(input)
    return transpose(input, 0, 1)


def movedim(input, source, destination):
    """Move dims from source to destination positions."""
    nd = input._data.ndim
    src = source if isinstance(source, (tuple, list)) else [source]
    dst = destination if isinstance(destination, (tuple, list)) else [destination]
    src = [wrap_dim(s, nd) for s in src]
    dst = [wrap_dim(d, nd) for d in dst]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def expand(input, *sizes):
    """Broadcast to a larger shape (-1 keeps a dim) without copying."""
    sizes = shape_arg(sizes)
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(
            f"expand(ember.{input.dtype.name}{{{list(shp)}}}, size={list(sizes)}): the number "
            "of sizes provided must be greater or equal to the number of dimensions in the "
            "tensor"
        )
    lead = len(sizes) - len(shp)
    target = []
    for i, s in enumerate(sizes):
        cur = shp[i - lead] if i >= lead else None
        if s == -1:
            if cur is None:
                raise RuntimeError("expand: -1 is not allowed in a leading, new dimension")
            s = cur
        elif cur is not None and cur != 1 and cur != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shp)}"
            )
        target.append(s)
    return dispatch(Expand, input, tuple(target))


def expand_as(input, other):
    """expand(other.shape)."""
    return expand(input, other._data.shape)


def broadcast_to(input, shape):
    """expand(shape)."""
    return expand(input, shape)


def broadcast_tensors(*tensors):
    """Expand tensors to their common broadcast shape."""
    shape = broadcast_shape(*(t._data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shape(*shapes):
    """The common broadcast shape, or a RuntimeError naming the shapes that do not broadcast."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError("shape mismatch: tensors of shapes "
                           f"{', '.join(str(list(s)) for s in shapes)} cannot be broadcast "
                           "to a single shape") from None


def _check_seq(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")


def _promote_all(tensors):
    out = list(tensors)
    base = out[0]
    for t in out[1:]:
        if t._data.dtype != base._data.dtype:
            base, _ = promote(base, t)
    return [promote(t, base)[0] if t._data.dtype != base._data.dtype else t for t in out]


def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dim."""
    _check_seq(tensors, "cat")
    tensors = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or \
        list(tensors)[:1]
    ref = tensors[0]
    d = wrap_dim(dim, ref._data.ndim)
    for i, t in enumerate(tensors):
        if t._data.ndim != ref._data.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref._data.ndim} and "
                f"{t._data.ndim}"
            )
        for k, (a, b) in enumerate(zip(ref._data.shape, t._data.shape)):
            if k != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} "
                    f"but got size {b} for tensor number {i} in the list."
                )
    tensors = _promote_all(tensors)
    r = dispatch(Cat, d, *tensors)
    return write_out(out, r) if out is not None else r


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join same-shape tensors along a new dim."""
    _check_seq(tensors, "stack")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ref)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    d = wrap_dim(dim, len(ref) + 1)
    tensors = _promote_all(tensors)
    r = dispatch(Stack, d, *tensors)
    return write_out(out, r) if out is not None else r


def hstack(tensors):
    """Concatenate along dim 1 (dim 0 for 1-D tensors)."""
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Concatenate along dim 0 (1-D tensors become rows)."""
    return cat([t.unsqueeze(0) if t._data.ndim == 1 else t for t in tensors], 0)


def narrow(input, dim, start, length):
    """The slice [start, start+length) along dim (a view)."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if start < 0:
        start += size
    if not (0 <= start and start + length <= size and length >= 0):
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return slice_view(input, key)


def select(input, dim, index):
    """The sub-tensor at index along dim (that dim removed; a view)."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return slice_view(input, (slice(None),) * d + (index,))


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of a size (last may be smaller) or of the given sizes."""
    d = wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [min(step, size - i) for i in range(0, size, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    out, start = [], 0
    for s in sizes:
        out.append(narrow(tensor, d, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    """Split into `chunks` nearly equal pieces (fewer when the dim is small)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0")
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    step = max(1, -(-size // chunks))
    return split(input, step, dim)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into n pieces (sizes differ by at most one) or at the given indices."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        q, r = divmod(size, n)
        sizes = [q + 1] * r + [q] * (n - r)
    else:
        idx = [0] + list(indices_or_sections) + [size]
        sizes = [max(0, b - a) for a, b in zip(idx[:-1], idx[1:])]
    return split(input, sizes, d)


def unbind(input, dim=0):
    """All slices along dim, as a tuple (dim removed)."""
    d = wrap_dim(dim, input._data.ndim)
    return tuple(select(input, d, i) for i in range(input._data.shape[d]))


def flip(input, dims):
    """Reverse the order of elements along dims."""
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    axes = tuple(wrap_dim(d, input._data.ndim) for d in dims)
    return dispatch(Flip, input, axes)


def fliplr(input):
    """Flip along dim 1."""
    return flip(input, (1,))


def flipud(input):
    """Flip along dim 0."""
    return flip(input, (0,))


def roll(input, shifts, dims=None):
    """Shift elements cyclically (flattened when dims is None)."""
    if dims is None:
        return reshape(dispatch(Roll, flatten(input), shifts, 0), input._data.shape)
    if isinstance(shifts, (tuple, list)):
        shifts = tuple(shifts)
        dims = tuple(wrap_dim(d, input._data.ndim) for d in dims)
    else:
        dims = wrap_dim(dims, input._data.ndim)
    return dispatch(Roll, input, shifts, dims)


def repeat(input, *sizes):
    """Tile the tensor along each dim (sizes may add leading dims)."""
    sizes = shape_arg(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return dispatch(Repeat, input, sizes)


def tile(input, dims):
    """Like repeat, padding dims with ones on the left when fewer than input dims."""
    dims = tuple(dims)
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats, dim=None):
    """Repeat each element `repeats` times (flattened when dim is None)."""
    from .index import index_select

    if dim is None:
        input, dim = flatten(input), 0
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    if not isinstance(reps, int):  # host copy of the counts (np.asarray fails on cupy)
        reps = backend.to_device(reps, backend.CPU) if backend.is_gpu_array(reps) else \
            np.asarray(reps)
    idx = np.repeat(np.arange(n), reps)
    return index_select(input, d, make(backend.to_device(idx, input.device)))


def atleast_1d(input):
    """Reshape a 0-D tensor to 1-D."""
    return reshape(input, 1) if input._data.ndim == 0 else input


def atleast_2d(input):
    """Add leading dims until 2-D."""
    while input._data.ndim < 2:
        input = unsqueeze(input, 0)
    return input
