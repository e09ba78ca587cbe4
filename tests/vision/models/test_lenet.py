"""ember/vision/models: LeNet (the blitz's CIFAR-10 network) and the get_model registry."""

import numpy as np
import pytest

import ember
from ember.vision import models


def test_shapes_and_parameter_count():
    ember.manual_seed(0)
    net = models.get_model("lenet")
    assert isinstance(net, models.LeNet)
    out = net(ember.randn(2, 3, 32, 32))
    assert out.shape == (2, 10)
    # conv1 3*6*25+6, conv2 6*16*25+16, fc 400*120+120, 120*84+84, 84*10+10
    assert sum(p.numel() for p in net.parameters()) == 62006
    names = [name for name, _ in net.named_parameters()]
    assert names[:2] == ["conv1.weight", "conv1.bias"] and names[-1] == "fc3.bias"


def test_options():
    net = models.lenet(num_classes=4, in_channels=1)
    assert net(ember.randn(3, 1, 32, 32)).shape == (3, 4)


def test_registry_errors():
    assert "lenet" in models.list_models()
    assert isinstance(models.get_model("LeNet"), models.LeNet)
    with pytest.raises(ValueError, match="unknown model 'resnet999'; available models: lenet"):
        models.get_model("resnet999")


def test_matches_torch():
    torch = pytest.importorskip("torch")
    import torch.nn as tnn
    import torch.nn.functional as tF

    class TorchNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(3, 6, 5)
            self.pool = tnn.MaxPool2d(2, 2)
            self.conv2 = tnn.Conv2d(6, 16, 5)
            self.fc1 = tnn.Linear(400, 120)
            self.fc2 = tnn.Linear(120, 84)
            self.fc3 = tnn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(tF.relu(self.conv1(x)))
            x = self.pool(tF.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            return self.fc3(tF.relu(self.fc2(tF.relu(self.fc1(x)))))

    ember.manual_seed(1)
    net = models.LeNet()
    ref = TorchNet()
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(net.named_parameters(), ref.named_parameters()):
            assert name == tname
            tp.copy_(torch.from_numpy(p.detach().numpy().copy()))
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32)
    labels = np.array([0, 3, 9, 3])
    out = net(ember.from_numpy(x))
    tout = ref(torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    ember.nn.functional.cross_entropy(out, ember.from_numpy(labels)).backward()
    tF.cross_entropy(tout, torch.from_numpy(labels)).backward()
    for (name, p), (_, tp) in zip(net.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=name)
