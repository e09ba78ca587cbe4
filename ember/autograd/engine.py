"""backward(): walk the recorded graph in topological order and accumulate gradients.

The walk is iterative (no recursion limit on deep graphs). A node runs once all the
nodes that feed gradient into it have run; gradients for a node's outputs are summed in a
buffer first. Unless retain_graph is set, every node frees its saved arrays after it runs.
"""

import sys

import numpy as np

from .. import backend
from . import function as _function
from .function import AccumulateGrad
from .grad_mode import STATE

_ndarray = np.ndarray
_refcount = sys.getrefcount


def _dependencies(roots):
    """Count, for each node reachable from roots, how many edges lead into it."""
    deps = {}
    stack = [n for n in roots if n is not None]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    return deps


def run_backward(roots, root_grads, retain_graph=False, capture=None, accumulate=True):
    """Propagate gradients from (node, output_nr) roots.

    Args:
        roots: list of (node, output_nr) pairs.
        root_grads: one array per root.
        retain_graph: keep saved arrays so backward can run again.
        capture: optional {(node, output_nr): slot} dict; the gradient reaching each of
            these edges is stored in the returned dict instead of (for leaves) .grad.
        accumulate: whether AccumulateGrad nodes write into .grad.
    Returns:
        {slot: array} for the captured edges.
    """
    deps = _dependencies([n for n, _ in roots])
    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        _add_to_buffer(buffers, node, nr, g)
    ready = list(dict.fromkeys(n for n, _ in roots if deps.get(n, 0) == 0))
    captured = {}
    buf = old = None
    pop_ready, push_ready, pop_buffer = ready.pop, ready.append, buffers.pop
    hooks_or_capture = capture is not None
    prev = STATE.enabled
    STATE.enabled = False  # backward math never records a graph
    try:
        while ready:
            node = pop_ready()
            grads = pop_buffer(node, None)
            if grads is not None and (hooks_or_capture or node._tensor_hooks):
                if node._tensor_hooks:
                    grads = _run_tensor_hooks(node, grads)
                if capture is not None:
                    for nr, g in enumerate(grads):
                        slot = capture.get((node, nr))
                        if slot is not None and g is not None:
                            captured[slot] = g
            edges = node.next_functions
            if node._plain:
                # an internal op with one output and no node hooks: call backward directly
                # (it reads its saved arrays through ctx.saved_tensors, which checks their
                # versions, as PyTorch checks a saved tensor when it is unpacked)
                g = None if grads is None else grads[0]
                grads = None
                if g is None:
                    in_grads = (None,) * len(edges)
                else:
                    if node._released:
                        node._check_saved()  # the graph was freed: say so
                    in_grads = node.backward(node, g)
                    if in_grads.__class__ is not tuple:
                        in_grads = (in_grads,)
                    if len(in_grads) < len(edges):
                        _wrong_count(node, edges, in_grads)
            elif node.__class__ is AccumulateGrad:
                if accumulate and grads is not None:
                    g = grads[0]
                    if g is not None:
                        # Drop the buffer's reference: if only `g` (and getrefcount's argument)
                        # remain, no view, tensor or other leaf shares the array and .grad
                        # may own it without a copy.
                        grads = None
                        owned = g.__class__ is _ndarray and g.base is None and _refcount(g) == 2
                        node.accumulate(g, owned)
                    g = None
                continue
            else:
                if grads is None or all(g is None for g in grads):
                    in_grads = (None,) * len(edges)
                else:
                    in_grads = node._run_backward(grads)
                    if len(in_grads) < len(edges):
                        _wrong_count(node, edges, in_grads)
                grads = None
            if not retain_graph and node._saved is not None:
                node._saved = None
                node._released = True
            for (nxt, nr), g in zip(edges, in_grads):
                if nxt is None:
                    continue
                if g is not None:
                    buf = buffers.get(nxt)
                    if buf is None:
                        buffers[nxt] = [g] if nxt._n_outputs == 1 else \
                            [g if i == nr else None for i in range(nxt._n_outputs)]
                    else:
                        old = buf[nr]
                        buf[nr] = g if old is None else old + g
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    push_ready(nxt)
            # no stale references to gradient arrays may outlive this step (see above)
            in_grads = g = buf = old = None
    finally:
        STATE.enabled = prev
    return captured


def _wrong_count(node, edges, in_grads):
    raise RuntimeError(
        f"function {node.name()} returned an incorrect number of gradients "
        f"(expected {len(edges)}, got {len(in_grads)})"
    )


def _add_to_buffer(buffers, node, nr, g):
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * node._n_outputs
    buf[nr] = g if buf[nr] is None else buf[nr] + g


def _run_tensor_hooks(node, grads):
    Tensor = _function.Tensor  # bound by ember.tensor after this module loads
    grads = list(grads)
    for nr, hooks in node._tensor_hooks.items():
        for hook in list(hooks):
            if grads[nr] is None:
                continue
            res = hook(Tensor._make(grads[nr]))
            if res is not None:
                grads[nr] = res._data
    return grads


def _root_edge(t):
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t._requires_grad:
        return (t._grad_accumulator(), 0)
    return None


def _make_root_grads(tensors, grad_tensors):
    Tensor = _function.Tensor  # bound by ember.tensor after this module loads
    grads = []
    for i, t in enumerate(tensors):
        g = grad_tensors[i] if grad_tensors is not None and i < len(grad_tensors) else None
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs; pass "
                    "gradient= with the output's shape, e.g. out.backward(ember.ones_like(out))"
                )
            xp = backend.array_module(t._data)
            grads.append(xp.ones(t._data.shape, t._data.dtype))
            continue
        if not isinstance(g, Tensor):
            g = Tensor._make(backend.array_module(t._data).asarray(g, dtype=t._data.dtype))
        if g._data.shape != t._data.shape:
            if g._data.size == t._data.size == 1:
                g = Tensor._make(g._data.reshape(t._data.shape))
            else:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and "
                    f"output[{i}] has a shape of {tuple(t.shape)}."
                )
        backend.check_same_device([t._data, g._data], "backward")
        grads.append(g._data.astype(t._data.dtype, copy=False))
    return grads


def _roots(tensors):
    roots = []
    for i, t in enumerate(tensors):
        edge = _root_edge(t)
        if edge is None:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        roots.append(edge)
    return roots


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' .grad."""
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported by ember yet"
        )
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors)
    roots = _roots(tensors)
    grads = _make_root_grads(tensors, grad_tensors)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        captured = run_backward(roots, grads, bool(retain_graph),
                                capture={_root_edge(t): i for i, t in enumerate(inputs)},
                                accumulate=False)
        for i, t in enumerate(inputs):
            g = captured.get(i)
            if g is not None:
                t.grad = t.__class__._make(g.copy()) if t.grad is None else t.grad + \
                    t.__class__._make(g)
        return
    run_backward(roots, grads, bool(retain_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) without touching any .grad."""
    Tensor = _function.Tensor  # bound by ember.tensor after this module loads
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported by ember yet"
        )
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported by ember")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not "
                               "require grad")
    roots = _roots(outputs)
    grads = _make_root_grads(outputs, _as_tuple(grad_outputs))
    capture = {}
    for i, t in enumerate(inputs):
        capture[_root_edge(t)] = i
    captured = run_backward(roots, grads, bool(retain_graph), capture=capture, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(i)
        if g is None:
            if materialize_grads:
                g = backend.array_module(t._data).zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        result.append(None if g is None else Tensor._make(g))
    return tuple(result)
