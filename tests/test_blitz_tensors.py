"""The blitz's tensor and NumPy-bridge snippets on ember give the tutorial's results."""

import importlib.util
import os
import subprocess
import sys

import numpy as np

import ember

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_example_script_results(capsys):
    ember.manual_seed(0)
    r = _load("blitz_1_tensors").main()
    x, y, result = r["x"], r["y"], r["result"]
    assert x.size() == ember.Size([5, 3]) and isinstance(x.size(), tuple)
    np.testing.assert_allclose(y.numpy(), result.numpy())  # y.add_(x) == x + y
    assert r["a"].tolist() == [2.0] * 5 and r["b"].tolist() == [2.0] * 5
    assert r["c"].tolist() == [2.0] * 5 and r["d"].tolist() == [2.0] * 5
    assert r["d"].dtype is ember.float64
    out = capsys.readouterr().out
    assert "ember.Size([5, 3])" in out
    assert "tensor([2., 2., 2., 2., 2.])" in out
    assert "[2. 2. 2. 2. 2.]" in out
    assert "tensor([2., 2., 2., 2., 2.], dtype=ember.float64)" in out


def test_snippets_inline():
    import ember as torch

    x = torch.Tensor(5, 3)
    assert x.shape == (5, 3)
    x = torch.rand(5, 3)
    y = torch.rand(5, 3)
    s1 = x + y
    s2 = torch.add(x, y)
    result = torch.Tensor(5, 3)
    torch.add(x, y, out=result)
    np.testing.assert_array_equal(s1.numpy(), s2.numpy())
    np.testing.assert_array_equal(s1.numpy(), result.numpy())
    y.add_(x)
    np.testing.assert_array_equal(y.numpy(), s1.numpy())
    np.testing.assert_array_equal(x[:, 1].numpy(), x.numpy()[:, 1])
    x.copy_(y)
    x.t_()
    assert x.shape == (3, 5)

    a = torch.ones(5)
    b = a.numpy()
    a.add_(1)
    assert b.tolist() == [2.0] * 5
    a = np.ones(5)
    b = torch.from_numpy(a)
    np.add(a, 1, out=a)
    assert b.tolist() == [2.0] * 5
    assert torch.cuda.is_available() in (True, False)


def test_script_runs_standalone():
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, "blitz_1_tensors.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "ember.Size([5, 3])" in proc.stdout
