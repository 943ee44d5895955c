import math

import torch

from splat_core.budget import Budget, apply_budget, prune_mask
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
