"""The blitz's neural-network section on ember (examples/blitz_3_neural_networks.py).

Checks the printed repr, the parameter list, the graph walk from the loss, conv1.bias.grad
before/after backward, the hand-written SGD update and optim.SGD; with PyTorch installed, the
same network with the same weights and input gives the same outputs and gradients.
"""

import copy
import importlib.util
import os
import warnings

import numpy as np
import pytest

import ember

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")

NET_REPR = """Net(
  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
  (fc1): Linear(in_features=400, out_features=120, bias=True)
  (fc2): Linear(in_features=120, out_features=84, bias=True)
  (fc3): Linear(in_features=84, out_features=10, bias=True)
)"""


def _load():
    path = os.path.join(EXAMPLES, "blitz_3_neural_networks.py")
    spec = importlib.util.spec_from_file_location("blitz_3_neural_networks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def run():
    ember.manual_seed(0)
    with warnings.catch_warnings():
        # the tutorial's torch.range and its (10,) target against a (1, 10) output both warn,
        # in PyTorch as here
        warnings.simplefilter("ignore")
        return _load().main()


def test_repr_and_parameters(run):
    net = run["net"]
    assert repr(net) == NET_REPR
    assert len(run["params"]) == 10
    assert run["params"][0].size() == (6, 1, 5, 5)
    assert run["out"].shape == (1, 10)


def test_loss_is_mse_against_one_to_ten(run):
    target = run["target"].numpy()
    np.testing.assert_array_equal(target, np.arange(1, 11, dtype=np.float32))
    net = copy.deepcopy(run["net"])
    assert run["loss"].item() > 0
    with ember.no_grad():
        # recompute with the weights as they were when the loss was taken
        for p, w in zip(net.parameters(), run["weights_before"]):
            p.copy_(w)
        out = net(run["input"]).numpy()
    assert run["loss"].item() == pytest.approx(float(((out - target) ** 2).mean()), rel=1e-6)


def test_graph_walk_from_the_loss(run):
    loss = run["loss"]
    assert loss.grad_fn.name() == "MseLossBackward0"
    linear = loss.grad_fn.next_functions[0][0]
    assert linear.name() == "AddmmBackward0"
    relu = linear.next_functions[0][0]
    assert relu.name() == "ReluBackward0"
    # the 0.x spellings used by the seed tutorial
    assert loss.creator is loss.grad_fn
    assert loss.creator.previous_functions[0][0] is linear
    assert linear.previous_functions[0][0] is relu
    # the walk continues through fc2's affine step down to the leaves
    names = set()
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node.name() in names and node.name() == "AccumulateGrad":
            continue
        names.add(node.name())
        stack.extend(f for f, _ in node.next_functions)
    assert {"AccumulateGrad", "ReluBackward0", "AddmmBackward0"} <= names


def test_bias_grad_before_and_after_backward(run):
    assert run["bias_grad_before"] is None  # zero_grad sets grads to None, as in PyTorch 2
    g = run["bias_grad_after"].numpy()
    assert g.shape == (6,) and np.abs(g).sum() > 0


def test_manual_sgd_and_optim_sgd_updates(run):
    for w0, g, w1 in zip(run["weights_before"], run["grads"], run["weights_after_manual"]):
        np.testing.assert_allclose(w1.numpy(), w0.numpy() - 0.01 * g.numpy(), rtol=1e-6,
                                   atol=1e-7)
    for w1, g, p in zip(run["weights_after_manual"], run["grads_sgd"], run["net"].parameters()):
        np.testing.assert_allclose(p.detach().numpy(), w1.numpy() - 0.01 * g.numpy(),
                                   rtol=1e-6, atol=1e-7)


def test_matches_torch_with_the_same_weights(run):
    torch = pytest.importorskip("torch")
    mod = _load()
    # the same class, written against torch
    tnn, tF = torch.nn, torch.nn.functional

    class TNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(1, 6, 5)
            self.conv2 = tnn.Conv2d(6, 16, 5)
            self.fc1 = tnn.Linear(400, 120)
            self.fc2 = tnn.Linear(120, 84)
            self.fc3 = tnn.Linear(84, 10)

        def forward(self, x):
            x = tF.max_pool2d(tF.relu(self.conv1(x)), (2, 2))
            x = tF.max_pool2d(tF.relu(self.conv2(x)), 2)
            x = x.view(-1, 400)
            return self.fc3(tF.relu(self.fc2(tF.relu(self.fc1(x)))))

    ember.manual_seed(3)
    net = mod.Net()
    tnet = TNet()
    assert repr(tnet).replace("TNet", "Net") == repr(net)
    tnet.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                          for k, v in net.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((1, 1, 32, 32)).astype(np.float32)
    target = np.arange(1, 11, dtype=np.float32).reshape(1, 10)
    out = net(ember.from_numpy(x))
    tout = tnet(torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    loss = ember.nn.MSELoss()(out, ember.from_numpy(target))
    tloss = torch.nn.MSELoss()(tout, torch.from_numpy(target))
    net.zero_grad()
    tnet.zero_grad()
    loss.backward()
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-5)
    for (name, p), tp in zip(net.named_parameters(), tnet.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-6,
                                   err_msg=name)
    opt = ember.optim.SGD(net.parameters(), lr=0.01)
    topt = torch.optim.SGD(tnet.parameters(), lr=0.01)
    opt.step()
    topt.step()
    for p, tp in zip(net.parameters(), tnet.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_script_runs_and_prints(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _load().main()
    out = capsys.readouterr().out
    assert NET_REPR in out
    assert "ember.Size([6, 1, 5, 5])" in out
    assert "MseLossBackward0" in out and "AddmmBackward0" in out and "ReluBackward0" in out
    assert "conv1.bias.grad before backward\nNone\n" in out
