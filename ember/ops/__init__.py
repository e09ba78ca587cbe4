"""Every differentiable op, grouped by family; the public functions re-exported as ember.*."""

from . import arithmetic, compare, convert, index, inplace, linalg, reduce, shape, unary

# Load the ops.norm submodule (normalization layers) now: importing a submodule later sets the
# package attribute `norm` to the module, hiding the norm() function below (ember.norm,
# Tensor.norm). A submodule is bound on the package only when it is first loaded.
from . import norm as _norm_module  # noqa: E402, F401  isort: skip
from .activation import log_softmax, softmax
from .arithmetic import (
    Add,
    Div,
    Mul,
    Pow,
    Sub,
    add,
    addcdiv,
    addcmul,
    atan2,
    binary,
    binary_inplace,
    div,
    floor_divide,
    fmod,
    lerp,
    maximum,
    minimum,
    mul,
    pow,
    remainder,
    rsub,
    sub,
)
from .compare import (
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    eq,
    equal,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    ne,
    not_equal,
    where,
)
from .convert import clone, contiguous, to
from .decomp import cholesky, det, inverse, logdet, matrix_power, slogdet
from .distance import cosine_similarity, pairwise_distance
from .index import (
    argsort,
    argwhere,
    diag,
    diagonal,
    gather,
    getitem,
    index_select,
    kthvalue,
    masked_fill,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    setitem,
    sort,
    take,
    topk,
    trace,
    tril,
    triu,
)
from .linalg import (
    addmm,
    addmv,
    baddbmm,
    bmm,
    dot,
    einsum,
    ger,
    inner,
    matmul,
    mm,
    mv,
    outer,
    vdot,
)
from .reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    count_nonzero,
    cumprod,
    cumsum,
    logsumexp,
    max,
    mean,
    median,
    min,
    nansum,
    norm,
    prod,
    std,
    std_mean,
    sum,
    var,
    var_mean,
)
from .shape import (
    atleast_1d,
    atleast_2d,
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    expand,
    expand_as,
    flatten,
    flip,
    fliplr,
    flipud,
    hstack,
    moveaxis,
    movedim,
    narrow,
    permute,
    repeat,
    repeat_interleave,
    reshape,
    reshape_as,
    roll,
    select,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    tensor_split,
    tile,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    view,
    view_as,
    vstack,
)
from .special import erf, erfc, erfinv
from .unary import (
    abs,
    absolute,
    acos,
    arccos,
    arcsin,
    arctan,
    asin,
    atan,
    ceil,
    clamp,
    clip,
    cos,
    cosh,
    exp,
    exp2,
    expm1,
    fix,
    floor,
    frac,
    log,
    log1p,
    log2,
    log10,
    nan_to_num,
    neg,
    negative,
    reciprocal,
    relu,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    tan,
    tanh,
    trunc,
)

# Functions that are also Tensor methods under the same name.
_METHODS = [
    "add", "sub", "mul", "div", "floor_divide", "remainder", "fmod", "pow", "maximum",
    "minimum", "atan2", "lerp", "addcmul", "addcdiv", "eq", "ne", "lt", "le", "gt", "ge",
    "greater", "greater_equal", "less", "less_equal", "not_equal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "isnan", "isinf", "isfinite", "isclose", "allclose", "equal", "where", "clone",
    "contiguous", "argsort", "argwhere", "diag", "diagonal", "gather", "index_select",
    "kthvalue", "masked_fill", "masked_select", "nonzero", "scatter", "scatter_add", "sort",
    "take", "topk", "trace", "tril", "triu", "addmm", "addmv", "baddbmm", "bmm", "dot",
    "inner", "matmul", "mm", "mv", "outer", "ger", "vdot", "all", "amax", "amin", "any",
    "argmax", "argmin", "count_nonzero", "cumprod", "cumsum", "logsumexp", "max", "mean",
    "median", "min", "nansum", "norm", "prod", "std", "sum", "var", "broadcast_to", "chunk",
    "expand", "expand_as", "flatten", "flip", "fliplr", "flipud", "movedim", "moveaxis",
    "narrow", "permute", "repeat", "repeat_interleave", "reshape", "reshape_as", "roll",
    "select", "split", "squeeze", "swapaxes", "swapdims", "t", "tensor_split", "tile",
    "transpose", "unbind", "unflatten", "unsqueeze", "view", "view_as", "abs", "absolute",
    "acos", "arccos", "arcsin", "arctan", "asin", "atan", "ceil", "clamp", "clip", "cos",
    "cosh", "exp", "exp2", "expm1", "fix", "floor", "frac", "log", "log1p", "log2", "log10",
    "nan_to_num", "neg", "negative", "reciprocal", "relu", "round", "rsqrt", "sigmoid", "sign",
    "sin", "sinh", "sqrt", "square", "tan", "tanh", "trunc", "true_divide", "multiply",
    "subtract", "divide", "softmax", "log_softmax", "erf", "erfc", "erfinv",
    "inverse", "det", "logdet", "slogdet", "cholesky", "matrix_power",
]

true_divide = divide = div
multiply = mul
subtract = sub


def _reflected(fn, name):
    def method(self, other):
        return fn(other, self)

    method.__name__ = name
    return method


def _op_method(cls, name):
    def method(self, other):
        return binary(cls, self, other)

    method.__name__ = name
    return method


def _iop_method(cls, name):
    def method(self, other):
        return binary_inplace(cls, self, other)

    method.__name__ = name
    return method


def _pos(self):
    return self


def bind_tensor_methods(T):
    """Attach the op functions to Tensor as methods and operators (called once by tensor.py)."""
    g = globals()
    for name in _METHODS:
        setattr(T, name, g[name])
    for name, (fn, doc) in inplace.IN_PLACE.items():
        setattr(T, name, inplace._method(fn, name, doc))
    for name in ("add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "t_",
                 "transpose_", "squeeze_", "unsqueeze_", "resize_", "uniform_", "normal_",
                 "bernoulli_", "exponential_", "random_", "geometric_", "index_fill_",
                 "clamp_min_", "clamp_max_"):
        setattr(T, name, getattr(inplace, name))
    # Tensor.where(condition, other) is self where condition else other (self is not the
    # condition, as the function's first argument is).
    T.where = lambda self, condition, other: where(condition, self, other)
    T.masked_fill_ = index.masked_fill_
    T.scatter_ = index.scatter_
    T.scatter_add_ = index.scatter_add_
    T.true_divide_ = inplace.div_
    T.clamp_min = lambda self, lo: clamp(self, min=lo)
    T.clamp_max = lambda self, hi: clamp(self, max=hi)
    T.__add__ = _op_method(Add, "__add__")
    T.__radd__ = _op_method(Add, "__radd__")
    T.__sub__ = _op_method(Sub, "__sub__")
    T.__rsub__ = _reflected(sub, "__rsub__")
    T.__mul__ = _op_method(Mul, "__mul__")
    T.__rmul__ = _op_method(Mul, "__rmul__")
    T.__truediv__ = div
    T.__rtruediv__ = _reflected(div, "__rtruediv__")
    T.__floordiv__ = floor_divide
    T.__rfloordiv__ = _reflected(floor_divide, "__rfloordiv__")
    T.__mod__ = remainder
    T.__rmod__ = _reflected(remainder, "__rmod__")
    T.__pow__ = pow
    T.__rpow__ = _reflected(pow, "__rpow__")
    T.__matmul__ = matmul
    T.__rmatmul__ = _reflected(matmul, "__rmatmul__")
    T.__neg__ = neg
    T.__pos__ = _pos
    T.__abs__ = abs
    T.__invert__ = bitwise_not
    T.__and__ = bitwise_and
    T.__or__ = bitwise_or
    T.__xor__ = bitwise_xor
    T.__rand__ = _reflected(bitwise_and, "__rand__")
    T.__ror__ = _reflected(bitwise_or, "__ror__")
    T.__eq__ = eq
    T.__ne__ = ne
    T.__lt__ = lt
    T.__le__ = le
    T.__gt__ = gt
    T.__ge__ = ge
    T.__getitem__ = getitem
    T.__setitem__ = setitem
    T.__iadd__ = _iop_method(Add, "__iadd__")
    T.__isub__ = _iop_method(Sub, "__isub__")
    T.__imul__ = _iop_method(Mul, "__imul__")
    T.__itruediv__ = inplace.div_
    T.__ipow__ = _iop_method(Pow, "__ipow__")
    T.__hash__ = lambda self: id(self)
    T.T = property(lambda self: permute(self, tuple(reversed(range(self._data.ndim)))),
                   doc="The tensor with its dimensions reversed.")
    T.mT = property(lambda self: transpose(self, -2, -1),
                    doc="Batched matrix transpose (last two dims swapped).")


# ember re-exports the op functions only: not the family modules, op classes or binding helpers.
__all__ = [n for n, v in list(globals().items())
           if not n.startswith("_") and callable(v) and not isinstance(v, type)
           and n not in ("binary", "binary_inplace", "bind_tensor_methods")]
