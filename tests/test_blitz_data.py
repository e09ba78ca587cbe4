"""The blitz's data part ("What about data?") on ember, with only the imports changed.

The official CIFAR-10 download cannot run here; the JPEG archive in ../shared/datasets stands
in for it through EMBER_CIFAR10_SOURCE, so the tutorial code itself is unchanged.
"""

import os

import numpy as np
import pytest
from PIL import Image

import ember as torch
import ember.vision as torchvision
import ember.vision.transforms as transforms

ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets",
                       "cifar10-jpeg.zip")

pytestmark = pytest.mark.skipif(not os.path.exists(ARCHIVE),
                                reason="CIFAR-10 JPEG archive not present")


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    """A data root shared by this module's tests, so the archive is decoded once."""
    return str(tmp_path_factory.mktemp("data"))


@pytest.fixture
def cifar_source(monkeypatch):
    monkeypatch.setenv("EMBER_CIFAR10_SOURCE", os.path.abspath(ARCHIVE))


def test_blitz_data_part(data_root, cifar_source, tmp_path):
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
                                    ])
    trainset = torchvision.datasets.CIFAR10(root=data_root, train=True, download=True,
                                            transform=transform)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=4,
                                              shuffle=True, num_workers=2)
    testset = torchvision.datasets.CIFAR10(root=data_root, train=False, download=True,
                                           transform=transform)
    testloader = torch.utils.data.DataLoader(testset, batch_size=4,
                                             shuffle=False, num_workers=2)
    classes = ('plane', 'car', 'bird', 'cat',
               'deer', 'dog', 'frog', 'horse', 'ship', 'truck')
    assert len(trainset) == 50000 and len(testset) == 10000
    assert len(trainloader) == 12500

    dataiter = iter(trainloader)
    images, labels = dataiter.next()  # the 0.x spelling of next(dataiter)
    assert images.shape == (4, 3, 32, 32) and images.dtype == torch.float32
    assert labels.shape == (4,) and labels.dtype == torch.int64
    assert -1.0 <= images.min().item() and images.max().item() <= 1.0
    names = ' '.join('%5s' % classes[labels[j]] for j in range(4))
    assert len(names.split()) == 4

    grid = torchvision.utils.make_grid(images / 2 + 0.5)
    assert grid.shape == (3, 36, 138)  # 4 images, padding 2, one row
    path = tmp_path / "train_grid.png"
    torchvision.utils.save_image(images / 2 + 0.5, str(path))
    with Image.open(path) as img:
        assert img.size == (138, 36)
        pixels = np.asarray(img.convert("RGB"))
    # The second image sits at x = 2 + 32 + 2 = 36, y = 2; compare with the tensor exactly
    # (save_image rounds x * 255 + 0.5, clamped).
    expected = (images[1] / 2 + 0.5).mul(255).add(0.5).clamp(0, 255).byte().numpy()
    np.testing.assert_array_equal(pixels[2:34, 36:68], expected.transpose(1, 2, 0))

    test_images, test_labels = next(iter(testloader))
    # Unshuffled: the first four test images in archive order, one per the archive's classes.
    assert test_labels.tolist() == [testset.targets[i] for i in range(4)]


def test_shuffle_same_batches_with_and_without_workers(data_root, cifar_source):
    transform = transforms.Compose([transforms.ToTensor()])
    testset = torchvision.datasets.CIFAR10(root=data_root, train=False, download=True,
                                           transform=transform)
    subset = torch.utils.data.Subset(testset, range(64))
    batches = []
    for workers in (0, 2):
        g = torch.Generator().manual_seed(7)
        loader = torch.utils.data.DataLoader(subset, batch_size=4, shuffle=True,
                                             num_workers=workers, generator=g)
        batches.append([(x.numpy().copy(), y.tolist()) for x, y in loader])
    assert [y for _, y in batches[0]] == [y for _, y in batches[1]]
    for (a, _), (b, _) in zip(*batches):
        np.testing.assert_array_equal(a, b)
