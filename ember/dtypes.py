"""dtype objects, PyTorch's type-promotion rules, and the default dtype."""

import numpy as np


class dtype:
    """An ember element type such as ``ember.float32``; wraps a NumPy dtype."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize",
                 "_category")

    def __init__(self, name, np_type, category):
        self.name = name
        self.np = np.dtype(np_type)
        self._category = category  # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = self.np.kind in "ifc"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        """The real counterpart of a complex dtype (self otherwise)."""
        return {"complex64": float32, "complex128": float64}.get(self.name, self)


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
complex64 = dtype("complex64", np.complex64, 3)
complex128 = dtype("complex128", np.complex128, 3)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16,
            "int": int32, "long": int64, "cfloat": complex64, "cdouble": complex128}
_BY_NAME.update(_ALIASES)

_default = float32
# Memo tables (dicts) whose entries depend on the default dtype; set_default_dtype clears them.
DEFAULT_DEPENDENT_CACHES = []


def _by_name(name):
    return _BY_NAME[name]


def from_np(np_dtype):
    """The ember dtype of a NumPy dtype."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        try:
            return _BY_NP[np.dtype(np_dtype)]
        except (KeyError, TypeError):
            raise TypeError(
                f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported "
                "types are: float64, float32, float16, complex64, complex128, int64, int32, "
                "int16, int8, uint8, and bool."
            ) from None


def to_dtype(spec):
    """Accept an ember dtype, a NumPy dtype/type, a dtype name or a Python type."""
    if isinstance(spec, dtype):
        return spec
    if spec is float:
        return float64
    if spec is int:
        return int64
    if spec is bool:
        return bool_
    if isinstance(spec, str) and spec in _BY_NAME:
        return _BY_NAME[spec]
    try:
        return from_np(np.dtype(spec))
    except TypeError:
        raise TypeError(f"{spec!r} is not an ember dtype") from None


def get_default_dtype():
    """The floating dtype used for Python floats and new float tensors (float32 at start)."""
    return _default


def set_default_dtype(d):
    """Set the default floating dtype (float16, float32 or float64)."""
    global _default
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default = d
    for cache in DEFAULT_DEPENDENT_CACHES:
        cache.clear()


def default_complex():
    """The complex dtype that matches the default floating dtype."""
    return complex128 if _default is float64 else complex64


def promote_types(a, b):
    """The smallest dtype both `a` and `b` can be cast to, by PyTorch's rules."""
    if a is b:
        return a
    if a._category != b._category:
        hi, lo = (a, b) if a._category > b._category else (b, a)
        if hi.is_complex and lo.is_floating_point:
            return complex128 if (lo is float64 or hi is complex128) else hi
        return hi
    return from_np(np.promote_types(a.np, b.np))


def _combine(higher, lower):
    """Combine the promoted dtype of a priority class with that of a lower class."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return (complex128 if higher is float64 else complex64) if higher.is_floating_point \
            else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype a Python scalar takes when it meets a tensor (a 'wrapped number')."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default
    if isinstance(value, complex):
        return default_complex()
    if isinstance(value, np.generic):
        return scalar_dtype(value.item())
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def result_type_of(dims, zero_dims, scalars):
    """PyTorch's result_type over three priority classes: tensors, 0-dim tensors, scalars."""
    def fold(ds):
        out = None
        for d in ds:
            out = d if out is None else promote_types(out, d)
        return out

    return _combine(fold(dims), _combine(fold(zero_dims), fold(scalars)))
