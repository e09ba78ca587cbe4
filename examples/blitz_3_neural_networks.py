"""60-minute blitz, part 3: neural networks, on ember.

The seed tutorial's code with only the imports changed (`import ember as torch`,
`import ember.nn as nn`, ...); the notebook's bare expressions are printed. It defines the
1-channel LeNet, runs it forward and backward, computes an MSE loss against 1..10, walks the
graph back from the loss, and updates the weights by hand and with optim.SGD.
Run: python examples/blitz_3_neural_networks.py
"""

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
from ember.autograd import Variable


class Net(nn.Module):
    """The tutorial's LeNet for 1-channel 32x32 images."""

    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)  # 1 input image channel, 6 output channels, 5x5 kernel
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # an affine operation: y = Wx + b
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        """Two conv/relu/pool stages, then three linear layers."""
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))  # max pooling over a (2, 2) window
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # a square window needs only one number
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        """Number of features per sample."""
        size = x.size()[1:]  # all dimensions except the batch dimension
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


def main():
    """Run the tutorial's neural-network snippets; return what they computed."""
    net = Net()
    print(net)

    params = list(net.parameters())
    print(len(params))
    print(params[0].size())  # conv1's .weight

    input = Variable(torch.randn(1, 1, 32, 32))
    out = net(input)
    print(out)

    net.zero_grad()  # zero the gradient buffers of all parameters
    out.backward(torch.randn(1, 10))  # backprop with a random gradient

    output = net(input)
    target = Variable(torch.range(1, 10))  # a dummy target, for example
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    print(loss)

    # For illustration, let us follow a few steps backward
    print(loss.creator)  # MSELoss
    print(loss.creator.previous_functions[0][0])  # Linear
    print(loss.creator.previous_functions[0][0].previous_functions[0][0])  # ReLU

    net.zero_grad()  # zeroes the gradient buffers of all parameters
    print("conv1.bias.grad before backward")
    print(net.conv1.bias.grad)
    bias_grad_before = net.conv1.bias.grad
    loss.backward()
    print("conv1.bias.grad after backward")
    print(net.conv1.bias.grad)
    bias_grad_after = net.conv1.bias.grad.clone()

    weights_before = [f.detach().clone() for f in net.parameters()]
    grads = [f.grad.detach().clone() for f in net.parameters()]
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    weights_after_manual = [f.detach().clone() for f in net.parameters()]

    # create your optimizer
    optimizer = optim.SGD(net.parameters(), lr=0.01)

    # in your training loop:
    optimizer.zero_grad()  # zero the gradient buffers
    output = net(input)
    loss2 = criterion(output, target)
    loss2.backward()
    grads_sgd = [f.grad.detach().clone() for f in net.parameters()]
    optimizer.step()  # does the update
    print(loss2)
    return {"net": net, "params": params, "input": input, "out": out, "loss": loss,
            "target": target, "bias_grad_before": bias_grad_before,
            "bias_grad_after": bias_grad_after, "weights_before": weights_before,
            "grads": grads, "weights_after_manual": weights_after_manual,
            "grads_sgd": grads_sgd, "loss2": loss2}


if __name__ == "__main__":
    main()
