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


def test_cap_is_exact_deterministic_even_and_enlarges_survivors():
    splats = grid_splats(60, 80)
    first = apply_budget(splats, Budget(max_splats=1200))
    second = apply_budget(splats, Budget(max_splats=1200))
    assert len(first) == 1200 and torch.equal(first.pixel, second.pixel)
    assert torch.all(first.pixel[1:] > first.pixel[:-1])  # still in pixel order
    assert torch.allclose(first.scales, torch.full_like(first.scales, 0.01 * math.sqrt(4800 / 1200)))
    rows = torch.bincount(first.pixel // 80, minlength=60)  # every row keeps about a quarter
    assert rows.min() >= 10 and rows.max() <= 30


def test_cap_of_zero_and_no_cap():
    splats = grid_splats()
    assert len(apply_budget(splats, Budget(max_splats=0))) == 0
    assert len(apply_budget(splats, Budget(max_splats=10**6))) == 600


def random_splats(rng: random.Random, gen: torch.Generator) -> SplatSet:
    """A frame with every kind of trouble: NaN/inf centres, negative z, NaN confidences, faint splats,
    and pixels either the full grid or a sorted subset of it (as after an earlier selection)."""
    height, width = rng.choice([1, 2, 7, 16, 33]), rng.choice([1, 3, 10, 32, 41])
    pixel = torch.arange(height * width)
    if rng.random() < 0.5:
        pixel = torch.randperm(height * width, generator=gen)[:rng.randint(0, height * width)].sort().values
    count = rng.choice([0, 1, len(pixel)]) if rng.random() < 0.2 else len(pixel)
    pixel = pixel[:count]
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
                    sh_rest=torch.randn(count, 3, 3, generator=gen) if rng.random() < 0.3 else None,
                    height=height, width=width)


def bits(tensor: torch.Tensor) -> torch.Tensor:
    """Raw bits, so that NaN payloads (kept confidences) and signed zeros compare too."""
    return tensor.view(torch.int32) if tensor.dtype == torch.float32 else tensor


def assert_same(got: SplatSet, want: SplatSet):
    assert (got.height, got.width) == (want.height, want.width)
    for name in ("centers", "scales", "quats_xyzw", "opacities", "rgb", "pixel", "confidence", "sh_rest"):
        a, b = getattr(got, name), getattr(want, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.dtype == b.dtype and torch.equal(bits(a), bits(b)), name


def selected(splats: SplatSet, keep: torch.Tensor, count: torch.Tensor, enlarge: torch.Tensor) -> SplatSet:
    """What budget_selection's outputs stand for, checked against their promised form."""
    assert keep.dtype == torch.bool and keep.shape == (len(splats),) and count.dtype == torch.int64
    assert count.shape == enlarge.shape == () and enlarge.dtype == torch.float32
    result = splats.select(keep)
    result.scales = result.scales * enlarge
    assert count.item() == len(result)
    return result


def graph_version(splats: SplatSet, budget: Budget) -> SplatSet:
    return selected(splats, *budget_selection(splats, budget_limits(budget, splats.height, splats.width)))


def test_budget_selection_matches_apply_budget_bit_for_bit():
    rng, gen = random.Random(0), torch.Generator().manual_seed(0)
    # Every combination of quantiles, border and opacity three times, on random frames, with caps
    # around the pruned count.
    combos = list(itertools.product([0.0, 0.02, 0.5, 0.98, 1.0], [0.0, 0.02, 0.5, 0.98, 1.0],
                                    [0.0, 8 / 256, 0.25], [0.0, 1 / 255])) * 3
    rng.shuffle(combos)
    cases, capped, sizes = 0, 0, set()
    for start in range(0, len(combos), 6):
        splats = random_splats(rng, gen)
        sizes.add(len(splats))
        for q_conf, q_depth, border, min_opacity in combos[start:start + 6]:
            pruned = int(prune_mask(splats, Budget(min_confidence_quantile=q_conf, border=border,
                                                   max_depth_quantile=q_depth, min_opacity=min_opacity)).sum())
            for max_splats in {None, 0, 1, max(pruned - 1, 0), pruned // 3, pruned, pruned + 1}:
                budget = Budget(max_splats, q_conf, border, q_depth, min_opacity)
                assert_same(graph_version(splats, budget), apply_budget(splats, budget))
                cases += 1
                capped += max_splats is not None and 0 < max_splats < pruned
    assert cases > 1500 and capped > 250 and {0, 1} <= sizes


def test_budget_selection_ranks_quantiles_in_double_like_apply_budget():
    # 0.07 * 100 is 7.000000000000001 in double, so the rank is 8 (7 in float32 or exact arithmetic).
    splats = grid_splats(10, 10)
    for budget, kept in ((Budget(min_confidence_quantile=0.07), 93), (Budget(max_depth_quantile=0.07), 8)):
        want = apply_budget(splats, budget)
        assert len(want) == kept
        assert_same(graph_version(splats, budget), want)


def to_device(splats: SplatSet, device) -> SplatSet:
    tensors = {f.name: getattr(splats, f.name) for f in dataclasses.fields(splats)}
    return dataclasses.replace(splats, **{name: t.to(device) for name, t in tensors.items()
                                          if isinstance(t, torch.Tensor)})


def test_budget_selection_takes_new_limits_without_retracing():
    splats = grid_splats(60, 80)
    splats.centers[:, 2] = torch.rand(4800, generator=torch.Generator().manual_seed(1)) + 0.5
    budgets = [Budget(1200, 0.02, 8 / 256, 0.95), Budget(None, 0.5), Budget(0), Budget(4000, border=0.25)]
    limits = budget_limits(budgets[0], 60, 80)  # one buffer, refilled in place as a graph's input would be
    for budget in budgets * 2:
        limits.copy_(budget_limits(budget, 60, 80))
        assert_same(selected(splats, *budget_selection(splats, limits)), apply_budget(splats, budget))
    # Meta tensors have shapes but no values: any .item(), branch on a value or data-dependent shape raises.
    keep, count, enlarge = budget_selection(to_device(splats, "meta"), limits.to("meta"))
    assert keep.shape == (4800,) and count.shape == enlarge.shape == ()
    with pytest.raises(RuntimeError):
        prune_mask(to_device(splats, "meta"), GAUSSIANS_BUDGET)  # the reference does sync


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_budget_selection_replays_in_a_cuda_graph():
    splats = grid_splats(60, 80)
    splats.centers[:, 2] = torch.rand(4800, generator=torch.Generator().manual_seed(2)) + 0.5
    splats = to_device(splats, "cuda")
    budgets = [Budget(1200, 0.02, 8 / 256, 0.95), Budget(None, 0.5, 0.25, 0.5), Budget(0), Budget(4000)]
    limits = budget_limits(budgets[0], 60, 80).cuda()
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
        keep, count, enlarge = budget_selection(splats, limits)
    for budget in budgets:
        limits.copy_(budget_limits(budget, 60, 80))
        graph.replay()
        assert_same(selected(splats, keep, count, enlarge), apply_budget(splats, budget))
