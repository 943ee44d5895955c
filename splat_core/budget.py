"""Pruning and the splat budget: which splats of a frame are worth sending."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .splats import SplatSet

# Knuth's multiplicative hash constant (2^32 / golden ratio): a fixed, well-spread priority per pixel.
_GOLDEN_32 = 2654435761


@dataclass(frozen=True)
class Budget:
    """What to drop. Non-finite splats and splats behind the camera are always dropped."""

    max_splats: int | None = None  # cap on the count; None keeps every splat that survives pruning
    min_confidence_quantile: float = 0.0  # drop this lowest fraction by model confidence
    border: float = 0.0  # drop this fraction of the image width/height on each side
    max_depth_quantile: float = 1.0  # drop splats deeper than this depth quantile
    min_opacity: float = 1.0 / 255.0  # below this a splat packs to alpha 0: invisible


# DA3's own PLY export drops an 8/256 border and the farthest 10 % (utils/export/gs.py); the live view
# keeps more of the background. Points are opaque, so opacity pruning never bites there.
GAUSSIANS_BUDGET = Budget(min_confidence_quantile=0.02, border=8 / 256, max_depth_quantile=0.95)
POINTS_BUDGET = Budget(min_confidence_quantile=0.02, border=0.0, max_depth_quantile=0.98)


def _quantile(values: torch.Tensor, q: float) -> torch.Tensor:
    # kthvalue is exact and avoids torch.quantile's 16M-element limit and full sort.
    k = min(max(int(math.ceil(q * values.numel())), 1), values.numel())
    return values.float().kthvalue(k).values


def prune_mask(splats: SplatSet, budget: Budget) -> torch.Tensor:
    keep = torch.isfinite(splats.centers).all(-1) & torch.isfinite(splats.scales).all(-1)
    keep &= torch.isfinite(splats.quats_xyzw).all(-1) & torch.isfinite(splats.rgb).all(-1)
    keep &= torch.isfinite(splats.opacities) & (splats.centers[:, 2] > 0)
    keep &= splats.opacities >= budget.min_opacity
    if budget.border > 0:
        row, col = splats.pixel // splats.width, splats.pixel % splats.width
        margin_y, margin_x = int(splats.height * budget.border), int(splats.width * budget.border)
        keep &= (row >= margin_y) & (row < splats.height - margin_y)
        keep &= (col >= margin_x) & (col < splats.width - margin_x)
    if budget.min_confidence_quantile > 0 and splats.confidence is not None and keep.any():
        confidence = torch.nan_to_num(splats.confidence, nan=-math.inf)
        keep &= confidence >= _quantile(confidence[keep], budget.min_confidence_quantile)
    if budget.max_depth_quantile < 1 and keep.any():
        depth = splats.centers[:, 2]
        keep &= depth <= _quantile(depth[keep], budget.max_depth_quantile)
    return keep


def apply_budget(splats: SplatSet, budget: Budget) -> SplatSet:
    """Prune, then cap the count by a deterministic, spatially even subsample.

    The subsample keeps the pixels with the smallest fixed hash priority, so a given budget picks the
    same pixels in every frame (no shimmer in a live stream). Survivors are enlarged by the square root
    of the thinning ratio so that surfaces stay closed.
    """
    kept = splats.select(prune_mask(splats, budget))
    count = len(kept)
    if budget.max_splats is None or count <= budget.max_splats:
        return kept
    if budget.max_splats <= 0:
        return kept.select(torch.zeros(0, dtype=torch.long, device=kept.pixel.device))
    priority = (kept.pixel * _GOLDEN_32) % (1 << 32)
    chosen = torch.topk(priority, budget.max_splats, largest=False, sorted=False).indices
    thinned = kept.select(chosen.sort().values)
    thinned.scales = thinned.scales * math.sqrt(count / budget.max_splats)
    return thinned
