"""Switches for recording the autograd graph: no_grad, enable_grad, set_grad_enabled."""

import functools


class _State:
    """Process-wide grad mode; one attribute read on every op's hot path."""

    enabled = True


STATE = _State()


def is_grad_enabled():
    """True when operations record a graph for backward."""
    return STATE.enabled


class _GradMode:
    """Base for the grad-mode context managers; each also works as a decorator."""

    _mode = True

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self._mode

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class _NoArgGradMode(_GradMode):
    """Also usable as a bare decorator: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoArgGradMode):
    """Context manager and decorator that disables graph recording."""

    _mode = False


class enable_grad(_NoArgGradMode):
    """Context manager and decorator that enables graph recording."""

    _mode = True


class inference_mode(_GradMode):
    """Like no_grad (ember has no separate inference tensors); accepts `mode`."""

    def __init__(self, mode=True):
        self._mode = not mode


class set_grad_enabled(_GradMode):
    """Set grad mode on or off: as a function call, a context manager or a decorator."""

    def __init__(self, mode):
        self._mode = bool(mode)
        self._prev = STATE.enabled
        STATE.enabled = self._mode

    def __enter__(self):
        pass

    def __call__(self, func):
        STATE.enabled = self._prev

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = STATE.enabled
            STATE.enabled = self._mode
            try:
                return func(*args, **kwargs)
            finally:
                STATE.enabled = prev

        return wrapper
