"""DA3's Gaussian head output → splats. Every DA3 convention is converted here and nowhere else.

DA3 conventions (research/da3.md §2, model/gs_adapter.py):
- rotations are unit quaternions read as w, x, y, z (what DA3's renderer and PLY writer assume);
  splats carry x, y, z, w (three.js / Spark order);
- opacities are already sigmoid outputs, in [0, 1];
- scales are linear standard deviations, not logs;
- harmonics are (N, 3, 9): RGB × 9 coefficients of SH degree 2; colour is the 3DGS DC colour
  0.5 + C0 · SH_DC, and the 8 higher coefficients are kept coefficient-major for HQ frames.
"""

from __future__ import annotations

import torch

from .splats import SplatSet

SH_C0 = 0.28209479177387814  # 1 / (2·sqrt(pi)), the degree-0 SH basis constant


def splats_from_gaussians(gaussians, confidence: torch.Tensor, keep_sh: bool = False) -> SplatSet:
    """Splats from one frame's ``depth_anything_3.specs.Gaussians`` (batch 1, one Gaussian a pixel)."""
    height, width = confidence.shape
    harmonics = gaussians.harmonics[0]  # (N, 3, d_sh)
    count = harmonics.shape[0]
    return SplatSet(
        centers=gaussians.means[0].float(),
        scales=gaussians.scales[0].float(),
        quats_xyzw=gaussians.rotations[0].float().roll(-1, dims=-1),  # w, x, y, z → x, y, z, w
        opacities=gaussians.opacities[0].float().reshape(count),
        rgb=0.5 + SH_C0 * harmonics[:, :, 0].float(),
        pixel=torch.arange(count, device=harmonics.device),
        confidence=confidence.reshape(count).float(),
        sh_rest=harmonics[:, :, 1:].transpose(1, 2).float().contiguous() if keep_sh else None,
        height=height,
        width=width,
    )
