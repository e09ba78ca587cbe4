"""nn.Parameter: a Tensor that a Module registers as learnable when assigned as an attribute."""

from ..tensor import Tensor, _rebuild


class Parameter(Tensor):
    """A tensor that is a module parameter; requires grad by default and shares data's memory.

    Args:
        data: the initial values (an empty float tensor when omitted).
        requires_grad: whether autograd tracks it (default True).
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, not {type(data).__name__}")
        p = object.__new__(cls)
        p._data = data._data
        if requires_grad:
            p.requires_grad = True  # the property setter rejects integer dtypes
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # all work happens in __new__; Tensor.__init__ would rebuild the data

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        _, (data, requires_grad, device) = super().__reduce_ex__(protocol)
        return (_rebuild_parameter, (data, requires_grad, device))


def _rebuild_parameter(array, requires_grad, device):
    return Parameter(_rebuild(array, False, device), requires_grad)


class Buffer(Tensor):
    """Marks a tensor assigned to a Module attribute as a buffer (``nn.Buffer(t)``)."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty

            data = empty(0)
        t = Tensor._make(data._data)
        t._buffer_persistent = persistent
        t._is_buffer = True
        return t
