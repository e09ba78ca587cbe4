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
    """Chooses one width and style (int, fixed, scientific) for all elements, like PyTorch."""

    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if values.size == 0:
            return
        if not self.floating:
            self.width = max(len(str(v)) for v in values.reshape(-1).tolist())
            return
        finite = values[np.isfinite(values)]
        nonzero = np.abs(finite[finite != 0]).astype(np.float64)
        if finite.size and not np.all(np.round(finite) == finite):
            self.int_mode = False
        prec = _OPTIONS["precision"]
        if self.int_mode:
            if nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8):
                self.sci_mode = True
                self.int_mode = False
        elif nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8
                               or nonzero.min() < 1e-4):
            self.sci_mode = True
        if _OPTIONS["sci_mode"] is not None:
            self.sci_mode = _OPTIONS["sci_mode"]
            if self.sci_mode:
                self.int_mode = False
        self.prec = prec
        self.width = max((len(self._fmt(v)) for v in values.reshape(-1).tolist()), default=1)

    def _fmt(self, v):
        if not self.floating:
            return str(v)
        if v != v or v in (float("inf"), float("-inf")):
            return str(v) if v == v else "nan"
        if self.int_mode:
            return f"{v:.0f}."
        if self.sci_mode:
            return f"{v:.{self.prec}e}"
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
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        items = [fmt.format(v) for v in a.tolist()]
        if summarize and len(items) > 2 * edge:
            items = items[:edge] + ["..."] + items[-edge:]
        per_line = max(1, (_OPTIONS["linewidth"] - indent) // (fmt.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(a)
    parts = [_body(r, fmt, indent + 1, summarize, edge) for r in rows]
    if summarize and len(rows) > 2 * edge:
        parts = parts[:edge] + ["..."] + parts[-edge:]
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
    body = "[]" if a.size == 0 else _body(shown, fmt, len(prefix), summarize, edge)
    if suffix:
        body += ", " + ", ".join(suffix)
    return prefix + body + ")"
