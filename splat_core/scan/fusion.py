"""Fusing keyframes into one scene: a voxel grid over the world decides which splats stay, so that
revisiting a place does not double it, and a budget bounds the scene.

Rules (all on the splats' device, no per-splat Python):

- A voxel is VOXEL_FOOTPRINTS pixel footprints wide at the first keyframe's median depth: revisiting
  a surface from about the same distance lands in the voxels its first visit filled.
- A keyframe's splats land in the voxels they fall into. Where no earlier keyframe has splats, they
  are kept (all of them: a keyframe keeps its full resolution where it is first). Where one has, the
  voxel keeps the more confident keyframe: the new splats replace the old ones only if their best
  confidence beats the old best by REPLACE_MARGIN (hysteresis, so that noise does not flip voxels
  between keyframes and send removals for nothing); otherwise the new splats are dropped.
- A keyframe's delta is the bounding box of its kept splats (a crop of its grid, which the wire
  format carries as a grid of its own: intrinsics shifted by the crop's corner); a box less than a
  quarter full shrinks to the central 90 % of its splats' rows and columns, and a keyframe whose new
  splats are still sparser than that (a sprinkle over surfaces already there) sends none.
- Budget: every keyframe in the scene costs its crop's slots in the viewer (one Spark splat a pixel,
  kept or not), so the budget counts slots. While the scene is over budget, the
  oldest keyframe leaves it whole; so does a keyframe that has no splat left.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

VOXEL_FOOTPRINTS = 2.0
REPLACE_MARGIN = 1.25
DEFAULT_BUDGET = 2_000_000  # splat slots: about ten full-detail keyframes' worth, or a room's sweep of crops
MIN_NEW_SHARE = 0.03  # a keyframe whose new splats are fewer than this share of its own sends none
CROP_FILL, CROP_CORE = 0.25, 0.9  # a delta's crop under a quarter full keeps the central 90 % (``_crop``)
_BITS = 21  # per axis of a voxel key: ±2^20 voxels
_OFFSET = 1 << (_BITS - 1)


def voxel_keys(points: torch.Tensor, voxel: float) -> torch.Tensor:
    """One int64 key per point (N, 3): its voxel's integer coordinates, 21 bits each."""
    cells = torch.floor(points / voxel).long().clamp(-_OFFSET, _OFFSET - 1) + _OFFSET
    return (cells[:, 0] << (2 * _BITS)) | (cells[:, 1] << _BITS) | cells[:, 2]


@dataclass
class Added:
    """What one keyframe changed: its kept splats and the crop of its grid that holds them, and what
    left the scene for it. ``kept`` all False: the keyframe brought too little and changed nothing."""

    kept: torch.Tensor  # (N,) bool over the keyframe's candidate splats
    crop: tuple[int, int, int, int] = (0, 0, 1, 1)  # x0, y0, width, height: the kept splats' bounding box
    removed: dict[int, torch.Tensor] = field(default_factory=dict)  # keyframe → its (crop) pixels replaced
    evicted: list[int] = field(default_factory=list)  # keyframes that left the scene whole


class VoxelFusion:
    """The scene's splats, sorted by voxel key: their keyframe, pixel (in that keyframe's crop), confidence
    and attributes (world-frame tensors the caller gives, e.g. centres and colours, for export)."""

    def __init__(self, budget: int = DEFAULT_BUDGET, min_new: float = MIN_NEW_SHARE):
        if budget <= 0:
            raise ValueError("the splat budget must be positive")
        self.budget, self.min_new = budget, min_new
        self.voxel: float | None = None
        self.keys = self.keyframe = self.pixel = self.confidence = None
        self.attributes: dict[str, torch.Tensor] = {}
        self.slots: dict[int, int] = {}  # keyframe → its crop's pixel count, oldest first

    def __len__(self) -> int:
        return 0 if self.keys is None else len(self.keys)

    @property
    def total_slots(self) -> int:
        return sum(self.slots.values())

    def set_voxel(self, median_depth: float, focal: float) -> None:
        self.voxel = VOXEL_FOOTPRINTS * median_depth / focal

    def add(self, keyframe: int, width: int, points: torch.Tensor, pixel: torch.Tensor, confidence: torch.Tensor,
            attributes: dict[str, torch.Tensor]) -> Added:
        """Fuses one keyframe's candidate splats: world ``points`` (N, 3), their ``pixel`` in its grid
        (``width`` pixels a row), ``confidence`` (N,) and ``attributes`` (name → (N, ...)). A keyframe
        whose new splats are fewer than ``min_new`` of its candidates changes nothing (the first one
        is always taken)."""
        if self.voxel is None:
            raise RuntimeError("set_voxel first: the voxel size comes from the first keyframe")
        keys = voxel_keys(points, self.voxel)
        unique, inverse = torch.unique(keys, return_inverse=True)
        best = torch.full((len(unique),), -torch.inf, device=keys.device).scatter_reduce(
            0, inverse, confidence.float(), "amax")
        kept = torch.ones(len(keys), dtype=torch.bool, device=keys.device)
        replaced = None
        if len(self):
            old_keys, old_best = self._voxel_best()
            slot = torch.searchsorted(old_keys, unique).clamp(max=len(old_keys) - 1)
            found = old_keys[slot] == unique
            take = ~found | (best > old_best[slot] * REPLACE_MARGIN)
            kept = take[inverse]
            if int(kept.sum()) < self.min_new * len(keys):
                return Added(kept=torch.zeros_like(kept))
            replaced = torch.isin(self.keys, unique[found & take])
        if not kept.any():
            return Added(kept=kept)
        kept, crop = _crop(kept, pixel, width)
        if not kept.any():
            return Added(kept=kept)
        row, col = pixel[kept] // width, pixel[kept] % width
        x0, y0 = crop[:2]
        added = Added(kept=kept, crop=crop)
        if replaced is not None:
            added.removed = self._split_by_keyframe(replaced)
            self._keep(~replaced)
        self._append(keys[kept], torch.full((len(row),), keyframe, dtype=torch.int32, device=keys.device),
                     ((row - y0) * crop[2] + col - x0).int(), confidence[kept].float(),
                     {k: v[kept] for k, v in attributes.items()})
        self.slots[keyframe] = crop[2] * crop[3]
        added.evicted = self._evict(protect=keyframe)
        for evicted in added.evicted:
            added.removed.pop(evicted, None)
        return added

    def _voxel_best(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The occupied voxels' keys, in order, and the best confidence in each (one pass over the scene)."""
        keys, inverse = torch.unique_consecutive(self.keys, return_inverse=True)
        return keys, torch.full((len(keys),), -torch.inf, device=self.keys.device).scatter_reduce(
            0, inverse, self.confidence, "amax")

    def _split_by_keyframe(self, mask: torch.Tensor) -> dict[int, torch.Tensor]:
        """The pixels under ``mask``, by keyframe (one host sync for the keyframe ids)."""
        keyframes, pixels = self.keyframe[mask], self.pixel[mask]
        return {int(k): pixels[keyframes == k] for k in torch.unique(keyframes).tolist()}

    def _evict(self, protect: int) -> list[int]:
        """Oldest first while over budget, and any keyframe left without splats (never ``protect``, the
        keyframe just added, unless it alone is over the budget)."""
        present = set(torch.unique(self.keyframe).tolist()) if len(self) else set()
        evicted = [k for k in self.slots if k not in present and k != protect]
        for k in evicted:
            del self.slots[k]
        while self.total_slots > self.budget and len(self.slots) > 1:
            oldest = next(iter(self.slots))
            del self.slots[oldest]
            evicted.append(oldest)
            self._keep(self.keyframe != oldest)
        return evicted

    def _keep(self, mask: torch.Tensor) -> None:
        self.keys, self.keyframe, self.pixel, self.confidence = (
            self.keys[mask], self.keyframe[mask], self.pixel[mask], self.confidence[mask])
        self.attributes = {k: v[mask] for k, v in self.attributes.items()}

    def _append(self, keys, keyframe, pixel, confidence, attributes) -> None:
        if self.keys is None:
            self.keys, self.keyframe, self.pixel, self.confidence, self.attributes = (
                keys, keyframe, pixel, confidence, attributes)
            self._keep(torch.argsort(self.keys, stable=True))
            return
        order = merged_order(self.keys, keys)
        self.keys, self.keyframe, self.pixel, self.confidence = (
            torch.cat([self.keys, keys]), torch.cat([self.keyframe, keyframe]), torch.cat([self.pixel, pixel]),
            torch.cat([self.confidence, confidence]))
        self.attributes = {k: torch.cat([v, attributes[k]]) for k, v in self.attributes.items()}
        self._keep(order)


def merged_order(old: torch.Tensor, new: torch.Tensor) -> torch.Tensor:
    """``argsort(cat([old, new]), stable=True)`` for sorted ``old`` keys: only the (small) new part is
    sorted and binary-searched into the old, and the old fill the other places in their order, instead
    of the whole scene being sorted again for every keyframe. Among equal keys the old come first, as
    in a stable sort."""
    new_order = torch.argsort(new, stable=True)
    new_sorted = new[new_order]
    places = torch.arange(len(new), device=new.device) + torch.searchsorted(old, new_sorted, right=True)
    order = torch.empty(len(old) + len(new), dtype=torch.long, device=old.device)
    order[places] = len(old) + new_order
    for_old = torch.ones(len(order), dtype=torch.bool, device=old.device)
    for_old[places] = False
    order[for_old] = torch.arange(len(old), device=old.device)
    return order


def _crop(kept: torch.Tensor, pixel: torch.Tensor, width: int) -> tuple[torch.Tensor, tuple[int, int, int, int]]:
    """The box of the kept splats' pixels, and the kept splats in it. A box less than CROP_FILL full
    (new splats scattered, e.g. along both edges of a turn) shrinks to the central share CROP_CORE
    of their rows and columns; if that is still less than CROP_FILL full, the new splats are a
    sprinkle over surfaces already there and none is kept. Splats left out wait for a later keyframe
    (their voxels stay free), and the viewer's slots go to splats instead of empty pixels."""
    index = torch.nonzero(kept).squeeze(1)
    row, col = pixel[index] // width, pixel[index] % width

    def box(lo: float, hi: float) -> tuple[int, int, int, int]:
        (r0, r1), (c0, c1) = (_quantiles(values, lo, hi) for values in (row, col))
        return c0, r0, c1 - c0 + 1, r1 - r0 + 1

    x0, y0, w, h = box(0.0, 1.0)
    if len(index) < CROP_FILL * w * h:
        x0, y0, w, h = box((1 - CROP_CORE) / 2, (1 + CROP_CORE) / 2)
        outside = (col < x0) | (col >= x0 + w) | (row < y0) | (row >= y0 + h)
        kept = kept.clone()
        kept[index[outside]] = False
        if len(index) - int(outside.sum()) < CROP_FILL * w * h:
            kept[:] = False
    return kept, (x0, y0, w, h)


def _quantiles(values: torch.Tensor, lo: float, hi: float) -> tuple[int, int]:
    """The ``lo`` and ``hi`` quantiles of integer ``values`` (by rank, as kthvalue: exact and cheap)."""
    n, values = len(values), values.float()  # rows and columns < 4096: exact in float32, on every device
    rank = lambda q: min(max(int(q * (n - 1)) + 1, 1), n)  # noqa: E731
    return int(values.kthvalue(rank(lo)).values), int(values.kthvalue(rank(hi)).values)
