"""Per-stage timings of the splat pipeline on one GPU, with DA3's own inference in the same run.

    python bench/bench_pipeline.py [--reps 20] [--json out.json]

Random weights (no hub access needed); one synthetic 640×480 frame, processed at 504×378. Prints a
Markdown table for docs/benchmarks.md. Each stage is timed with a device synchronise at its end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from splat_core.budget import Budget  # noqa: E402
from splat_core.models import MODELS, LoadedModel, load_model  # noqa: E402
from splat_core.pipeline import LIVE, encode_reconstruction, reconstruct  # noqa: E402
from splat_core.wire import decode_frame  # noqa: E402

STAGES = ["preprocess", "model", "extract", "budget", "quantise", "to_host", "compress"]


def webcam_like_frame(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:480, 0:640]
    frame = np.stack([x / 640 * 255, y / 480 * 255, 128 + 60 * np.sin(x / 40) * np.cos(y / 30)], -1)
    return (frame + rng.normal(0, 6, frame.shape)).clip(0, 255).astype(np.uint8)


def median_ms(samples):
    return statistics.median(samples)


def bench_pipeline(model, frame, mode, reps, warmup):
    budget = Budget(min_opacity=0.0)  # every splat: the 190,512 of a full frame
    per_stage = {stage: [] for stage in STAGES}
    totals, counts = [], []
    for i in range(warmup + reps):
        torch.cuda.synchronize()
        start = time.perf_counter()
        recon = reconstruct(model, frame, mode, budget=budget)
        data = encode_reconstruction(recon, detail=LIVE)
        total = (time.perf_counter() - start) * 1e3
        if i >= warmup:
            timings = decode_frame(data).timings_ms
            for stage in STAGES:
                per_stage[stage].append(timings[stage])
            totals.append(total)
            counts.append(int(recon.keep.sum()))
    row = {stage: median_ms(v) for stage, v in per_stage.items()}
    row["total"] = median_ms(totals)
    row["outside_model"] = median_ms([t - m for t, m in zip(totals, per_stage["model"])])
    row["splats"] = int(statistics.median(counts))
    return row


def bench_da3_reference(api, frame, reps, warmup):
    """DA3's public API on the same weights: DepthAnything3.inference(..., infer_gs=True)."""
    times = []
    for i in range(warmup + reps):
        torch.cuda.synchronize()
        start = time.perf_counter()
        pred = api.inference([frame], process_res=504, infer_gs=True)
        torch.cuda.synchronize()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1e3)
    assert pred.gaussians.means.shape[1] == 190_512
    return median_ms(times)


def da3_api():
    """DA3's API object for giant. Its module imports video/COLMAP exporters that inference never
    calls; where moviepy 1.x, pycolmap or trimesh is not installed (the GPU machine), a placeholder stands in."""
    import importlib
    import types

    for name in ("moviepy", "moviepy.editor", "pycolmap", "trimesh"):
        try:
            importlib.import_module(name)
        except ImportError:
            sys.modules[name] = types.ModuleType(name)
    from depth_anything_3.api import DepthAnything3

    return DepthAnything3(model_name="da3-giant").to("cuda").eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    frame = webcam_like_frame()
    card = torch.cuda.get_device_name()
    results = {"card": card, "torch": torch.__version__}

    api = da3_api()
    giant = LoadedModel(net=api.model, spec=MODELS["giant"], device=torch.device("cuda"))  # same weights
    results["giant_gaussians"] = bench_pipeline(giant, frame, "gaussians", args.reps, args.warmup)
    results["da3_inference_giant_gs_ms"] = bench_da3_reference(api, frame, args.reps, args.warmup)
    del giant, api
    torch.cuda.empty_cache()
    base = load_model("base", "random", "cuda")
    results["base_points"] = bench_pipeline(base, frame, "points", args.reps, args.warmup)

    print(f"\n### {card}, torch {torch.__version__}, median of {args.reps} frames (after {args.warmup} warm-up)\n")
    print("| stage (ms) | " + " | ".join(STAGES) + " | outside model | total | splats |")
    print("|---" * (len(STAGES) + 4) + "|")
    for key in ("giant_gaussians", "base_points"):
        row = results[key]
        cells = [f"{row[s]:.2f}" for s in STAGES + ["outside_model", "total"]] + [str(row["splats"])]
        print(f"| {key} | " + " | ".join(cells) + " |")
    print(f"\nDA3 `DepthAnything3.inference([frame], infer_gs=True)`, giant: {results['da3_inference_giant_gs_ms']:.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
