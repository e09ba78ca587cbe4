"""Tests for the geometric transforms: Resize, crops, Pad, flips, RandomResizedCrop, rotation."""

import warnings

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision import transforms as T
from ember.vision.transforms import InterpolationMode
from ember.vision.transforms import functional as F


def tensor(arr):
    return ember.from_numpy(np.ascontiguousarray(arr))


def grid(h, w, c=1, dtype=np.float32):
    """A (c, h, w) image whose value at (k, i, j) is 100 k + 10 i + j."""
    k, i, j = np.meshgrid(np.arange(c), np.arange(h), np.arange(w), indexing="ij")
    return (100 * k + 10 * i + j).astype(dtype)


def pil_of(chw):
    """The PIL image of a (C, H, W) uint8 array (C = 1 or 3)."""
    hwc = chw.transpose(1, 2, 0)
    return Image.fromarray(hwc[:, :, 0] if hwc.shape[2] == 1 else hwc)


def chw_of(img):
    arr = np.asarray(img)
    return arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)


# ----------------------------------------------------------------------------- Resize
def test_resize_int_matches_the_shorter_edge():
    t = tensor(np.zeros((3, 4, 6), np.float32))
    assert T.Resize(2)(t).shape == (3, 2, 3)
    assert T.Resize([2])(t).shape == (3, 2, 3)
    assert T.Resize((5, 2))(t).shape == (3, 5, 2)
    img = Image.new("RGB", (6, 4))  # PIL size is (w, h)
    assert T.Resize(2)(img).size == (3, 2)
    assert T.Resize((5, 2))(img).size == (2, 5)
    # 7 * 10 / 4 = 17.5 is truncated, as torchvision does
    assert T.Resize(7)(tensor(np.zeros((1, 4, 10), np.float32))).shape == (1, 7, 17)


def test_resize_max_size_caps_the_longer_edge():
    t = tensor(np.zeros((1, 4, 10), np.float32))
    # shorter edge 4 -> 4 makes the longer 10 > 6, so scale to 6 and the shorter to int(2.4)
    assert T.Resize(4, max_size=6)(t).shape == (1, 2, 6)
    with pytest.raises(ValueError, match="max_size = 4 must be strictly greater"):
        T.Resize(4, max_size=4)(t)
    with pytest.raises(ValueError, match="max_size should only be passed"):
        T.Resize((4, 5), max_size=6)


def test_resize_bilinear_downscale_by_hand():
    row = tensor(np.array([[[0.0, 8.0, 16.0, 24.0]]], np.float32))
    # Without antialias each output pixel is the mean of its two source pixels.
    plain = F.resize(row, [1, 2], antialias=False).numpy()
    np.testing.assert_allclose(plain, [[[4.0, 20.0]]])
    # With antialias the triangle widens to 4 taps (1/8, 3/8, 3/8, 1/8), renormalised at edges:
    # (0 * .75 + 8 * .75 + 16 * .25) / 1.75 and (8 * .25 + 16 * .75 + 24 * .75) / 1.75
    smooth = F.resize(row, [1, 2]).numpy()
    np.testing.assert_allclose(smooth, [[[10 / 1.75, 32 / 1.75]]], rtol=1e-6)


def test_resize_bilinear_upscale_and_uint8_rounding_by_hand():
    row = tensor(np.array([[[0.0, 4.0]]], np.float32))
    # Source positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
    np.testing.assert_allclose(F.resize(row, [1, 4]).numpy(), [[[0.0, 1.0, 3.0, 4.0]]])
    u8 = tensor(np.array([[[0, 2]]], np.uint8))
    out = F.resize(u8, [1, 4])  # 0, 0.5, 1.5, 2 rounded half to even
    assert out.dtype == ember.uint8
    assert out.numpy().tolist() == [[[0, 0, 2, 2]]]


def test_resize_nearest_modes_by_hand():
    row = tensor(np.array([[[0, 1, 2, 3]]], np.uint8))
    assert F.resize(row, [1, 2], InterpolationMode.NEAREST).numpy().tolist() == [[[0, 2]]]
    assert F.resize(row, [1, 2], InterpolationMode.NEAREST_EXACT).numpy().tolist() == [[[1, 3]]]
    assert F.resize(row, [1, 8], InterpolationMode.NEAREST).numpy().tolist() == [
        [[0, 0, 1, 1, 2, 2, 3, 3]]]


def test_resize_bicubic_keeps_constants_and_clips_uint8():
    flat = tensor(np.full((1, 5, 5), 7.0, np.float32))
    for aa in (True, False):
        out = F.resize(flat, [3, 8], InterpolationMode.BICUBIC, antialias=aa)
        np.testing.assert_allclose(out.numpy(), 7.0, rtol=1e-6)
    # A hard edge overshoots with cubic kernels; uint8 output is clipped to [0, 255].
    edge = tensor(np.array([[[0, 0, 255, 255]]], np.uint8))
    out = F.resize(edge, [1, 9], InterpolationMode.BICUBIC, antialias=False).numpy()
    assert out.min() == 0 and out.max() == 255


def test_resize_same_size_returns_the_input():
    t = tensor(grid(3, 4))
    assert T.Resize((3, 4))(t) is t


def test_resize_batched_equals_one_by_one():
    x = np.random.default_rng(0).random((2, 3, 8, 6), dtype=np.float32)
    batch = T.Resize((5, 4))(tensor(x)).numpy()
    for n in range(2):
        single = T.Resize((5, 4))(tensor(x[n])).numpy()
        np.testing.assert_allclose(batch[n], single, rtol=1e-6)
    assert batch.shape == (2, 3, 5, 4)


def test_resize_tensor_agrees_with_pil():
    x = (np.random.default_rng(1).random((3, 20, 24)) * 255).astype(np.uint8)
    for size in [(7, 9), (40, 50)]:
        for mode in (InterpolationMode.BILINEAR, InterpolationMode.BICUBIC):
            t_out = F.resize(tensor(x), list(size), mode).numpy().astype(int)
            p_out = chw_of(F.resize(pil_of(x), list(size), mode)).astype(int)
            diff = np.abs(t_out - p_out)
            if mode is InterpolationMode.BILINEAR:
                assert diff.max() <= 1  # Pillow rounds to uint8 between its two passes
            else:
                # ... and clips there too, so cubic overshoot differs on sharp edges.
                assert diff.mean() < 0.5


def test_resize_repr_and_bad_arguments():
    assert repr(T.Resize(32)) == (
        "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)")
    assert repr(T.Resize((3, 4), interpolation=Image.NEAREST)) == (
        "Resize(size=(3, 4), interpolation=nearest, max_size=None, antialias=True)")
    with pytest.raises(ValueError, match="size must contain positive integers"):
        T.Resize(-3)
    with pytest.raises(ValueError, match="size must contain positive integers"):
        F.resize(tensor(grid(2, 2)), [0, 2])
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize((1, 2, 3))
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(TypeError, match="interpolation should be an InterpolationMode"):
        T.Resize(2, interpolation="cubic")
    with pytest.raises(ValueError, match="not lanczos"):
        T.Resize(2, interpolation=InterpolationMode.LANCZOS)(tensor(grid(4, 4)))
    with pytest.raises(TypeError, match="Tensor is not an image"):
        T.Resize(2)(ember.zeros(4))
    with pytest.raises(TypeError, match="PIL Image or a Tensor"):
        T.Resize(2)(np.zeros((4, 4)))


def test_resize_matches_torch_interpolate():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).random((2, 3, 13, 17), dtype=np.float32)
    for size in [(5, 7), (26, 40), (9, 30), (1, 1)]:
        for mode in ("bilinear", "bicubic", "nearest", "nearest-exact"):
            for aa in ((False,) if mode.startswith("nearest") else (True, False)):
                kwargs = {} if mode.startswith("nearest") else {"align_corners": False}
                ref = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode,
                                                      antialias=aa, **kwargs)
                out = F.resize(tensor(x), list(size), InterpolationMode(mode), antialias=aa)
                np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=2e-6,
                                           err_msg=f"{size} {mode} antialias={aa}")


# ----------------------------------------------------------------------------- crops
def test_center_crop_by_hand():
    x = grid(5, 5)
    out = T.CenterCrop(3)(tensor(x)).numpy()
    np.testing.assert_array_equal(out, x[:, 1:4, 1:4])
    # (5 - 4) / 2 = 0.5 rounds half to even: the crop starts at 0
    np.testing.assert_array_equal(T.CenterCrop(4)(tensor(x)).numpy(), x[:, 0:4, 0:4])
    np.testing.assert_array_equal(T.CenterCrop((1, 3))(tensor(x)).numpy(), x[:, 2:3, 1:4])
    assert repr(T.CenterCrop(3)) == "CenterCrop(size=(3, 3))"


def test_center_crop_pads_small_images_with_zeros():
    x = grid(2, 2) + 1
    out = T.CenterCrop(4)(tensor(x)).numpy()
    expected = np.zeros((1, 4, 4), np.float32)
    expected[:, 1:3, 1:3] = x
    np.testing.assert_array_equal(out, expected)
    pil = T.CenterCrop(4)(pil_of(x.astype(np.uint8)))
    np.testing.assert_array_equal(chw_of(pil), expected.astype(np.uint8))


def test_center_crop_pil_matches_tensor():
    x = grid(6, 7, 3).astype(np.uint8)
    for size in (3, (4, 5), (6, 7), 2):
        np.testing.assert_array_equal(chw_of(T.CenterCrop(size)(pil_of(x))),
                                      T.CenterCrop(size)(tensor(x)).numpy())


def test_crop_outside_the_image_is_zero():
    x = grid(3, 3) + 1
    out = F.crop(tensor(x), -1, 1, 3, 3).numpy()
    expected = np.zeros((1, 3, 3), np.float32)
    expected[:, 1:, :2] = x[:, :2, 1:]
    np.testing.assert_array_equal(out, expected)
    pil = F.crop(pil_of(x.astype(np.uint8)), -1, 1, 3, 3)
    np.testing.assert_array_equal(chw_of(pil), expected.astype(np.uint8))
    with pytest.raises(ValueError, match="must not be negative"):
        F.crop(tensor(x), 0, 0, -1, 2)


def test_crop_size_errors():
    with pytest.raises(ValueError, match="size must contain positive integers"):
        T.CenterCrop(-2)
    with pytest.raises(ValueError, match="size should be an int or a sequence of 1 or 2"):
        T.RandomCrop((1, 2, 3))
    with pytest.raises(ValueError, match="size must contain positive integers"):
        T.RandomResizedCrop((0, 4))


# ----------------------------------------------------------------------------- Pad
@pytest.mark.parametrize("mode, expected", [
    ("constant", [9, 9, 1, 2, 3, 9, 9]),
    ("edge", [1, 1, 1, 2, 3, 3, 3]),
    ("reflect", [3, 2, 1, 2, 3, 2, 1]),
    ("symmetric", [2, 1, 1, 2, 3, 3, 2]),
])
def test_pad_modes_by_hand(mode, expected):
    row = np.array([[[1, 2, 3]]], np.uint8)
    out = F.pad(tensor(row), [2, 0], fill=9, padding_mode=mode).numpy()
    assert out[0, 0].tolist() == expected
    pil = F.pad(pil_of(row), [2, 0], fill=9, padding_mode=mode)
    assert np.asarray(pil)[0].tolist() == expected


def test_pad_sides_and_negative_padding():
    x = grid(2, 3)
    out = F.pad(tensor(x), (1, 2, 3, 4)).numpy()  # left, top, right, bottom
    assert out.shape == (1, 2 + 2 + 4, 3 + 1 + 3)
    np.testing.assert_array_equal(out[:, 2:4, 1:4], x)
    assert out.sum() == x.sum()
    assert F.pad(tensor(x), 1).shape == (1, 4, 5)
    np.testing.assert_array_equal(F.pad(tensor(x), [-1, 0]).numpy(), x[:, :, 1:2])
    rgb = Image.new("RGB", (2, 2), (1, 2, 3))
    padded = F.pad(rgb, 1, fill=(7, 8, 9))
    assert padded.size == (4, 4) and padded.getpixel((0, 0)) == (7, 8, 9)
    assert padded.getpixel((1, 1)) == (1, 2, 3)


def test_pad_per_channel_fill_on_tensors():
    out = F.pad(tensor(np.zeros((3, 1, 1), np.float32)), 1, fill=[1.0, 2.0, 3.0]).numpy()
    assert out[:, 0, 0].tolist() == [1.0, 2.0, 3.0] and out[:, 1, 1].tolist() == [0, 0, 0]


def test_pad_bad_arguments():
    with pytest.raises(ValueError, match="padding_mode should be one of"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(ValueError, match="not a 3 element tuple"):
        T.Pad((1, 2, 3))
    with pytest.raises(TypeError, match="inappropriate padding"):
        T.Pad("1")
    with pytest.raises(ValueError, match="reflect padding must be smaller than the image"):
        F.pad(tensor(grid(2, 2)), 2, padding_mode="reflect")
    with pytest.raises(ValueError, match="fill has 2 values but the image has 3 channels"):
        F.pad(tensor(grid(2, 2, 3)), 1, fill=[1, 2])
    assert repr(T.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"


# ----------------------------------------------------------------------------- RandomCrop
def _find_window(big, small):
    """The (top, left) where `small` sits inside `big` (last two axes), or None."""
    h, w = small.shape[-2:]
    for i in range(big.shape[-2] - h + 1):
        for j in range(big.shape[-1] - w + 1):
            if np.array_equal(big[..., i:i + h, j:j + w], small):
                return i, j
    return None


def test_random_crop_is_a_window_of_the_padded_image_and_reproducible():
    x = grid(6, 6, 3) + 1
    crop = T.RandomCrop(5, padding=2)
    padded = F.pad(tensor(x), 2).numpy()
    ember.manual_seed(0)
    first = [crop(tensor(x)).numpy() for _ in range(20)]
    ember.manual_seed(0)
    second = [crop(tensor(x)).numpy() for _ in range(20)]
    corners = set()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
        assert a.shape == (3, 5, 5)
        corners.add(_find_window(padded, a))
    assert None not in corners and len(corners) > 5  # many offsets in [0, 5]^2 were drawn
    assert all(0 <= i <= 5 and 0 <= j <= 5 for i, j in corners)


def test_random_crop_pil_matches_tensor_for_the_same_seed():
    x = grid(6, 7, 3).astype(np.uint8)
    crop = T.RandomCrop((3, 4), padding=(1, 2), padding_mode="reflect")
    for seed in range(5):
        ember.manual_seed(seed)
        a = crop(tensor(x)).numpy()
        ember.manual_seed(seed)
        b = chw_of(crop(pil_of(x)))
        np.testing.assert_array_equal(a, b)


def test_random_crop_pad_if_needed_and_errors():
    x = grid(2, 3) + 1
    out = T.RandomCrop((4, 5), pad_if_needed=True, fill=-1)(tensor(x)).numpy()
    assert out.shape == (1, 4, 5)
    assert (out == -1).sum() == 4 * 5 - 6 and np.sort(out[out > 0]).tolist() == sorted(
        x.ravel().tolist())
    with pytest.raises(ValueError, match=r"Required crop size \(4, 5\) is larger than input "
                                         r"image size \(2, 3\)"):
        T.RandomCrop((4, 5))(tensor(x))
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"


def test_random_crop_same_size_is_the_whole_image():
    assert T.RandomCrop.get_params(tensor(grid(3, 4)), (3, 4)) == (0, 0, 3, 4)


# ----------------------------------------------------------------------------- flips
def test_flips_by_hand_and_probability_extremes():
    x = grid(2, 3, 2)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(tensor(x)).numpy(),
                                  x[:, :, ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(1.0)(tensor(x)).numpy(), x[:, ::-1, :])
    t = tensor(x)
    assert T.RandomHorizontalFlip(0.0)(t) is t
    img = pil_of(x[:1].astype(np.uint8))
    np.testing.assert_array_equal(chw_of(T.RandomHorizontalFlip(1.0)(img)),
                                  x[:1, :, ::-1].astype(np.uint8))
    np.testing.assert_array_equal(chw_of(T.RandomVerticalFlip(1.0)(img)),
                                  x[:1, ::-1, :].astype(np.uint8))
    batch = np.stack([x, x + 1000])
    np.testing.assert_array_equal(F.hflip(tensor(batch)).numpy(), batch[..., ::-1])


def test_random_flip_is_seeded_and_fair():
    x = tensor(grid(2, 2))
    flip = T.RandomHorizontalFlip()

    def pattern():
        return [bool((flip(x).numpy() != x.numpy()).any()) for _ in range(200)]

    ember.manual_seed(3)
    a = pattern()
    ember.manual_seed(3)
    assert pattern() == a
    assert 60 < sum(a) < 140
    assert repr(flip) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.RandomVerticalFlip(0.25)) == "RandomVerticalFlip(p=0.25)"
    with pytest.raises(ValueError, match="probability p should be in"):
        T.RandomHorizontalFlip(1.5)


# ----------------------------------------------------------------------------- RandomResizedCrop
def test_random_resized_crop_params_and_output():
    img = tensor(grid(20, 30, 3))
    ember.manual_seed(0)
    for _ in range(50):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 < h <= 20 and 0 < w <= 30 and 0 <= i <= 20 - h and 0 <= j <= 30 - w
        assert 0.08 * 600 * 0.8 <= h * w <= 600
    out = T.RandomResizedCrop(8)(img)
    assert out.shape == (3, 8, 8)
    assert T.RandomResizedCrop((5, 6))(Image.new("RGB", (30, 20))).size == (6, 5)


def test_random_resized_crop_is_reproducible_and_matches_pil_geometry():
    x = grid(12, 16, 3).astype(np.uint8)
    rrc = T.RandomResizedCrop(6, interpolation=InterpolationMode.NEAREST)
    ember.manual_seed(5)
    a = rrc(tensor(x)).numpy()
    ember.manual_seed(5)
    b = rrc(tensor(x)).numpy()
    np.testing.assert_array_equal(a, b)
    ember.manual_seed(5)
    params = T.RandomResizedCrop.get_params(tensor(x), rrc.scale, rrc.ratio)
    ember.manual_seed(5)
    c = chw_of(rrc(pil_of(x)))
    i, j, h, w = params
    expected = F.resize(tensor(x[:, i:i + h, j:j + w]), [6, 6], InterpolationMode.NEAREST)
    np.testing.assert_array_equal(a, expected.numpy())
    assert c.shape == a.shape


def test_random_resized_crop_falls_back_to_a_central_crop():
    # Aspect ratios 10..20 never fit in a square, so after ten tries the central crop is used.
    img = tensor(grid(10, 10))
    assert T.RandomResizedCrop.get_params(img, (1.0, 1.0), (10.0, 20.0)) == (4, 0, 1, 10)
    assert T.RandomResizedCrop.get_params(img, (1.0, 1.0), (0.05, 0.1)) == (0, 4, 10, 1)


def test_random_resized_crop_repr_and_errors():
    assert repr(T.RandomResizedCrop(224)) == (
        "RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
        "interpolation=bilinear, antialias=True)")
    with pytest.raises(TypeError, match="scale should be a sequence of two numbers"):
        T.RandomResizedCrop(4, scale=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        T.RandomResizedCrop(4, scale=(1.0, 0.5))
    assert any("(min, max)" in str(w.message) for w in caught)


# ----------------------------------------------------------------------------- rotation
def test_rotate_quarter_turn_matches_rot90_and_pil():
    x = grid(4, 6, 3).astype(np.uint8)
    # Counter-clockwise, as PIL: rot90 with k=1 on the (H, W) axes.
    turned = F.rotate(tensor(x), 90, expand=True).numpy()
    np.testing.assert_array_equal(turned, np.rot90(x, 1, axes=(1, 2)))
    np.testing.assert_array_equal(chw_of(F.rotate(pil_of(x), 90, expand=True)), turned)
    half = F.rotate(tensor(x), 180).numpy()
    np.testing.assert_array_equal(half, x[:, ::-1, ::-1])
    np.testing.assert_array_equal(chw_of(F.rotate(pil_of(x), 180)), half)


def test_rotate_fills_the_corners():
    x = np.full((3, 8, 8), 1.0, np.float32)
    out = F.rotate(tensor(x), 45, fill=[0.5, 0.25, 0.0]).numpy()
    assert out[:, 0, 0].tolist() == [0.5, 0.25, 0.0]
    assert out[:, 4, 4].tolist() == [1.0, 1.0, 1.0]
    unfilled = F.rotate(tensor(x), 45).numpy()
    assert unfilled[:, 0, 0].tolist() == [0.0, 0.0, 0.0]
    # Bilinear blends towards the fill by the share of the four taps that fell outside;
    # like torchvision, samples are zero-padded first, so a border pixel with coverage m
    # becomes v * m * m + (1 - m) * fill.
    bilinear = F.rotate(tensor(x), 45, InterpolationMode.BILINEAR, fill=[0.0, 0.0, 2.0])
    b = bilinear.numpy()
    assert b[:, 0, 0].tolist() == [0.0, 0.0, 2.0] and b[:, 4, 4].tolist() == [1.0, 1.0, 1.0]
    coverage = F.rotate(tensor(x[:1]), 45, InterpolationMode.BILINEAR).numpy()[0]
    np.testing.assert_allclose(b[2], coverage ** 2 + (1 - coverage) * 2.0, rtol=1e-6)
    assert 0 < coverage[0, 1] < 1


def test_rotate_about_a_corner_and_expand_sizes():
    x = np.zeros((1, 5, 5), np.float32)
    x[0, 0, 1] = 1.0  # one pixel right of the top-left one
    # Rotating 90 degrees CCW about the centre of pixel (0, 0) carries it to the pixel above
    # (outside the image), so rotate 270 (-90) instead to land on the pixel below.
    out = F.rotate(tensor(x), -90, center=[0.5, 0.5]).numpy()
    assert out[0, 1, 0] == 1.0 and out.sum() == 1.0
    assert F.rotate(tensor(np.zeros((1, 6, 8), np.float32)), 90, expand=True).shape == (1, 8, 6)
    # corners at 5 * sqrt(2) = 7.07 from the centre: ceil(7.07) - floor(-7.07) = 16, as PIL
    assert F.rotate(tensor(np.zeros((1, 10, 10), np.float32)), 45, expand=True).shape == (
        1, 16, 16)
    assert F.rotate(Image.new("L", (10, 10)), 45, expand=True).size == (16, 16)


def test_random_rotation_seeded_and_repr():
    x = tensor(np.random.default_rng(0).random((3, 9, 9), dtype=np.float32))
    rot = T.RandomRotation(30)
    ember.manual_seed(1)
    a = rot(x).numpy()
    ember.manual_seed(1)
    np.testing.assert_array_equal(rot(x).numpy(), a)
    ember.manual_seed(1)
    angle = T.RandomRotation.get_params(rot.degrees)
    assert -30 <= angle <= 30
    np.testing.assert_array_equal(F.rotate(x, angle, fill=[0.0] * 3).numpy(), a)
    assert repr(rot) == (
        "RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, expand=False, fill=0)")
    fixed = T.RandomRotation((90, 90))
    np.testing.assert_array_equal(fixed(x).numpy(), np.rot90(x.numpy(), 1, axes=(1, 2)))


def test_rotation_bad_arguments():
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-5)
    with pytest.raises(TypeError, match="degrees should be a number or a sequence of 2"):
        T.RandomRotation((1, 2, 3))
    with pytest.raises(ValueError, match="center should be a sequence of length 2"):
        T.RandomRotation(5, center=(1,))
    with pytest.raises(TypeError, match="angle should be int or float"):
        F.rotate(tensor(grid(2, 2)), "90")
    with pytest.raises(ValueError, match="nearest or bilinear"):
        F.rotate(tensor(grid(2, 2)), 10, InterpolationMode.BICUBIC)
