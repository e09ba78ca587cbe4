"""Tests for ember.vision.transforms: Compose, Lambda, conversions and Normalize."""

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F


def rgb(h=2, w=3):
    """A uint8 RGB image whose pixels count up: (H, W, 3) array and its PIL image."""
    arr = np.arange(h * w * 3, dtype=np.uint8).reshape(h, w, 3)
    return arr, Image.fromarray(arr)


# ----------------------------------------------------------------------------- Compose, Lambda
def test_compose_applies_in_order_and_lambda_wraps_a_function():
    pipeline = T.Compose([T.Lambda(lambda x: x + 1), T.Lambda(lambda x: x * 10)])
    assert pipeline(2) == 30


def test_lambda_rejects_non_callables():
    with pytest.raises(TypeError, match="lambd should be callable, got 'int'"):
        T.Lambda(3)


def test_reprs_match_torchvision_format():
    pipeline = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    assert repr(pipeline) == (
        "Compose(\n    ToTensor()\n    Normalize(mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))\n)"
    )
    assert repr(T.PILToTensor()) == "PILToTensor()"
    assert repr(T.ToPILImage()) == "ToPILImage()"
    assert repr(T.ToPILImage(mode="RGB")) == "ToPILImage(mode=RGB)"
    assert repr(T.Lambda(abs)) == "Lambda()"
    assert repr(T.ConvertImageDtype(ember.float32)) == "ConvertImageDtype()"


# ----------------------------------------------------------------------------- ToTensor
def test_to_tensor_on_pil_rgb_is_chw_float_divided_by_255():
    arr, img = rgb()
    t = T.ToTensor()(img)
    assert isinstance(t, ember.Tensor)
    assert t.shape == (3, 2, 3) and t.dtype == ember.float32
    out = t.numpy()
    assert out.flags["C_CONTIGUOUS"]
    # pixel (row 1, col 2) is arr[1, 2] = [15, 16, 17]
    np.testing.assert_array_equal(out[:, 1, 2], np.array([15, 16, 17], np.float32) / 255)
    np.testing.assert_array_equal(out, arr.transpose(2, 0, 1).astype(np.float32) / 255)


def test_to_tensor_on_grayscale_and_binary_images():
    gray = Image.fromarray(np.array([[0, 51], [102, 255]], np.uint8))
    np.testing.assert_allclose(T.ToTensor()(gray).numpy(), [[[0, 0.2], [0.4, 1.0]]], rtol=1e-6)
    binary = Image.fromarray(np.array([[True, False]]))
    assert binary.mode == "1"
    np.testing.assert_array_equal(T.ToTensor()(binary).numpy(), [[[1.0, 0.0]]])


def test_to_tensor_keeps_wide_modes_unscaled():
    f = Image.fromarray(np.array([[1.5, -2.0]], np.float32))
    t = T.ToTensor()(f)
    assert t.dtype == ember.float32
    np.testing.assert_array_equal(t.numpy(), [[[1.5, -2.0]]])
    i = Image.fromarray(np.array([[70000, 3]], np.int32))
    t = T.ToTensor()(i)
    assert t.dtype == ember.int32
    np.testing.assert_array_equal(t.numpy(), [[[70000, 3]]])


def test_to_tensor_on_ndarrays():
    hw = np.array([[0, 255]], np.uint8)
    np.testing.assert_array_equal(T.ToTensor()(hw).numpy(), [[[0.0, 1.0]]])
    hwc = np.arange(12, dtype=np.float64).reshape(2, 2, 3)
    t = T.ToTensor()(hwc)  # non-uint8 arrays are only transposed, as in torchvision
    assert t.dtype == ember.float64 and t.shape == (3, 2, 2)
    np.testing.assert_array_equal(t.numpy(), hwc.transpose(2, 0, 1))


def test_to_tensor_bad_input():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([[1, 2]])
    with pytest.raises(ValueError, match="2/3 dimensional. Got 4 dimensions"):
        T.ToTensor()(np.zeros((1, 2, 2, 3), np.uint8))


def test_pil_to_tensor_keeps_uint8_values():
    arr, img = rgb()
    t = T.PILToTensor()(img)
    assert t.dtype == ember.uint8 and t.shape == (3, 2, 3)
    np.testing.assert_array_equal(t.numpy(), arr.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image"):
        T.PILToTensor()(arr)


# ----------------------------------------------------------------------------- ToPILImage
def test_to_pil_image_from_float_tensor_truncates_times_255():
    t = ember.tensor([[[0.0, 0.5]], [[1.0, 0.2]], [[0.999, 0.01]]])
    img = T.ToPILImage()(t)
    assert img.mode == "RGB" and img.size == (2, 1)
    # 0.5 * 255 = 127.5 -> 127, 0.2 * 255 = 51.0 -> 50 or 51 in float32; 0.01*255 = 2.55 -> 2
    expected = (np.array([[[0.0, 0.5]], [[1.0, 0.2]], [[0.999, 0.01]]], np.float32) * 255)
    expected = expected.astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(img), expected)
    assert np.asarray(img)[0, 0].tolist() == [0, 255, 254]


def test_to_pil_image_infers_modes():
    assert np.asarray(T.ToPILImage()(np.full((1, 1, 3), 0.5))).tolist() == [[[127] * 3]]
    u8 = np.zeros((2, 2, 1), np.uint8)
    assert T.ToPILImage()(u8).mode == "L"
    assert T.ToPILImage()(np.zeros((2, 2, 2), np.uint8)).mode == "LA"
    assert T.ToPILImage()(np.zeros((2, 2, 4), np.uint8)).mode == "RGBA"
    assert T.ToPILImage(mode="CMYK")(np.zeros((2, 2, 4), np.uint8)).mode == "CMYK"
    assert T.ToPILImage()(np.zeros((2, 2), np.int32)).mode == "I"
    f = T.ToPILImage(mode="F")(ember.tensor([[[0.25, 2.0]]]))
    assert f.mode == "F"
    np.testing.assert_array_equal(np.asarray(f), [[0.25, 2.0]])
    ycbcr = T.ToPILImage(mode="YCbCr")(np.full((1, 1, 3), 7, np.uint8))
    assert ycbcr.mode == "YCbCr" and np.asarray(ycbcr).tolist() == [[[7, 7, 7]]]


def test_to_pil_image_round_trips_with_to_tensor():
    arr, img = rgb(4, 5)
    back = T.ToPILImage()(T.ToTensor()(img))
    np.testing.assert_array_equal(np.asarray(back), arr)
    back = T.ToPILImage()(T.PILToTensor()(img))
    np.testing.assert_array_equal(np.asarray(back), arr)


def test_to_pil_image_bad_input():
    with pytest.raises(ValueError, match="should not have > 4 channels. Got 5"):
        T.ToPILImage()(ember.zeros(5, 2, 2))
    with pytest.raises(ValueError, match="2/3 dimensional. Got 4"):
        T.ToPILImage()(ember.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"Incorrect mode \(RGB\)"):
        T.ToPILImage(mode="RGB")(np.zeros((2, 2, 1), np.uint8))
    with pytest.raises(ValueError, match="Only modes"):
        T.ToPILImage(mode="L")(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(TypeError, match="Input type int32 is not supported"):
        T.ToPILImage()(np.zeros((2, 2, 3), np.int32))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        T.ToPILImage()([1])


# ----------------------------------------------------------------------------- ConvertImageDtype
def test_convert_image_dtype_rescales():
    u8 = ember.from_numpy(np.array([[[0, 51, 255]]], np.uint8))
    f = T.ConvertImageDtype(ember.float32)(u8)
    assert f.dtype == ember.float32
    np.testing.assert_allclose(f.numpy(), [[[0.0, 0.2, 1.0]]], rtol=1e-6)
    # float -> uint8 multiplies by 255.999 and truncates: only 1.0 reaches 255
    back = F.convert_image_dtype(ember.tensor([[[0.0, 0.5, 0.999, 1.0]]]), ember.uint8)
    assert back.numpy().tolist() == [[[0, 127, 255, 255]]]
    assert back.numpy()[0, 0, 2] == int(0.999 * 255.999)
    wide = F.convert_image_dtype(u8, ember.int16)  # 255 * (32768 // 256)
    assert wide.numpy().tolist() == [[[0, 51 * 128, 255 * 128]]]
    i32 = ember.from_numpy(np.array([[[2**31 - 1, 2**23 * 3]]], np.int32))
    assert F.convert_image_dtype(i32, ember.uint8).numpy().tolist() == [[[255, 3]]]
    assert F.convert_image_dtype(u8, ember.uint8) is u8


def test_convert_image_dtype_bad_input():
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(ember.zeros(1, 2, 2), ember.int32)
    with pytest.raises(TypeError, match="should be Tensor"):
        F.convert_image_dtype(np.zeros((1, 2, 2)), ember.float32)


# ----------------------------------------------------------------------------- Normalize
def test_normalize_per_channel_by_hand():
    x = np.stack([np.full((2, 2), v, np.float32) for v in (0.5, 0.25, 1.0)])
    t = ember.from_numpy(x.copy())
    out = T.Normalize(mean=(0.5, 0.5, 0.5), std=(0.5, 0.25, 2.0))(t)
    np.testing.assert_allclose(out.numpy()[:, 0, 0], [0.0, -1.0, 0.25])
    assert out.shape == (3, 2, 2) and out.dtype == ember.float32
    np.testing.assert_array_equal(t.numpy(), x)  # not in place: input untouched


def test_normalize_inplace_batched_and_single_value():
    x = np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2)
    t = ember.from_numpy(x.copy())
    version = t._version
    out = T.Normalize(mean=[1.0], std=[2.0], inplace=True)(t)
    assert out is t and t._version > version
    np.testing.assert_allclose(t.numpy(), (x - 1.0) / 2.0)


def test_normalize_bad_input():
    norm = T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    with pytest.raises(TypeError, match="float tensor. Got ember.uint8"):
        norm(ember.zeros(3, 2, 2, dtype=ember.uint8))
    with pytest.raises(ValueError, match=r"size \(..., C, H, W\)"):
        norm(ember.zeros(2, 2))
    with pytest.raises(ValueError, match="mean has 2 values but the image has 3 channels"):
        T.Normalize((0.5, 0.5), (0.5, 0.5, 0.5))(ember.zeros(3, 2, 2))
    with pytest.raises(ValueError, match="std has 4 values but the image has 3 channels"):
        T.Normalize((0.5,), (1, 1, 1, 1))(ember.zeros(3, 2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0.5, 0.5, 0.5), (1.0, 0.0, 1.0))(ember.zeros(3, 2, 2))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        norm(Image.new("RGB", (2, 2)))


def test_to_tensor_normalize_pipeline_matches_numpy():
    arr, img = rgb(5, 7)
    pipeline = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.4, 0.3), (0.2, 0.25, 0.5))])
    expected = (arr.transpose(2, 0, 1) / 255.0 - np.array([0.5, 0.4, 0.3])[:, None, None]) \
        / np.array([0.2, 0.25, 0.5])[:, None, None]
    np.testing.assert_allclose(pipeline(img).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_normalize_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).random((2, 3, 4, 5), dtype=np.float32)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    ref = (torch.from_numpy(x) - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None,
                                                                                         None]
    out = T.Normalize(mean, std)(ember.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6, atol=1e-6)


def test_pipelines_pickle_for_worker_processes():
    import pickle

    pipeline = T.Compose([
        T.RandomResizedCrop(8), T.RandomHorizontalFlip(), T.ColorJitter(0.3, 0.3, 0.3, 0.05),
        T.RandomRotation(10), T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
        T.RandomErasing(p=1.0), T.ConvertImageDtype(ember.float64),
    ])
    copy = pickle.loads(pickle.dumps(pipeline))
    assert repr(copy) == repr(pipeline)
    _, img = rgb(12, 12)
    ember.manual_seed(7)
    a = pipeline(img).numpy()
    ember.manual_seed(7)
    b = copy(img).numpy()
    np.testing.assert_array_equal(a, b)
    assert a.shape == (3, 8, 8) and a.dtype == np.float64
