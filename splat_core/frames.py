"""Input frames: normalise whatever image arrives, then resize and normalise it for the network."""

from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F

PATCH = 14  # DA3's ViT patch size: processing sides are multiples of it
MAX_SIDE = 16384  # larger frames are refused rather than resized (8K is 7680)
# ImageNet statistics, as DA3's InputProcessor normalises (utils/io/input_processor.py).
_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


def to_rgb_uint8(image) -> torch.Tensor:
    """Any reasonable image as an (H, W, 3) uint8 RGB tensor, or a ``ValueError`` naming the problem.

    Accepts numpy arrays and torch tensors (HW, HW1, HW3, HW4), PIL images, and bool, integer or float
    dtypes (floats in [0, 1] are taken as fractions, larger ones as 0–255 values; uint16 is rescaled).
    """
    if image is None:
        raise ValueError("No image: the frame is empty (None).")
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
    if max(height, width) > MAX_SIDE:
        raise ValueError(f"Image is too large ({width}×{height}); the limit is {MAX_SIDE} pixels a side.")
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


def processing_size(width: int, height: int, process_res: int) -> tuple[int, int]:
    """DA3's ``upper_bound_resize``: longest side to ``process_res``, each side to the nearest multiple
    of 14 (input_processor.py); 640×480 at 504 gives 504×378."""
    scale = process_res / max(width, height)

    def nearest_multiple(x: float) -> int:
        return max(PATCH, int(round(x / PATCH)) * PATCH)

    return nearest_multiple(round(width * scale)), nearest_multiple(round(height * scale))


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
