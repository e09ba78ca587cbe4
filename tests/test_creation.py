"""Constructors (ember/creation.py, ember/random.py): values, dtypes, shapes, seeding, errors."""

import warnings

import numpy as np
import pytest
from helpers import assert_same

import ember


def test_tensor_infers_dtypes_like_torch():
    assert ember.tensor([1, 2]).dtype is ember.int64
    assert ember.tensor([1.0, 2]).dtype is ember.float32
    assert ember.tensor(True).dtype is ember.bool
    assert ember.tensor([[True, False]]).shape == (1, 2)
    assert ember.tensor(3.5).shape == ()
    assert ember.tensor([]).dtype is ember.float32
    assert ember.tensor(np.arange(3, dtype=np.int16)).dtype is ember.int16
    assert ember.tensor([1, 2], dtype=ember.float64).dtype is ember.float64
    assert ember.tensor([ember.tensor(1.0), ember.tensor(2.0)]).tolist() == [1.0, 2.0]


def test_tensor_copies_but_as_tensor_and_from_numpy_share():
    a = np.zeros(3, np.float32)
    t = ember.tensor(a)
    s = ember.as_tensor(a)
    f = ember.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 0.0
    assert s[0].item() == 5.0 and f[0].item() == 5.0
    assert ember.as_tensor(s) is s
    assert ember.as_tensor([1, 2]).dtype is ember.int64
    assert ember.as_tensor(a, dtype=ember.float64).dtype is ember.float64


def test_tensor_bad_input():
    with pytest.raises((TypeError, ValueError)):
        ember.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        ember.tensor("abc")
    with pytest.raises(TypeError, match="np.ndarray"):
        ember.from_numpy([1, 2])


def test_legacy_constructors():
    x = ember.Tensor(5, 3)
    assert x.shape == (5, 3) and x.dtype is ember.float32
    assert ember.Tensor([1, 2]).dtype is ember.float32
    assert ember.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert ember.Tensor().shape == (0,)
    assert ember.Tensor(ember.Size([2, 4])).shape == (2, 4)
    assert ember.FloatTensor([0.1, 1.0]).dtype is ember.float32
    assert ember.LongTensor([1, 2]).dtype is ember.int64
    assert ember.DoubleTensor(2, 2).dtype is ember.float64
    assert ember.ByteTensor([1]).dtype is ember.uint8
    assert ember.IntTensor(3).shape == (3,)
    assert ember.BoolTensor([1, 0]).tolist() == [True, False]
    assert isinstance(ember.FloatTensor(2), ember.Tensor)
    assert ember.Tensor([1.5], requires_grad=True).requires_grad


@pytest.mark.parametrize("fn,fill", [(ember.zeros, 0), (ember.ones, 1)])
def test_zeros_ones(fn, fill):
    for args in ((2, 3), ((2, 3),), ([2, 3],), (ember.Size([2, 3]),)):
        t = fn(*args)
        assert t.shape == (2, 3) and t.dtype is ember.float32
        assert (t.numpy() == fill).all()
    assert fn(2, dtype=ember.int32).dtype is ember.int32
    assert fn(()).shape == ()
    assert fn(2, requires_grad=True).requires_grad


def test_full_and_empty():
    assert ember.full((2, 2), 1.5).tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert ember.full((2,), 7).dtype is ember.int64
    assert ember.full((2,), True).dtype is ember.bool
    assert ember.full((2,), 7.0).dtype is ember.float32
    assert ember.full([3], 2, dtype=ember.float64).dtype is ember.float64
    assert ember.empty(2, 3).shape == (2, 3)
    assert ember.empty(0).numel() == 0


def test_like_constructors_follow_the_input():
    x = ember.ones(2, 3, dtype=ember.float64)
    for t in (ember.zeros_like(x), ember.ones_like(x), ember.empty_like(x),
              ember.full_like(x, 4.0), ember.rand_like(x), ember.randn_like(x)):
        assert t.shape == (2, 3) and t.dtype is ember.float64
    assert ember.zeros_like(x, dtype=ember.int32).dtype is ember.int32
    r = ember.randint_like(x, 5)
    assert r.shape == (2, 3) and (r.numpy() < 5).all()
    assert ember.full_like(x, 4.0)[0, 0].item() == 4.0


def test_new_constructors():
    x = ember.ones(2, dtype=ember.float64)
    assert x.new_zeros(3).dtype is ember.float64
    assert x.new_ones((2, 2)).shape == (2, 2)
    assert x.new_full((2,), 3).tolist() == [3.0, 3.0]
    assert x.new_tensor([1, 2]).dtype is ember.float64
    assert x.new_empty(4).shape == (4,)


def test_negative_size_and_bad_size_types():
    with pytest.raises(RuntimeError, match="negative dimension"):
        ember.zeros(2, -1)
    with pytest.raises(TypeError, match="tuple of ints"):
        ember.ones(2.5)


def test_random_constructors_shapes_ranges_and_dtypes():
    ember.manual_seed(0)
    r = ember.rand(1000)
    assert r.dtype is ember.float32 and 0 <= r.min().item() and r.max().item() < 1
    n = ember.randn(2000, dtype=ember.float64)
    assert n.dtype is ember.float64 and abs(n.mean().item()) < 0.1
    assert abs(n.std().item() - 1) < 0.1
    i = ember.randint(3, 10, (500,))
    assert i.dtype is ember.int64 and i.min().item() >= 3 and i.max().item() <= 9
    assert ember.randint(5, (2, 2)).shape == (2, 2)
    p = ember.randperm(10)
    assert sorted(p.tolist()) == list(range(10)) and p.dtype is ember.int64
    g = ember.normal(2.0, 3.0, size=(4000,))
    assert abs(g.mean().item() - 2) < 0.2 and abs(g.std().item() - 3) < 0.2
    m = ember.normal(ember.zeros(3), ember.ones(3))
    assert m.shape == (3,)
    b = ember.bernoulli(ember.full((1000,), 0.3))
    assert set(b.unique().tolist() if hasattr(b, "unique") else np.unique(b.numpy())) <= {0, 1}
    with pytest.raises(RuntimeError, match="from"):
        ember.randint(5, 5, (2,))


def test_manual_seed_reproduces_every_random_op():
    def draw():
        return [ember.rand(3).tolist(), ember.randn(2, 2).tolist(), ember.randint(0, 100, (4,))
                .tolist(), ember.randperm(6).tolist(), ember.normal(0.0, 1.0, (2,)).tolist(),
                ember.empty(3).uniform_(-1, 1).tolist()]

    ember.manual_seed(1234)
    first = draw()
    ember.manual_seed(1234)
    assert draw() == first
    ember.manual_seed(4321)
    assert draw() != first
    assert ember.initial_seed() == 4321


def test_generators_and_rng_state():
    g = ember.Generator().manual_seed(7)
    a = ember.rand(3, generator=g).tolist()
    g.manual_seed(7)
    assert ember.rand(3, generator=g).tolist() == a
    state = ember.get_rng_state()
    x = ember.rand(4).tolist()
    ember.set_rng_state(state)
    assert ember.rand(4).tolist() == x


def test_arange_matches_torch_values_and_dtypes():
    cases = [(5,), (1, 4), (0, 1, 0.1), (1, 2.5, 0.5), (10, 0, -3), (0.0, 3), (-1, 1, 0.25)]
    for args in cases:
        t = ember.arange(*args)
        np.testing.assert_allclose(t.numpy(), np.arange(*args), rtol=1e-6, atol=1e-7)
        want = ember.int64 if all(isinstance(a, int) for a in args) else ember.float32
        assert t.dtype is want, args
    assert ember.arange(4, dtype=ember.float64).dtype is ember.float64
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ember.arange(0, 1, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        ember.arange(0, 5, -1)
    torch = pytest.importorskip("torch")
    for args in cases:
        assert_same(ember.arange(*args), torch.arange(*args))


def test_linspace_logspace_eye_match_torch():
    torch = pytest.importorskip("torch")
    assert_same(ember.linspace(0, 1, 5), torch.linspace(0, 1, 5))
    assert_same(ember.linspace(-2, 2, 1), torch.linspace(-2, 2, 1))
    assert_same(ember.logspace(0, 2, 3), torch.logspace(0, 2, 3))
    assert_same(ember.eye(3), torch.eye(3))
    assert_same(ember.eye(2, 3, dtype=ember.int64), torch.eye(2, 3, dtype=torch.int64))


def test_linspace_eye_values_without_torch():
    np.testing.assert_allclose(ember.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(ember.eye(2).numpy(), np.eye(2))


def test_legacy_range_is_inclusive_and_warns():
    with pytest.warns(UserWarning, match="arange"):
        r = ember.range(1, 4)
    assert r.tolist() == [1.0, 2.0, 3.0, 4.0] and r.dtype is ember.float32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ember.range(0, 1, 0.5).tolist() == [0.0, 0.5, 1.0]
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(ember.range(1, 10), torch.range(1, 10))


def test_zeros_out_argument():
    r = ember.empty(2, 2)
    assert ember.zeros(2, 2, out=r) is r
    assert r.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert ember.ones(3, out=r) is r and r.tolist() == [1.0, 1.0, 1.0]


def test_scalar_tensor_and_meshgrid():
    assert ember.scalar_tensor(3).dtype is ember.float32
    a, b = ember.meshgrid(ember.arange(2), ember.arange(3), indexing="ij")
    assert a.shape == b.shape == (2, 3)
    x, y = np.meshgrid(np.arange(2), np.arange(3), indexing="xy")
    ex, ey = ember.meshgrid(ember.arange(2), ember.arange(3), indexing="xy")
    np.testing.assert_array_equal(ex.numpy(), x)
    np.testing.assert_array_equal(ey.numpy(), y)
