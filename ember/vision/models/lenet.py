"""LeNet: the small convolutional network of the 60-minute blitz's CIFAR-10 classifier."""

from ... import nn
from ...nn import functional as F


class LeNet(nn.Module):
    """Two 5x5 convolutions with 2x2 max pooling, then three fully connected layers.

    The network of the blitz's "Training a classifier" part, for 32x32 images:
    conv(in_channels->6) -> pool -> conv(6->16) -> pool -> 400 -> 120 -> 84 -> num_classes,
    with ReLU after every layer but the last. It returns raw scores (logits).

    Args:
        num_classes: size of the output (10 for CIFAR-10).
        in_channels: channels of the input images (3 for RGB, 1 for grayscale).
    """

    def __init__(self, num_classes=10, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        """Class scores of shape (N, num_classes) for images of shape (N, C, 32, 32)."""
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def lenet(num_classes=10, in_channels=3):
    """A fresh LeNet (the blitz's CIFAR-10 network)."""
    return LeNet(num_classes=num_classes, in_channels=in_channels)
