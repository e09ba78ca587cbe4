"""Tests for the colour transforms (ColorJitter and its adjustments, Grayscale) and
RandomErasing."""

import colorsys

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision import transforms as T
from ember.vision.transforms import _array_color
from ember.vision.transforms import functional as F


def tensor(arr):
    return ember.from_numpy(np.ascontiguousarray(arr))


def pixel(r, g, b, dtype=np.float32):
    """A 1x1 RGB tensor image."""
    return tensor(np.array([r, g, b], dtype).reshape(3, 1, 1))


def values(t):
    return t.numpy().reshape(t.shape[0], -1)[:, 0].tolist()


# ----------------------------------------------------------------------------- adjustments
def test_adjust_brightness_by_hand():
    np.testing.assert_allclose(values(F.adjust_brightness(pixel(0.2, 0.4, 0.8), 1.5)),
                               [0.3, 0.6, 1.0], rtol=1e-6)  # clipped at 1
    # uint8: 3 * 0.5 = 1.5 truncates to 1; 200 * 1.5 = 300 clips to 255
    assert values(F.adjust_brightness(pixel(3, 100, 200, np.uint8), 0.5)) == [1, 50, 100]
    assert values(F.adjust_brightness(pixel(3, 100, 200, np.uint8), 1.5)) == [4, 150, 255]
    img = Image.new("RGB", (1, 1), (10, 100, 200))
    assert F.adjust_brightness(img, 0.5).getpixel((0, 0)) == (5, 50, 100)


def test_adjust_contrast_by_hand():
    gray = tensor(np.array([[[0.0, 1.0]]], np.float32))  # one channel, mean 0.5
    np.testing.assert_allclose(F.adjust_contrast(gray, 0.0).numpy(), [[[0.5, 0.5]]])
    np.testing.assert_allclose(F.adjust_contrast(gray, 0.5).numpy(), [[[0.25, 0.75]]])
    # RGB: the mean is taken over the luma, 0.2989 for pure red
    red = pixel(1.0, 0.0, 0.0)
    np.testing.assert_allclose(values(F.adjust_contrast(red, 0.0)), [0.2989] * 3, rtol=1e-5)


def test_adjust_saturation_by_hand():
    p = pixel(1.0, 0.5, 0.0)
    luma = 0.2989 + 0.587 * 0.5
    np.testing.assert_allclose(values(F.adjust_saturation(p, 0.0)), [luma] * 3, rtol=1e-5)
    np.testing.assert_allclose(values(F.adjust_saturation(p, 1.0)), [1.0, 0.5, 0.0], rtol=1e-6)
    np.testing.assert_allclose(values(F.adjust_saturation(p, 2.0)),
                               np.clip(2 * np.array([1.0, 0.5, 0.0]) - luma, 0, 1), rtol=1e-5)
    one_channel = tensor(np.array([[[0.3]]], np.float32))
    assert F.adjust_saturation(one_channel, 0.0).numpy().tolist() == [[[np.float32(0.3)]]]


def test_adjust_hue_turns_the_colour_wheel():
    np.testing.assert_allclose(values(F.adjust_hue(pixel(1.0, 0.0, 0.0), 1 / 3)),
                               [0.0, 1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(values(F.adjust_hue(pixel(1.0, 0.0, 0.0), -1 / 3)),
                               [0.0, 0.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(values(F.adjust_hue(pixel(0.2, 0.5, 0.9), 0.0)),
                               [0.2, 0.5, 0.9], atol=1e-6)
    assert values(F.adjust_hue(pixel(255, 0, 0, np.uint8), 1 / 3)) == [0, 255, 0]
    img = Image.new("RGB", (1, 1), (255, 0, 0))
    r, g, b = F.adjust_hue(img, 1 / 3).getpixel((0, 0))
    assert r < 10 and g > 245 and b < 10
    gray_pil = Image.new("L", (1, 1), 7)
    assert F.adjust_hue(gray_pil, 0.2) is gray_pil


def test_hsv_round_trip_matches_colorsys():
    rgb = np.random.default_rng(0).random((3, 4, 5), dtype=np.float32)
    rgb[:, 0, 0] = 0.5  # a grey pixel: hue and saturation 0
    hsv = _array_color.rgb_to_hsv(rgb)
    for i in range(4):
        for j in range(5):
            expected = colorsys.rgb_to_hsv(*rgb[:, i, j].astype(float))
            np.testing.assert_allclose(hsv[:, i, j], expected, atol=1e-5)
    np.testing.assert_allclose(_array_color.hsv_to_rgb(hsv), rgb, atol=1e-5)


def test_adjustments_are_batched():
    x = np.random.default_rng(1).random((2, 3, 4, 4), dtype=np.float32)
    for fn, factor in [(F.adjust_brightness, 1.3), (F.adjust_contrast, 0.7),
                       (F.adjust_saturation, 0.4), (F.adjust_hue, 0.1)]:
        batch = fn(tensor(x), factor).numpy()
        for n in range(2):
            np.testing.assert_allclose(batch[n], fn(tensor(x[n]), factor).numpy(), atol=1e-6)


def test_tensor_adjustments_agree_with_pil():
    x = (np.random.default_rng(2).random((3, 6, 6)) * 255).astype(np.uint8)
    img = Image.fromarray(x.transpose(1, 2, 0).copy())
    for fn, factor, tol in [(F.adjust_brightness, 1.4, 1), (F.adjust_saturation, 0.3, 1),
                            (F.adjust_contrast, 0.6, 1), (F.adjust_hue, 0.2, 8)]:
        t_out = fn(tensor(x), factor).numpy().astype(int)
        p_out = np.asarray(fn(img, factor)).transpose(2, 0, 1).astype(int)
        # Pillow rounds where torchvision truncates, and hue goes through 8-bit HSV there.
        assert np.abs(t_out - p_out).max() <= tol, fn.__name__


def test_adjustment_bad_input():
    with pytest.raises(ValueError, match=r"brightness_factor \(-1\) is not non-negative"):
        F.adjust_brightness(pixel(0, 0, 0), -1)
    with pytest.raises(ValueError, match=r"hue_factor \(0.7\) is not in \[-0.5, 0.5\]"):
        F.adjust_hue(pixel(0, 0, 0), 0.7)
    with pytest.raises(TypeError, match="needs an image with 1 or 3 channels, got 4"):
        F.adjust_contrast(tensor(np.zeros((4, 2, 2), np.float32)), 0.5)
    with pytest.raises(TypeError, match=r"expected shape \(..., C, H, W\), got a tensor of "
                                        r"shape \(2, 2\)"):
        F.adjust_saturation(tensor(np.zeros((2, 2), np.float32)), 0.5)
    with pytest.raises(TypeError, match="PIL Image or a Tensor"):
        F.adjust_brightness([1, 2], 0.5)


# ----------------------------------------------------------------------------- Grayscale
def test_grayscale_by_hand():
    p = pixel(100, 50, 200, np.uint8)
    # 0.2989 * 100 + 0.587 * 50 + 0.114 * 200 = 82.04 -> 82
    assert T.Grayscale()(p).numpy().tolist() == [[[82]]]
    assert T.Grayscale(3)(p).numpy().ravel().tolist() == [82, 82, 82]
    img = Image.new("RGB", (1, 1), (100, 50, 200))
    assert T.Grayscale()(img).mode == "L" and T.Grayscale()(img).getpixel((0, 0)) == 82
    three = T.Grayscale(num_output_channels=3)(img)
    assert three.mode == "RGB" and three.getpixel((0, 0)) == (82, 82, 82)
    batch = tensor(np.zeros((5, 3, 2, 2), np.float32))
    assert T.Grayscale()(batch).shape == (5, 1, 2, 2)
    assert repr(T.Grayscale()) == "Grayscale(num_output_channels=1)"


def test_grayscale_bad_input():
    with pytest.raises(ValueError, match="num_output_channels should be 1 or 3, got 2"):
        T.Grayscale(2)
    with pytest.raises(TypeError, match="1 or 3 channels, got 2"):
        T.Grayscale()(tensor(np.zeros((2, 3, 3), np.float32)))


def test_random_grayscale_keeps_channel_count():
    p = pixel(100, 50, 200, np.uint8)
    assert T.RandomGrayscale(p=1.0)(p).numpy().ravel().tolist() == [82, 82, 82]
    assert T.RandomGrayscale(p=0.0)(p) is p


# ----------------------------------------------------------------------------- ColorJitter
def test_color_jitter_ranges_and_repr():
    cj = T.ColorJitter(brightness=0.5, contrast=(0.2, 1.8), saturation=2, hue=0.1)
    assert cj.brightness == (0.5, 1.5)
    assert cj.contrast == (0.2, 1.8)
    assert cj.saturation == (0.0, 3.0)  # 1 - 2 is clipped to 0
    assert cj.hue == (-0.1, 0.1)
    assert repr(T.ColorJitter(brightness=0.5)) == (
        "ColorJitter(brightness=(0.5, 1.5), contrast=None, saturation=None, hue=None)")


def test_color_jitter_bad_arguments():
    with pytest.raises(ValueError, match="brightness is a single number, it must be non neg"):
        T.ColorJitter(brightness=-0.1)
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\)"):
        T.ColorJitter(hue=0.6)
    with pytest.raises(TypeError, match="contrast should be a single number or a list/tuple"):
        T.ColorJitter(contrast=(0.5,))
    with pytest.raises(ValueError, match="saturation values should be between"):
        T.ColorJitter(saturation=(1.5, 0.5))


def test_color_jitter_identity_and_seeded_reproducibility():
    x = tensor(np.random.default_rng(3).random((3, 5, 5), dtype=np.float32))
    np.testing.assert_array_equal(T.ColorJitter()(x).numpy(), x.numpy())
    cj = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    ember.manual_seed(11)
    a = cj(x).numpy()
    ember.manual_seed(11)
    b = cj(x).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, x.numpy())
    # Replaying the drawn parameters by hand gives the same image.
    ember.manual_seed(11)
    order, bf, cf, sf, hf = cj.get_params(cj.brightness, cj.contrast, cj.saturation, cj.hue)
    assert sorted(order) == [0, 1, 2, 3]
    assert 0.6 <= bf <= 1.4 and 0.6 <= cf <= 1.4 and 0.6 <= sf <= 1.4 and -0.1 <= hf <= 0.1
    fns = {0: (F.adjust_brightness, bf), 1: (F.adjust_contrast, cf),
           2: (F.adjust_saturation, sf), 3: (F.adjust_hue, hf)}
    y = x
    for k in order:
        y = fns[k][0](y, fns[k][1])
    np.testing.assert_array_equal(y.numpy(), a)
    img = Image.fromarray((x.numpy().transpose(1, 2, 0) * 255).astype(np.uint8))
    assert cj(img).size == (5, 5)


# ----------------------------------------------------------------------------- RandomErasing
def _erased_box(before, after):
    changed = np.argwhere((before != after).any(axis=0))
    (top, left), (bottom, right) = changed.min(axis=0), changed.max(axis=0) + 1
    return top, left, bottom - top, right - left


def test_random_erasing_writes_one_rectangle_of_value():
    x = np.random.default_rng(4).random((3, 20, 20), dtype=np.float32) + 1
    ember.manual_seed(0)
    out = T.RandomErasing(p=1.0, value=0)(tensor(x)).numpy()
    top, left, h, w = _erased_box(x, out)
    assert (out[:, top:top + h, left:left + w] == 0).all()
    kept = np.ones((20, 20), bool)
    kept[top:top + h, left:left + w] = False
    np.testing.assert_array_equal(out[:, kept], x[:, kept])
    assert 0.02 * 400 * 0.5 <= h * w <= 0.33 * 400 * 1.5
    np.testing.assert_array_equal(tensor(x).numpy(), x)  # the input is untouched


def test_random_erasing_values_and_inplace():
    x = np.ones((3, 10, 10), np.float32)
    ember.manual_seed(2)
    out = T.RandomErasing(p=1.0, value=(0.1, 0.2, 0.3))(tensor(x)).numpy()
    top, left, h, w = _erased_box(x, out)
    np.testing.assert_allclose(out[:, top, left], [0.1, 0.2, 0.3], rtol=1e-6)
    ember.manual_seed(2)
    noisy = T.RandomErasing(p=1.0, value="random")(tensor(x)).numpy()
    top, left, h, w = _erased_box(x, noisy)
    assert np.unique(noisy[:, top:top + h, left:left + w]).size > 3
    t = tensor(x.copy())
    assert T.RandomErasing(p=1.0, inplace=True)(t) is t and (t.numpy() == 0).any()
    assert T.RandomErasing(p=0.0)(t) is t


def test_random_erasing_is_seeded():
    x = tensor(np.ones((2, 3, 16, 16), np.float32))
    erase = T.RandomErasing(p=0.5, value="random")
    ember.manual_seed(9)
    a = [erase(x).numpy() for _ in range(6)]
    ember.manual_seed(9)
    for prev in a:
        np.testing.assert_array_equal(erase(x).numpy(), prev)
    assert any((r != 1).any() for r in a) and any((r == 1).all() for r in a)


def test_random_erasing_bad_arguments():
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(ValueError, match="Scale should be between 0 and 1"):
        T.RandomErasing(scale=(0.5, 1.5))
    with pytest.raises(ValueError, match="probability should be between 0 and 1"):
        T.RandomErasing(p=2)
    with pytest.raises(ValueError, match="either a single value or 3"):
        T.RandomErasing(p=1.0, value=(1, 2))(tensor(np.ones((3, 8, 8), np.float32)))
    with pytest.raises(TypeError, match="RandomErasing needs a Tensor image, got Image"):
        T.RandomErasing()(Image.new("RGB", (4, 4)))
    with pytest.raises(TypeError, match=r"shape \(..., C, H, W\), got shape \(8, 8\)"):
        T.RandomErasing()(tensor(np.ones((8, 8), np.float32)))
    assert repr(T.RandomErasing()) == (
        "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False)")
