import dataclasses
import itertools
import math
import random

import pytest
import torch

from splat_core.budget import (GAUSSIANS_BUDGET, Budget, apply_budget, budget_limits, budget_selection,
                               prune_mask)
from splat_core.splats import SplatSet


def grid_splats(height=20, width=30, depth=None):
    count = height * width
    depth = torch.linspace(1.0, 2.0, count) if depth is None else depth
    centers = torch.stack([torch.zeros(count), torch.zeros(count), depth], -1)
    return SplatSet(centers=centers, scales=torch.full((count, 3), 0.01),
                    quats_xyzw=torch.tensor([0.0, 0, 0, 1]).expand(count, 4), opacities=torch.ones(count),
                    rgb=torch.full((count, 3), 0.5), pixel=torch.arange(count),
                    confidence=torch.linspace(1.0, 5.0, count), height=height, width=width)


def test_non_finite_and_behind_camera_splats_never_survive():
    splats = grid_splats()
    splats.centers[3, 0] = math.nan
    splats.scales[4, 1] = math.inf
    splats.rgb[5, 2] = -math.inf
    splats.opacities[6] = math.nan
    splats.centers[7, 2] = -1.0
    kept = apply_budget(splats, Budget())
    assert len(kept) == len(splats) - 5
    assert not set(kept.pixel.tolist()) & {3, 4, 5, 6, 7}
    assert all(torch.isfinite(t).all() for t in (kept.centers, kept.scales, kept.rgb, kept.opacities))


def test_border_depth_confidence_and_opacity_pruning():
    faint = grid_splats()
    faint.opacities[100] = 0.001
    assert not prune_mask(faint, Budget())[100] and prune_mask(faint, Budget()).sum() == 599
    splats = grid_splats()
    border = prune_mask(splats, Budget(border=0.1)).reshape(20, 30)
    assert not border[:2].any() and not border[-2:].any() and not border[:, :3].any() and border[2:-2, 3:-3].all()
    deep = prune_mask(splats, Budget(max_depth_quantile=0.9))
    assert splats.centers[deep, 2].max() <= torch.quantile(splats.centers[:, 2], 0.9) + 1e-6
    assert abs(deep.sum().item() - 0.9 * 600) <= 2
    sure = prune_mask(splats, Budget(min_confidence_quantile=0.25))
    assert abs(sure.sum().item() - 0.75 * 600) <= 2 and not sure[:100].any()


def random_splats(rng: random.Random, gen: torch.Generator) -> SplatSet:
    """A frame with every kind of trouble: NaN/inf centres, negative z, NaN confidences, faint splats,
    and pixels either the full grid or a sorted subset of it (as after an earlier selection)."""
    height, width = rng.choice([1, 2, 7, 16, 33]), rng.choice([1, 3, 10, 32, 41])
    pixel = torch.arange(height * width)
    if rng.random() < 0.5:
        pixel = torch.randperm(height * width, generator=gen)[:rng.randint(0, height * width)].sort().values
    if rng.random() < 0.2:  # at most one splat
        pixel = pixel[:rng.choice([0, 1])]
    count = len(pixel)
    centers = torch.randn(count, 3, generator=gen)
    centers[:, 2] = centers[:, 2].abs() * rng.choice([1.0, 1e-3, 10.0]) - 0.2  # some behind the camera
    if rng.random() < 0.3:  # repeated depths: ties at the quantile
        centers[:, 2] = centers[:, 2].round()
    for bad in (math.nan, math.inf, -math.inf):
        centers[torch.rand(count, generator=gen) < 0.03, rng.randrange(3)] = bad
    confidence = torch.rand(count, generator=gen) * 5
    confidence[torch.rand(count, generator=gen) < 0.05] = math.nan
    opacities = torch.rand(count, generator=gen)
    edge = torch.tensor(1 / 255, dtype=torch.float32)  # exactly at and around the threshold
    for i, value in zip(torch.randint(0, max(count, 1), (3,), generator=gen).tolist(),
                        (edge, edge.nextafter(torch.tensor(0.0)), edge.nextafter(torch.tensor(1.0)))):
        if i < count:
            opacities[i] = value
    return SplatSet(centers=centers, scales=torch.rand(count, 3, generator=gen) * 0.1,
                    quats_xyzw=torch.randn(count, 4, generator=gen), opacities=opacities,
                    rgb=torch.rand(count, 3, generator=gen), pixel=pixel,
                    confidence=confidence if rng.random() < 0.9 else None,
                    height=height, width=width)


def graph_mask(splats: SplatSet, limits: torch.Tensor) -> torch.Tensor:
    """budget_selection's mask, checked against its promised form."""
    keep = budget_selection(splats, limits)
    assert keep.dtype == torch.bool and keep.shape == (len(splats),)
    return keep


def test_budget_selection_matches_prune_mask_bit_for_bit():
    rng, gen = random.Random(0), torch.Generator().manual_seed(0)
    # Every combination of quantiles, border and opacity eight times, on random frames.
    combos = list(itertools.product([0.0, 0.02, 0.5, 0.98, 1.0], [0.0, 0.02, 0.5, 0.98, 1.0],
                                    [0.0, 8 / 256, 0.25], [0.0, 1 / 255])) * 8
    rng.shuffle(combos)
    sizes, kept = set(), set()
    for start in range(0, len(combos), 6):
        splats = random_splats(rng, gen)
        sizes.add(len(splats))
        for budget in (Budget(*combo) for combo in combos[start:start + 6]):
            want = prune_mask(splats, budget)
            assert torch.equal(graph_mask(splats, budget_limits(budget, splats.height, splats.width)), want)
            kept.add(min(int(want.sum()), 2))
    # Frames of 0 and 1 splats came up, and selections that keep nothing, one or several splats.
    assert {0, 1} <= sizes and kept == {0, 1, 2}


def test_budget_selection_ranks_quantiles_in_double_like_prune_mask():
    # 0.07 * 100 is 7.000000000000001 in double, so the rank is 8 (7 in float32 or exact arithmetic).
    splats = grid_splats(10, 10)
    for budget, kept in ((Budget(min_confidence_quantile=0.07), 93), (Budget(max_depth_quantile=0.07), 8)):
        want = prune_mask(splats, budget)
        assert want.sum() == kept
        assert torch.equal(graph_mask(splats, budget_limits(budget, 10, 10)), want)


# Limits a live graph is replayed with: each prunes differently (the tests check they do).
BUDGETS = [GAUSSIANS_BUDGET, Budget(0.5), Budget(border=0.25, max_depth_quantile=0.5), Budget(min_opacity=0.0)]


def to_device(splats: SplatSet, device) -> SplatSet:
    tensors = {f.name: getattr(splats, f.name) for f in dataclasses.fields(splats)}
    return dataclasses.replace(splats, **{name: t.to(device) for name, t in tensors.items()
                                          if isinstance(t, torch.Tensor)})


def test_budget_selection_takes_new_limits_without_retracing():
    splats = grid_splats(60, 80)
    splats.centers[:, 2] = torch.rand(4800, generator=torch.Generator().manual_seed(1)) + 0.5
    assert len({int(prune_mask(splats, budget).sum()) for budget in BUDGETS}) == len(BUDGETS)
    limits = budget_limits(BUDGETS[0], 60, 80)  # one buffer, refilled in place as a graph's input would be
    for budget in BUDGETS * 2:
        limits.copy_(budget_limits(budget, 60, 80))
        assert torch.equal(graph_mask(splats, limits), prune_mask(splats, budget))
    # Meta tensors have shapes but no values: any .item(), branch on a value or data-dependent shape raises.
    keep = budget_selection(to_device(splats, "meta"), limits.to("meta"))
    assert keep.shape == (4800,) and keep.dtype == torch.bool
    with pytest.raises(RuntimeError):
        prune_mask(to_device(splats, "meta"), GAUSSIANS_BUDGET)  # the reference does sync


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_budget_selection_replays_in_a_cuda_graph():
    splats = grid_splats(60, 80)
    splats.centers[:, 2] = torch.rand(4800, generator=torch.Generator().manual_seed(2)) + 0.5
    splats = to_device(splats, "cuda")
    limits = budget_limits(BUDGETS[0], 60, 80).cuda()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):  # warm up on a side stream before capture, as torch.cuda.graphs asks
        torch.cuda.set_sync_debug_mode("error")
        try:
            budget_selection(splats, limits)
        finally:
            torch.cuda.set_sync_debug_mode("default")
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        keep = budget_selection(splats, limits)
    for budget in BUDGETS:
        limits.copy_(budget_limits(budget, 60, 80))
        graph.replay()
        assert torch.equal(keep, prune_mask(splats, budget))
