"""The fast path against DA3's reference path, on the CPU with the tiny config (random weights).

On CUDA the fast path replays the same forward from CUDA graphs (bench/bench_fast.py checks the same
figures there); here it runs eagerly with its cached per-size constants.
"""

import numpy as np
import pytest
import torch

from splat_core.budget import Budget
from splat_core.fast import FastNetwork
from splat_core.models import load_model
from splat_core.pack import pack_splats
from splat_core.pipeline import reconstruct

NO_PRUNING = Budget(min_opacity=0.0)


@pytest.fixture(scope="module")
def reference_and_fast(tiny_model):
    reference = load_model("tiny", "random", "cpu", fast=False)
    reference.net.load_state_dict(tiny_model.net.state_dict())
    assert reference.fast is None and isinstance(tiny_model.fast, FastNetwork)
    return reference, tiny_model


def rel_err(a, b):
    return ((a - b).norm() / b.norm()).item()


def words(splats):
    return pack_splats(splats.centers, splats.scales, splats.quats_xyzw, splats.opacities, splats.rgb)


@pytest.mark.parametrize("mode", ["gaussians", "points"])
def test_fast_path_matches_the_reference_path(reference_and_fast, webcam_frame, mode):
    reference, fast = reference_and_fast
    for frame in (webcam_frame, webcam_frame[::-1, ::-1].copy()):  # second call hits the caches
        ref = reconstruct(reference, frame, mode, budget=NO_PRUNING).splats
        got = reconstruct(fast, frame, mode, budget=NO_PRUNING).splats
        assert len(got) == len(ref) == 190_512
        assert rel_err(got.centers[:, 2], ref.centers[:, 2]) <= 1e-2  # depth
        assert rel_err(got.centers, ref.centers) <= 1e-2
        for name in ("scales", "quats_xyzw", "opacities", "rgb"):
            assert rel_err(getattr(got, name), getattr(ref, name)) <= 1e-3, name
        identical = (words(got) == words(ref)).to(torch.float32).mean().item()
        assert identical >= 0.99, f"{identical:.2%} of packed words identical"


def test_cached_constants_follow_the_input_size(reference_and_fast):
    """A new processing size must not reuse another size's positional embedding or RoPE grid."""
    reference, fast = reference_and_fast
    image = np.random.default_rng(2).integers(0, 255, (300, 500, 3), np.uint8)
    for res in (280, 336):
        ref = reconstruct(reference, image, "points", res, NO_PRUNING).splats
        got = reconstruct(fast, image, "points", res, NO_PRUNING).splats
        assert torch.allclose(got.centers, ref.centers)
