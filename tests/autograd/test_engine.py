"""Autograd engine (ember/autograd/engine.py): graph, backward, accumulation, errors, depth."""

import sys

import numpy as np
import pytest
from helpers import assert_same

import ember


def test_leaves_grad_fn_and_next_functions():
    x = ember.ones(2, 2, requires_grad=True)
    y = x + 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn.name() == "AddBackward0"
    assert y.creator is y.grad_fn
    (acc, nr), (none, _) = y.grad_fn.next_functions
    assert acc.name() == "AccumulateGrad" and acc.variable is x and nr == 0 and none is None
    z = y * y * 3
    out = z.mean()
    assert out.grad_fn.name() == "MeanBackward0"
    mul = out.grad_fn.next_functions[0][0]
    assert mul.name() == "MulBackward0"
    assert out.grad_fn.previous_functions == out.grad_fn.next_functions


def test_next_functions_walk_matches_torch():
    torch = pytest.importorskip("torch")

    def names(lib):
        x = lib.ones(2, 2, requires_grad=True)
        out = ((x + 2) * (x + 2) * 3).mean()
        seen, stack = [], [out.grad_fn]
        while stack:
            fn = stack.pop()
            seen.append(fn.name().split("::")[-1])
            stack.extend(f for f, _ in fn.next_functions if f is not None)
        return seen

    assert names(ember) == names(torch)


def test_blitz_gradient_is_4_5():
    x = ember.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 4.5, np.float32))


def test_backward_with_gradient_argument():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.backward(ember.tensor([0.1, 1.0, 0.0001]))
    np.testing.assert_allclose(x.grad.numpy(), [0.2, 2.0, 0.0002], rtol=1e-6)


def test_scalar_backward_with_one_element_gradient():
    x = ember.ones(2, requires_grad=True)
    out = x.sum()
    out.backward(ember.tensor([1.0]))  # the 0.x spelling: a 1-element gradient for a scalar
    assert x.grad.tolist() == [1.0, 1.0]


def test_gradients_accumulate_until_zeroed():
    x = ember.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0, 5.0]
    x.grad.zero_()
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    x.grad = None
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_second_backward_raises_with_advice_and_retain_graph_allows_it():
    x = ember.ones(2, requires_grad=True)
    out = (x * x).sum()
    out.backward(retain_graph=True)
    out.backward()
    assert x.grad.tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        out.backward()


def test_non_scalar_backward_without_gradient_raises():
    y = ember.ones(3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        y.backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        y.backward(ember.ones(2))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.ones(2).sum().backward()


def test_gradient_of_shared_subexpression_and_diamond_graph():
    torch = pytest.importorskip("torch")

    def f(lib, x):
        a = x.exp()
        b = a * x
        c = a + b
        d = (c * a).sum() + b.mean()
        return d

    vals = [0.1, -0.5, 0.7]
    x, t = ember.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
    f(ember, x).backward()
    f(torch, t).backward()
    assert_same(x.grad, t.grad)


def test_deep_chain_does_not_hit_recursion_limit():
    x = ember.ones(1, requires_grad=True)
    y = x
    n = 10_000
    assert n > sys.getrecursionlimit()
    for _ in range(n):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** n], rtol=1e-3)
    del y  # freeing a 10,000-node graph must not overflow the stack either


def test_no_grad_enable_grad_set_grad_enabled_context_managers():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        y = x * 2
        assert not ember.is_grad_enabled()
        with ember.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    ember.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_grad_mode_decorators():
    x = ember.ones(2, requires_grad=True)

    @ember.no_grad()
    def f():
        return x * 2

    @ember.no_grad
    def g():
        return x * 2

    @ember.enable_grad()
    def h():
        return x * 2

    @ember.set_grad_enabled(False)
    def k():
        return x * 2

    assert not f().requires_grad and not g().requires_grad and not k().requires_grad
    with ember.no_grad():
        assert h().requires_grad
    assert ember.is_grad_enabled()
    assert f.__name__ == "f"


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError
    assert ember.is_grad_enabled()


def test_inference_mode():
    x = ember.ones(2, requires_grad=True)
    with ember.inference_mode():
        assert not (x * 2).requires_grad
    with ember.inference_mode(False):
        assert (x * 2).requires_grad


def test_detach_and_requires_grad_():
    x = ember.ones(2, requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None
    z = ember.ones(2)
    assert z.requires_grad_() is z and z.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        ember.ones(2, dtype=ember.int64).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).requires_grad_(False)
    w = x * 2
    w.detach_()
    assert w.grad_fn is None and not w.requires_grad


def test_detach_shares_memory_and_version_counter():
    x = ember.ones(2, requires_grad=True)
    y = x * 1
    d = y.detach()
    assert np.shares_memory(d.numpy(), y.detach().numpy())
    d.add_(1)
    assert y._version == d._version


def test_retain_grad_keeps_non_leaf_grad():
    x = ember.ones(2, requires_grad=True)
    y = x * 3
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    assert y.grad.tolist() == [6.0, 6.0]
    z = x * 2
    (z * z).sum().backward()
    assert z.grad is None


def test_register_hook_on_leaf_and_non_leaf_can_modify_grad():
    x = ember.ones(3, requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 2
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert x.grad.tolist() == [20.0, 20.0, 20.0]
    assert seen == [[20.0, 20.0, 20.0]]
    h.remove()
    x.grad = None
    x.register_hook(lambda g: g + 1)
    (x * 1).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and len(seen) == 1
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_hook(lambda g: g)


def test_hooks_match_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.register_hook(lambda g: g * 2)
        y.retain_grad()
        z = (y + 1).sum()
        z.backward()
        return x.grad, y.grad

    for a, b in zip(run(ember), run(torch)):
        assert_same(a, b)


def test_autograd_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    w = ember.tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    (gx,) = ember.autograd.grad(y, x, retain_graph=True)
    assert gx.tolist() == [2.0, 4.0] and x.grad is None
    gx, gw = ember.autograd.grad(y, [x, w], allow_unused=True)
    assert gw is None
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        ember.autograd.grad((x * 2).sum(), [x, w])
    (gv,) = ember.autograd.grad(x * 2, x, grad_outputs=ember.tensor([1.0, 0.5]))
    assert gv.tolist() == [2.0, 1.0]
    (m,) = ember.autograd.grad((x * 2).sum(), w, allow_unused=True, materialize_grads=True)
    assert m.tolist() == [0.0]


def test_autograd_grad_of_non_leaf():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    (gh,) = ember.autograd.grad(y, h)
    assert gh.tolist() == [6.0, 12.0]


def test_autograd_backward_function_and_inputs():
    x = ember.ones(2, requires_grad=True)
    w = ember.ones(2, requires_grad=True)
    ember.autograd.backward([(x * w).sum()], inputs=[x])
    assert x.grad.tolist() == [1.0, 1.0] and w.grad is None


def test_version_counter_error_names_the_op():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*MulBackward0"):
        z.sum().backward()


def test_version_counter_error_through_exp_output():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    y.mul_(2)  # exp saved its output; in-place on it invalidates the graph
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


def test_in_place_on_non_leaf_records_the_op():
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x * 2
        y.add_(1)
        y.mul_(x)
        y.relu_()
        y.sum().backward()
        return x.grad, y

    (g1, y1), (g2, y2) = run(ember), run(torch)
    assert_same(g1, g2)
    assert_same(y1, y2)
    assert y1.grad_fn is not None


def test_in_place_on_leaf_requiring_grad_raises():
    w = ember.ones(2, requires_grad=True)
    for op in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.fill_(1),
               lambda: w.copy_(ember.zeros(2)), lambda: w.clamp_(0, 1)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            op()
    with ember.no_grad():
        w.add_(1)
    assert w.detach().tolist() == [2.0, 2.0]
    w.data.mul_(2)
    assert w.detach().tolist() == [4.0, 4.0]


def test_sgd_step_in_no_grad_keeps_leaf():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with ember.no_grad():
        w -= 0.1 * w.grad
    assert w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6], rtol=1e-6)


def test_integer_outputs_do_not_require_grad():
    x = ember.ones(3, requires_grad=True)
    assert not x.argmax().requires_grad
    assert not (x > 0).requires_grad
    v, i = x.max(0)
    assert v.requires_grad and not i.requires_grad


def test_create_graph_is_reported_as_unsupported():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="create_graph"):
        (x * x).sum().backward(create_graph=True)


def test_in_place_on_a_view_updates_the_base_history():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[0:2].mul_(3)
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0, 2.0]  # PyTorch's answer


def test_in_place_on_a_view_of_a_view_of_a_tensor_without_grad():
    w = ember.tensor([2.0], requires_grad=True)
    b = ember.ones(4)
    b[1:3][0:1].mul_(w)  # b now depends on w through a view of a view
    assert b.requires_grad and b.tolist() == [1.0, 2.0, 1.0, 1.0]
    (b * ember.arange(4.0)).sum().backward()
    assert w.grad.tolist() == [1.0]  # d/dw of 1 * (1 * w): PyTorch gives the same


def test_in_place_on_a_view_of_a_leaf_requiring_grad_is_an_error():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        x[0:1].mul_(2)


def test_setitem_then_use_matches_torch_gradient():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[1] = 0.0
    (y * x).sum().backward()
    assert x.grad.tolist() == [4.0, 0.0, 12.0]  # PyTorch 2.13's answer


# ------------------------------------------------------------------ .grad ownership
def _shares(a, b):
    return np.shares_memory(a.grad._data, b._data if not hasattr(b, "grad") else b.grad._data)


def test_leaf_grads_never_alias_each_other_or_user_arrays():
    # Add hands one gradient array to both leaves: each .grad must own its memory
    a = ember.ones(3, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    (a + b).backward(ember.ones(3))
    assert not np.shares_memory(a.grad._data, b.grad._data)
    a.grad._data[0] = 5
    assert b.grad._data[0] == 1
    # a gradient given by the caller is never adopted
    g = ember.full((3,), 2.0)
    x = ember.ones(3, requires_grad=True)
    x.backward(g)
    assert not np.shares_memory(x.grad._data, g._data)
    y = ember.ones(3, requires_grad=True)
    (y * 1).backward(g)
    assert not np.shares_memory(y.grad._data, g._data)


def test_leaf_grad_not_adopted_when_a_hook_keeps_it():
    kept = []
    w = ember.ones(2, 3, requires_grad=True)
    w.register_hook(lambda grad: kept.append(grad))
    (w * 3).sum().backward()
    assert not np.shares_memory(w.grad._data, kept[0]._data)
    np.testing.assert_array_equal(kept[0]._data, 3)


def test_fresh_gradient_is_adopted_without_a_copy():
    # the product's gradient array is referenced by nothing else: .grad takes it as is
    class Spy(ember.autograd.Function):
        seen = []

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            out = grad * 2
            Spy.seen.append(id(out._data))
            return out

    x = ember.ones(4, requires_grad=True)
    Spy.apply(x).sum().backward()
    assert id(x.grad._data) == Spy.seen[0]
    np.testing.assert_array_equal(x.grad._data, 2)
    # a second backward accumulates into the owned array
    Spy.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad._data, 4)


def test_gradient_kept_by_a_custom_function_is_copied():
    class Keep(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            ctx.kept = grad * 3
            return ctx.kept

    x = ember.ones(2, requires_grad=True)
    y = Keep.apply(x)
    y.sum().backward()
    assert not np.shares_memory(x.grad._data, y.grad_fn.kept._data)


def test_zero_and_fill_on_recorded_tensors_pass_zero_gradient_back():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.zero_()  # y no longer depends on x
    z = x * 3
    z[1:].fill_(5.0)  # only z[0] still depends on x
    (y.sum() + z.sum()).backward()
    assert x.grad.tolist() == [3.0, 0.0, 0.0]  # PyTorch 2.13's answer
    assert y.tolist() == [0.0, 0.0, 0.0] and z.tolist() == [3.0, 5.0, 5.0]


def test_random_fill_on_a_recorded_tensor_cuts_its_history():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    y.uniform_()
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]  # PyTorch's answer: no dependence on x
