"""CUDA graphs: capture a static-shape step once, replay it with one launch (PyTorch's API).

Capture records the GPU work that ember's ops queue on a side stream into a graph, through
CuPy's stream capture. What makes a captured step correct:

- Memory: allocations made during capture come from a private pool owned by the graph (or
  shared through ``pool=``), so eager code can never be handed memory the graph writes to.
  The pool lives as long as the graph (or handle) does.
- No host round trips: ``.item()``, ``.tolist()``, ``.cpu()``, printing, ``bool(t)`` and host
  to device copies raise a clear error during capture (ember.backend.check_no_sync), since a
  graph cannot stop to hand a value to Python.
- No cuBLAS: CuPy refuses cuBLAS calls during capture, so ember's matrix products switch to
  the GEMM in ember.cuda.kernels while ``backend.is_capturing()``.

Warm up (run the step eagerly a few times) before capturing, as in PyTorch, so kernels are
compiled and optimizer state exists before capture starts.
"""

from .. import backend
from . import memory
from ._runtime import require_cupy as _cp

_MODES = ("global", "thread_local", "relaxed")




class _PoolHandle:
    """A private memory pool that one or more graphs allocate from (graph_pool_handle())."""

    def __init__(self):
        self.pool = _cp().cuda.MemoryPool()
        memory.register_pool(self.pool)

    def __repr__(self):
        return f"<ember.cuda graph pool {id(self):#x}>"


def graph_pool_handle():
    """A new private memory pool to share between graphs captured with ``pool=``."""
    return _PoolHandle()


def is_current_stream_capturing():
    """True while the current CUDA stream is being captured into a graph."""
    cp = backend.cupy()
    if cp is None:
        return False
    return bool(cp.cuda.get_current_stream().is_capturing())


def _capture_mode(cp, name):
    if name not in _MODES:
        raise ValueError(f"capture_error_mode must be one of {', '.join(_MODES)}, got {name!r}")
    rt = cp.cuda.runtime
    return {"global": rt.streamCaptureModeGlobal, "thread_local": rt.streamCaptureModeThreadLocal,
            "relaxed": rt.streamCaptureModeRelaxed}[name]


def explain_capture_error(err):
    """A RuntimeError saying in plain words why CuPy/CUDA rejected work during capture."""
    text = f"{type(err).__name__}: {err}"
    if "cuBLAS" in text or "cublas" in text:
        hint = ("a cuBLAS call (outside ember's matmul ops, e.g. einsum or linalg) is not "
                "capturable with CuPy; use matmul/linear/conv, which switch to ember's GEMM")
    elif "StreamCapture" in text or "capturing" in text.lower():
        hint = ("an operation that synchronizes with the host or uses the legacy stream "
                "(reading a value with .item()/.cpu()/print, a host-to-device copy, "
                "synchronize()) ran during capture")
    else:
        hint = "the GPU work in the block could not be captured"
    return RuntimeError(f"CUDA graph capture failed: {hint}. Original error: {text}")


class CUDAGraph:
    """A captured sequence of GPU work that ``replay()`` runs again with one launch."""

    def __init__(self, keep_graph=False):
        self._cp = _cp()
        self.keep_graph = keep_graph
        self._graph = None
        self._pool = None
        self._stream = None
        self._alloc_ctx = None

    def capture_begin(self, pool=None, capture_error_mode="global"):
        """Start capturing the work queued on the current (non-default) stream."""
        cp = self._cp
        if self._stream is not None:
            raise RuntimeError("capture_begin() called while this graph is already capturing")
        if self._graph is not None:
            raise RuntimeError("this CUDAGraph already holds a captured graph; call reset() "
                               "before capturing again")
        mode = _capture_mode(cp, capture_error_mode)
        if pool is not None and not isinstance(pool, _PoolHandle):
            raise TypeError(f"pool must come from graph_pool_handle() or another graph's "
                            f"pool(), got {type(pool).__name__}")
        stream = cp.cuda.get_current_stream()
        if stream.ptr == 0:
            raise RuntimeError("CUDA graphs cannot be captured on the default stream: use "
                               "`with ember.cuda.graph(g):` (it provides a side stream) or "
                               "make a non-default stream current first")
        self._pool = pool if pool is not None else _PoolHandle()
        self._alloc_ctx = cp.cuda.using_allocator(self._pool.pool.malloc)
        self._alloc_ctx.__enter__()
        try:
            stream.begin_capture(mode)
        except Exception:
            self._alloc_ctx.__exit__(None, None, None)
            self._alloc_ctx = None
            raise
        self._stream = stream
        backend.CAPTURE[0] += 1

    def capture_end(self):
        """Finish capturing; the graph is then ready to replay()."""
        if self._stream is None:
            raise RuntimeError("capture_end() called without capture_begin()")
        stream, self._stream = self._stream, None
        try:
            graph = stream.end_capture()
        finally:
            backend.CAPTURE[0] -= 1
            self._alloc_ctx.__exit__(None, None, None)
            self._alloc_ctx = None
        self._graph = graph
        return graph

    def _abort(self):
        """End a capture that failed, leaving the stream usable and the graph empty."""
        if self._stream is None:
            return
        try:
            self.capture_end()
        except Exception:  # the capture was already invalidated; the first error matters
            pass
        self._graph = None

    def replay(self):
        """Run the captured work again on the current stream."""
        if self._graph is None:
            raise RuntimeError("replay() called on a CUDAGraph with nothing captured; capture "
                               "with `with ember.cuda.graph(g): ...` first")
        self._graph.launch(stream=self._cp.cuda.get_current_stream())

    def reset(self):
        """Drop the captured graph and its private memory (unless shared through pool=)."""
        self._abort()
        self._graph = None
        self._pool = None

    def pool(self):
        """This graph's memory pool handle, to share with graphs captured after it."""
        if self._pool is None:
            raise RuntimeError("pool() is available only after capture_begin()")
        return self._pool

    def debug_dump(self, path):
        """Write the captured graph in Graphviz dot form (when CuPy provides it)."""
        if self._graph is None:
            raise RuntimeError("debug_dump() needs a captured graph")
        with open(path, "w") as f:
            f.write(self._graph.debug_dot_str())


class graph:
    """``with ember.cuda.graph(g): step()`` captures the block's GPU work into `g`.

    Args:
        cuda_graph: the CUDAGraph to capture into.
        pool: share another graph's memory (``other.pool()`` or graph_pool_handle()).
        stream: the stream to capture on (default: a new side stream).
        capture_error_mode: 'global' (default), 'thread_local' or 'relaxed', as in CUDA.
    """

    def __init__(self, cuda_graph, pool=None, stream=None, capture_error_mode="global"):
        if not isinstance(cuda_graph, CUDAGraph):
            raise TypeError(f"graph() expects a CUDAGraph, got {type(cuda_graph).__name__}")
        self.cuda_graph = cuda_graph
        self.pool = pool
        self.capture_error_mode = capture_error_mode
        self._user_stream = stream
        self._stream = None

    def __enter__(self):
        from .streams import Stream

        cp = _cp()
        # Work queued before capture must not leak into the graph or race with it.
        cp.cuda.Device().synchronize()
        self._stream = self._user_stream if self._user_stream is not None else Stream()
        self._stream.__enter__()
        try:
            self.cuda_graph.capture_begin(self.pool, self.capture_error_mode)
        except Exception:
            self._stream.__exit__(None, None, None)
            raise
        return self.cuda_graph

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                try:
                    self.cuda_graph.capture_end()
                except Exception as err:
                    self.cuda_graph._abort()
                    raise explain_capture_error(err) from err
            else:
                self.cuda_graph._abort()
        finally:
            self._stream.__exit__(None, None, None)
        if exc is not None and _is_capture_failure(exc):
            raise explain_capture_error(exc) from exc
        return False


def _is_capture_failure(exc):
    """An error raised by CuPy/CUDA for capture (ember's own clear errors pass unchanged)."""
    mod = type(exc).__module__ or ""
    if mod.startswith(("cupy", "cupy_backends")):
        return True
    return isinstance(exc, NotImplementedError) and "capture" in str(exc)


# ------------------------------------------------------------------ make_graphed_callables
def _flatten(out):
    from ..tensor import Tensor

    if isinstance(out, Tensor):
        return [out], False
    if isinstance(out, (tuple, list)) and all(isinstance(o, Tensor) for o in out):
        return list(out), True
    raise TypeError("a graphed callable must return a Tensor or a tuple of Tensors, got "
                    f"{type(out).__name__}")


def _zeros_like(t):
    from ..tensor import Tensor

    return Tensor._make(backend.array_module(t._data).zeros_like(t._data))


def _graph_one(fn, inputs, num_warmup_iters, allow_unused_input, pool):
    """Capture fn's forward and backward; return (graphed forward, static state)."""
    from ..autograd import Function, grad
    from ..tensor import Tensor
    from .streams import Stream, stream

    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.is_cuda:
            raise TypeError(f"make_graphed_callables: sample argument {i} must be a cuda "
                            f"Tensor, got {type(t).__name__}"
                            + (f" on {t.device}" if isinstance(t, Tensor) else ""))
    params = tuple(p for p in fn.parameters() if p.requires_grad) \
        if hasattr(fn, "parameters") else ()
    surface = tuple(inputs) + params
    diff_idx = [i for i, t in enumerate(surface) if t.requires_grad]
    diff_surface = [surface[i] for i in diff_idx]

    def backward_grads(outs):
        diff_outs = [o for o in outs if o.requires_grad]
        if not diff_outs or not diff_surface:
            return [None] * len(diff_surface), diff_outs
        grads = grad(diff_outs, diff_surface, grad_outputs=[_zeros_like(o) for o in diff_outs],
                     allow_unused=allow_unused_input)
        return list(grads), diff_outs

    side = Stream()
    with stream(side):  # warm up off the default stream, as capture will run
        for _ in range(num_warmup_iters):
            backward_grads(_flatten(fn(*inputs))[0])
    _cp().cuda.Device().synchronize()

    fwd_graph, bwd_graph = CUDAGraph(), CUDAGraph()
    with graph(fwd_graph, pool=pool, stream=side):
        static_outs, is_tuple = _flatten(fn(*inputs))
    static_grad_outs = [_zeros_like(o) if o.requires_grad else None for o in static_outs]
    diff_outs = [o for o in static_outs if o.requires_grad]
    with graph(bwd_graph, pool=pool, stream=side):
        if diff_outs and diff_surface:
            grads = grad(diff_outs, diff_surface,
                          grad_outputs=[g for g in static_grad_outs if g is not None],
                          allow_unused=allow_unused_input)
        else:
            grads = [None] * len(diff_surface)
    static_grads = [None] * len(surface)
    for i, g in zip(diff_idx, grads):
        static_grads[i] = g
    n_in = len(inputs)

    class Graphed(Function):
        """Replays the captured forward, and the captured backward for its gradients."""

        @staticmethod
        def forward(ctx, *args):
            for static, new in zip(inputs, args[:n_in]):
                if new._data is not static._data:
                    static._data[...] = new._data
            fwd_graph.replay()
            return tuple(o.detach() for o in static_outs)

        @staticmethod
        def backward(ctx, *grads_out):
            for static, g in zip(static_grad_outs, grads_out):
                if static is None:
                    continue
                if g is None:
                    static._data.fill(0)
                elif g._data is not static._data:
                    static._data[...] = g._data
            bwd_graph.replay()
            return tuple(None if g is None else g.detach() for g in static_grads)

    def graphed(*args):
        if len(args) != n_in:
            raise TypeError(f"graphed callable takes {n_in} tensor arguments (as captured), "
                            f"got {len(args)}")
        for i, (a, s) in enumerate(zip(args, inputs)):
            if not isinstance(a, Tensor) or a.shape != s.shape or a.dtype != s.dtype:
                raise ValueError(f"argument {i} must match the captured sample: shape "
                                 f"{tuple(s.shape)} and dtype {s.dtype}")
        out = Graphed.apply(*args, *params)
        out = out if isinstance(out, tuple) else (out,)
        return tuple(out) if is_tuple else out[0]

    graphed._graphs = (fwd_graph, bwd_graph)  # keeps both graphs (and their memory) alive
    return graphed


def make_graphed_callables(callables, sample_args, num_warmup_iters=3,
                           allow_unused_input=False, pool=None):
    """Graph-captured versions of modules or functions: forward and backward each replay one
    CUDA graph. A module is returned with its forward replaced; a function is wrapped.

    Args:
        callables: a callable or a tuple of them.
        sample_args: a tuple of cuda Tensors per callable (their shapes become static).
        num_warmup_iters: eager runs before capture (compiles kernels, fills caches).
        allow_unused_input: allow inputs that do not affect the outputs.
        pool: a graph_pool_handle() to share memory with other graphs.
    """
    single = not isinstance(callables, tuple)
    if single:
        callables, sample_args = (callables,), (sample_args,)
    if len(callables) != len(sample_args):
        raise ValueError(f"make_graphed_callables: {len(callables)} callables but "
                         f"{len(sample_args)} sample argument tuples")
    pool = pool if pool is not None else graph_pool_handle()
    results = []
    for fn, args in zip(callables, sample_args):
        args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
        graphed = _graph_one(fn, args, num_warmup_iters, allow_unused_input, pool)
        if hasattr(fn, "parameters") and hasattr(fn, "forward"):
            fn.forward = graphed  # an instance attribute: Module.__call__ now replays
            results.append(fn)
        else:
            results.append(graphed)
    return results[0] if single else tuple(results)


__all__ = ["CUDAGraph", "graph", "graph_pool_handle", "is_current_stream_capturing",
           "explain_capture_error", "make_graphed_callables"]
