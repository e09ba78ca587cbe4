"""Tests for ember.vision.utils: make_grid and save_image."""

import io
import os

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision.utils import make_grid, save_image


def constant_images(n, c=3, h=32, w=32):
    """n images where image k is filled with the value k + 1."""
    x = np.ones((n, c, h, w), np.float32) * (np.arange(n, dtype=np.float32) + 1)[:, None, None,
                                                                                 None]
    return ember.from_numpy(x)


def test_make_grid_size_for_one_row():
    grid = make_grid(constant_images(4))
    assert grid.shape == (3, 36, 138)  # 32 + 2 * 2 high, 4 * 34 + 2 wide
    assert grid.dtype == ember.float32


def test_make_grid_size_for_several_rows():
    assert make_grid(constant_images(10), nrow=4).shape == (3, 3 * 34 + 2, 4 * 34 + 2)
    assert make_grid(constant_images(3, h=5, w=7), nrow=1, padding=0).shape == (3, 15, 7)


def test_make_grid_contents_and_padding():
    grid = make_grid(constant_images(5, h=4, w=3), nrow=2, padding=1, pad_value=-1).numpy()
    assert grid.shape == (3, 3 * 5 + 1, 2 * 4 + 1)
    for k in range(5):
        row, col = divmod(k, 2)
        top, left = 1 + row * 5, 1 + col * 4
        assert (grid[:, top:top + 4, left:left + 3] == k + 1).all()
    # The frame, the lines between cells and the empty sixth cell hold pad_value.
    assert (grid[:, 0, :] == -1).all() and (grid[:, :, 0] == -1).all()
    assert (grid[:, 5, :] == -1).all() and (grid[:, :, 4] == -1).all()
    assert (grid[:, 11:15, 5:8] == -1).all()
    assert (grid == -1).sum() == grid.size - 5 * 3 * 4 * 3


def test_make_grid_list_equals_batch_and_gray_becomes_rgb():
    batch = constant_images(3, c=1, h=2, w=2)
    as_list = [batch[k] for k in range(3)]
    np.testing.assert_array_equal(make_grid(as_list).numpy(), make_grid(batch).numpy())
    grid = make_grid(batch).numpy()
    assert grid.shape[0] == 3
    np.testing.assert_array_equal(grid[0], grid[1])


def test_make_grid_single_image_comes_back_unpadded():
    img = ember.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3))
    out = make_grid(img).numpy()
    assert out.shape == (3, 2, 3)
    np.testing.assert_array_equal(out[1], np.arange(6).reshape(2, 3))
    assert make_grid(constant_images(1)).shape == (3, 32, 32)


def test_make_grid_normalize_and_value_range():
    x = np.stack([np.full((3, 2, 2), -1.0), np.full((3, 2, 2), 1.0)]).astype(np.float32)
    x[0, 0, 0, 0] = 0.0
    out = make_grid(ember.from_numpy(x), normalize=True, padding=0).numpy()
    assert out.min() == 0.0 and out.max() == 1.0 and out[0, 0, 0] == 0.5
    clipped = make_grid(ember.from_numpy(x), normalize=True, value_range=(0.0, 0.5),
                        padding=0).numpy()
    assert clipped[0, 0, 0] == 0.0 and clipped[0, 0, 1] == 0.0 and clipped[0, 0, 2] == 1.0
    np.testing.assert_array_equal(make_grid(ember.from_numpy(x)).numpy()[:, 2:4, 2:4], x[0])


def test_make_grid_scale_each_rescales_every_image_on_its_own():
    x = np.stack([np.linspace(0, 1, 12).reshape(3, 2, 2),
                  np.linspace(10, 30, 12).reshape(3, 2, 2)]).astype(np.float32)
    out = make_grid(ember.from_numpy(x), normalize=True, scale_each=True, padding=0).numpy()
    for k in range(2):
        part = out[:, :, 2 * k:2 * k + 2]
        assert part.min() == 0.0 and abs(part.max() - 1.0) < 1e-6
    together = make_grid(ember.from_numpy(x), normalize=True, padding=0).numpy()
    assert together[:, :, :2].max() < 0.05


def test_make_grid_does_not_change_its_input():
    x = constant_images(2)
    before = x.numpy().copy()
    make_grid(x, normalize=True)
    np.testing.assert_array_equal(x.numpy(), before)


def test_make_grid_bad_input():
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="a list containing"):
        make_grid([np.zeros((3, 4, 4))])
    with pytest.raises(ValueError, match=r"got shape \(1, 2, 3, 4, 4\)"):
        make_grid(ember.zeros(1, 2, 3, 4, 4))
    with pytest.raises(ValueError, match="all images must have the same shape"):
        make_grid([ember.zeros(3, 4, 4), ember.zeros(3, 5, 4)])
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(constant_images(2), normalize=True, value_range=[0, 1])
    with pytest.raises(ValueError, match="nrow must be a positive int"):
        make_grid(constant_images(2), nrow=0)
    with pytest.raises(ValueError, match="padding must be a non-negative int"):
        make_grid(constant_images(2), padding=-1)


def test_make_grid_matches_torchvision():
    torch = pytest.importorskip("torch")
    tvu = pytest.importorskip("torchvision.utils")
    x = np.random.default_rng(0).standard_normal((5, 3, 6, 7)).astype(np.float32)
    for kwargs in [{}, {"nrow": 2, "padding": 3, "pad_value": 0.5},
                   {"normalize": True}, {"normalize": True, "scale_each": True},
                   {"normalize": True, "value_range": (-1.0, 1.0)}]:
        ref = tvu.make_grid(torch.from_numpy(x), **kwargs).numpy()
        out = make_grid(ember.from_numpy(x), **kwargs).numpy()
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6, err_msg=str(kwargs))


# ----------------------------------------------------------------------------- save_image
def test_save_image_round_trip(tmp_path):
    x = np.random.default_rng(1).random((4, 3, 8, 8)).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(ember.from_numpy(x), path, nrow=2)
    with Image.open(path) as img:
        assert img.format == "PNG" and img.mode == "RGB"
        assert img.size == (2 * 10 + 2, 2 * 10 + 2)
        back = np.asarray(img)
    grid = make_grid(ember.from_numpy(x), nrow=2).numpy()
    expected = np.floor(grid * 255 + 0.5).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(back, expected)
    assert back[2, 2].tolist() == [int(v * 255 + 0.5) for v in x[0, :, 0, 0]]
    assert os.listdir(tmp_path) == ["grid.png"]  # no temporary file left behind


def test_save_image_clips_and_takes_single_images(tmp_path):
    x = np.array([[[-0.5, 0.5, 1.5]]], np.float32)  # 1x1x3, gray
    path = str(tmp_path / "one.png")
    save_image(ember.from_numpy(x), path)
    with Image.open(path) as img:
        assert img.size == (3, 1)
        assert np.asarray(img)[0].tolist() == [[0, 0, 0], [128, 128, 128], [255, 255, 255]]


def test_save_image_to_file_object_with_format():
    buf = io.BytesIO()
    save_image(constant_images(2, h=4, w=4) / 2, buf, format="PNG")
    buf.seek(0)
    with Image.open(buf) as img:
        assert img.size == (2 * 6 + 2, 8)


def test_save_image_bad_path_and_shape(tmp_path):
    x = constant_images(2, h=4, w=4)
    missing = tmp_path / "no" / "such" / "dir" / "g.png"
    with pytest.raises(FileNotFoundError, match="folder .* does not exist"):
        save_image(x, missing)
    with pytest.raises(ValueError, match="unknown file extension '.xyz'"):
        save_image(x, tmp_path / "g.xyz")
    with pytest.raises(ValueError, match="1, 2, 3 or 4 channels, got 5"):
        save_image(ember.zeros(2, 5, 4, 4), tmp_path / "g.png")
    with pytest.raises(ValueError, match=r"got shape \(1, 1, 1, 4, 4\)"):
        save_image(ember.zeros(1, 1, 1, 4, 4), tmp_path / "g.png")
    with pytest.raises(TypeError, match="float tensor in \\[0, 1\\] or a uint8 tensor"):
        save_image(ember.zeros(3, 4, 4, dtype=ember.int64), tmp_path / "g.png")
    assert os.listdir(tmp_path) == []


def test_save_image_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "keep.png"
    path.write_bytes(b"old")
    with pytest.raises(KeyError):
        save_image(constant_images(1, h=2, w=2), path, format="NOT-A-FORMAT")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["keep.png"]
