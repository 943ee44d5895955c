"""Pruning: which pixels of a frame carry a splat worth sending. Detail is set by the grid's resolution
(pipeline.DETAILS), never by dropping pixels, so pruning only marks pixels invalid."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .splats import SplatSet


@dataclass(frozen=True)
class Budget:
    """What to drop. Non-finite splats and splats behind the camera are always dropped."""

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


def _margins(border: float, height: int, width: int) -> tuple[int, int]:
    """Rows and columns dropped on each side of the image."""
    return (int(height * border), int(width * border)) if border > 0 else (0, 0)


def _visible(splats: SplatSet, min_opacity: float | torch.Tensor) -> torch.Tensor:
    """Finite, in front of the camera and opaque enough (min_opacity: a number or a 0-dim tensor)."""
    keep = torch.isfinite(splats.centers).all(-1) & torch.isfinite(splats.scales).all(-1)
    keep &= torch.isfinite(splats.quats_xyzw).all(-1) & torch.isfinite(splats.rgb).all(-1)
    keep &= torch.isfinite(splats.opacities) & (splats.centers[:, 2] > 0)
    return keep & (splats.opacities >= min_opacity)


def _inside_border(splats: SplatSet, margin_y: int | torch.Tensor, margin_x: int | torch.Tensor) -> torch.Tensor:
    row, col = splats.pixel // splats.width, splats.pixel % splats.width
    inside = (row >= margin_y) & (row < splats.height - margin_y)
    return inside & (col >= margin_x) & (col < splats.width - margin_x)


def prune_mask(splats: SplatSet, budget: Budget) -> torch.Tensor:
    keep = _visible(splats, budget.min_opacity)
    if budget.border > 0:
        keep &= _inside_border(splats, *_margins(budget.border, splats.height, splats.width))
    if budget.min_confidence_quantile > 0 and splats.confidence is not None and keep.any():
        confidence = torch.nan_to_num(splats.confidence, nan=-math.inf)
        keep &= confidence >= _quantile(confidence[keep], budget.min_confidence_quantile)
    if budget.max_depth_quantile < 1 and keep.any():
        depth = splats.centers[:, 2]
        keep &= depth <= _quantile(depth[keep], budget.max_depth_quantile)
    return keep


def apply_budget(splats: SplatSet, budget: Budget) -> SplatSet:
    """The splats that survive pruning (the reference and the CPU path of ``budget_selection``)."""
    return splats.select(prune_mask(splats, budget))


# --- The same selection with static shapes and no host synchronisation (CUDA-graph capturable). ---


def budget_limits(budget: Budget, height: int, width: int) -> torch.Tensor:
    """The budget as a float64 CPU tensor for budget_selection (copy it into the graph's device buffer):
    min_confidence_quantile, margin_y, margin_x, max_depth_quantile, min_opacity."""
    return torch.tensor([budget.min_confidence_quantile, *_margins(budget.border, height, width),
                         budget.max_depth_quantile, budget.min_opacity], dtype=torch.float64)


def _kth_kept(values: torch.Tensor, keep: torch.Tensor, k: torch.Tensor, last: float | int) -> torch.Tensor:
    """The k-th smallest kept value, shape (1,): non-kept entries become `last`, above any kept value, so
    they sort after the kept ones. k: a float64 0-dim tensor, clamped into range (inf never reaches .long())."""
    index = (k - 1).clamp(0, len(values) - 1).long().view(1)
    return values.masked_fill(~keep, last).sort().values.gather(0, index)


def _quantile_kept(values: torch.Tensor, keep: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """_quantile(values[keep], q) on device: the same float64 rank, the same order statistic."""
    count = keep.sum().double()
    return _kth_kept(values.float(), keep, torch.ceil(q * count).clamp(min=1).minimum(count), math.inf)


def budget_selection(splats: SplatSet, limits: torch.Tensor) -> torch.Tensor:
    """The (N,) bool mask of ``prune_mask``, bit for bit, from limits = budget_limits(...) on the splats'
    device: no .item(), no data-dependent shapes, no Python branches on tensor values (prune_mask's ifs
    become torch.where), so it can be captured in a CUDA graph and replayed with other limits."""
    if len(splats) == 0:  # a shape, not a value: fine to branch on
        return torch.zeros(0, dtype=torch.bool, device=splats.pixel.device)
    confidence_q, margin_y, margin_x, depth_q, min_opacity = limits.unbind()
    # No border is margins 0, which every grid pixel is inside of: always test it.
    keep = _visible(splats, min_opacity) & _inside_border(splats, margin_y.long(), margin_x.long())
    # prune_mask's ifs on the quantiles as torch.where (its keep.any() is moot: no survivors, no cut).
    if splats.confidence is not None:
        confidence = torch.nan_to_num(splats.confidence, nan=-math.inf)
        cut = keep & (confidence >= _quantile_kept(confidence, keep, confidence_q))
        keep = torch.where(confidence_q > 0, cut, keep)
    depth = splats.centers[:, 2]
    return torch.where(depth_q < 1, keep & (depth <= _quantile_kept(depth, keep, depth_q)), keep)
