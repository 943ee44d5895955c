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


def _margins(border: float, height: int, width: int) -> tuple[int, int]:
    """Rows and columns dropped on each side of the image."""
    return (int(height * border), int(width * border)) if border > 0 else (0, 0)


def _priority(pixel: torch.Tensor) -> torch.Tensor:
    # An odd multiplier mod 2^32 is a bijection: priorities are unique, so the cap has no ties.
    return (pixel * _GOLDEN_32) % (1 << 32)


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
    """Prune, then cap the count by a deterministic, spatially even subsample.

    The subsample keeps the pixels with the smallest fixed hash priority, so a given budget picks the
    same pixels in every frame (no shimmer in a live stream). Survivors are enlarged by the square root
    of the thinning ratio so that surfaces stay closed.

    This is the reference (and the CPU path); budget_selection selects the same without host syncs.
    """
    kept = splats.select(prune_mask(splats, budget))
    count = len(kept)
    if budget.max_splats is None or count <= budget.max_splats:
        return kept
    if budget.max_splats <= 0:
        return kept.select(torch.zeros(0, dtype=torch.long, device=kept.pixel.device))
    chosen = torch.topk(_priority(kept.pixel), budget.max_splats, largest=False, sorted=False).indices
    thinned = kept.select(chosen.sort().values)
    thinned.scales = thinned.scales * math.sqrt(count / budget.max_splats)
    return thinned


# --- The same selection with static shapes and no host synchronisation (CUDA-graph capturable). ---


def budget_limits(budget: Budget, height: int, width: int) -> torch.Tensor:
    """The budget as a float64 CPU tensor for budget_selection (copy it into the graph's device buffer):
    max_splats (+inf for None), min_confidence_quantile, margin_y, margin_x, max_depth_quantile, min_opacity."""
    max_splats = math.inf if budget.max_splats is None else budget.max_splats
    return torch.tensor([max_splats, budget.min_confidence_quantile, *_margins(budget.border, height, width),
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


def budget_selection(splats: SplatSet, limits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(keep, count, enlarge) such that splats.select(keep) with scales * enlarge is apply_budget's result,
    bit for bit: keep a bool (N,) mask, count its int64 0-dim sum, enlarge a float32 0-dim factor.

    limits: budget_limits(...) on splats' device. No .item(), no data-dependent shapes, no Python branches
    on tensor values (prune_mask's ifs become torch.where), so it can be captured in a CUDA graph and
    replayed with other limits.
    """
    device = splats.pixel.device
    if len(splats) == 0:  # a shape, not a value: fine to branch on
        return (torch.zeros(0, dtype=torch.bool, device=device), torch.zeros((), dtype=torch.long, device=device),
                torch.ones((), device=device))
    max_splats, confidence_q, margin_y, margin_x, depth_q, min_opacity = limits.unbind()
    # No border is margins 0, which every grid pixel is inside of: always test it.
    keep = _visible(splats, min_opacity) & _inside_border(splats, margin_y.long(), margin_x.long())
    # prune_mask's ifs on the quantiles as torch.where (its keep.any() is moot: no survivors, no cut).
    if splats.confidence is not None:
        confidence = torch.nan_to_num(splats.confidence, nan=-math.inf)
        cut = keep & (confidence >= _quantile_kept(confidence, keep, confidence_q))
        keep = torch.where(confidence_q > 0, cut, keep)
    depth = splats.centers[:, 2]
    keep = torch.where(depth_q < 1, keep & (depth <= _quantile_kept(depth, keep, depth_q)), keep)

    # The cap: the max_splats smallest priorities among the survivors (non-kept sort last, above any
    # priority); as priorities are unique, exactly max_splats of them are <= the max_splats-th one.
    count = keep.sum()
    priority = _priority(splats.pixel)
    threshold = _kth_kept(priority, keep, max_splats, 1 << 32)
    capping = count > max_splats
    thinning = capping & (max_splats > 0)  # max_splats <= 0 keeps nothing
    keep = torch.where(capping, keep & (priority <= threshold) & thinning, keep)
    # apply_budget multiplies by math.sqrt(count / max_splats) (double), which PyTorch rounds to float32.
    enlarge = torch.where(thinning, torch.sqrt(count.double() / max_splats).float(), 1.0)
    return keep, keep.sum(), enlarge
