"""CUDA streams and events (PyTorch's torch.cuda.Stream/Event API over CuPy's)."""

from .. import backend
from ._runtime import device_index
from ._runtime import require_cupy as _cp


class Stream:
    """A queue of GPU work; ``with stream:`` makes it the current stream for ember's ops.

    Args:
        device: the GPU it belongs to (default: the current one).
        priority: lower numbers run first when the GPU is busy (0 is the default priority).
    """

    def __init__(self, device=None, priority=0, **kwargs):
        cp = _cp()
        wrapped = kwargs.pop("_wrap", None)
        if kwargs:
            raise TypeError(f"Stream() got unexpected keyword arguments {sorted(kwargs)}")
        if wrapped is not None:
            self._stream = wrapped
            self._device = wrapped.device_id if hasattr(wrapped, "device_id") else \
                cp.cuda.runtime.getDevice()
            return
        self._device = device_index(device)
        with cp.cuda.Device(self._device):
            self._stream = cp.cuda.Stream(non_blocking=True, priority=priority)
        self._ctx = []

    @property
    def device(self):
        """The ember device this stream runs on."""
        return backend.device("cuda", self._device)

    @property
    def cuda_stream(self):
        """The raw cudaStream_t handle, as an int."""
        return self._stream.ptr

    def query(self):
        """True when all work queued on this stream has finished."""
        return self._stream.done

    def synchronize(self):
        """Wait for all work queued on this stream."""
        backend.check_no_sync("Stream.synchronize()")
        self._stream.synchronize()

    def wait_event(self, event):
        """Make future work on this stream wait until `event` completes."""
        self._stream.wait_event(event._event)

    def wait_stream(self, stream):
        """Make future work on this stream wait for the work queued so far on `stream`."""
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        """Record an event on this stream (a new one when none is given) and return it."""
        event = Event() if event is None else event
        event.record(self)
        return event

    def __enter__(self):
        if not hasattr(self, "_ctx"):
            self._ctx = []
        self._ctx.append(self._stream.__enter__())
        return self

    def __exit__(self, *exc):
        self._ctx.pop()
        return self._stream.__exit__(*exc)

    def __eq__(self, other):
        return isinstance(other, Stream) and self.cuda_stream == other.cuda_stream

    def __hash__(self):
        return hash(("stream", self.cuda_stream))

    def __repr__(self):
        return f"<ember.cuda.Stream device={self.device} cuda_stream={self.cuda_stream:#x}>"


class Event:
    """A marker in a stream, used to wait for work or to time it.

    Args:
        enable_timing: record timestamps so that elapsed_time() works.
        blocking: synchronize() sleeps instead of spinning.
        interprocess: can be shared with another process.
    """

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        cp = _cp()
        self.enable_timing = bool(enable_timing)
        self._event = cp.cuda.Event(block=blocking, disable_timing=not enable_timing,
                                    interprocess=interprocess)
        self._recorded = False

    def record(self, stream=None):
        """Record this event on `stream` (the current stream by default)."""
        s = current_stream() if stream is None else stream
        self._event.record(s._stream)
        self._recorded = True

    def wait(self, stream=None):
        """Make future work on `stream` (default: current) wait for this event."""
        s = current_stream() if stream is None else stream
        s.wait_event(self)

    def query(self):
        """True when the work before this event has completed."""
        return self._event.done

    def synchronize(self):
        """Wait until the work before this event has completed."""
        backend.check_no_sync("Event.synchronize()")
        self._event.synchronize()

    def elapsed_time(self, end_event):
        """Milliseconds between this event and `end_event` (both recorded, with timing)."""
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("elapsed_time() needs both events created with "
                               "enable_timing=True")
        if not (self._recorded and end_event._recorded):
            raise RuntimeError("elapsed_time() needs both events recorded first (call "
                               "event.record())")
        backend.check_no_sync("Event.elapsed_time()")
        end_event._event.synchronize()
        return _cp().cuda.get_elapsed_time(self._event, end_event._event)

    def __repr__(self):
        return f"<ember.cuda.Event timing={self.enable_timing} recorded={self._recorded}>"


def current_stream(device=None):
    """The stream ember's GPU ops are queued on now."""
    cp = _cp()
    with cp.cuda.Device(device_index(device)):
        return Stream(_wrap=cp.cuda.get_current_stream())


def default_stream(device=None):
    """The device's default (legacy null) stream."""
    cp = _cp()
    with cp.cuda.Device(device_index(device)):
        return Stream(_wrap=cp.cuda.Stream.null)


class StreamContext:
    """``with ember.cuda.stream(s):`` runs the block's GPU work on `s` (None: no change)."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        if self.stream is not None:
            self.stream.__enter__()
        return self.stream

    def __exit__(self, *exc):
        if self.stream is not None:
            self.stream.__exit__(*exc)
        return False


def stream(stream):
    """Context manager that makes `stream` current inside the block."""
    return StreamContext(stream)


def set_stream(stream):
    """Make `stream` the current stream (prefer the ``with`` form)."""
    stream._stream.use()
