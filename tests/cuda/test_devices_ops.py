"""The same op, layer and optimizer checks on every device (cpu, and cuda when available).

Each check computes on `device` and compares with NumPy or with ember on the CPU, so on a GPU
machine these are the GPU-vs-CPU agreement tests; on a CPU-only machine they still run.
"""

import numpy as np
import pytest
from devices import DEVICES, host, on

import ember
import ember.nn.functional as F
from ember import nn, optim

pytestmark = pytest.mark.parametrize("device", DEVICES)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_elementwise_and_reductions(device):
    a, b = _rand(3, 4), _rand(3, 4, seed=1)
    x, y = on(device, a), on(device, b)
    np.testing.assert_allclose(host((x * y + 2).exp().sum(1)), np.exp(a * b + 2).sum(1),
                               rtol=1e-5)
    np.testing.assert_allclose(host(x.max(0).values), a.max(0))
    np.testing.assert_array_equal(host(x.argmax(1)), a.argmax(1))
    np.testing.assert_allclose(host(ember.where(x > 0, x, y)), np.where(a > 0, a, b))
    assert x.sum().device == x.device


def test_matmul_forward_backward(device):
    a, b = _rand(5, 3), _rand(3, 4, seed=1)
    x, y = on(device, a, True), on(device, b, True)
    (x @ y).sum().backward()
    np.testing.assert_allclose(host(x.grad), np.ones((5, 4)) @ b.T, rtol=1e-5)
    np.testing.assert_allclose(host(y.grad), a.T @ np.ones((5, 4)), rtol=1e-5)


def test_pow_with_scalar_base_backward(device):
    x = on(device, np.array([1.0, 2.0], np.float32), True)
    (2.0 ** x).sum().backward()
    np.testing.assert_allclose(host(x.grad), np.log(2) * 2.0 ** np.array([1.0, 2.0]),
                               rtol=1e-6)
    assert x.grad.dtype == ember.float32


def test_index_and_scatter(device):
    x = on(device, np.arange(6, dtype=np.float32))
    np.testing.assert_array_equal(host(x[on(device, np.array([4, 0, 4]))]), [4.0, 0.0, 4.0])
    reps = on(device, np.array([1, 0, 2, 0, 0, 1]))
    np.testing.assert_array_equal(host(x.repeat_interleave(reps)), [0.0, 2.0, 2.0, 5.0])
    idx = on(device, np.array([0, 0, 1]))
    src = on(device, np.array([2.0, 3.0, 4.0], np.float32))
    out = on(device, np.ones(3, np.float32)).scatter(0, idx, src, reduce="multiply")
    np.testing.assert_array_equal(host(out), [6.0, 4.0, 1.0])
    v = on(device, np.array(5.0, np.float32)).max(0)
    assert v.indices.device == v.values.device


def test_bitwise_on_device(device):
    a = on(device, np.array([6, 3], np.int64))
    np.testing.assert_array_equal(host(a & on(device, np.array([3, 1]))), [2, 1])
    with pytest.raises(RuntimeError, match="floating-point"):
        on(device, np.ones(2, np.float32)) & on(device, np.ones(2, np.float32))


def _lenet():
    return nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5),
                         nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(400, 120),
                         nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def test_lenet_step_agrees_with_cpu(device):
    ember.manual_seed(0)
    ref = _lenet()
    model = _lenet()
    model.load_state_dict(ref.state_dict())
    model.to(device)
    assert all(p.device.type == device for p in model.parameters())
    x, t = _rand(4, 3, 32, 32), np.array([1, 2, 3, 9])
    results = []
    for m, dev in ((ref, "cpu"), (model, device)):
        opt = optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
        for _ in range(2):
            opt.zero_grad()
            loss = F.cross_entropy(m(on(dev, x)), on(dev, t))
            loss.backward()
            opt.step()
        results.append((loss.item(), [host(p) for p in m.parameters()]))
    (l_cpu, p_cpu), (l_dev, p_dev) = results
    assert abs(l_cpu - l_dev) < 1e-4
    for a, b in zip(p_cpu, p_dev):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_tensors(device, dtype):
    if not hasattr(ember, dtype):
        pytest.skip(f"ember has no {dtype}")
    dt = getattr(ember, dtype)
    a, b = _rand(4, 8), _rand(8, 3, seed=1)
    try:
        x = on(device, a).to(dt)
    except (TypeError, RuntimeError) as e:
        pytest.skip(f"{dtype} not supported here: {e}")
    y = on(device, b).to(dt)
    out = (x @ y + 1).float()
    assert (x @ y).dtype == dt
    np.testing.assert_allclose(host(out), a @ b + 1, rtol=3e-2, atol=6e-2)
