"""Tensor repr in PyTorch's format: ``tensor([[1.0000, 2.5000], ...], requires_grad=True)``."""

import numpy as np

from . import dtypes

_OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
            "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print (same options as PyTorch)."""
    if profile == "default":
        _OPTIONS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "short":
        _OPTIONS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        _OPTIONS.update(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80)
    for k, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                 ("linewidth", linewidth)):
        if v is not None:
            _OPTIONS[k] = v
    _OPTIONS["sci_mode"] = sci_mode


class _Formatter:
    """Chooses one width and style (int, fixed, scientific) for all elements, like PyTorch.

    As in PyTorch, the style and the width come from the finite nonzero values only, so
    zeros, NaN and infinities never widen a column.
    """

    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        self.prec = _OPTIONS["precision"]
        flat = values.reshape(-1)
        if not self.floating:
            if flat.size:
                self.width = max(len(str(v)) for v in flat.tolist())
            return
        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size:
            mags = np.abs(vals)
            lo, hi = mags.min(), mags.max()
            self.int_mode = bool(np.all(np.ceil(vals) == vals))
            if self.int_mode:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
            else:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            if self.sci_mode:
                self.width = max(len(f"{v:.{self.prec}e}") for v in vals.tolist())
            elif self.int_mode:
                self.width = max(len(f"{v:.0f}") + 1 for v in vals.tolist())
            else:
                self.width = max(len(f"{v:.{self.prec}f}") for v in vals.tolist())
        if _OPTIONS["sci_mode"] is not None:
            self.sci_mode = _OPTIONS["sci_mode"]

    def _fmt(self, v):
        if not self.floating:
            return str(v)
        if self.sci_mode:
            return f"{v:.{self.prec}e}"
        if self.int_mode:
            s = f"{v:.0f}"
            return s if v != v or v in (float("inf"), float("-inf")) else s + "."
        return f"{v:.{self.prec}f}"

    def format(self, v):
        """One element, right-aligned to the common width."""
        return self._fmt(v).rjust(self.width)


def _summarize(a, edge):
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * edge:
        a = np.concatenate([a[:edge], a[-edge:]])
    return np.stack([_summarize(x, edge) for x in a]) if a.ndim > 1 else a


def _body(a, fmt, indent, summarize, edge):
    """Text of `a` (the full array); with summarize, long dims show edge items and '...'."""
    if a.ndim == 0:
        return fmt.format(a.item())
    cut = summarize and a.shape[0] > 2 * edge
    if a.ndim == 1:
        if cut:
            items = [fmt.format(v) for v in a[:edge].tolist()] + [" ..."] + \
                [fmt.format(v) for v in a[a.shape[0] - edge:].tolist()]
        else:
            items = [fmt.format(v) for v in a.tolist()]
        per_line = max(1, (_OPTIONS["linewidth"] - indent) // (fmt.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if cut:
        parts = [_body(a[i], fmt, indent + 1, summarize, edge) for i in range(edge)] + \
            ["..."] + [_body(a[i], fmt, indent + 1, summarize, edge)
                       for i in range(a.shape[0] - edge, a.shape[0])]
    else:
        parts = [_body(r, fmt, indent + 1, summarize, edge) for r in a]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t):
    """The string PyTorch would print for a tensor (with 'tensor(' and its suffixes)."""
    a = np.asarray(t._data.get() if t.is_cuda else t._data)
    edge = _OPTIONS["edgeitems"]
    summarize = a.size > _OPTIONS["threshold"]
    shown = _summarize(a, edge) if summarize else a
    fmt = _Formatter(shown)
    prefix = "tensor("
    suffix = []
    if t.is_cuda:
        suffix.append(f"device='{t.device}'")
    if a.size == 0 and a.shape != (0,):
        suffix.append(f"size={tuple(a.shape)}")
    dt = dtypes.from_np(a.dtype)
    implicit = {dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_}
    if dt not in implicit or (a.size == 0 and dt is not dtypes.get_default_dtype()):
        suffix.append(f"dtype={dt!r}")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    body = "[]" if a.size == 0 else _body(a, fmt, len(prefix), summarize, edge)
    return _add_suffixes(prefix + body, suffix, len(prefix))


def _add_suffixes(text, suffixes, indent):
    """Append ', dtype=...' etc., starting a new line when the current one would overflow."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _OPTIONS["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"
