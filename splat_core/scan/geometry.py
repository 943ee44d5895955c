"""Rigid motions of points and splat orientations (OpenCV axes throughout, docs/wire-format.md)."""

from __future__ import annotations

import torch


def transform(pose: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """Points (..., 3) through a 4 × 4 pose."""
    return points @ pose[:3, :3].T.to(points.dtype) + pose[:3, 3].to(points.dtype)


def rotate_quats(rotation: torch.Tensor, quats_xyzw: torch.Tensor) -> torch.Tensor:
    """Unit quaternions (N, 4, x y z w) turned by a rotation matrix: q_R ⊗ q."""
    r = rotation
    w = torch.sqrt((1 + r[0, 0] + r[1, 1] + r[2, 2]).clamp(min=1e-12)) / 2
    # The rotation's own quaternion: magnitudes from the diagonal, signs from the antisymmetric part.
    x = torch.copysign(torch.sqrt((1 + r[0, 0] - r[1, 1] - r[2, 2]).clamp(min=0)) / 2, r[2, 1] - r[1, 2])
    y = torch.copysign(torch.sqrt((1 - r[0, 0] + r[1, 1] - r[2, 2]).clamp(min=0)) / 2, r[0, 2] - r[2, 0])
    z = torch.copysign(torch.sqrt((1 - r[0, 0] - r[1, 1] + r[2, 2]).clamp(min=0)) / 2, r[1, 0] - r[0, 1])
    qx, qy, qz, qw = quats_xyzw.unbind(-1)
    return torch.stack([w * qx + x * qw + y * qz - z * qy,
                        w * qy - x * qz + y * qw + z * qx,
                        w * qz + x * qy - y * qx + z * qw,
                        w * qw - x * qx - y * qy - z * qz], dim=-1)
