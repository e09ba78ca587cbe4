"""Device and dtype conversion of a Module's parameters and buffers (to, cuda, float...)."""

from .. import backend, dtypes
from ..autograd.grad_mode import no_grad


class _ConversionMethods:
    """Module's methods that move or cast every parameter and buffer in place."""

    def _apply(self, fn, recurse=True):
        """Replace every parameter's and buffer's data by fn(tensor), keeping the objects."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        with no_grad():
            for p in self._parameters.values():
                if p is None:
                    continue
                new = fn(p)
                if new is not p:
                    p._data = new._data
                if p.grad is not None:
                    g = fn(p.grad)
                    if g is not p.grad:
                        p.grad._data = g._data
            for name, b in self._buffers.items():
                if b is not None:
                    self._buffers[name] = fn(b)
        return self

    def apply(self, fn):
        """Call fn on every submodule (children first) and on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs):
        """Move and/or cast parameters and buffers: to(device), to(dtype), to(tensor), ..."""
        from ..ops.convert import _parse_to

        dev, dt, _ = _parse_to(args, dict(kwargs))
        if dt is not None and not (dt.is_floating_point or dt.is_complex):
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dt}")
        if dev is not None:
            dev = backend.normalize_device(dev)

        def convert(t):
            cast = dt if dt is not None and (t.is_floating_point() or t.is_complex()) else None
            return t.to(dev, cast)

        return self._apply(convert)

    def cuda(self, device=None):
        """Move every parameter and buffer to the GPU."""
        return self._apply(lambda t: t.cuda(device))

    def cpu(self):
        """Move every parameter and buffer to host memory."""
        return self._apply(lambda t: t.cpu())

    def type(self, dst_type):
        """Cast every parameter and buffer to dst_type."""
        return self._apply(lambda t: t.type(dst_type))

    def _cast_floats(self, dtype):
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def float(self):
        """Cast floating-point parameters and buffers to float32."""
        return self._cast_floats(dtypes.float32)

    def double(self):
        """Cast floating-point parameters and buffers to float64."""
        return self._cast_floats(dtypes.float64)

    def half(self):
        """Cast floating-point parameters and buffers to float16."""
        return self._cast_floats(dtypes.float16)
