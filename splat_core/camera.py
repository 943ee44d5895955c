"""Plausible pinhole intrinsics: the network's predicted camera, clamped into the range real cameras have.

DA3 predicts each frame's camera. Trained weights give webcam-like fields of view, but random weights
(the offline mode) predict near-zero fields of view (focal lengths of 10⁸ px) and fx ≫ fy, so the 3D
view is a thin strip or a needle that stalls software WebGL; an odd picture can do the same to trained
weights. The range, and why:

- field of view 10°–140° on each axis: from a 250 mm telephoto on a full-frame camera to beyond the
  widest rectilinear lenses (~122°); a pinhole camera cannot reach 180°;
- fx / fy within 0.8–1.25: pixels are square in every webcam and photo (fx = fy), up to the few percent
  that rounding the processing sides to multiples of 14 px changes the aspect by; beyond 1.25 the
  picture is visibly stretched;
- principal point in the middle half of each axis: lenses are centred, and even a photo cropped to
  half its width keeps the point inside.

``plausible_intrinsics`` is applied where the network's output is read (``inference.output_of``), before
any splat is made, so the live path, HQ captures and exports agree. It uses only tensor operations (no
host synchronisation) because the live path runs it inside a CUDA graph.
"""

from __future__ import annotations

import math

import torch

MIN_FOV_DEG, MAX_FOV_DEG = 10.0, 140.0
MAX_ASPECT = 1.25  # fx / fy ∈ [1 / MAX_ASPECT, MAX_ASPECT]
PRINCIPAL_RANGE = (0.25, 0.75)  # cx / width and cy / height
RANGE = (f"fields of view {MIN_FOV_DEG:.0f}–{MAX_FOV_DEG:.0f}°, fx/fy {1 / MAX_ASPECT:.2f}–{MAX_ASPECT:.2f}, "
         "principal point in the middle half")


def _focal_range(side: int) -> tuple[float, float]:
    """Focal lengths (px) whose field of view over ``side`` pixels is MAX_FOV_DEG and MIN_FOV_DEG."""
    return tuple(side / 2 / math.tan(math.radians(fov) / 2) for fov in (MAX_FOV_DEG, MIN_FOV_DEG))


def plausible_intrinsics(intrinsics: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """``intrinsics`` (3, 3) in pixels of a ``width`` × ``height`` grid, clamped into the range above.

    Focal lengths are clamped to the field-of-view range, their ratio is clamped, and their geometric
    mean (the overall zoom) is kept as far as both fields of view allow with that ratio; a last clamp
    makes the field of view hold always (for a panorama so wide that both cannot, it wins)."""
    (x_lo, x_hi), (y_lo, y_hi) = _focal_range(width), _focal_range(height)
    k = intrinsics.float()
    fx = torch.nan_to_num(k[0, 0], nan=x_hi, posinf=x_hi, neginf=x_lo).clamp(x_lo, x_hi)
    fy = torch.nan_to_num(k[1, 1], nan=y_hi, posinf=y_hi, neginf=y_lo).clamp(y_lo, y_hi)
    root_ratio = (fx / fy).clamp(1 / MAX_ASPECT, MAX_ASPECT).sqrt()  # fx = mean · root, fy = mean / root
    mean = (fx * fy).sqrt().clamp(torch.maximum(x_lo / root_ratio, y_lo * root_ratio),
                                  torch.minimum(x_hi / root_ratio, y_hi * root_ratio))
    fx, fy = (mean * root_ratio).clamp(x_lo, x_hi), (mean / root_ratio).clamp(y_lo, y_hi)
    lo, hi = PRINCIPAL_RANGE
    out = k.clone()
    out[0, 0], out[1, 1] = fx, fy
    out[0, 2] = torch.nan_to_num(k[0, 2], nan=width / 2).clamp(lo * width, hi * width)
    out[1, 2] = torch.nan_to_num(k[1, 2], nan=height / 2).clamp(lo * height, hi * height)
    return out


def implausibility(predicted: list[float], width: int, height: int) -> str | None:
    """What was wrong with a predicted camera (fx, fy, cx, cy) on a ``width`` × ``height`` grid, for the
    user; None when it was within range (clamping changed it by under 0.1 %)."""
    fx, fy, cx, cy = predicted
    k = torch.tensor([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]], dtype=torch.float64)
    clamped = plausible_intrinsics(k, width, height)
    if torch.allclose(clamped.double(), k, rtol=1e-3, atol=1e-3 * max(width, height)):
        return None

    def fov(focal: float, side: int) -> str:
        return f"{math.degrees(2 * math.atan(side / 2 / focal)):.2g}°" if focal > 0 else f"focal {focal:.3g} px"

    return (f"The predicted camera was implausible (field of view {fov(fx, width)} × {fov(fy, height)}, "
            f"fx/fy {fx / fy if fy else math.inf:.3g}, principal point at {cx / width:.0%}, {cy / height:.0%}): it is clamped "
            f"to {RANGE}. Random weights predict such cameras.")
