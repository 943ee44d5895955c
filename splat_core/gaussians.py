"""DA3's Gaussian head output → splats in the camera frame. Every DA3 convention is converted here.

This is DA3's ``GaussianAdapter.forward`` (model/gs_adapter.py) for a camera at the identity pose,
written as a few batched tensor operations so that it can sit inside a CUDA graph (DA3's version builds
tensors on the host every call). The head's 37 adapter channels are, in order: xy offset in pixels (2),
scale logits (3), quaternion (4), SH coefficients RGB × 9 (27), depth offset (1); opacity is a separate
sigmoid output. Conventions (research/da3.md §2):

- the quaternion is normalised and, at the identity pose, is x, y, z, w: exactly what DA3's renderer and
  PLY writer end up with after their w-first reading of it;
- opacities are already sigmoid outputs (``map_pdf_to_opacity`` is the identity at its default);
- scales are linear standard deviations: a sigmoid between the adapter's limits, times depth, times a
  tenth of the pixel footprint (``get_scale_multiplier``);
- centres lie along the unit ray through the (offset) pixel centre at the head's depth: DA3 treats depth
  as distance along the ray (issues #236, #247), and so do we, to match its renders;
- colour is the 3DGS DC colour 0.5 + C0 · SH_DC; the 8 higher SH coefficients (scaled by DA3's fixed
  ``sh_mask``) are kept coefficient-major for HQ frames.
"""

from __future__ import annotations

import torch

from .splats import SplatSet

SH_C0 = 0.28209479177387814  # 1 / (2·sqrt(pi)), the degree-0 SH basis constant
_QUAT_EPS = 1e-8  # as GaussianAdapter.forward


def camera_gaussians(adapter, raw: torch.Tensor, opacity: torch.Tensor, depth: torch.Tensor,
                     intrinsics: torch.Tensor, confidence: torch.Tensor | None = None,
                     keep_sh: bool = False, scale: float = 1.0) -> SplatSet:
    """One frame's Gaussians: ``raw`` (h, w, 37), ``opacity``, ``depth`` and ``confidence`` (h, w),
    ``intrinsics`` (3, 3) in pixels. ``scale`` multiplies positions and sizes (the nested model's
    metric factor)."""
    if adapter.pred_color or not (adapter.pred_offset_xy and adapter.pred_offset_depth):
        raise ValueError("Only DA3's shipped Gaussian adapter layout (SH, xy and depth offsets) is supported.")
    height, width = depth.shape
    count = height * width
    raw = raw.float().reshape(count, -1)
    device = raw.device
    gs_depth = depth.float().reshape(count) + raw[:, -1]
    v, u = torch.meshgrid(torch.arange(height, device=device, dtype=torch.float32) + 0.5,
                          torch.arange(width, device=device, dtype=torch.float32) + 0.5, indexing="ij")
    pixels = torch.stack((u.reshape(count) + raw[:, 0], v.reshape(count) + raw[:, 1],
                          torch.ones(count, device=device)), dim=-1)
    k_inv = torch.linalg.inv_ex(intrinsics.float()).inverse  # inv_ex: no host sync for error checks
    rays = torch.nn.functional.normalize(pixels @ k_inv.T, dim=-1)
    footprint = 0.1 * k_inv[:2, :2].sum()  # DA3: 0.1 · (K_norm⁻¹ · pixel size), summed over x and y
    limits = adapter.gaussian_scale_min, adapter.gaussian_scale_max
    sizes = limits[0] + (limits[1] - limits[0]) * raw[:, 2:5].sigmoid()
    quats = raw[:, 5:9]
    sh = raw[:, 9:-1].reshape(count, 3, -1) * adapter.sh_mask.to(device)
    return SplatSet(
        centers=rays * (gs_depth * scale)[:, None],
        scales=sizes * (gs_depth * footprint * scale)[:, None],
        quats_xyzw=quats / (quats.norm(dim=-1, keepdim=True) + _QUAT_EPS),
        opacities=opacity.float().reshape(count),
        rgb=0.5 + SH_C0 * sh[:, :, 0],
        pixel=torch.arange(count, device=device),
        confidence=None if confidence is None else confidence.float().reshape(count),
        sh_rest=sh[:, :, 1:].transpose(1, 2).contiguous() if keep_sh else None,
        height=height,
        width=width,
    )
