"""Reference (eager DA3 forward) and fast path (CUDA graphs) side by side, from one run on one card.

    python bench/bench_fast.py [--reps 30]

Both paths get the same random weights and the same JPEG. Each row times JPEG bytes in → wire frame
bytes on the host (decode, preprocess, network, splats, pruning, quantisation, copy, compression): the
reference is eager ``reconstruct`` + ``encode_reconstruction``, the fast path ``live_frames`` (the app's
live path), both at full detail. It checks the fast path against the reference: relative L2 error of
depth and centres from the network, and the share of identical plane values (every plane decoded),
with every pixel kept and with the app's live pruning.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from splat_core.budget import Budget  # noqa: E402
from splat_core.fast import FastNetwork  # noqa: E402
from splat_core.models import MODELS, LoadedModel, build_network  # noqa: E402
from splat_core.pipeline import LIVE, default_budget, encode_reconstruction, live_frames, reconstruct  # noqa: E402
from splat_core.wire import decode_frame, decode_planes  # noqa: E402

NO_PRUNING = Budget(min_opacity=0.0)


def frame_from_jpeg(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def run_reference(model, jpeg: bytes, mode: str, budget: Budget | None = None) -> bytes:
    return encode_reconstruction(reconstruct(model, frame_from_jpeg(jpeg), mode, budget=budget), detail=LIVE)


def run_fast(model, jpeg: bytes, mode: str) -> bytes:
    return live_frames(model, [frame_from_jpeg(jpeg)], mode, [0])[0]


def identical_values(a: bytes, b: bytes) -> float:
    """The share of equal values over every plane of two frames of the same grid (0 if the grids differ)."""
    planes_a, planes_b = decode_planes(decode_frame(a)), decode_planes(decode_frame(b))
    if planes_a.keys() != planes_b.keys() or any(planes_a[k].shape != planes_b[k].shape for k in planes_a):
        return 0.0
    equal = sum(int((planes_a[k] == planes_b[k]).sum()) for k in planes_a)
    return equal / sum(planes_a[k].size for k in planes_a)


def time_ms(fn, reps: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples)


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).norm() / b.norm().clamp_min(1e-12)).item()


def accuracy(ref_model, fast_model, jpeg: bytes, mode: str) -> dict:
    image = frame_from_jpeg(jpeg)
    ref = reconstruct(ref_model, image, mode, budget=NO_PRUNING).splats
    fast = reconstruct(fast_model, image, mode, budget=NO_PRUNING).splats
    everything = identical_values(run_reference(ref_model, jpeg, mode, NO_PRUNING),
                                  encode_reconstruction(reconstruct(fast_model, image, mode, budget=NO_PRUNING),
                                                        detail=LIVE))
    live = identical_values(run_reference(ref_model, jpeg, mode, default_budget(mode)), run_fast(fast_model, jpeg, mode))
    return {"depth": rel_err(fast.centers[:, 2], ref.centers[:, 2]),
            "centres": rel_err(fast.centers, ref.centers),
            "scales": rel_err(fast.scales, ref.scales),
            "values_identical": everything, "values_identical_live": live}


def models_for(name: str):
    """The same random weights behind a reference model and a fast one."""
    spec = MODELS[name]
    net = build_network(spec).eval().requires_grad_(False).cuda()
    reference = LoadedModel(net=net, spec=spec, device=torch.device("cuda"))
    fast_net = build_network(spec).eval().requires_grad_(False).cuda()
    fast_net.load_state_dict(net.state_dict())
    fast = LoadedModel(net=fast_net, spec=spec, device=torch.device("cuda"), fast=FastNetwork(fast_net))
    return reference, fast


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    buffer = io.BytesIO()
    Image.fromarray(webcam_like_frame()).save(buffer, format="JPEG", quality=90)
    jpeg = buffer.getvalue()
    print(f"### {torch.cuda.get_device_name()}, torch {torch.__version__}, 640×480 JPEG ({len(jpeg) // 1024} KB) "
          f"→ 504×378, median of {args.reps}\n")
    print("| model, mode | reference ms | fast ms | depth rel. err | centre rel. err | scale rel. err | "
          "identical plane values (all pixels / live pruning) | fast stages (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, mode in [("giant", "gaussians"), ("base", "points"), ("small", "points")]:
        reference, fast = models_for(name)
        reference_ms = time_ms(lambda: run_reference(reference, jpeg, mode), args.reps)
        decode = time_ms(lambda: frame_from_jpeg(jpeg), args.reps)
        fast_ms = time_ms(lambda: run_fast(fast, jpeg, mode), args.reps)
        check = accuracy(reference, fast, jpeg, mode)
        stages = decode_frame(run_fast(fast, jpeg, mode)).timings_ms
        print(f"| {name}, {mode} | {reference_ms:.1f} | {fast_ms:.1f} | {check['depth']:.1e} | "
              f"{check['centres']:.1e} | {check['scales']:.1e} | {check['values_identical']:.2%} / "
              f"{check['values_identical_live']:.2%} | "
              f"decode {decode:.1f}, " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()) + " |",
              flush=True)
        del reference, fast
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
