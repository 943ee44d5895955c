"""How far a small relative depth error moves the depth plane's 16-bit codes: the share of codes within
one step of the reference, on a realistic depth range (the synthetic room) and on random weights' (the
worst case).

    python bench/depth_steps.py [--errors 1e-5,2e-5,3.8e-5,1e-4,1e-3]

Issue 12's accuracy bar asks ≥ 99 % of each wire plane's values within one step of the reference. The
depth plane quantises inverse depth over the frame's own [near, far] in 65534 steps (docs/wire-format.md),
so one step is ``z · (z / near − z / far) / 65534`` of a depth z: finest at the near end, and finer the
narrower the range. Each row perturbs the reference depth by independent relative errors of the given
RMS (the tuned path's measured relative L2 error is of that kind: 3.8e-5 for giant on an H200,
docs/benchmarks.md) and encodes both through the live quantiser (``planes.frame_from_arrays``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from bench.scenes import room  # noqa: E402
from splat_core import accuracy  # noqa: E402
from splat_core.frames import prepare  # noqa: E402
from splat_core.inference import run_network  # noqa: E402
from splat_core.models import load_model  # noqa: E402
from splat_core.planes import frame_from_arrays  # noqa: E402
from splat_core.wire import Camera  # noqa: E402


def random_weight_depth() -> tuple[np.ndarray, np.ndarray, Camera]:
    """The tiny model's depth for a webcam-like frame, random weights (seeded): a narrow range."""
    torch.manual_seed(0)
    model = load_model("tiny", "random", "cpu")
    x, rgb = prepare(webcam_like_frame(), 504, model.device)
    out = run_network(model, x, want_gaussians=False)
    k = out.intrinsics.double()
    height, width = out.depth.shape
    camera = Camera(width, height, float(k[0, 0]), float(k[1, 1]), float(k[0, 2]), float(k[1, 2]))
    return out.depth.double().numpy(), (rgb.numpy() * 255).round().astype(np.uint8), camera


def depth_share(depth: np.ndarray, rgb: np.ndarray, camera: Camera, error: float, rng) -> float:
    perturbed = depth * (1 + error * rng.standard_normal(depth.shape))
    reference, got = (frame_from_arrays(d, rgb, camera) for d in (depth, perturbed))
    return accuracy.within_one_step(got, reference)["depth"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", default="1e-5,2e-5,3.8e-5,1e-4,1e-3")
    args = parser.parse_args()
    errors = [float(e) for e in args.errors.split(",")]
    scene = room()
    scenes = {"synthetic room": (scene.depth, scene.rgb, scene.camera), "random weights (tiny)": random_weight_depth()}
    print("| depth | range (m) | near-end step | " + " | ".join(f"RMS {e:.1e}" for e in errors) + " |")
    print("|---|---|---|" + "---|" * len(errors))
    rng = np.random.default_rng(0)
    for name, (depth, rgb, camera) in scenes.items():
        near, far = float(depth.min()), float(depth.max())
        step = near * (1 / near - 1 / far) / 65534
        shares = [depth_share(depth, rgb, camera, e, rng) for e in errors]
        print(f"| {name} | {near:.4g}–{far:.4g} | {step:.1e} | " + " | ".join(f"{s:.1%}" for s in shares) + " |")


if __name__ == "__main__":
    main()
