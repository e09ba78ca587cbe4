"""Tensor API (ember/tensor.py): metadata, Size, conversions, in-place ops, NumPy bridge."""

import copy
import pickle

import numpy as np
import pytest
from helpers import assert_same

import ember


def test_size_is_a_tuple_with_torch_repr():
    s = ember.ones(5, 3).size()
    assert isinstance(s, tuple) and isinstance(s, ember.Size)
    assert s == (5, 3) and s[0] == 5 and len(s) == 2
    assert repr(s) == "ember.Size([5, 3])" and str(s) == "ember.Size([5, 3])"
    assert isinstance(s[1:], ember.Size) and s[1:] == (3,)
    assert isinstance(s + (2,), ember.Size)
    a, b = s
    assert (a, b) == (5, 3)
    assert s.numel() == 15
    assert repr(ember.tensor(1.0).size()) == "ember.Size([])"


def test_size_matches_torch():
    torch = pytest.importorskip("torch")
    s, t = ember.ones(2, 3, 4).size(), torch.ones(2, 3, 4).size()
    assert repr(s) == repr(t).replace("torch.", "ember.")
    assert s[1:] == t[1:] and s.numel() == t.numel()
    assert ember.ones(2, 3).size(-1) == torch.ones(2, 3).size(-1)


def test_metadata():
    x = ember.ones(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.dim() == 3 and x.ndim == 3 and x.ndimension() == 3
    assert x.numel() == 24 and x.nelement() == 24 and len(x) == 2
    assert x.size(1) == 3 and x.size(-1) == 4
    assert x.element_size() == 4 and x.itemsize == 4 and x.nbytes == 96
    assert x.stride() == (12, 4, 1) and x.t().stride() == (1, 3) if x.dim() == 2 else True
    assert ember.ones(2, 3).t().stride() == (1, 3)
    assert x.is_contiguous() and not ember.ones(2, 3).t().is_contiguous()
    assert x.is_floating_point() and not ember.ones(2, dtype=ember.int64).is_floating_point()
    assert x.is_leaf and not x.requires_grad and x.grad is None and x.grad_fn is None
    assert x.device == ember.device("cpu") and x.is_cpu and not x.is_cuda
    assert x.type() == "ember.FloatTensor"
    assert ember.ones(1, dtype=ember.int64).type() == "ember.LongTensor"
    assert x.type(ember.float64).dtype is ember.float64
    assert x.type("ember.IntTensor").dtype is ember.int32
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.size(3)


def test_item_tolist_and_python_conversions():
    assert ember.tensor([[2.5]]).item() == 2.5
    assert isinstance(ember.tensor(3).item(), int)
    assert ember.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert ember.tensor(1.5).tolist() == 1.5
    assert float(ember.tensor([2.0])) == 2.0 and int(ember.tensor(3.7)) == 3
    assert bool(ember.tensor([1])) and not bool(ember.tensor(0.0))
    assert [10, 20, 30][ember.tensor(1)] == 20
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        ember.ones(2).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ember.ones(2))
    with pytest.raises(TypeError, match="0-d"):
        len(ember.tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        iter(ember.tensor(1.0))
    with pytest.raises(TypeError):
        [1, 2][ember.tensor(1.0)]


def test_iteration_yields_rows():
    x = ember.arange(6).view(3, 2)
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == [2, 3]


def test_element_views_write_through():
    x = ember.zeros(3)
    x[1].fill_(5)
    x[2].add_(1)
    assert x.tolist() == [0.0, 5.0, 1.0]
    m = ember.zeros(2, 2)
    m[0][1] = 3
    assert m.tolist() == [[0.0, 3.0], [0.0, 0.0]]


def test_numpy_bridge_shares_memory_both_ways():
    a = ember.ones(5)
    b = a.numpy()
    a.add_(1)
    assert b.tolist() == [2.0] * 5
    b[0] = 10
    assert a[0].item() == 10
    n = np.ones(5)
    t = ember.from_numpy(n)
    np.add(n, 1, out=n)
    assert t.tolist() == [2.0] * 5 and t.dtype is ember.float64
    t.mul_(2)
    assert n.tolist() == [4.0] * 5


def test_numpy_of_tensor_requiring_grad_raises():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 1.0]
    assert np.asarray(x.detach()).shape == (2,)


def test_data_is_a_detached_tensor_sharing_memory():
    x = ember.ones(3, requires_grad=True)
    d = x.data
    assert isinstance(d, ember.Tensor) and not d.requires_grad and d.grad_fn is None
    d.mul_(3)
    assert x.detach().tolist() == [3.0, 3.0, 3.0]
    x.data = ember.zeros(3)
    assert x.detach().tolist() == [0.0, 0.0, 0.0] and x.requires_grad


def test_loss_data_zero_legacy_spelling_warns_and_returns_number():
    loss = (ember.ones(2, requires_grad=True) * 2).sum()
    with pytest.warns(DeprecationWarning):
        v = loss.data[0]
    assert v == 4.0


IN_PLACE = [
    ("add_", (1.5,), lambda a: a + 1.5),
    ("sub_", (2,), lambda a: a - 2),
    ("mul_", (3,), lambda a: a * 3),
    ("div_", (4,), lambda a: a / 4),
    ("pow_", (2,), lambda a: a ** 2),
    ("neg_", (), np.negative),
    ("abs_", (), np.abs),
    ("exp_", (), np.exp),
    ("sigmoid_", (), lambda a: 1 / (1 + np.exp(-a))),
    ("tanh_", (), np.tanh),
    ("relu_", (), lambda a: np.maximum(a, 0)),
    ("clamp_", (-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5)),
    ("clamp_min_", (0.0,), lambda a: np.maximum(a, 0)),
    ("floor_", (), np.floor),
    ("round_", (), np.round),
    ("fill_", (2.0,), lambda a: np.full_like(a, 2.0)),
    ("zero_", (), np.zeros_like),
    ("copy_", (ember.full((3,), 9.0),), lambda a: np.full_like(a, 9.0)),
    ("masked_fill_", (ember.tensor([[True, False, True]]), 0.0),
     lambda a: np.where([[True, False, True]], 0.0, a)),
    ("uniform_", (0.0, 1.0), None),
    ("normal_", (), None),
]


@pytest.mark.parametrize("name,args,ref", IN_PLACE, ids=[c[0] for c in IN_PLACE])
def test_in_place_ops_modify_self_return_self_and_bump_version(name, args, ref):
    a = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    x = ember.tensor(a)
    alias = x.view(6)
    v = x._version
    out = getattr(x, name)(*args)
    assert out is x
    assert x._version > v and alias._version == x._version
    if ref is not None:
        np.testing.assert_allclose(x.numpy(), ref(a), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(alias.numpy(), ref(a).reshape(6), rtol=1e-6, atol=1e-7)


def test_operator_in_place_forms():
    x = ember.ones(2)
    ident = id(x)
    x += 1
    x *= 3
    x -= 1
    x /= 5
    assert id(x) == ident and x.tolist() == [1.0, 1.0]


def test_in_place_dtype_and_shape_errors():
    x = ember.ones(2, dtype=ember.int64)
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.add_(0.5)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        ember.ones(3).add_(ember.ones(2, 3))
    with pytest.raises(RuntimeError, match="must match"):
        ember.ones(3).copy_(ember.ones(4))


def test_copy_broadcasts_and_casts():
    x = ember.zeros(2, 3)
    x.copy_(ember.tensor([1, 2, 3]))
    assert x.tolist() == [[1.0, 2.0, 3.0]] * 2


def test_blitz_add_forms_with_out():
    x, y = ember.rand(5, 3), ember.rand(5, 3)
    result = ember.Tensor(5, 3)
    ember.add(x, y, out=result)
    assert_same(result, x.numpy() + y.numpy())
    assert_same(x + y, result)
    y2 = y.clone()
    y2.add_(x)
    assert_same(y2, result)
    assert x[:, 1].shape == (5,)


def test_pickle_and_deepcopy():
    x = ember.arange(6.0).view(2, 3)
    y = pickle.loads(pickle.dumps(x))
    assert_same(y, x)
    w = ember.ones(2, requires_grad=True)
    w2 = copy.deepcopy(w)
    assert w2.requires_grad and not np.shares_memory(w2.detach().numpy(), w.detach().numpy())
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(w * 2)


def test_cuda_is_unavailable_without_a_gpu_and_errors_are_clear():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        ember.ones(2).cuda()


def test_hash_and_identity_semantics():
    a, b = ember.ones(2), ember.ones(2)
    assert len({a, b}) == 2
    assert (a == b).tolist() == [True, True]


def test_numpy_scalar_operands():
    x = ember.ones(2)
    assert (x * np.float64(2.0)).dtype is ember.float32
    assert (x + np.int64(1)).tolist() == [2.0, 2.0]
    r = np.float32(3.0) * x
    assert isinstance(r, ember.Tensor) and r.tolist() == [3.0, 3.0]
