"""Bad shapes and dtypes raise ember errors naming the operands, never NumPy's own errors."""

import re

import pytest

import ember

A, B = ember.ones(3, 4), ember.ones(5)

BAD = {
    "add": lambda: A + B,
    "radd_list": lambda: [1.0, 2.0] + A,
    "sub_fn": lambda: ember.sub(A, B),
    "iadd": lambda: A.clone().add_(B),
    "eq": lambda: A == B,
    "lt": lambda: ember.lt(A, B),
    "logical_and": lambda: ember.logical_and(A > 0, B > 0),
    "maximum": lambda: ember.maximum(A, B),
    "where": lambda: ember.where(A > 0, A, B),
    "lerp": lambda: ember.lerp(A, B, 0.5),
    "clamp_tensor": lambda: ember.clamp(A, min=B),
    "broadcast_tensors": lambda: ember.broadcast_tensors(A, B),
    "masked_select": lambda: ember.masked_select(A, B > 0),
    "addmm_bias": lambda: ember.addmm(ember.ones(5), ember.ones(3, 4), ember.ones(4, 2)),
    "einsum": lambda: ember.einsum("ij,jk->ik", A, ember.ones(5, 2)),
    "matmul": lambda: A @ ember.ones(5, 2),
    "mul_grad": lambda: A.requires_grad_() * B,
    "view": lambda: A.view(5, -1),
    "cat": lambda: ember.cat([A, B]),
    "stack": lambda: ember.stack([A, A.t()]),
    "expand": lambda: A.expand(2, 5, 4),
    "setitem": lambda: A.detach().__setitem__(0, ember.ones(5)),
    "copy_": lambda: ember.zeros(3, 4).copy_(B),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_shape_mismatch_is_a_runtime_error_naming_the_sizes(name):
    with pytest.raises(RuntimeError) as info:
        BAD[name]()
    assert re.search(r"\d", str(info.value)), str(info.value)  # names sizes or shapes


def test_dtype_errors():
    with pytest.raises(RuntimeError, match="bitwise_and.*floating|floating"):
        ember.ones(2) & ember.ones(2)
    with pytest.raises(RuntimeError, match="same dtype"):
        ember.ones(2, 2) @ ember.ones(2, 2, dtype=ember.int64)
    with pytest.raises(RuntimeError, match="can't be cast"):
        ember.ones(2, dtype=ember.int32).mul_(1.5)
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        ember.ones(3)[ember.ones(1)]
