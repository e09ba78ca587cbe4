"""A restricted unpickler for dataset files that hold only dicts, lists, strings and arrays.

The official CIFAR batches are Python pickles. A plain ``pickle.load`` would run whatever
callable a tampered file names; this loader resolves only the handful of globals that
rebuilding NumPy arrays needs, and refuses everything else.
"""

import codecs
import pickle

import numpy as np

# Looked up from live objects so that both the NumPy 1 (numpy.core) and NumPy 2
# (numpy._core) module paths map to the same functions without importing deprecated aliases.
_RECONSTRUCT = np.empty(0).__reduce__()[0]
_SCALAR = np.float64(0).__reduce__()[0]
_FROMBUFFER = np.zeros(1).__reduce_ex__(5)[0]  # protocol 5 rebuilds arrays from a buffer


def _latin1_encode(text, encoding="latin1", errors="strict"):
    # Python 3 pickles of bytes at protocol 2 are rebuilt as codecs.encode(str, "latin1").
    if codecs.lookup(encoding).name != "iso8859-1":
        raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
    return codecs.encode(text, "latin1", errors)


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy.core.multiarray", "scalar"): _SCALAR,
    ("numpy._core.multiarray", "scalar"): _SCALAR,
    ("numpy.core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy._core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, what, **kwargs):
        super().__init__(file, **kwargs)
        self._what = what

    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"{self._what}: refusing to load {module}.{name}; dataset pickles may hold "
                "only dicts, lists, strings, numbers and NumPy arrays") from None


def restricted_load(file, what="pickle", encoding="latin1"):
    """Unpickle `file` (a binary file object), allowing only plain data and NumPy arrays.

    `encoding` decodes Python 2 ``str`` objects (the CIFAR files were written by Python 2);
    `what` names the file in error messages.
    """
    return _RestrictedUnpickler(file, what, encoding=encoding).load()
