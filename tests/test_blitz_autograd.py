"""The blitz's autograd snippets on ember: x.grad all 4.5 and the doubling loop."""

import importlib.util
import os

import numpy as np
import pytest

import ember

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_example_script_results(seed, capsys):
    ember.manual_seed(seed)
    r = _load("blitz_2_autograd").main()
    np.testing.assert_array_equal(r["grad_4_5"].numpy(), np.full((2, 2), 4.5, np.float32))
    # y = x * 2 ** k with k doublings, stopped once ||y|| >= 1000
    k = r["doublings"]
    x = r["x"].detach().numpy()
    assert np.linalg.norm(x * 2.0 ** k) >= 1000 > np.linalg.norm(x * 2.0 ** (k - 1))
    np.testing.assert_allclose(r["grad"].numpy(), 2.0 ** k * np.array([0.1, 1.0, 0.0001]),
                               rtol=1e-6)
    out = capsys.readouterr().out
    assert "AddBackward0" in out and "4.5000" in out


def test_snippets_inline_with_variable():
    import ember as torch
    from ember.autograd import Variable

    x = Variable(torch.ones(2, 2), requires_grad=True)
    y = x + 2
    assert y.creator is not None and x.creator is None
    z = y * y * 3
    out = z.mean()
    out.backward(torch.Tensor([1.0]))
    assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]
    assert out.item() == 27.0
    with pytest.warns(DeprecationWarning):
        assert out.data[0] == 27.0  # the 0.x way to read a loss


def test_doubling_loop_matches_torch():
    torch = pytest.importorskip("torch")
    start = np.array([0.3, -1.2, 0.05], np.float32)

    def run(lib):
        x = lib.tensor(start, requires_grad=True)
        y = x * 2
        while y.data.norm() < 1000:
            y = y * 2
        y.backward(lib.tensor([0.1, 1.0, 0.0001]))
        return x.grad.numpy(), y.detach().numpy()

    (g1, y1), (g2, y2) = run(ember), run(torch)
    np.testing.assert_allclose(g1, g2)
    np.testing.assert_allclose(y1, y2)
