"""Part 4 of the 60-minute blitz on ember: train an image classifier on CIFAR-10.

The steps of PyTorch's "Training a classifier" tutorial, with ember imported under PyTorch's
names: load and normalize CIFAR-10, define a convolutional network, a loss and an optimizer,
train for two epochs, then test the network, overall and per class.

    .venv/bin/python examples/blitz_4_cifar10.py           # the full run (a few minutes)
    .venv/bin/python examples/blitz_4_cifar10.py --quick   # 2,000 training images, 1 epoch

Offline, CIFAR-10 comes from the JPEG copy at ../shared/datasets/cifar10-jpeg.zip (or the file
named by EMBER_CIFAR10_SOURCE). `ember train` is the same recipe as a command.
"""

import os  # noqa: I001  (the tutorial's import lines, in the tutorial's order)
import sys

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
import ember.vision as torchvision
import ember.vision.transforms as transforms

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "datasets", "cifar10-jpeg.zip")
OUT = os.path.join(HERE, "..", "out")


class Net(nn.Module):
    """Two convolution + pooling stages, then three fully connected layers."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        """Ten class scores per image."""
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def main(quick=False):
    """Train, save, reload and test the network; returns the test accuracy in percent."""
    if os.path.isfile(SHARED):  # no internet here: read the JPEG copy instead of downloading
        os.environ.setdefault("EMBER_CIFAR10_SOURCE", os.path.abspath(SHARED))
    torch.manual_seed(0)

    # 1. Load CIFAR-10; ToTensor gives [0, 1], Normalize maps that to [-1, 1].
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    batch_size = 4
    trainset = torchvision.datasets.CIFAR10(root="./data", train=True, download=True,
                                            transform=transform)
    testset = torchvision.datasets.CIFAR10(root="./data", train=False, download=True,
                                           transform=transform)
    if quick:  # every 25th training image and every 10th test image: all classes, quickly
        trainset = torch.utils.data.Subset(trainset, range(0, len(trainset), 25))
        testset = torch.utils.data.Subset(testset, range(0, len(testset), 10))
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=batch_size, shuffle=True,
                                              num_workers=2)
    testloader = torch.utils.data.DataLoader(testset, batch_size=batch_size, shuffle=False,
                                             num_workers=2)
    classes = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

    # A look at some training images, saved as a picture instead of shown in a window.
    os.makedirs(OUT, exist_ok=True)
    images, labels = next(iter(trainloader))
    torchvision.utils.save_image(images / 2 + 0.5, os.path.join(OUT, "blitz_train_batch.png"))
    print(" ".join(f"{classes[labels[j]]:5s}" for j in range(batch_size)))

    # 2-3. The network, a classification loss and SGD with momentum.
    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    # 4. Train: show the network the data, compare its answer, nudge the weights.
    log_every = 200 if quick else 2000
    for epoch in range(1 if quick else 2):
        running_loss = 0.0
        for i, (inputs, labels) in enumerate(trainloader):
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % log_every == log_every - 1:
                print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / log_every:.3f}")
                running_loss = 0.0
    print("Finished Training")

    path = os.path.join(OUT, "cifar_net.pth")
    torch.save(net.state_dict(), path)

    # 5. Test: a few images first, then the whole test set.
    images, labels = next(iter(testloader))
    net = Net()
    net.load_state_dict(torch.load(path))
    outputs = net(images)
    _, predicted = torch.max(outputs, 1)
    print("GroundTruth: ", " ".join(f"{classes[labels[j]]:5s}" for j in range(4)))
    print("Predicted: ", " ".join(f"{classes[predicted[j]]:5s}" for j in range(4)))

    correct = total = 0
    correct_pred = {name: 0 for name in classes}
    total_pred = {name: 0 for name in classes}
    with torch.no_grad():  # no training here, so no gradients
        for images, labels in testloader:
            _, predicted = torch.max(net(images), 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            for label, prediction in zip(labels, predicted):
                total_pred[classes[label]] += 1
                correct_pred[classes[label]] += int(label == prediction)
    accuracy = 100 * correct / total
    print(f"Accuracy of the network on the {total} test images: {accuracy:.0f} %")
    for name in classes:
        print(f"Accuracy for class: {name:5s} is "
              f"{100 * correct_pred[name] / total_pred[name]:.1f} %")
    return accuracy


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
