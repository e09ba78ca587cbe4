"""Learning-rate schedulers: 100-step sequences against PyTorch, by hand, and state dicts."""

import io
import math
import warnings

import pytest

import ember
from ember import optim
from ember.optim import lr_scheduler as sched
from ember.serialization import load, save


def make_optimizer(lib, kind="sgd"):
    """Two parameter groups with different learning rates, in ember or torch."""
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.5}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def trace(lib, opt, scheduler, steps, metrics=None):
    """Per step: the scheduler's last lrs plus momentum/betas of every group."""
    rows = []
    for i in range(steps):
        opt.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[i])
        rows.append((list(scheduler.get_last_lr()),
                     [(g.get("momentum"), g.get("betas")) for g in opt.param_groups]))
    return rows


# Each case builds schedulers on an optimizer from a module that has lr_scheduler (ember.optim
# or torch.optim); the same code runs against both libraries.
CASES = {
    "lambda": lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e),
    "lambda-list": lambda L, o: L.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    "multiplicative": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.97),
    "step": lambda L, o: L.StepLR(o, step_size=7, gamma=0.5),
    "multistep": lambda L, o: L.MultiStepLR(o, milestones=[10, 30, 30, 60], gamma=0.3),
    "constant": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=10),
    "linear": lambda L, o: L.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=20),
    "exponential": lambda L, o: L.ExponentialLR(o, gamma=0.96),
    "polynomial": lambda L, o: L.PolynomialLR(o, total_iters=50, power=2.0),
    "cosine": lambda L, o: L.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
    "cosine-zero-min": lambda L, o: L.CosineAnnealingLR(o, T_max=17),
    "onecycle": lambda L, o: L.OneCycleLR(o, max_lr=[0.5, 1.0], total_steps=100),
    "onecycle-linear": lambda L, o: L.OneCycleLR(o, max_lr=0.8, epochs=10, steps_per_epoch=10,
                                                 anneal_strategy="linear", pct_start=0.25),
    "onecycle-three-phase": lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=100,
                                                      three_phase=True, div_factor=10.0),
    "onecycle-no-momentum": lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=100,
                                                      cycle_momentum=False),
    "sequential": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=10), L.CosineAnnealingLR(o, T_max=90)],
        milestones=[10]),
    "sequential-3": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.2, total_iters=5), L.ExponentialLR(o, gamma=0.9),
            L.StepLR(o, step_size=10, gamma=0.5)], milestones=[20, 50]),
    "cyclic": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=7,
                                      step_size_down=3),
    "cyclic-triangular2": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5,
                                                  mode="triangular2", base_momentum=0.7),
    "cyclic-exp-range": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=6, mode="exp_range",
                                                gamma=0.98, cycle_momentum=False),
    "cyclic-scale-fn": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                               scale_fn=lambda x: 0.9 ** x,
                                               scale_mode="iterations"),
    "warm-restarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=7, eta_min=0.001),
    "warm-restarts-mult": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    "chained": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=5), L.ExponentialLR(o, gamma=0.9)]),
    "chained-cosine-multistep": lambda L, o: L.ChainedScheduler(
        [L.CosineAnnealingLR(o, T_max=25), L.MultiStepLR(o, milestones=[40, 70], gamma=0.5)]),
}


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_sequence_matches_torch(case, kind):
    torch = pytest.importorskip("torch")
    build = CASES[case]
    eo, to = make_optimizer(ember, kind), make_optimizer(torch, kind)
    es, ts = build(sched, eo), build(torch.optim.lr_scheduler, to)
    assert es.get_last_lr() == ts.get_last_lr()
    assert trace(ember, eo, es, 100) == trace(torch, to, ts, 100)


def test_two_schedulers_on_one_optimizer_match_torch():
    torch = pytest.importorskip("torch")
    seqs = []
    for lib, L in ((ember, sched), (torch, torch.optim.lr_scheduler)):
        opt = make_optimizer(lib)
        first = L.StepLR(opt, step_size=5, gamma=0.5)
        second = L.ExponentialLR(opt, gamma=0.98)
        seq = []
        for _ in range(100):
            opt.step()
            first.step()
            second.step()
            seq.append([g["lr"] for g in opt.param_groups])
        seqs.append(seq)
    assert seqs[0] == seqs[1]


PLATEAU = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.91, 0.92, 0.93, 0.5, 0.5, 0.5,
           0.49995, 0.6, 0.7, 0.8, 0.9] * 5


@pytest.mark.parametrize("kwargs", [
    {},
    {"patience": 2},
    {"mode": "max", "patience": 1, "factor": 0.5},
    {"threshold_mode": "abs", "threshold": 0.01, "patience": 1},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.05, "patience": 0},
    {"patience": 1, "cooldown": 3, "min_lr": [0.01, 0.2]},
    {"patience": 0, "factor": 0.5, "min_lr": 0.02, "eps": 1e-3},
])
def test_reduce_on_plateau_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    eo, to = make_optimizer(ember), make_optimizer(torch)
    es = sched.ReduceLROnPlateau(eo, **kwargs)
    ts = torch.optim.lr_scheduler.ReduceLROnPlateau(to, **kwargs)
    assert trace(ember, eo, es, 100, PLATEAU) == trace(torch, to, ts, 100, PLATEAU)
    assert (es.best, es.num_bad_epochs, es.cooldown_counter, es.last_epoch) == \
        (ts.best, ts.num_bad_epochs, ts.cooldown_counter, ts.last_epoch)


# ------------------------------------------------------------------ without the oracle
def lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def test_step_lr_by_hand():
    opt = make_optimizer(ember)
    s = sched.StepLR(opt, step_size=3, gamma=0.1)
    seen = [s.get_last_lr()[0]]
    for _ in range(7):
        opt.step()
        s.step()
        seen.append(s.get_last_lr()[0])
    want = [0.1] * 3 + [0.1 * 0.1] * 3 + [0.1 * 0.1 * 0.1] * 2
    assert seen == pytest.approx(want, rel=1e-15)
    assert all(g["initial_lr"] == lr for g, lr in zip(opt.param_groups, [0.1, 0.5]))


def test_cosine_recursion_tracks_the_closed_form():
    opt = make_optimizer(ember)
    s = sched.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
    for epoch in range(1, 45):
        opt.step()
        s.step()
        for base, lr in zip([0.1, 0.5], lrs(opt)):
            closed = 0.01 + (base - 0.01) * (1 + math.cos(math.pi * epoch / 10)) / 2
            assert lr == pytest.approx(closed, rel=1e-9, abs=1e-12)


def test_onecycle_endpoints_and_momentum():
    opt = make_optimizer(ember)
    s = sched.OneCycleLR(opt, max_lr=1.0, total_steps=20, pct_start=0.25)
    group = opt.param_groups[0]
    assert group["lr"] == pytest.approx(1.0 / 25) and group["momentum"] == pytest.approx(0.95)
    for _ in range(4):
        opt.step()
        s.step()
    assert group["lr"] == pytest.approx(1.0) and group["momentum"] == pytest.approx(0.85)
    for _ in range(15):
        opt.step()
        s.step()
    assert group["lr"] == pytest.approx(1.0 / 25 / 1e4)
    opt.step()
    s.step()  # step 20 of 20 is still allowed
    with pytest.raises(ValueError, match="Tried to step 21 times. The specified number of "
                                         "total steps is 20"):
        s.step()


def test_onecycle_cycles_adam_beta1():
    opt = make_optimizer(ember, "adam")
    sched.OneCycleLR(opt, max_lr=0.1, total_steps=10, base_momentum=0.8, max_momentum=0.9)
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)


def test_reduce_on_plateau_by_hand():
    opt = make_optimizer(ember)
    s = sched.ReduceLROnPlateau(opt, patience=1, factor=0.5, cooldown=1)
    seen = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]:
        s.step(metric)
        seen.append(lrs(opt)[0])
    # bad epochs: 1, 2 -> reduce; cooldown swallows one; then 1, 2 -> reduce again
    assert seen == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
    assert s.best == 0.5


def test_sequential_switches_at_milestone():
    opt = make_optimizer(ember)
    s = sched.SequentialLR(opt, [sched.ConstantLR(opt, factor=0.5, total_iters=100),
                                 sched.ExponentialLR(opt, gamma=0.5)], milestones=[3])
    seen = [lrs(opt)[0]]
    for _ in range(5):
        opt.step()
        s.step()
        seen.append(lrs(opt)[0])
    assert seen == pytest.approx([0.05, 0.05, 0.05, 0.1, 0.05, 0.025])


# ------------------------------------------------------------------ state dicts
@pytest.mark.parametrize("case", ["step", "multistep", "cosine", "onecycle", "sequential",
                                  "chained", "lambda", "linear", "cyclic", "warm-restarts-mult"])
def test_state_dict_resume_continues_identically(case):
    build = CASES[case]
    opt = make_optimizer(ember)
    s = build(sched, opt)
    trace(ember, opt, s, 40)
    buf = io.BytesIO()
    save({"optimizer": opt.state_dict(), "scheduler": s.state_dict()}, buf)
    buf.seek(0)
    ckpt = load(buf)
    opt2 = make_optimizer(ember)
    s2 = build(sched, opt2)
    opt2.load_state_dict(ckpt["optimizer"])
    s2.load_state_dict(ckpt["scheduler"])
    assert trace(ember, opt2, s2, 40) == trace(ember, opt, s, 40)


def test_reduce_on_plateau_state_dict():
    opt = make_optimizer(ember)
    s = sched.ReduceLROnPlateau(opt, mode="max", patience=2)
    for m in PLATEAU[:30]:
        s.step(m)
    state = s.state_dict()
    assert "optimizer" not in state
    s2 = sched.ReduceLROnPlateau(make_optimizer(ember))
    s2.load_state_dict(state)
    assert (s2.mode, s2.best, s2.num_bad_epochs, s2.mode_worse) == \
        (s.mode, s.best, s.num_bad_epochs, -math.inf)


def test_lambda_state_dict_keeps_callable_objects_state():
    class Warmup:
        def __init__(self):
            self.scale = 2.0

        def __call__(self, epoch):
            return self.scale * epoch

    opt = make_optimizer(ember)
    fn = Warmup()
    s = sched.LambdaLR(opt, [fn, lambda e: 1.0])
    fn.scale = 3.0
    state = s.state_dict()
    assert state["lr_lambdas"] == [{"scale": 3.0}, None]
    other = Warmup()
    s2 = sched.LambdaLR(make_optimizer(ember), [other, lambda e: 1.0])
    s2.load_state_dict(state)
    assert other.scale == 3.0


# ------------------------------------------------------------------ errors and warnings
def test_bad_arguments():
    opt = make_optimizer(ember)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        sched.StepLR([], step_size=1)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        sched.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        sched.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="mode sideways is unknown"):
        sched.ReduceLROnPlateau(opt, mode="sideways")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 3"):
        sched.ReduceLROnPlateau(opt, min_lr=[0, 0, 0])
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        sched.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="Expected positive integer total_steps"):
        sched.OneCycleLR(opt, max_lr=1.0, total_steps=0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of"):
        sched.OneCycleLR(opt, max_lr=1.0, total_steps=5, anneal_strategy="step")
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        sched.OneCycleLR(opt, max_lr=[1.0], total_steps=5)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        sched.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Constant multiplicative factor"):
        sched.ConstantLR(opt, factor=2)
    with pytest.raises(ValueError, match="number of schedulers 2 and the number of milestones"):
        sched.SequentialLR(opt, [sched.StepLR(opt, 2), sched.StepLR(opt, 3)], milestones=[])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        sched.ChainedScheduler([sched.ReduceLROnPlateau(opt)])
    fresh = make_optimizer(ember)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        sched.StepLR(fresh, step_size=2, last_epoch=3)
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        sched.CyclicLR(opt, 0.01, 0.1, mode="sawtooth")
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        sched.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Expected integer T_mult >= 1, but got 0"):
        sched.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        sched.OneCycleLR(optim.Adagrad([ember.zeros(1, requires_grad=True)]), max_lr=1.0,
                         total_steps=5)


def test_warm_restarts_fractional_epochs_match_torch():
    torch = pytest.importorskip("torch")
    eo, to = make_optimizer(ember), make_optimizer(torch)
    es = sched.CosineAnnealingWarmRestarts(eo, T_0=4, T_mult=2)
    ts = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(to, T_0=4, T_mult=2)
    for epoch in [0.5, 1.25, 3.9, 4.0, 7.5, 12.0, 30.3, 2.0]:
        es.step(epoch)
        ts.step(epoch)
        assert es.get_last_lr() == ts.get_last_lr()
        assert (es.T_cur, es.T_i, es.last_epoch) == (ts.T_cur, ts.T_i, ts.last_epoch)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        es.step(-1)


def test_warns_when_stepped_before_the_optimizer():
    opt = make_optimizer(ember)
    s = sched.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"lr_scheduler.step\(\)` before `optimizer.step\(\)"):
        s.step()
    opt = make_optimizer(ember)
    s = sched.StepLR(opt, step_size=2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()


def test_get_lr_outside_step_warns_and_epoch_argument_is_deprecated():
    opt = make_optimizer(ember)
    s = sched.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        s.step(4)
    assert lrs(opt) == pytest.approx([0.1 * 0.5 ** 4, 0.5 * 0.5 ** 4])
