"""Conversions (ember/ops/convert.py): casts, to(), clone, contiguous, devices."""

import numpy as np
import pytest
from helpers import (
    Case,
    In,
    assert_same,
    table_tests,
)

import ember

CASES = [
    Case("to_float64", lambda m, a: a.to(m.float64), lambda a: a.astype(np.float64),
         [In((3, 4))]),
    Case("double", lambda m, a: a.double() * 2, lambda a: a.astype(np.float64) * 2, [In((3,))]),
    Case("half", lambda m, a: a.half(), lambda a: a.astype(np.float16), [In((3,))], rtol=1e-3,
         atol=1e-3, grad=False),
    Case("float_to_int", lambda m, a: a.long(), lambda a: a.astype(np.int64), [In((5,))],
         grad=False),
    Case("int_to_float", lambda m, a: a.float(), lambda a: a.astype(np.float32),
         [In((5,), "int64")]),
    Case("to_bool", lambda m, a: a.bool(), lambda a: a.astype(bool), [In((5,), "int32")]),
    Case("byte", lambda m, a: a.byte(), lambda a: a.astype(np.uint8), [In((5,), "int64", "pos")]),
    Case("type_as", lambda m, a, b: a.type_as(b), lambda a, b: a.astype(b.dtype),
         [In((3,)), In((2,), "float64")]),
    Case("to_other", lambda m, a, b: a.to(b), lambda a, b: a.astype(b.dtype),
         [In((3,)), In((2,), "int32")], grad=False),
    Case("to_kw", lambda m, a: a.to(dtype=m.float64) + 1, lambda a: a.astype(np.float64) + 1,
         [In((3,))]),
    Case("clone", lambda m, a: a.clone() * 3, lambda a: a * 3, [In((3, 2))]),
    Case("contiguous", lambda m, a: a.contiguous() * 1, lambda a: a, [In((3, 2))]),
]
test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES)


def test_cast_gradient_comes_back_in_source_dtype():
    x = ember.ones(3, requires_grad=True)
    (x.double() * 2).sum().backward()
    assert x.grad.dtype == ember.float32
    assert_same(x.grad, np.full(3, 2.0, np.float32))


def test_to_same_dtype_and_device_returns_self():
    x = ember.ones(2)
    assert x.to(ember.float32) is x
    assert x.to("cpu") is x
    assert x.cpu() is x
    assert x.to(x) is x
    y = x.to(ember.float32, copy=True)
    assert y is not x and not np.shares_memory(y.numpy(), x.numpy())


def test_clone_does_not_share_memory_and_contiguous_copies_only_when_needed():
    x = ember.ones(2, 3)
    assert not np.shares_memory(x.clone().numpy(), x.numpy())
    assert x.contiguous() is x
    t = x.t()
    assert not t.is_contiguous()
    assert t.contiguous().is_contiguous()


def test_to_rejects_unknown_arguments():
    with pytest.raises(TypeError, match="unexpected keyword"):
        ember.ones(2).to(colour="red")
    with pytest.raises(TypeError, match="dtype"):
        ember.ones(2).to(object())


def test_cuda_without_gpu_raises_clear_error():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    x = ember.ones(2)
    for move in (lambda: x.cuda(), lambda: x.to("cuda"), lambda: x.to("cuda:0"),
                 lambda: ember.ones(2, device="cuda"), lambda: x.to(ember.device("cuda", 0))):
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            move()


def test_device_objects():
    d = ember.device("cuda:1")
    assert (d.type, d.index) == ("cuda", 1)
    assert str(d) == "cuda:1" and repr(d) == "device(type='cuda', index=1)"
    assert ember.device("cpu") == "cpu"
    assert ember.device("cpu") == ember.device("cpu")
    assert ember.ones(2).device == ember.device("cpu")
    assert ember.device(ember.device("cpu")).type == "cpu"
    with pytest.raises(RuntimeError, match="device type"):
        ember.device("tpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        ember.device("cuda:x")


def test_device_objects_match_torch():
    torch = pytest.importorskip("torch")
    for spec in ("cpu", "cuda", "cuda:0", "cuda:3"):
        assert repr(ember.device(spec)) == repr(torch.device(spec))
        assert str(ember.device(spec)) == str(torch.device(spec))
