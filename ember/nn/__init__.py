"""Neural networks: Module, Parameter, layers, functional, init, utils (mirrors torch.nn)."""

from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F403  (every layer class)
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter

__all__ = ["Module", "Parameter", "Buffer", "functional", "init", "utils", *_modules_all]
