"""CUDA graph capture and replay on a real GPU: results equal eager execution."""

import numpy as np
import pytest
from devices import host, requires_cuda

import ember
import ember.nn.functional as F
from ember import nn, optim
from ember.cuda import CUDAGraph, graph, make_graphed_callables

pytestmark = requires_cuda


def cuda(array):
    return ember.tensor(np.asarray(array, np.float32), device="cuda")


def test_replay_recomputes_from_new_inputs():
    rng = np.random.default_rng(0)
    x = cuda(rng.standard_normal((8, 16)))
    w = cuda(rng.standard_normal((16, 4)))
    for _ in range(2):  # warm up: compile kernels before capture
        (x @ w).relu() * 2
    g = CUDAGraph()
    with graph(g):
        y = (x @ w).relu() * 2
    assert not ember.backend.is_capturing()
    for seed in range(3):
        new = np.random.default_rng(seed + 1).standard_normal((8, 16)).astype(np.float32)
        x.copy_(cuda(new))
        g.replay()
        expect = np.maximum(new @ host(w), 0) * 2
        np.testing.assert_allclose(host(y), expect, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("sync", [
    lambda y: y.sum().item(), lambda y: print(y), lambda y: y.cpu(), lambda y: y.tolist(),
    lambda y: bool(y.sum() > 0), lambda y: ember.cuda.synchronize(),
    lambda y: ember.tensor([1.0], device="cuda"),
], ids=["item", "print", "cpu", "tolist", "bool", "synchronize", "host_to_device"])
def test_host_sync_inside_capture_raises_and_recovers(sync):
    x = cuda(np.ones(4))
    g = CUDAGraph()
    with pytest.raises(RuntimeError, match="CUDA graph"):
        with graph(g):
            sync(x * 2)
    assert not ember.backend.is_capturing()
    with pytest.raises(RuntimeError, match="nothing captured"):
        g.replay()
    g2 = CUDAGraph()  # the stream and allocator are usable again
    with graph(g2):
        y = x * 3
    g2.replay()
    np.testing.assert_array_equal(host(y), np.full(4, 3.0))


def test_capture_twice_needs_reset():
    x = cuda(np.ones(2))
    g = CUDAGraph()
    with graph(g):
        x * 2
    with pytest.raises(RuntimeError, match="reset"):
        with graph(g):
            x * 2
    g.reset()
    with graph(g):
        y = x * 5
    g.replay()
    np.testing.assert_array_equal(host(y), [5.0, 5.0])


def _model(seed):
    ember.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(36, 16), nn.ReLU(), nn.Linear(16, 10)).cuda()


def _batches(n, bs=4):
    rng = np.random.default_rng(7)
    return [(cuda(rng.standard_normal((bs, 3, 8, 8))),
             ember.tensor(rng.integers(0, 10, bs), device="cuda")) for _ in range(n)]


@pytest.mark.parametrize("make_opt", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: optim.SGD(ps, lr=0.05),
], ids=["sgd_momentum", "sgd"])
def test_captured_training_step_matches_eager(make_opt):
    eager, capt = _model(0), _model(0)
    opt_e, opt_c = make_opt(eager.parameters()), make_opt(capt.parameters())
    data = _batches(6)

    def step(model, opt, x, y):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for x, y in data[:2]:  # warm-up steps, identical for both
        step(eager, opt_e, x, y)
        step(capt, opt_c, x, y)
    static_x, static_y = data[2][0].clone(), data[2][1].clone()
    opt_c.zero_grad(set_to_none=True)
    g = CUDAGraph()
    with graph(g):
        static_loss = F.cross_entropy(capt(static_x), static_y)
        static_loss.backward()
        opt_c.step()
    for x, y in data[2:]:
        loss_e = step(eager, opt_e, x, y)
        static_x.copy_(x)
        static_y.copy_(y)
        g.replay()
        assert abs(static_loss.item() - loss_e.item()) < 1e-4
        for pe, pc in zip(eager.parameters(), capt.parameters()):
            np.testing.assert_allclose(host(pc), host(pe), rtol=1e-4, atol=1e-5)


def test_make_graphed_callables_matches_eager():
    ember.manual_seed(0)
    eager = nn.Linear(8, 4).cuda()
    graphed = nn.Linear(8, 4).cuda()
    graphed.load_state_dict(eager.state_dict())
    sample = cuda(np.zeros((5, 8))).requires_grad_()
    graphed = make_graphed_callables(graphed, (sample,))
    rng = np.random.default_rng(3)
    for _ in range(2):
        xv = rng.standard_normal((5, 8)).astype(np.float32)
        wv = cuda(rng.standard_normal((5, 4)))
        xe, xg = cuda(xv).requires_grad_(), cuda(xv).requires_grad_()
        eager.zero_grad()
        graphed.zero_grad()
        ye, yg = eager(xe), graphed(xg)
        np.testing.assert_allclose(host(yg), host(ye), rtol=1e-4, atol=1e-5)
        (ye * wv).sum().backward()
        (yg * wv).sum().backward()
        np.testing.assert_allclose(host(xg.grad), host(xe.grad), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(host(graphed.weight.grad), host(eager.weight.grad),
                                   rtol=1e-4, atol=1e-5)


def test_graph_memory_is_counted_and_kept():
    x = cuda(np.ones((256, 256)))
    g = CUDAGraph()
    before = ember.cuda.memory_allocated()
    with graph(g):
        y = x * 2 + 1
    assert ember.cuda.memory_allocated() >= before + y.nbytes
    g.replay()
    z = cuda(np.zeros((256, 256)))  # eager allocation must not reuse the graph's output
    g.replay()
    assert z.data_ptr() != y.data_ptr()
    np.testing.assert_array_equal(host(y), np.full((256, 256), 3.0))
    np.testing.assert_array_equal(host(z), 0.0)
