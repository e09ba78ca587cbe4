"""Flatten parameters into one vector and back (parameters_to_vector / vector_to_parameters)."""

from ...ops.shape import cat
from ...tensor import Tensor


def _check_device(param, device):
    if device is None:
        return param.device
    if param.device != device:
        raise TypeError(f"Found two parameters on different devices, this is currently not "
                        f"supported. ({device} and {param.device})")
    return device


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter's values in order (differentiable)."""
    device = None
    flats = []
    for p in parameters:
        device = _check_device(p, device)
        flats.append(p.reshape(-1))
    return cat(flats)


def vector_to_parameters(vec, parameters):
    """Point each parameter's data at its slice of vec (they then share vec's memory)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device = None
    pointer = 0
    for p in parameters:
        device = _check_device(p, device)
        n = p.numel()
        chunk = vec._data[pointer:pointer + n]
        if chunk.size != n:
            raise RuntimeError(f"vector has {vec.numel()} elements, fewer than the parameters "
                               "need")
        p._data = chunk.reshape(p._data.shape)
        pointer += n
