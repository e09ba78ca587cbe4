"""Datasets with torchvision.datasets' names: CIFAR, MNIST, image folders, fake data."""

from . import utils
from .cifar import CIFAR10, CIFAR100
from .download import ChecksumError, DownloadError
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "ChecksumError", "DatasetFolder", "DownloadError", "FakeData",
           "FashionMNIST", "ImageFolder", "MNIST", "StandardTransform", "VisionDataset", "utils"]
