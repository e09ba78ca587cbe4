"""The 0.x API: ``Variable(tensor, requires_grad=True)`` is now just a Tensor."""

from ..tensor import Tensor


class Variable(Tensor):
    """Legacy wrapper: returns a tensor sharing data with `data`, optionally requiring grad."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = Tensor._make(data._data)
        if requires_grad:
            t.requires_grad = True
        return t
