"""Activation layers: ReLU, LeakyReLU, GELU, SiLU, ELU, Sigmoid, Tanh, Softmax, PReLU, ..."""

from ... import creation
from .. import functional as F
from ..module import Module
from ..parameter import Parameter


def _inplace_str(inplace):
    return "inplace=True" if inplace else ""


class ReLU(Module):
    """max(x, 0)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        """relu(input)."""
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        """'inplace=True' when in place."""
        return _inplace_str(self.inplace)


class ReLU6(Module):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        """relu6(input)."""
        return F.relu6(input, self.inplace)

    def extra_repr(self):
        """'inplace=True' when in place."""
        return _inplace_str(self.inplace)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        """leaky_relu(input)."""
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        """The slope (and inplace)."""
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                          else "")


class ELU(Module):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        """elu(input)."""
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        """alpha (and inplace)."""
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(Module):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        """celu(input)."""
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        """alpha (and inplace)."""
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(Module):
    """Self-normalizing ELU (fixed scale and alpha)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        """selu(input)."""
        return F.selu(input, self.inplace)

    def extra_repr(self):
        """'inplace=True' when in place."""
        return _inplace_str(self.inplace)


class GELU(Module):
    """x * Phi(x); approximate='tanh' for the tanh formula."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        """gelu(input)."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        """The approximation."""
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x * sigmoid(x)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        """silu(input)."""
        return F.silu(input, self.inplace)

    def extra_repr(self):
        """'inplace=True' when in place."""
        return _inplace_str(self.inplace)


class Mish(Module):
    """x * tanh(softplus(x))."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        """mish(input)."""
        return F.mish(input, self.inplace)

    def extra_repr(self):
        """'inplace=True' when in place."""
        return _inplace_str(self.inplace)


class Hardsigmoid(Module):
    """relu6(x + 3) / 6."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        """hardsigmoid(input)."""
        return F.hardsigmoid(input, self.inplace)

    def extra_repr(self):
        """'inplace=True' when in place."""
        return _inplace_str(self.inplace)


class Hardswish(Module):
    """x * relu6(x + 3) / 6."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        """hardswish(input)."""
        return F.hardswish(input, self.inplace)

    def extra_repr(self):
        """'inplace=True' when in place."""
        return _inplace_str(self.inplace)


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""

    def forward(self, input):
        """sigmoid(input)."""
        return F.sigmoid(input)


class Tanh(Module):
    """Hyperbolic tangent."""

    def forward(self, input):
        """tanh(input)."""
        return F.tanh(input)


class LogSigmoid(Module):
    """log(sigmoid(x))."""

    def forward(self, input):
        """logsigmoid(input)."""
        return F.logsigmoid(input)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input):
        """softsign(input)."""
        return F.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input):
        """tanhshrink(input)."""
        return F.tanhshrink(input)


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, linear above threshold."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        """softplus(input)."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        """beta and threshold."""
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """Clip into [min_val, max_val]."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise ValueError("min_val cannot be greater than max_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        """hardtanh(input)."""
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        """The bounds (and inplace)."""
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class Threshold(Module):
    """x if x > threshold else value."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        """threshold(input)."""
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        """threshold and value (and inplace)."""
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else "")


class PReLU(Module):
    """Leaky ReLU with a learnable slope (one shared, or one per channel), initialized to init."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(creation.full((num_parameters,), init, device=device,
                                              dtype=dtype))

    def reset_parameters(self):
        """Refill the slopes with init."""
        from .. import init as nn_init

        nn_init.constant_(self.weight, self.init)

    def forward(self, input):
        """prelu(input, weight)."""
        return F.prelu(input, self.weight)

    def extra_repr(self):
        """The number of slopes."""
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """a * sigmoid(b) for the two halves (a, b) of the input along dim."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        """glu(input)."""
        return F.glu(input, self.dim)

    def extra_repr(self):
        """The split dim."""
        return f"dim={self.dim}"


class _SoftmaxBase(Module):
    _fn = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__.setdefault("dim", None)

    def extra_repr(self):
        """The reduction dim."""
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """exp(x) / sum(exp(x)) along dim."""

    def forward(self, input):
        """softmax(input, dim)."""
        return F.softmax(input, self.dim, _stacklevel=5)


class Softmin(_SoftmaxBase):
    """softmax(-x) along dim."""

    def forward(self, input):
        """softmin(input, dim)."""
        return F.softmin(input, self.dim, _stacklevel=5)


class LogSoftmax(_SoftmaxBase):
    """log(softmax(x)) along dim, computed stably."""

    def forward(self, input):
        """log_softmax(input, dim)."""
        return F.log_softmax(input, self.dim, _stacklevel=5)
