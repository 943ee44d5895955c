import io
import time
import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from splat_core.frames import DECODE_SIDE, MAX_SIDE, prepare, processing_size, read_image, to_rgb_uint8


@pytest.mark.parametrize("image, expected", [
    (np.full((4, 5), 7, np.uint8), [7, 7, 7]),  # grayscale → three equal channels
    (np.full((4, 5, 1), 9, np.uint8), [9, 9, 9]),
    (np.dstack([np.full((4, 5, 3), 20, np.uint8), np.zeros((4, 5), np.uint8)]), [20, 20, 20]),  # RGBA
    (np.full((4, 5, 3), 0.5, np.float32), [128, 128, 128]),  # fractions
    (np.full((4, 5, 3), 200.4, np.float64), [200, 200, 200]),  # 0–255 floats
    (np.ones((4, 5, 3), bool), [255, 255, 255]),
    (np.full((4, 5, 3), 65535, np.uint16), [255, 255, 255]),
    (torch.full((4, 5, 3), 3, dtype=torch.uint8), [3, 3, 3]),
    (Image.new("L", (5, 4), 11), [11, 11, 11]),
])
def test_images_are_normalised_to_rgb_uint8(image, expected):
    rgb = to_rgb_uint8(image)
    assert rgb.dtype == torch.uint8 and tuple(rgb.shape) == (4, 5, 3)
    assert rgb[2, 3].tolist() == expected


def test_read_only_arrays_are_copied_without_a_warning_and_writable_ones_are_not_copied():
    read_only = np.frombuffer(bytes(range(60)), np.uint8).reshape(4, 5, 3)  # like np.asarray(PIL image)
    warn_always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # torch gives this warning once per process otherwise
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            rgb = to_rgb_uint8(read_only)
    finally:
        torch.set_warn_always(warn_always)
    assert rgb.tolist() == read_only.tolist() and rgb.data_ptr() != read_only.ctypes.data
    writable = np.zeros((4, 5, 3), np.uint8)
    assert to_rgb_uint8(writable).data_ptr() == writable.ctypes.data, "a writable frame is used in place"


def test_nan_and_inf_become_valid_colours():
    image = np.full((2, 2, 3), np.nan, np.float32)
    image[0, 0] = np.inf
    rgb = to_rgb_uint8(image)
    assert rgb[1, 1].tolist() == [0, 0, 0] and rgb[0, 0].tolist() == [255, 255, 255]


@pytest.mark.parametrize("image, message", [
    (None, "No image"),
    (np.zeros((0, 5, 3), np.uint8), "empty"),
    (np.zeros((4, 5, 2), np.uint8), "1, 3 or 4 channels"),
    (np.zeros((2, 4, 5, 3), np.uint8), "H×W or H×W×C"),
    (np.zeros((4, 5, 3), object), "dtype"),
    (np.zeros((4, 5, 3), np.complex64), "dtype"),
    ("frame.jpg", "Unsupported image type"),
    (np.zeros((MAX_SIDE + 1, 1, 3), np.uint8), "too large"),
    (np.zeros((8000, 6000, 3), np.uint8), "image too large: 48 MP"),
])
def test_bad_images_raise_a_clear_value_error(image, message):
    with pytest.raises(ValueError, match=message):
        to_rgb_uint8(image)


def test_processing_size_matches_da3_upper_bound_resize():
    assert processing_size(640, 480, 504) == (504, 378)
    assert processing_size(480, 640, 504) == (378, 504)
    assert processing_size(7680, 4320, 504) == (504, 280)
    assert processing_size(10000, 3, 504) == (504, 14)  # never below one patch


@pytest.mark.parametrize("size, process_res, expected", [
    ((640, 480), 756, (630, 476)),  # an HQ capture of a webcam frame: its own size, in whole patches
    ((300, 200), 504, (294, 196)),
    ((32, 32), 756, (28, 28)),
    ((1, 1), 756, (14, 14)),  # one patch is the least the network takes
])
def test_processing_size_never_enlarges_a_picture(size, process_res, expected):
    assert processing_size(*size, process_res) == expected
    width, height = expected
    assert width <= max(size[0], 14) and height <= max(size[1], 14)


def test_every_bad_upload_gives_its_message_before_decoding(upload_corpus):
    for case, (path, message) in upload_corpus.items():
        start = time.perf_counter()
        with pytest.raises(ValueError, match=message):
            read_image(path)
        # Sizes come from the header: decoding 176 MP of PNG takes seconds and 0.5 GB.
        assert time.perf_counter() - start < 0.25, f"{case}: refused too slowly, after decoding"


def test_odd_pictures_decode_to_what_a_viewer_shows(odd_pictures):
    for name, (path, expected, note) in odd_pictures.items():
        picture = read_image(path)
        assert picture.rgb.dtype == np.uint8 and picture.rgb.shape == expected.shape, name
        error = np.abs(picture.rgb.astype(int) - expected).mean()
        assert error < (3 if path.suffix == ".jpg" else 0.01), f"{name}: mean error {error:.2f}"
        assert picture.notes == ([note] if note else []), name


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_a_large_picture_is_kept_reduced(tmp_path, suffix):
    """A 4200×2800 picture comes out at half size, still over DECODE_SIDE: a JPEG decoded so by JPEG's
    DCT scaling (a quarter of the memory), a PNG box-averaged after decoding."""
    path = tmp_path / f"big{suffix}"
    y, x = np.mgrid[0:2800, 0:4200]
    pattern = np.stack([x * 255 // 4199, y * 255 // 2799, np.full_like(x, 90)], axis=-1).astype(np.uint8)
    Image.fromarray(pattern).save(path, **({"quality": 90} if suffix == ".jpg" else {"compress_level": 1}))
    picture = read_image(path)
    assert picture.rgb.shape == (1400, 2100, 3) and 2100 >= DECODE_SIDE
    assert np.abs(picture.rgb.astype(int) - pattern[::2, ::2]).mean() < 3, "the same picture, smaller"


@pytest.mark.parametrize("shape", [(480, 640, 3), (1, 1, 3), (4320, 7680, 3)])
def test_prepare_gives_normalised_network_input(shape):
    image = np.full(shape, 255, np.uint8)
    x, rgb = prepare(image, 504, torch.device("cpu"))
    width, height = processing_size(shape[1], shape[0], 504)
    assert x.shape == (1, 1, 3, height, width) and rgb.shape == (height, width, 3)
    assert torch.allclose(rgb, torch.ones_like(rgb))
    # white normalised with ImageNet statistics
    assert torch.allclose(x[0, 0, :, 0, 0], torch.tensor([(1 - 0.485) / 0.229, (1 - 0.456) / 0.224,
                                                          (1 - 0.406) / 0.225]), atol=1e-5)


def _jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def test_a_jpegs_bytes_decode_to_its_pixels_on_the_host():
    """Webcam frames arrive as JPEG bytes (the viewer's ``camera_jpeg``): decoded as Pillow decodes them."""
    image = np.random.default_rng(5).integers(0, 255, (48, 64, 3), np.uint8)
    data = _jpeg(image)
    decoded = to_rgb_uint8(data)
    assert decoded.shape == (48, 64, 3) and decoded.dtype == torch.uint8
    assert np.array_equal(decoded.numpy(), np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs CUDA"))])
def test_bad_jpeg_bytes_raise_a_clear_value_error(device):
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    good = _jpeg(np.full((64, 64, 3), 128, np.uint8))
    for data, message in ((b"", "unreadable JPEG"), (b"not a picture", "unreadable JPEG"),
                          (png.getvalue(), "expected a JPEG, got PNG"), (good[:200], "unreadable JPEG")):
        with pytest.raises(ValueError, match=message):
            to_rgb_uint8(data, torch.device(device))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_jpegs_decode_on_the_gpu_close_to_pillow():
    """nvJPEG's IDCT and chroma upsampling are not libjpeg's: the same picture within a level or two
    nearly everywhere, and on the GPU."""
    y, x = np.mgrid[0:480, 0:640]
    image = np.stack([x * 255 // 640, y * 255 // 480, np.full_like(x, 90)], axis=-1).astype(np.uint8)
    image[150:300, 250:400] = (240, 200, 40)
    data = _jpeg(image)
    gpu = to_rgb_uint8(data, torch.device("cuda"))
    assert gpu.is_cuda and gpu.shape == (480, 640, 3)
    difference = np.abs(gpu.cpu().numpy().astype(int) - to_rgb_uint8(data).numpy().astype(int))
    assert np.percentile(difference, 99) <= 2, (difference.max(), difference.mean())
