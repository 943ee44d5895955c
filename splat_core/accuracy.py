"""How close the tuned fast path comes to the reference: the accuracy bar it is held to.

The tuned path (``fast.FastNetwork(tuned=True)``: fused, compiled kernels) rounds differently from DA3's
own forward. On the same weights and inputs it must stay within (issue 12):

- relative L2 error ≤ 1e-3 for depth, splat centres and scales;
- absolute error ≤ 2/255 for opacities and colours;
- for what reaches the browser, ≥ 99 % of the quantised values of each wire plane within one step.

tests/test_fast.py checks it on the CPU with the tiny model, bench/bench_fast.py on the GPU.
"""

from __future__ import annotations

import numpy as np
import torch

from .splats import SplatSet
from .wire import decode_frame, decode_planes

MAX_REL_L2 = 1e-3
MAX_ABS = 2 / 255
MIN_WITHIN_ONE_STEP = 0.99


def splat_errors(got: SplatSet, ref: SplatSet) -> dict[str, float]:
    """Relative L2 errors of depth, centres and scales; largest absolute errors of opacities and colours."""
    def rel_l2(a: torch.Tensor, b: torch.Tensor) -> float:
        return ((a - b).norm() / b.norm().clamp_min(1e-12)).item()

    return {"depth": rel_l2(got.centers[:, 2], ref.centers[:, 2]), "centres": rel_l2(got.centers, ref.centers),
            "scales": rel_l2(got.scales, ref.scales),
            "opacities": (got.opacities - ref.opacities).abs().max().item(),
            "colours": (got.rgb - ref.rgb).abs().max().item()}


def step_differences(got: bytes, ref: bytes) -> dict[str, np.ndarray]:
    """For each plane of two wire frames of one grid, how many steps apart each value is (codes, or
    colour levels of a JPEG plane)."""
    planes_got, planes_ref = decode_planes(decode_frame(got)), decode_planes(decode_frame(ref))
    if planes_got.keys() != planes_ref.keys():
        raise ValueError(f"planes differ: {sorted(planes_got)} against {sorted(planes_ref)}")
    steps = {}
    for name, values in planes_ref.items():
        if planes_got[name].shape != values.shape:
            raise ValueError(f"plane {name!r} is {planes_got[name].shape}, the reference's {values.shape}")
        steps[name] = np.abs(planes_got[name].astype(np.int64) - values.astype(np.int64))
    return steps


def within_one_step(got: bytes, ref: bytes) -> dict[str, float]:
    """For each plane, the share of its values at most one step from the reference's."""
    return {name: float((steps <= 1).mean()) for name, steps in step_differences(got, ref).items()}


def failures(errors: dict[str, float], shares: dict[str, float]) -> list[str]:
    """What is outside the bar, in words (empty when everything is within it)."""
    out = [f"{name} relative L2 error {errors[name]:.1e} > {MAX_REL_L2:.0e}"
           for name in ("depth", "centres", "scales") if errors[name] > MAX_REL_L2]
    out += [f"{name} absolute error {errors[name] * 255:.2f}/255 > 2/255"
            for name in ("opacities", "colours") if errors[name] > MAX_ABS]
    out += [f"plane {name}: {share:.2%} of values within one step < 99 %"
            for name, share in shares.items() if share < MIN_WITHIN_ONE_STEP]
    return out
