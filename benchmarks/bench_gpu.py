"""GPU benchmarks, ember against PyTorch in one run: LeNet steps and conv2d at CIFAR shapes.

    python -m benchmarks.bench_gpu [--quick] [--json results.json]

Measures (synthetic CIFAR-shaped data already on the GPU, so the numbers are compute only):
- LeNet, batch 4, SGD with momentum: eager step time and the implied epoch (12,500 steps);
- the same step captured as a CUDA graph and replayed;
- LeNet, batch 128: training throughput in images/s;
- conv2d forward + backward at a few CIFAR-sized shapes (PyTorch with cuDNN autotuning).

Each row gives ember / PyTorch (a ratio below 1 means ember is faster). Nothing GPU-related is
imported at module import, so this file can be syntax- and import-checked without a GPU.
"""

import argparse
import json
import sys
import time
import traceback

import numpy as np

try:  # run as `python -m benchmarks.bench_gpu` or as a script
    from .common import machine, table
except ImportError:
    from common import machine, table

CIFAR_TRAIN = 50_000
CONV_SHAPES = [  # (N, C, H, W), (O, C, KH, KW), padding
    ((128, 3, 32, 32), (6, 3, 5, 5), 0),      # LeNet conv1
    ((128, 6, 14, 14), (16, 6, 5, 5), 0),     # LeNet conv2
    ((128, 64, 32, 32), (64, 64, 3, 3), 1),   # ResNet stage 1
    ((128, 128, 16, 16), (128, 128, 3, 3), 1),  # ResNet stage 2
]


def _sync_ember():
    import ember

    ember.cuda.synchronize()


def _timed(step, sync, n, warmup):
    """Seconds per call of step(), measured over n calls after `warmup` calls."""
    for _ in range(warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(n):
        step()
    sync()
    return (time.perf_counter() - start) / n


# ------------------------------------------------------------------ models
def _ember_lenet():
    from ember import nn

    return nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5),
                         nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(400, 120),
                         nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _torch_lenet(torch):
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5),
                         nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(400, 120),
                         nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _data(batch, n_batches, seed=0):
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((n_batches, batch, 3, 32, 32)).astype(np.float32)
    ys = rng.integers(0, 10, (n_batches, batch))
    return xs, ys


class _EmberStep:
    """One SGD-momentum LeNet training step in ember over pre-loaded GPU batches."""

    def __init__(self, batch, n_batches=16):
        import ember
        import ember.nn.functional as F
        from ember import optim

        self.ember, self.F = ember, F
        ember.manual_seed(0)
        self.model = _ember_lenet().cuda()
        self.opt = optim.SGD(self.model.parameters(), lr=0.001, momentum=0.9)
        xs, ys = _data(batch, n_batches)
        self.xs = [ember.tensor(x, device="cuda") for x in xs]
        self.ys = [ember.tensor(y, device="cuda") for y in ys]
        self.i = 0

    def __call__(self):
        x, y = self.xs[self.i % len(self.xs)], self.ys[self.i % len(self.ys)]
        self.i += 1
        self.opt.zero_grad()
        loss = self.F.cross_entropy(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss

    def captured(self):
        """A replay function for the same step captured as a CUDA graph."""
        ember = self.ember
        for _ in range(3):
            self()
        static_x, static_y = self.xs[0].clone(), self.ys[0].clone()
        self.opt.zero_grad(set_to_none=True)
        g = ember.cuda.CUDAGraph()
        with ember.cuda.graph(g):
            loss = self.F.cross_entropy(self.model(static_x), static_y)
            loss.backward()
            self.opt.step()

        def replay():
            x = self.xs[self.i % len(self.xs)]
            self.i += 1
            static_x.copy_(x)
            g.replay()
        return replay


class _TorchStep:
    """The same step in PyTorch."""

    def __init__(self, torch, batch, n_batches=16):
        self.torch = torch
        torch.manual_seed(0)
        self.model = _torch_lenet(torch).cuda()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.001, momentum=0.9)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        xs, ys = _data(batch, n_batches)
        self.xs = [torch.from_numpy(x).cuda() for x in xs]
        self.ys = [torch.from_numpy(y).cuda() for y in ys]
        self.i = 0

    def __call__(self):
        x, y = self.xs[self.i % len(self.xs)], self.ys[self.i % len(self.ys)]
        self.i += 1
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss

    def captured(self):
        """PyTorch's documented whole-step capture recipe."""
        torch = self.torch
        static_x, static_y = self.xs[0].clone(), self.ys[0].clone()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3):
                self()
        torch.cuda.current_stream().wait_stream(side)
        self.opt.zero_grad(set_to_none=True)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            loss = self.loss_fn(self.model(static_x), static_y)
            loss.backward()
            self.opt.step()

        def replay():
            static_x.copy_(self.xs[self.i % len(self.xs)])
            self.i += 1
            g.replay()
        return replay


# ------------------------------------------------------------------ sections
def bench_lenet(torch, quick):
    """Rows for batch-4 eager, batch-4 captured and batch-128 throughput."""
    rows = []
    n4 = 100 if quick else 400
    e4 = _EmberStep(4)
    t_e = _timed(e4, _sync_ember, n4, 20)
    t4 = _TorchStep(torch, 4) if torch else None
    t_t = _timed(t4, torch.cuda.synchronize, n4, 20) if torch else None
    steps = CIFAR_TRAIN // 4
    rows.append(("LeNet b4 eager step (ms)", t_e * 1e3, t_t and t_t * 1e3))
    rows.append(("LeNet b4 eager epoch est. (s)", t_e * steps, t_t and t_t * steps))
    g_e = _timed(e4.captured(), _sync_ember, n4 * 2, 10)
    g_t = _timed(t4.captured(), torch.cuda.synchronize, n4 * 2, 10) if torch else None
    rows.append(("LeNet b4 graph step (ms)", g_e * 1e3, g_t and g_t * 1e3))
    rows.append(("LeNet b4 graph epoch est. (s)", g_e * steps, g_t and g_t * steps))
    n128 = 30 if quick else 100
    e128 = _EmberStep(128)
    s_e = _timed(e128, _sync_ember, n128, 5)
    s_t = _timed(_TorchStep(torch, 128), torch.cuda.synchronize, n128, 5) if torch else None
    # throughput: higher is better, so this row's ratio is computed as a ratio of times
    rows.append(("LeNet b128 images/s (ratio of times)", 128 / s_e, s_t and 128 / s_t))
    return rows


def bench_conv(torch, quick):
    """conv2d forward + backward (input and weight gradients) per shape."""
    import ember
    import ember.nn.functional as F

    rows = []
    n = 10 if quick else 30
    if torch:
        torch.backends.cudnn.benchmark = True
    for xs, ws, pad in CONV_SHAPES:
        rng = np.random.default_rng(0)
        x_np = rng.standard_normal(xs).astype(np.float32)
        w_np = (rng.standard_normal(ws) * 0.1).astype(np.float32)
        x = ember.tensor(x_np, device="cuda").requires_grad_()
        w = ember.tensor(w_np, device="cuda").requires_grad_()

        def ember_step(x=x, w=w, pad=pad):
            x.grad = w.grad = None
            F.conv2d(x, w, padding=pad).sum().backward()

        t_e = _timed(ember_step, _sync_ember, n, 3)
        t_t = None
        if torch:
            tx = torch.from_numpy(x_np).cuda().requires_grad_()
            tw = torch.from_numpy(w_np).cuda().requires_grad_()

            def torch_step(tx=tx, tw=tw, pad=pad):
                tx.grad = tw.grad = None
                torch.nn.functional.conv2d(tx, tw, padding=pad).sum().backward()

            t_t = _timed(torch_step, torch.cuda.synchronize, n, 3)
        label = f"conv2d fwd+bwd {xs}x{ws[:2]}k{ws[2]}p{pad} (ms)"
        rows.append((label, t_e * 1e3, t_t and t_t * 1e3))
    return rows


def main(argv=None):
    """Run every section (a failing section is reported, the rest still run)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer iterations (about 1 minute)")
    ap.add_argument("--json", help="also write the rows to this JSON file")
    args = ap.parse_args(argv)
    import ember

    if not ember.cuda.is_available():
        print("bench_gpu: CUDA is not available (needs CuPy and an NVIDIA GPU); nothing to do")
        return 2
    try:
        import torch

        if not torch.cuda.is_available():
            torch = None
    except ImportError:
        torch = None
    print(f"# GPU benchmarks: {ember.cuda.get_device_name()}; {machine()}")
    print(f"# PyTorch: {torch.__version__ if torch else 'not available'}")
    rows, errors = [], []
    for name, section in (("lenet", bench_lenet), ("conv", bench_conv)):
        try:
            rows += section(torch, args.quick)
        except Exception as e:  # report and keep going: the other sections still mean something
            errors.append(f"{name}: {type(e).__name__}: {e}")
            traceback.print_exc()
    out = []
    for label, e, t in rows:
        if t is None:
            ratio = "-"
        elif "ratio of times" in label:
            ratio = f"{t / e:.2f}"
        else:
            ratio = f"{e / t:.2f}"
        out.append((label, f"{e:.3f}", "-" if t is None else f"{t:.3f}", ratio))
    print(table(out, ["measure", "ember", "pytorch", "ember/pytorch"]))
    for err in errors:
        print(f"FAILED section {err}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": [dict(zip(["measure", "ember", "pytorch", "ratio"], r))
                                for r in out], "errors": errors}, f, indent=1)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
