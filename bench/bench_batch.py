"""Throughput of batched live frames (concurrent sessions sharing network passes) on one GPU.

    python bench/bench_batch.py [--reps 20]

For each batch size B, B different 640×480 frames go through ``live_frames`` (the app's live path: one
CUDA graph for the batch) into B wire frames; prints frames per second and per-batch latency.
Random weights, full detail (504×378 grids, the live pruning).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_fast import time_ms  # noqa: E402
from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from splat_core.models import load_model  # noqa: E402
from splat_core.pipeline import live_frames  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    print(f"### {torch.cuda.get_device_name()}, torch {torch.__version__}, fast path (CUDA graphs)\n")
    print("| model, mode | batch | ms per batch | frames/s |")
    print("|---|---|---|---|")
    for name, mode in [("giant", "gaussians"), ("base", "points")]:
        model = load_model(name, "random", "cuda")
        for batch in (1, 2, 4, 8):
            images = [webcam_like_frame(seed) for seed in range(batch)]

            def step():
                live_frames(model, images, mode, list(range(batch)))

            ms = time_ms(step, args.reps)
            print(f"| {name}, {mode} | {batch} | {ms:.1f} | {batch * 1000 / ms:.0f} |", flush=True)
        del model
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
