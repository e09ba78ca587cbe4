"""Custom autograd.Function, gradcheck and the 0.x Variable shims (ember/autograd/)."""

import numpy as np
import pytest

import ember
from ember.autograd import Function, Variable, gradcheck


class Cube(Function):
    """x ** 3 with a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


class ScaleAndIndex(Function):
    """(x * k, argmax) with k a non-tensor argument and a non-differentiable second output."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        ctx.flags = ctx.needs_input_grad
        idx = x.argmax()
        ctx.mark_non_differentiable(idx)
        return x * k, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        return g * ctx.k, None


class WrongGrad(Function):
    """sin with a wrong backward (cos is missing a sign... and a factor)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos() * 2


def test_custom_function_forward_backward_and_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.requires_grad and y.grad_fn is not None
    assert "Cube" in y.grad_fn.name()
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_custom_function_gradcheck_float64():
    x = ember.randn(4, dtype=ember.float64, requires_grad=True)
    assert gradcheck(Cube.apply, (x,))


def test_custom_function_non_tensor_args_needs_input_grad_and_non_differentiable():
    x = ember.tensor([1.0, 5.0, 2.0], requires_grad=True)
    y, idx = ScaleAndIndex.apply(x, 3.0)
    assert y.grad_fn.flags == (True, False)
    assert idx.item() == 1 and not idx.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]


def test_custom_function_without_grad_builds_no_graph():
    y = Cube.apply(ember.tensor([2.0]))
    assert not y.requires_grad and y.grad_fn is None and y.item() == 8.0
    with ember.no_grad():
        z = Cube.apply(ember.tensor([2.0], requires_grad=True))
    assert z.grad_fn is None


def test_custom_function_saved_tensor_modified_in_place_is_caught():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Cube.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


def test_custom_function_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return (g,)

    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(a, b).sum().backward()


def test_custom_function_matches_torch():
    torch = pytest.importorskip("torch")

    class TCube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    vals = [0.5, -1.5, 2.0]
    x, t = ember.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
    (Cube.apply(x) * x).sum().backward()
    (TCube.apply(t) * t).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_gradcheck_catches_a_wrong_backward():
    x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    with pytest.raises(ember.autograd.GradcheckError, match="Jacobian mismatch"):
        gradcheck(WrongGrad.apply, (x,))
    assert gradcheck(WrongGrad.apply, (x,), raise_exception=False) is False


def test_gradcheck_multiple_inputs_and_non_contiguous():
    a = ember.randn(3, 2, dtype=ember.float64).t().requires_grad_()
    b = ember.randn(3, dtype=ember.float64, requires_grad=True)
    assert not a.is_contiguous()
    assert gradcheck(lambda p, q: (p * q).tanh(), (a, b))


def test_gradcheck_warns_on_float32():
    x = ember.randn(2, requires_grad=True)
    with pytest.warns(UserWarning, match="float64"):
        gradcheck(lambda t: t * 2, (x,), raise_exception=False)


def test_variable_shim_and_creator():
    v = Variable(ember.ones(2, 2), requires_grad=True)
    assert isinstance(v, ember.Tensor) and v.requires_grad
    y = v + 2
    assert y.creator is y.grad_fn
    z = y * y * 3
    out = z.mean()
    out.backward()
    assert v.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]
    assert isinstance(v.data, ember.Tensor)
    assert out.creator.previous_functions[0][0].name() == "MulBackward0"
    with pytest.raises(TypeError, match="tensor"):
        Variable([1, 2])
    assert not Variable(ember.ones(1)).requires_grad
