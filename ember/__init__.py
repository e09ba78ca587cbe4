"""ember: a readable deep-learning framework with PyTorch's API, on NumPy (CPU) and CuPy (GPU).

``import ember as torch`` and PyTorch code runs unchanged.
"""

# tensor first: it binds Tensor methods to ember.ops when it loads (the one import loop)
from . import tensor as _tensor  # noqa: I001
from . import autograd, cuda, dtypes, linalg, nn, ops, optim, utils
from ._printing import set_printoptions
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .backend import device
from .creation import (
    arange,
    as_tensor,
    asarray,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    meshgrid,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    range,
    scalar_tensor,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool_ as bool,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from .ops import *  # noqa: F403  (the op functions: add, matmul, cat, ...)
from .ops._parallel import get_num_threads, set_num_threads
from .ops import special
from .ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .ops.pool import (
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    avg_pool1d,
    max_pool1d,
    max_pool2d,
)
from .ops.reduce import values_indices
from .serialization import load, save
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .tensor import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    Size,
    Tensor,
)


half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

__version__ = "0.1.0"


def is_tensor(obj):
    """True for ember tensors."""
    return isinstance(obj, Tensor)


def numel(input):
    """Number of elements of a tensor."""
    return input.numel()


def is_floating_point(input):
    """True for floating-point tensors."""
    return input.is_floating_point()


def result_type(tensor1, tensor2):
    """The dtype an op on these operands produces, by PyTorch's promotion rules."""
    from .ops._util import result_dtype

    return result_dtype(tensor1, tensor2)


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow writing `from_` into `to`."""
    return from_._category <= to._category
