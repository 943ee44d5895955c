"""The splat set passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import torch


@dataclass
class SplatSet:
    """N splats in the OpenCV camera frame of the input image (x right, y down, z forward).

    All tensors live on one device, in float32, in row-major pixel order of a ``height`` × ``width``
    grid until the budget stage removes some of them (``pixel`` keeps each splat's grid index).
    """

    centers: torch.Tensor  # (N, 3)
    scales: torch.Tensor  # (N, 3) linear standard deviations
    quats_xyzw: torch.Tensor  # (N, 4) unit quaternions, x, y, z, w
    opacities: torch.Tensor  # (N,) in [0, 1]
    rgb: torch.Tensor  # (N, 3) display colour, nominally [0, 1]
    pixel: torch.Tensor  # (N,) int64 index into the height × width grid
    confidence: torch.Tensor | None = None  # (N,) model confidence, higher is better
    sh_rest: torch.Tensor | None = None  # (N, K, 3) SH coefficients beyond DC, 3DGS order
    height: int = 0
    width: int = 0

    def __len__(self) -> int:
        return self.centers.shape[0]

    def select(self, index: torch.Tensor) -> "SplatSet":
        """The splats picked by a boolean mask or an index tensor."""
        picked = {
            f.name: getattr(self, f.name)[index]
            for f in fields(self)
            if isinstance(getattr(self, f.name), torch.Tensor)
        }
        return replace(self, **picked)

    def to_numpy(self) -> dict:
        """Host copies of every tensor field (for export)."""
        return {
            f.name: getattr(self, f.name).detach().float().cpu().numpy()
            for f in fields(self)
            if isinstance(getattr(self, f.name), torch.Tensor) and f.name != "pixel"
        }
