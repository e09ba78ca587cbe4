"""Tensor: an n-dimensional array (numpy on CPU, cupy on GPU) with autograd metadata.

Most methods are thin calls into ``ember.ops``; they are bound at the bottom of this module,
which closes the one import loop of the package (ops return Tensors; Tensor methods call ops).
"""

import warnings

import numpy as np

from . import backend, dtypes
from .autograd import function as _function
from .autograd.grad_mode import STATE

_new = object.__new__
_ndarray = np.ndarray
_generic = np.generic


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``ember.Size([5, 3])``."""

    def __repr__(self):
        return f"ember.Size([{', '.join(str(s) for s in self)}])"

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    """A multi-dimensional array on a device, optionally recording operations for autograd.

    ``Tensor(5, 3)`` makes an uninitialized 5x3 float tensor and ``Tensor([1, 2])`` one from
    data, as in PyTorch's legacy constructor; prefer ``ember.tensor`` and ``ember.empty``.
    """

    # Class-level defaults keep construction to one attribute write on the hot path.
    _requires_grad = False
    grad = None
    grad_fn = None
    _output_nr = 0
    _vc = None
    _hooks = None
    _accumulator = None
    _retains_grad = False
    _view_base = None  # (base, key) for basic-indexing views, for in-place autograd
    __array_priority__ = 1000  # numpy operands on the left defer to our operators

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        from .creation import legacy_new

        self._data = legacy_new(args, dtype or dtypes.get_default_dtype(), device)
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _make(array):
        """Wrap an array without copying (no autograd)."""
        if type(array) is not _ndarray and isinstance(array, _generic):
            array = np.asarray(array)
        t = _new(Tensor)
        t._data = array
        return t

    # ---------------------------------------------------------------- metadata
    @property
    def shape(self):
        """The size of each dimension, as an ember.Size."""
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape (an ember.Size), or the size of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        """The element type."""
        return dtypes.from_np(self._data.dtype)

    @property
    def device(self):
        """Where the data lives."""
        return backend.device_of(self._data)

    @property
    def is_cuda(self):
        """True when the tensor lives on a GPU."""
        return not isinstance(self._data, _ndarray)

    @property
    def is_cpu(self):
        """True when the tensor lives in host memory."""
        return isinstance(self._data, _ndarray)

    @property
    def ndim(self):
        """Number of dimensions."""
        return self._data.ndim

    def dim(self):
        """Number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self):
        """Number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self):
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self):
        """Bytes per element."""
        return self._data.itemsize

    @property
    def nbytes(self):
        """Bytes used by the elements."""
        return self._data.nbytes

    def stride(self, dim=None):
        """Strides in elements (not bytes), as PyTorch reports them."""
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None):
        """True when the elements are laid out densely in row-major order."""
        return bool(self._data.flags.c_contiguous)

    def data_ptr(self):
        """The address of the first element."""
        if isinstance(self._data, _ndarray):
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    def storage_offset(self):
        """Offset of the first element from its base array, in elements."""
        base = self._data.base
        if base is None or not isinstance(self._data, _ndarray):
            return 0
        while isinstance(base, _ndarray) and base.base is not None:
            base = base.base
        if not isinstance(base, _ndarray):
            return 0
        return (self.data_ptr() - base.__array_interface__["data"][0]) // self._data.itemsize

    def is_floating_point(self):
        """True for float16/32/64."""
        return self._data.dtype.kind == "f"

    def is_complex(self):
        """True for complex dtypes."""
        return self._data.dtype.kind == "c"

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded op (user-created or detached)."""
        return self.grad_fn is None

    @property
    def requires_grad(self):
        """Whether operations on this tensor are recorded for autograd."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only Tensors of floating point and complex dtype can require gradients "
                f"(got {self.dtype})"
            )
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place; returns self."""
        self.requires_grad = requires_grad
        return self

    @property
    def creator(self):
        """The 0.x name of grad_fn."""
        return self.grad_fn

    @property
    def _version(self):
        vc = self._vc
        return 0 if vc is None else vc[0]

    def _version_counter(self):
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump(self):
        """Record an in-place change (for saved-tensor checks)."""
        vc = self._vc
        if vc is None:
            self._vc = [1]
        else:
            vc[0] += 1

    def _grad_accumulator(self):
        acc = self._accumulator
        if acc is None:
            acc = self._accumulator = _function.AccumulateGrad(self)
        return acc

    # ---------------------------------------------------------------- data access
    @property
    def data(self):
        """A tensor sharing this one's memory, outside the autograd graph."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        if self._data.__class__ is not _ndarray:
            backend.check_no_sync("Tensor.item()")
        return self._data.item()

    def tolist(self):
        """Nested Python lists (or a number for a 0-dim tensor)."""
        if self._data.__class__ is not _ndarray:
            backend.check_no_sync("Tensor.tolist()")
        return self._data.tolist()

    def numpy(self, *, force=False):
        """A NumPy array sharing this tensor's memory (CPU only, like PyTorch)."""
        if not isinstance(self._data, _ndarray):
            if force:
                return self._data.get()
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first."
            )
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        if not isinstance(self._data, _ndarray):
            backend.check_no_sync("Converting a cuda tensor to a NumPy array")
        arr = self._data if isinstance(self._data, _ndarray) else self._data.get()
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} values is ambiguous"
            )
        if self._data.__class__ is not _ndarray:
            backend.check_no_sync("bool(tensor) (e.g. `if tensor:`)")
        return bool(self._data.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __hash__(self):
        return id(self)

    def __repr__(self):
        from ._printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __reduce_ex__(self, protocol):
        data = self._data if isinstance(self._data, _ndarray) else self._data.get()
        return (_rebuild, (data, self._requires_grad, str(self.device)))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment")
        new = type(self).__new__(type(self))
        skip = ("_data", "grad", "_vc", "_accumulator", "_hooks", "_view_base")
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in skip})
        new._data = self._data.copy()
        if self.grad is not None:
            new.grad = Tensor._make(self.grad._data.copy())
        memo[id(self)] = new
        return new

    # ---------------------------------------------------------------- autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute gradients of this tensor with respect to graph leaves."""
        from .autograd.engine import backward

        backward(self, None if gradient is None else (gradient,), retain_graph, create_graph,
                 inputs)

    def detach(self):
        """A tensor sharing data (and version counter) but outside the graph."""
        t = Tensor._make(self._data)
        t._vc = self._version_counter()
        return t

    def detach_(self):
        """Detach this tensor from the graph in place; returns self."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    def register_hook(self, hook):
        """Call hook(grad) whenever this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _function._RemovableHandle(self._hooks, hook)

    def retain_grad(self):
        """Keep .grad for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        import weakref

        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                t.grad = Tensor._make(grad._data.copy()) if t.grad is None else t.grad + grad

        self.grad_fn._add_tensor_hook(self._output_nr, keep)

    @property
    def retains_grad(self):
        """True when retain_grad() was called on this non-leaf tensor."""
        return self._retains_grad

    # ---------------------------------------------------------------- devices & types
    def to(self, *args, **kwargs):
        """Move and/or cast: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(other)``."""
        from .ops.convert import to

        return to(self, *args, **kwargs)

    def cpu(self, memory_format=None):
        """A copy in host memory (self when already there)."""
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """A copy on the GPU (`device` picks which)."""
        dev = "cuda" if device is None else (device if isinstance(device, str)
                                              else backend.device("cuda", int(device))
                                              if isinstance(device, int) else device)
        return self.to(dev)

    def type(self, dtype=None, non_blocking=False):
        """With no argument, the type name ('ember.FloatTensor'); otherwise cast."""
        if dtype is None:
            name = _TYPE_NAMES.get(self._data.dtype.name, "Tensor")
            return f"ember.{'cuda.' if self.is_cuda else ''}{name}"
        if isinstance(dtype, str):
            short = dtype.rsplit(".", 1)[-1]
            inv = {v: k for k, v in _TYPE_NAMES.items()}
            if short not in inv:
                raise ValueError(f"invalid type: {dtype!r}")
            dtype = inv[short]
        return self.to(dtypes.to_dtype(dtype))

    def type_as(self, other):
        """Cast to other's dtype."""
        return self.to(other.dtype)

    def float(self, memory_format=None):
        """Cast to float32."""
        return self.to(dtypes.float32)

    def double(self, memory_format=None):
        """Cast to float64."""
        return self.to(dtypes.float64)

    def half(self, memory_format=None):
        """Cast to float16."""
        return self.to(dtypes.float16)

    def int(self, memory_format=None):
        """Cast to int32."""
        return self.to(dtypes.int32)

    def long(self, memory_format=None):
        """Cast to int64."""
        return self.to(dtypes.int64)

    def short(self, memory_format=None):
        """Cast to int16."""
        return self.to(dtypes.int16)

    def char(self, memory_format=None):
        """Cast to int8."""
        return self.to(dtypes.int8)

    def byte(self, memory_format=None):
        """Cast to uint8."""
        return self.to(dtypes.uint8)

    def bool(self, memory_format=None):
        """Cast to bool."""
        return self.to(dtypes.bool_)

    # ---------------------------------------------------------------- new_* constructors
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A new tensor from data, with this tensor's dtype and device by default."""
        from .creation import tensor

        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros with this tensor's dtype/device by default."""
        from .creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                     requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """Ones with this tensor's dtype/device by default."""
        from .creation import ones

        return ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        """Uninitialized with this tensor's dtype/device by default."""
        from .creation import empty

        return empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                     requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        """Filled with fill_value, with this tensor's dtype/device by default."""
        from .creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _rebuild(array, requires_grad, device):
    t = Tensor._make(array)
    if device != "cpu":
        t = t.to(device)
    t._requires_grad = requires_grad
    return t


def _legacy_type(dtype, doc):
    class LegacyTensor(Tensor):
        __doc__ = doc

        def __new__(cls, *args, device=None):
            from .creation import legacy_new

            return Tensor._make(legacy_new(args, dtype, device))

    LegacyTensor.__name__ = LegacyTensor.__qualname__ = _TYPE_NAMES[dtype.name]
    return LegacyTensor


FloatTensor = _legacy_type(dtypes.float32, "Legacy constructor of float32 tensors.")
DoubleTensor = _legacy_type(dtypes.float64, "Legacy constructor of float64 tensors.")
HalfTensor = _legacy_type(dtypes.float16, "Legacy constructor of float16 tensors.")
LongTensor = _legacy_type(dtypes.int64, "Legacy constructor of int64 tensors.")
IntTensor = _legacy_type(dtypes.int32, "Legacy constructor of int32 tensors.")
ShortTensor = _legacy_type(dtypes.int16, "Legacy constructor of int16 tensors.")
CharTensor = _legacy_type(dtypes.int8, "Legacy constructor of int8 tensors.")
ByteTensor = _legacy_type(dtypes.uint8, "Legacy constructor of uint8 tensors.")
BoolTensor = _legacy_type(dtypes.bool_, "Legacy constructor of bool tensors.")

_function.Tensor = Tensor


def _warn_legacy_index():
    warnings.warn(
        "indexing a 0-dim tensor with [0] is the 0.x spelling; use tensor.item() instead",
        DeprecationWarning, stacklevel=3,
    )


# The one import loop: Tensor methods are thin calls into ember.ops, which return Tensors.
from . import ops as _ops  # noqa: E402

_ops.bind_tensor_methods(Tensor)
del STATE
