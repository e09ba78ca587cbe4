"""Average pooling ops: AvgPool (sliding windows) and SeparablePool (adaptive average)."""

from .. import backend
from ..autograd.function import Op
from ._util import matmul_raw
from ._window import crop4, pad4, windows


class AvgPool(Op):
    """Average pooling over sliding windows with a per-window divisor."""

    def name(self):
        """PyTorch's node name for this op."""
        return "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, geo, divisor):
        xp = backend.array_module(x)
        xpad = pad4(x.reshape(geo.x4), geo.pads, 0)
        out = xpad[geo.slices[0]].copy()
        for sl in geo.slices[1:]:
            xp.add(out, xpad[sl], out=out)
        xp.divide(out, divisor, out=out)
        if ctx.needs_input_grad[0]:
            ctx.geo = geo
            ctx.divisor = divisor
        return out.reshape(geo.full)

    @staticmethod
    def backward(ctx, grad):
        geo = ctx.geo
        xp = backend.array_module(grad)
        n, c = geo.x4[:2]
        g = grad.reshape((n, c) + geo.out) / ctx.divisor
        if not geo.overlapping:
            gx = xp.empty(geo.padded, g.dtype) if geo.covered else xp.zeros(geo.padded, g.dtype)
            windows(gx, geo.kernel, geo.stride, geo.dilation, geo.out)[...] = g[:, :, None, None]
        else:
            gx = xp.zeros(geo.padded, g.dtype)
            for sl in geo.slices:
                v = gx[sl]
                xp.add(v, g, out=v)
        return crop4(gx, geo.pads, geo.x4).reshape(geo.xs), None, None


class SeparablePool(Op):
    """out = A_h @ x @ A_w.T per plane: pooling whose weights factor over rows and columns."""

    def name(self):
        """PyTorch's node name for this op."""
        return "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, ah, aw, hw, full):
        h, w = hw
        oh, ow = ah.shape[0], aw.shape[0]
        y = matmul_raw(x.reshape(-1, w), aw.T)                        # (planes*H, OW)
        y = y.reshape(-1, h, ow).transpose(0, 2, 1).reshape(-1, h)    # (planes*OW, H)
        out = matmul_raw(y, ah.T).reshape(-1, ow, oh).transpose(0, 2, 1)  # (planes, OH, OW)
        if ctx.needs_input_grad[0]:
            ctx.meta = (ah, aw, hw, x.shape)
        return out.reshape(full)

    @staticmethod
    def backward(ctx, grad):
        ah, aw, (h, w), xs = ctx.meta
        oh, ow = ah.shape[0], aw.shape[0]
        t = matmul_raw(grad.reshape(-1, ow), aw)                      # (planes*OH, W)
        t = t.reshape(-1, oh, w).transpose(0, 2, 1).reshape(-1, oh)   # (planes*W, OH)
        gx = matmul_raw(t, ah).reshape(-1, w, h).transpose(0, 2, 1)   # (planes, H, W)
        return gx.reshape(xs), None, None, None, None

