"""Throughput of batched live frames (concurrent sessions sharing network passes) on one GPU.

    python bench/bench_batch.py [--reps 20]

For each batch size B, B different 640×480 frames go through ``live_frames`` (the app's live path: one
CUDA graph for the batch) into B wire frames; prints frames per second and per-batch latency, for the
exact fast path (decoded frames in) and the tuned one (JPEG bytes in, decoded on the GPU, as the app
runs it). Random weights, full detail (504×378 grids, the live pruning).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_fast import time_ms  # noqa: E402
from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from bench.live_client import jpeg_of  # noqa: E402
from splat_core.fast import FastNetwork  # noqa: E402
from splat_core.models import MODELS, LoadedModel, build_network  # noqa: E402
from splat_core.pipeline import live_frames  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    print(f"### {torch.cuda.get_device_name()}, torch {torch.__version__}, fast path (CUDA graphs)\n")
    print("| model, mode | path | batch | ms per batch | frames/s |")
    print("|---|---|---|---|---|")
    for name, mode in [("giant", "gaussians"), ("base", "points")]:
        for tuned in (False, True):
            net = build_network(MODELS[name]).eval().requires_grad_(False).cuda()
            model = LoadedModel(net=net, spec=MODELS[name], device=torch.device("cuda"),
                                fast=FastNetwork(net, tuned=tuned))
            for batch in (1, 2, 4, 8):
                frames = [webcam_like_frame(seed) for seed in range(batch)]
                images = [jpeg_of(frame, 90) for frame in frames] if tuned else frames

                def step():
                    live_frames(model, images, mode, list(range(batch)))

                ms = time_ms(step, args.reps)
                print(f"| {name}, {mode} | {'tuned' if tuned else 'exact'} | {batch} | {ms:.1f} | "
                      f"{batch * 1000 / ms:.0f} |", flush=True)
            del model, net
            torch.cuda.empty_cache()

if __name__ == "__main__":
    main()
