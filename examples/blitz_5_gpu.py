"""Part 5 of the 60-minute blitz on ember: training on a GPU.

The network and every batch are moved to the device with ``.to(device)``; everything else is
the CPU code unchanged. Without a GPU (or without CuPy) it runs on the CPU, so it works
everywhere:

    .venv/bin/python examples/blitz_5_gpu.py            # 1 epoch on 10,000 images
    .venv/bin/python examples/blitz_5_gpu.py --quick    # 1,000 images

A GPU needs an NVIDIA card and ``pip install 'ember[cuda]'``.
"""

import os
import sys
import time

import ember as torch
import ember.nn as nn
import ember.optim as optim
import ember.vision as torchvision
import ember.vision.transforms as transforms
from ember.vision.models import LeNet

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "datasets", "cifar10-jpeg.zip")


def main(quick=False):
    """Train LeNet for one pass over part of CIFAR-10 on the best device; returns the device."""
    if os.path.isfile(SHARED):  # offline: the JPEG copy stands in for the official download
        os.environ.setdefault("EMBER_CIFAR10_SOURCE", os.path.abspath(SHARED))
    torch.manual_seed(0)

    # The first CUDA device when there is one, else the CPU.
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    print(f"Training on {device}")

    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    trainset = torchvision.datasets.CIFAR10(root="./data", train=True, download=True,
                                            transform=transform)
    trainset = torch.utils.data.Subset(trainset, range(0, len(trainset), 50 if quick else 5))
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=True,
                                              num_workers=2)

    net = LeNet()
    net.to(device)  # moves every parameter (and buffer) to the device, in place
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    start = time.perf_counter()
    running_loss = 0.0
    for i, (inputs, labels) in enumerate(trainloader):
        # Each batch has to go to the same device as the network.
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if i % 500 == 499:
            print(f"[1, {i + 1:5d}] loss: {running_loss / 500:.3f}")
            running_loss = 0.0
    print(f"{len(trainloader)} mini-batches on {device} in {time.perf_counter() - start:.1f} s")
    return device


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
