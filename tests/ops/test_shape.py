"""Shape ops (ember/ops/shape.py): NumPy, PyTorch and gradcheck, views and shape errors."""

import numpy as np
import pytest
from helpers import Case, In, table_tests

import ember

S = (3, 4)
S3 = (2, 3, 4)

CASES = [
    Case("view", lambda m, a: a.view(4, 3), lambda a: a.reshape(4, 3), [In(S)]),
    Case("view_infer", lambda m, a: a.view(-1, 2), lambda a: a.reshape(-1, 2), [In(S3)]),
    Case("view_tuple", lambda m, a: a.view((6, 4)), lambda a: a.reshape(6, 4), [In(S3)]),
    Case("view_as", lambda m, a, b: a.view_as(b), lambda a, b: a.reshape(b.shape),
         [In(S), In((12,))]),
    Case("reshape", lambda m, a: m.reshape(a, (4, -1)), lambda a: a.reshape(4, -1), [In(S3)]),
    Case("reshape_0d", lambda m, a: a.reshape(1, 1), lambda a: a.reshape(1, 1), [In(())]),
    Case("reshape_to_0d", lambda m, a: a.reshape(()), lambda a: a.reshape(()), [In((1,))]),
    Case("flatten", lambda m, a: m.flatten(a), lambda a: a.reshape(-1), [In(S3)]),
    Case("flatten_range", lambda m, a: a.flatten(1), lambda a: a.reshape(2, -1), [In(S3)]),
    Case("flatten_neg", lambda m, a: a.flatten(0, -2), lambda a: a.reshape(6, 4), [In(S3)]),
    Case("unflatten", lambda m, a: a.unflatten(1, (2, 2)), lambda a: a.reshape(3, 2, 2), [In(S)]),
    Case("squeeze", lambda m, a: a.squeeze(), np.squeeze, [In((1, 3, 1, 2))]),
    Case("squeeze_dim", lambda m, a: m.squeeze(a, -2), lambda a: a.squeeze(-2),
         [In((1, 3, 1, 2))]),
    Case("squeeze_noop", lambda m, a: a.squeeze(1), lambda a: a, [In((1, 3, 1, 2))]),
    Case("unsqueeze", lambda m, a: a.unsqueeze(0), lambda a: a[None], [In(S)]),
    Case("unsqueeze_neg", lambda m, a: m.unsqueeze(a, -1), lambda a: a[..., None], [In(S)]),
    Case("permute", lambda m, a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), [In(S3)]),
    Case("permute_tuple", lambda m, a: m.permute(a, (1, -1, 0)),
         lambda a: a.transpose(1, 2, 0), [In(S3)]),
    Case("transpose", lambda m, a: a.transpose(0, 2), lambda a: a.swapaxes(0, 2), [In(S3)]),
    Case("transpose_neg", lambda m, a: m.transpose(a, -1, -2), lambda a: a.swapaxes(-1, -2),
         [In(S3)]),
    Case("t", lambda m, a: a.t(), lambda a: a.T, [In(S)]),
    Case("t_1d", lambda m, a: m.t(a), lambda a: a, [In((4,))]),
    Case("T", lambda m, a: a.T, lambda a: a.T, [In(S)]),
    Case("mT", lambda m, a: a.mT, lambda a: a.swapaxes(-1, -2), [In(S3)]),
    Case("swapaxes", lambda m, a: m.swapaxes(a, 0, 1), lambda a: a.swapaxes(0, 1), [In(S)]),
    Case("movedim", lambda m, a: m.movedim(a, 0, -1), lambda a: np.moveaxis(a, 0, -1),
         [In(S3)]),
    Case("movedim_multi", lambda m, a: a.movedim((0, 1), (2, 0)),
         lambda a: np.moveaxis(a, (0, 1), (2, 0)), [In(S3)]),
    Case("expand", lambda m, a: a.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4)),
         [In((3, 1))]),
    Case("expand_keep", lambda m, a: a.expand(-1, 5), lambda a: np.broadcast_to(a, (3, 5)),
         [In((3, 1))]),
    Case("expand_as", lambda m, a, b: a.expand_as(b), lambda a, b: np.broadcast_to(a, b.shape),
         [In((1, 4)), In(S)]),
    Case("broadcast_to", lambda m, a: m.broadcast_to(a, (2, 4)),
         lambda a: np.broadcast_to(a, (2, 4)), [In((4,))]),
    Case("broadcast_tensors", lambda m, a, b: m.broadcast_tensors(a, b),
         lambda a, b: np.broadcast_arrays(a, b), [In((3, 1)), In((4,))]),
    Case("repeat", lambda m, a: a.repeat(2, 3), lambda a: np.tile(a, (2, 3)), [In(S)]),
    Case("repeat_lead", lambda m, a: a.repeat(2, 1, 2), lambda a: np.tile(a, (2, 1, 2)),
         [In(S)]),
    Case("tile", lambda m, a: m.tile(a, (2,)), lambda a: np.tile(a, (1, 2)), [In(S)]),
    Case("repeat_interleave", lambda m, a: m.repeat_interleave(a, 2, dim=0),
         lambda a: np.repeat(a, 2, 0), [In(S)]),
    Case("cat", lambda m, a, b: m.cat([a, b]), lambda a, b: np.concatenate([a, b]),
         [In(S), In((2, 4))]),
    Case("cat_dim", lambda m, a, b, c: m.cat((a, b, c), dim=-1),
         lambda a, b, c: np.concatenate([a, b, c], -1), [In(S), In((3, 1)), In((3, 2))]),
    Case("cat_promote", lambda m, a, b: m.cat([a, b]), lambda a, b: np.concatenate([a, b]),
         [In((2,)), In((3,), "int64")]),
    Case("concat", lambda m, a, b: m.concat([a, b], 1), lambda a, b: np.concatenate([a, b], 1),
         [In(S), In(S)]),
    Case("stack", lambda m, a, b: m.stack([a, b]), lambda a, b: np.stack([a, b]),
         [In(S), In(S)]),
    Case("stack_dim", lambda m, a, b: m.stack((a, b), dim=-1),
         lambda a, b: np.stack([a, b], -1), [In(S), In(S)]),
    Case("stack_0d", lambda m, a, b: m.stack([a, b]), lambda a, b: np.stack([a, b]),
         [In(()), In(())]),
    Case("hstack", lambda m, a, b: m.hstack([a, b]), lambda a, b: np.hstack([a, b]),
         [In(S), In((3, 2))]),
    Case("vstack", lambda m, a, b: m.vstack([a, b]), lambda a, b: np.vstack([a, b]),
         [In((4,)), In(S)]),
    Case("split", lambda m, a: m.split(a, 2, dim=1), lambda a: np.split(a, 2, 1), [In(S)]),
    Case("split_uneven", lambda m, a: a.split(2), lambda a: (a[:2], a[2:]), [In((3, 4))]),
    Case("split_sizes", lambda m, a: a.split([1, 3], -1), lambda a: (a[:, :1], a[:, 1:]),
         [In(S)]),
    Case("chunk", lambda m, a: a.chunk(3, 1), lambda a: (a[:, :2], a[:, 2:]), [In(S)]),
    Case("chunk_even", lambda m, a: m.chunk(a, 2, 1), lambda a: np.split(a, 2, 1), [In(S)]),
    Case("tensor_split", lambda m, a: m.tensor_split(a, 3, 1),
         lambda a: np.array_split(a, 3, 1), [In(S)]),
    Case("unbind", lambda m, a: a.unbind(1), lambda a: tuple(np.moveaxis(a, 1, 0)), [In(S)]),
    Case("narrow", lambda m, a: a.narrow(1, 1, 2), lambda a: a[:, 1:3], [In(S)]),
    Case("narrow_neg", lambda m, a: m.narrow(a, -1, -2, 2), lambda a: a[..., 2:4], [In(S3)]),
    Case("select", lambda m, a: a.select(1, -1), lambda a: a[:, -1], [In(S3)]),
    Case("flip", lambda m, a: a.flip(0), lambda a: a[::-1], [In(S)]),
    Case("flip_dims", lambda m, a: m.flip(a, (0, -1)), lambda a: a[::-1, :, ::-1], [In(S3)]),
    Case("fliplr", lambda m, a: m.fliplr(a), np.fliplr, [In(S)]),
    Case("flipud", lambda m, a: m.flipud(a), np.flipud, [In(S)]),
    Case("roll", lambda m, a: a.roll(1, 1), lambda a: np.roll(a, 1, 1), [In(S)]),
    Case("roll_flat", lambda m, a: m.roll(a, 5), lambda a: np.roll(a, 5), [In(S)]),
    Case("roll_multi", lambda m, a: a.roll((1, -2), (0, 1)), lambda a: np.roll(a, (1, -2), (0, 1)),
         [In(S)]),
    Case("contiguous", lambda m, a: a.t().contiguous(), lambda a: a.T, [In(S)]),
    Case("clone", lambda m, a: a.clone(), lambda a: a, [In(S)]),
    Case("atleast_2d", lambda m, a: m.atleast_2d(a), np.atleast_2d, [In((4,))]),
    Case("view_int", lambda m, a: a.view(2, -1).t(), lambda a: a.reshape(2, -1).T,
         [In(S, "int64")]),
    Case("chain", lambda m, a: a.permute(1, 0, 2).reshape(3, 8).t().unsqueeze(0).sum(-1),
         lambda a: a.transpose(1, 0, 2).reshape(3, 8).T[None].sum(-1), [In(S3)]),
]


def _view_of_transposed(case, layout):
    if case.name.startswith("view") and layout == "transposed":
        return "view of a transposed tensor is an error (tested separately)"
    return None


test_forward_numpy, test_against_torch, test_gradcheck = table_tests(CASES, _view_of_transposed)


def test_views_share_memory_and_version():
    x = ember.zeros(2, 3)
    for v in (x.view(6), x.reshape(3, 2), x.t(), x[0], x.unsqueeze(0), x.expand(2, 2, 3),
              x.permute(1, 0), x.narrow(1, 0, 2), x.squeeze(), x.flatten()):
        assert np.shares_memory(v.numpy(), x.numpy())
    v = x.view(6)
    v.add_(1)
    assert x.sum().item() == 6
    assert x._version == v._version


def test_view_of_non_contiguous_raises_and_reshape_copies():
    x = ember.ones(3, 4).t()
    with pytest.raises(RuntimeError, match=r"\.reshape"):
        x.view(12)
    assert x.reshape(12).shape == (12,)
    assert x.contiguous().view(12).shape == (12,)


def test_reshape_errors_name_shapes():
    x = ember.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        x.view(4, 2)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.reshape(-1, -1)
    with pytest.raises(RuntimeError, match="invalid for input of size 6"):
        x.reshape(-1, 4)
    with pytest.raises(TypeError, match="size"):
        x.view(2.0, 3)


def test_shape_errors():
    x = ember.ones(2, 3)
    with pytest.raises(RuntimeError, match="expanded size"):
        x.expand(4, 3, 4)
    with pytest.raises(RuntimeError, match="number of dims"):
        x.permute(1, 0, 2)
    with pytest.raises(RuntimeError, match="repeated dim|permute"):
        x.permute(1, 1)
    with pytest.raises(RuntimeError, match="Sizes of tensors must match"):
        ember.cat([x, ember.ones(2, 4)])
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        ember.cat([x, ember.ones(3)])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size"):
        ember.stack([x, ember.ones(3, 2)])
    with pytest.raises(TypeError, match="tuple of Tensors"):
        ember.cat(x)
    with pytest.raises(RuntimeError, match="non-empty"):
        ember.stack([])
    with pytest.raises(RuntimeError, match="split_sizes"):
        x.split([1, 1], 1)
    with pytest.raises(RuntimeError, match="t\\(\\) expects"):
        ember.ones(2, 2, 2).t()
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.transpose(0, 2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.unsqueeze(3)
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        x.narrow(1, 2, 2)
    with pytest.raises(RuntimeError, match="repeat dims"):
        x.repeat(2)


def test_size_arguments_accept_size_and_tensors():
    x = ember.ones(2, 3)
    y = ember.zeros(6)
    assert y.view(x.size()).shape == (2, 3)
    assert y.reshape(ember.tensor(3), 2).shape == (3, 2)
    assert x.view(-1).shape == (6,)


def test_t_inplace_and_squeeze_inplace():
    x = ember.arange(6.0).view(2, 3)
    x.t_()
    assert x.shape == (3, 2)
    assert x[0, 1].item() == 3.0
    y = ember.ones(1, 3, 1)
    y.squeeze_()
    assert y.shape == (3,)
    y.unsqueeze_(0)
    assert y.shape == (1, 3)
