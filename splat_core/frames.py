"""Input frames: decode uploaded files, normalise whatever image arrives, then resize and normalise it
for the network."""

from __future__ import annotations

import functools
import io
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

PATCH = 14  # DA3's ViT patch size: processing sides are multiples of it
MAX_SIDE = 16384  # larger frames are refused rather than resized (8K is 7680)
# 40 MP holds every phone's and nearly every camera's default photo size (12-24 MP), and a 40 MP picture
# decodes in about 120 MB; above it memory and time grow for no gain (DA3 sees at most 756 px a side).
MAX_PIXELS = 40_000_000
# Below 32 px a side a picture is a thumbnail or an icon: at most a 2×2 patch grid, no usable depth.
MIN_SIDE = 32
# Pictures larger than this on their long side are kept reduced by an integer factor to at least this many
# pixels (over twice the largest processing size): a session keeps its picture for Capture HQ. JPEGs are
# decoded at that scale directly (DCT scaling by 1/2, 1/4 or 1/8), at a fraction of the cost.
DECODE_SIDE = 2048
FORMATS_THAT_WORK = "a JPEG, PNG, WebP, GIF, BMP or TIFF picture"
# ImageNet statistics, as DA3's InputProcessor normalises (utils/io/input_processor.py).
_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


def to_rgb_uint8(image, device: torch.device | None = None) -> torch.Tensor:
    """Any reasonable image as an (H, W, 3) uint8 RGB tensor, or a ``ValueError`` naming the problem.

    Accepts numpy arrays and torch tensors (HW, HW1, HW3, HW4), PIL images, and bool, integer or float
    dtypes (floats in [0, 1] are taken as fractions, larger ones as 0–255 values; uint16 is rescaled);
    and a JPEG's bytes (a webcam frame), decoded on ``device`` when that is a GPU (``decode_jpeg``).
    """
    if image is None:
        raise ValueError("No image: the frame is empty (None).")
    if isinstance(image, (bytes, bytearray, memoryview)):
        return decode_jpeg(bytes(image), device)
    if hasattr(image, "convert") and hasattr(image, "size"):  # PIL, without importing it
        image = np.array(image.convert("RGB"))
    if isinstance(image, np.ndarray):
        image = np.ascontiguousarray(image)
        if not image.flags.writeable:  # torch warns on read-only memory (np.asarray of a PIL image, frombuffer)
            image = image.copy()
        try:
            image = torch.from_numpy(image)
        except TypeError as err:
            raise ValueError(f"Unsupported image dtype {image.dtype}.") from err
    if not isinstance(image, torch.Tensor):
        raise ValueError(f"Unsupported image type {type(image).__name__}: expected an array or a PIL image.")
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3:
        raise ValueError(f"Image must be H×W or H×W×C; got shape {tuple(image.shape)}.")
    height, width, channels = image.shape
    if height == 0 or width == 0:
        raise ValueError(f"Image is empty: shape {tuple(image.shape)}.")
    check_size(width, height, min_side=1)  # webcam frames of any size work; pictures need MIN_SIDE
    if channels not in (1, 3, 4):
        raise ValueError(f"Image must have 1, 3 or 4 channels; got {channels}.")
    image = image.expand(-1, -1, 3) if channels == 1 else image[..., :3]  # alpha carries no colour
    if image.dtype == torch.uint8:
        return image
    if image.dtype == torch.bool:
        return image.to(torch.uint8) * 255
    if image.is_complex():
        raise ValueError(f"Unsupported image dtype {image.dtype}.")
    values = torch.nan_to_num(image.float(), nan=0.0, posinf=255.0, neginf=0.0)
    if image.is_floating_point() and values.max() <= 1.0:
        values = values * 255.0
    elif image.dtype == torch.uint16:
        values = values / 257.0
    return values.round().clamp(0, 255).to(torch.uint8)


def decode_jpeg(data: bytes, device: torch.device | None = None) -> torch.Tensor:
    """A JPEG as (H, W, 3) uint8 RGB, or a ``ValueError`` saying what is wrong with it. On a CUDA
    ``device`` nvJPEG decodes it there (0.2 ms for 640×480 against 1.7 ms for Pillow, docs/benchmarks.md),
    and only the compressed bytes cross to the GPU; elsewhere (or without torchvision) Pillow decodes it.
    The two decoders' pixels differ by a level or two here and there (different IDCTs)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as picture:  # the header only: format and size first
            if picture.format != "JPEG":
                raise ValueError(f"expected a JPEG, got {picture.format or 'something else'}")
            check_size(*picture.size, min_side=1)
            decoder = _device_jpeg_decoder() if device is not None and device.type == "cuda" else None
            if decoder is None:
                return torch.from_numpy(np.array(picture.convert("RGB")))
    except (OSError, Image.DecompressionBombError) as err:
        raise ValueError(f"unreadable JPEG: {err}") from err
    try:
        chw = decoder(torch.frombuffer(bytearray(data), dtype=torch.uint8), device=device)
    except RuntimeError as err:  # nvJPEG's word for a damaged stream
        raise ValueError(f"unreadable JPEG: {err}") from err
    return chw.permute(1, 2, 0)


@functools.cache
def _device_jpeg_decoder():
    """torchvision's nvJPEG decoder (RGB out), or None where torchvision does not load."""
    try:
        from torchvision.io import ImageReadMode, decode_jpeg as torchvision_decode_jpeg
    except Exception:  # noqa: BLE001 - any failure to load means: decode on the host
        return None
    return functools.partial(torchvision_decode_jpeg, mode=ImageReadMode.RGB)


def check_size(width: int, height: int, min_side: int = MIN_SIDE) -> None:
    """A ``ValueError`` saying what is wrong and what works, for pictures too small or too large."""
    if min(width, height) < min_side:
        raise ValueError(f"image too small: {width}×{height} px; each side must be at least {min_side} px.")
    if width * height > MAX_PIXELS:
        raise ValueError(f"image too large: {width * height / 1e6:.0f} MP ({width}×{height}), the limit is "
                         f"{MAX_PIXELS / 1e6:.0f} MP: scale it down (a 12 MP phone photo works).")
    if max(width, height) > MAX_SIDE:
        raise ValueError(f"image too large: {width}×{height}; the limit is {MAX_SIDE} pixels a side.")


@dataclass
class Picture:
    """A decoded upload: its RGB pixels and what the user should be told about it."""

    rgb: np.ndarray  # (H, W, 3) uint8
    notes: list[str] = field(default_factory=list)


def read_image(path: str | Path) -> Picture:
    """Decode an uploaded picture file, or raise a ``ValueError`` that says what is wrong and what works.

    The size is checked from the header before any pixel is decoded (Pillow opens lazily), so a
    decompression bomb costs nothing. EXIF orientation is applied, 16-bit grey keeps its precision
    (rescaled, not clipped), palette, CMYK and other modes become RGB, and an animation gives its first
    frame (with a note saying so). Pictures over DECODE_SIDE come reduced to at least DECODE_SIDE."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    name = path.name
    try:
        if path.stat().st_size == 0:
            raise ValueError(f"not an image: {name} is an empty file (0 bytes). Upload {FORMATS_THAT_WORK}.")
        with warnings.catch_warnings():  # Pillow warns above 89 MP; our own limit is checked right after
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except UnidentifiedImageError as err:
        raise ValueError(f"not an image: {name} is not a picture file. Upload {FORMATS_THAT_WORK}.") from err
    except Image.DecompressionBombError as err:  # Pillow refuses to even open above 2 × its own limit
        raise ValueError(f"image too large: over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} MP, the limit is "
                         f"{MAX_PIXELS / 1e6:.0f} MP: scale it down (a 12 MP phone photo works).") from err
    except OSError as err:
        raise ValueError(f"cannot read {name}: {err.strerror or err}.") from err
    with image:
        check_size(*image.size)
        kind = image.format or "image"
        frames = getattr(image, "n_frames", 1)
        notes = [f"Animated {kind}: its first of {frames} frames is shown."] if frames > 1 else []
        if image.format == "JPEG" and max(image.size) > DECODE_SIDE:
            scale = max(image.size) / DECODE_SIDE
            image.draft(None, (math.ceil(image.size[0] / scale), math.ceil(image.size[1] / scale)))
        try:
            image.load()
            rgb = _pixels(ImageOps.exif_transpose(image))
        except Exception as err:  # noqa: BLE001 - whatever the decoder says is the file's damage
            problem = "truncated" if "truncated" in str(err) else "damaged"
            raise ValueError(f"{problem} {kind}: {name} cannot be decoded ({err}). Upload the complete file, "
                             f"or {FORMATS_THAT_WORK}.") from err
    rgb = to_rgb_uint8(rgb).numpy()
    factor = max(rgb.shape[:2]) // DECODE_SIDE
    if factor > 1:  # a box average: every source pixel counts once
        rgb = np.asarray(Image.fromarray(rgb).reduce(factor))
    return Picture(rgb, notes)


def _pixels(image) -> np.ndarray:
    """A loaded PIL image as an array that ``to_rgb_uint8`` reads right: 16-bit grey as uint16 (Pillow's
    own conversion to RGB clips it), everything else through Pillow's conversion to RGB."""
    if image.mode.startswith("I;16"):
        return np.array(image)
    if image.mode == "I":  # 32-bit integers: what Pillow makes of some 16-bit greys
        return np.array(image).clip(0, 65535).astype(np.uint16)
    if image.mode == "F":
        return np.array(image)
    return np.array(image.convert("RGBA" if "transparency" in image.info else "RGB"))


def processing_size(width: int, height: int, process_res: int) -> tuple[int, int]:
    """DA3's ``upper_bound_resize`` (input_processor.py): the long side to ``process_res``, each side to
    the nearest multiple of 14, so 640×480 at 504 gives 504×378; but never above the frame's own size
    (a picture is never enlarged: a 300×200 one at 504 gives 294×196), and never below one patch."""
    scale = min(process_res, max(width, height)) / max(width, height)

    def side(original: int) -> int:
        nearest = int(round(round(original * scale) / PATCH)) * PATCH
        return max(PATCH, min(nearest, original // PATCH * PATCH))

    return side(width), side(height)


@torch.no_grad()
def prepare(image, process_res: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The network input (1, 1, 3, h, w) and the resized colours (h, w, 3) in [0, 1], both on ``device``."""
    network_input, rgb = normalise(to_rgb_uint8(image).to(device, non_blocking=True)[None], process_res)
    return network_input, rgb[0]


def normalise(rgb: torch.Tensor, process_res: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Frames (B, H, W, 3) uint8 of one size → network input (B, 1, 3, h, w) and resized colours
    (B, h, w, 3) in [0, 1], on their device, with no host work (it runs inside the fast path's graphs).

    Resizing: area averaging when shrinking, bicubic when enlarging, as DA3 does with OpenCV (in one
    step instead of DA3's two).
    """
    rgb = rgb.permute(0, 3, 1, 2).float().div_(255.0)
    height, width = rgb.shape[-2:]
    out_w, out_h = processing_size(width, height, process_res)
    if (out_w, out_h) != (width, height):
        shrinking = out_w * out_h < width * height
        rgb = F.interpolate(rgb, size=(out_h, out_w), mode="area" if shrinking else "bicubic",
                            align_corners=None if shrinking else False).clamp_(0.0, 1.0)
    mean, std = _imagenet_stats(rgb.device)
    # Contiguous, as DA3 feeds it: the permuted layout would send the patch embedding to other kernels.
    return ((rgb - mean) / std)[:, None].contiguous(), rgb.permute(0, 2, 3, 1)


@functools.cache
def _imagenet_stats(device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    # Made once per device: a host-to-device copy cannot happen inside a CUDA graph capture.
    return (torch.tensor(_MEAN, device=device).view(1, 3, 1, 1), torch.tensor(_STD, device=device).view(1, 3, 1, 1))
