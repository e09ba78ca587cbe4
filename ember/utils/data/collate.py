"""default_collate (a list of samples -> one batch) and default_convert (arrays -> tensors).

The structure of a sample is kept: tuples become lists of batched fields (as in PyTorch),
dicts stay dicts, named tuples stay named tuples; the leaves become tensors with a leading
batch dimension. Dispatch is on the type of the first sample only and the common case (a
list of (tensor, int) pairs) costs one np.stack and one np.array.
"""

import collections.abc
import copy

import numpy as np

from ... import backend, dtypes
from ...tensor import Tensor

_ERR_FORMAT = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_string_array(array):
    """Arrays of str, bytes or objects have no tensor equivalent."""
    return array.dtype.kind in "USO"


def _stack_arrays(arrays, shapes_of):
    """np.stack (or cupy's) with PyTorch's error when the shapes differ."""
    xp = backend.array_module(arrays[0])
    try:
        return xp.stack(arrays)
    except ValueError:
        shapes = shapes_of()
        first = shapes[0]
        bad = next(i for i, shape in enumerate(shapes) if shape != first)
        raise RuntimeError(
            f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
            f"and {list(shapes[bad])} at entry {bad}"
        ) from None


def _collate_tensors(batch):
    if any(t.requires_grad for t in batch):
        # Keep the graph: stacking tensors that require grad goes through the op.
        from ... import stack

        return stack(batch)
    arrays = [t._data for t in batch]
    return Tensor._make(_stack_arrays(arrays, lambda: [a.shape for a in arrays]))


def _collate_arrays(batch):
    if _is_string_array(batch[0]):
        raise TypeError(_ERR_FORMAT.format(batch[0].dtype))
    return Tensor._make(_stack_arrays(batch, lambda: [a.shape for a in batch]))


def _collate_numpy_scalars(batch):
    return Tensor._make(np.array(batch))


def _collate_ints(batch):
    # Inferred as torch.tensor does for Python numbers: int64, bool, or (when floats are
    # mixed in) the default float dtype.
    array = np.array(batch)
    if array.dtype.kind == "f":
        array = array.astype(dtypes.get_default_dtype().np)
    return Tensor._make(array)


def _collate_floats(batch):
    return Tensor._make(np.array(batch, dtype=np.float64))


def _keep(batch):
    return batch


def _check_equal_lengths(batch):
    size = len(batch[0])
    for sample in batch:
        if len(sample) != size:
            raise RuntimeError("each element in list of batch should be of equal size")


def _collate_tuple(batch):
    _check_equal_lengths(batch)
    # A tuple of fields becomes a list of batched fields (PyTorch's long-standing behaviour);
    # each field is passed on as the tuple zip makes, so strings stay tuples as in PyTorch.
    return [default_collate(field) for field in zip(*batch)]


def _collate_list(batch):
    _check_equal_lengths(batch)
    return [default_collate(field) for field in zip(*batch)]


def _collate_dict(batch):
    return {key: default_collate([sample[key] for sample in batch]) for key in batch[0]}


def _collate_other(batch):
    """The general (slower) path: subclasses, other mappings and sequences, numpy scalars."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _collate_tensors(batch)
    if isinstance(elem, np.ndarray):
        return _collate_arrays(batch)
    if isinstance(elem, np.generic):
        if isinstance(elem, (np.str_, np.bytes_, np.object_)):
            raise TypeError(_ERR_FORMAT.format(type(elem)))
        return _collate_numpy_scalars(batch)
    if isinstance(elem, float):
        return _collate_floats(batch)
    if isinstance(elem, int):
        return _collate_ints(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: default_collate([sample[key] for sample in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            # copy.copy keeps the mapping's type and any extra attributes it carries.
            clone = copy.copy(elem)
            clone.update(fields)
            return clone
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        _check_equal_lengths(batch)
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, tuple):
        return _collate_tuple(batch)
    if isinstance(elem, collections.abc.Sequence):
        collated = _collate_list(batch)
        try:
            return type(elem)(collated)
        except TypeError:
            return collated
    raise TypeError(_ERR_FORMAT.format(type(elem)))


# Exact types looked up in one dict access; everything else takes the isinstance chain.
_BY_TYPE = {
    Tensor: _collate_tensors,
    np.ndarray: _collate_arrays,
    int: _collate_ints,
    bool: _collate_ints,
    float: _collate_floats,
    str: _keep,
    bytes: _keep,
    tuple: _collate_tuple,
    list: _collate_list,
    dict: _collate_dict,
}


def default_collate(batch):
    """Merge a list of samples into a batch: leaves stacked into tensors, structure kept."""
    handler = _BY_TYPE.get(type(batch[0]))
    if handler is not None:
        return handler(batch)
    return _collate_other(batch)


def default_convert(data):
    """Turn numpy arrays (nested in tuples, lists, dicts) into tensors; no batching."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        if _is_string_array(data):
            return data
        return Tensor._make(data)
    if isinstance(data, np.generic):
        if isinstance(data, (np.str_, np.bytes_, np.object_)):
            return data
        return Tensor._make(np.asarray(data))
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        fields = {key: default_convert(value) for key, value in data.items()}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(fields)
            return clone
        try:
            return type(data)(fields)
        except TypeError:
            return fields
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        converted = [default_convert(d) for d in data]
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data
