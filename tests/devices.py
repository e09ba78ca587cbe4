"""Device parametrization for tests: the same checks on 'cpu' and, when CUDA works, 'cuda'.

Use in a test file::

    from devices import DEVICES, host, on

    pytestmark = pytest.mark.parametrize("device", DEVICES)   # or on single tests

    def test_add(device):
        x = on(device, np.ones(3, np.float32))
        ...

(``device``, the fixture below, does the same for files that prefer fixtures; import it with
``# noqa: F401, F811``.) GPU results are compared with CPU results
(``host`` brings any tensor back as a NumPy array).
"""

import numpy as np
import pytest

import ember

CUDA = ember.cuda.is_available()
DEVICES = ["cpu"] + (["cuda"] if CUDA else [])
requires_cuda = pytest.mark.skipif(not CUDA, reason="CUDA (CuPy and an NVIDIA GPU) not available")
no_cuda_only = pytest.mark.skipif(CUDA, reason="checks the behaviour without CUDA")


@pytest.fixture(params=DEVICES)
def device(request):
    """Each device the test should run on: 'cpu', plus 'cuda' when available."""
    return request.param


def on(device, array, requires_grad=False):
    """A tensor holding a copy of `array` on `device`."""
    t = ember.tensor(np.asarray(array), device=device)
    return t.requires_grad_() if requires_grad else t


def host(t):
    """The values of an ember tensor (any device) as a NumPy array."""
    return np.asarray(t.detach().cpu()._data)
