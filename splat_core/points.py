"""Depth + intrinsics → one opaque, round splat per pixel (works with every DA3 model size)."""

from __future__ import annotations

import torch

from .splats import SplatSet

# A pixel at depth z covers z/f world units. A Gaussian with a standard deviation of 0.6 of that
# spacing overlaps its neighbours enough that a surface reads as closed, without visibly blurring edges.
FOOTPRINT_TO_SIGMA = 0.6


def splats_from_depth(depth: torch.Tensor, intrinsics: torch.Tensor, rgb: torch.Tensor,
                      confidence: torch.Tensor | None = None) -> SplatSet:
    """Unproject ``depth`` (h, w) with pinhole ``intrinsics`` (3, 3); colours from ``rgb`` (h, w, 3).

    Pixel centres sit at +0.5, as in DA3's own ray grid (utils/geometry.py ``sample_image_grid``).
    """
    height, width = depth.shape
    device = depth.device
    fx, fy, cx, cy = intrinsics[0, 0], intrinsics[1, 1], intrinsics[0, 2], intrinsics[1, 2]
    v, u = torch.meshgrid(torch.arange(height, device=device, dtype=torch.float32) + 0.5,
                          torch.arange(width, device=device, dtype=torch.float32) + 0.5, indexing="ij")
    z = depth.float()
    centers = torch.stack(((u - cx) / fx * z, (v - cy) / fy * z, z), dim=-1).reshape(-1, 3)
    sigma = (z * (FOOTPRINT_TO_SIGMA * 0.5) * (1 / fx + 1 / fy)).reshape(-1, 1)
    count = height * width
    identity = (torch.arange(4, device=device) == 3).float()  # (0, 0, 0, 1) made on the device: graph-capturable
    return SplatSet(
        centers=centers,
        scales=sigma.expand(count, 3),
        quats_xyzw=identity.expand(count, 4),
        opacities=torch.ones(count, device=device),
        rgb=rgb.reshape(count, 3).float(),
        pixel=torch.arange(count, device=device),
        confidence=None if confidence is None else confidence.reshape(count).float(),
        height=height,
        width=width,
    )
