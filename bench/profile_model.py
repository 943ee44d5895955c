"""Where a model's GPU time goes: the top kernels of one eager forward, and the fast path's stages.

    python bench/profile_model.py [--model giant] [--mode gaussians]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from splat_core.budget import Budget  # noqa: E402
from splat_core.frames import prepare  # noqa: E402
from splat_core.inference import branch_forward  # noqa: E402
from splat_core.models import load_model  # noqa: E402
from splat_core.pipeline import LIVE, encode_reconstruction, reconstruct  # noqa: E402
from splat_core.wire import decode_frame  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="giant")
    parser.add_argument("--mode", default="gaussians")
    args = parser.parse_args()
    model = load_model(args.model, "random", "cuda")
    frame = webcam_like_frame()
    x, _ = prepare(frame, 504, model.device)
    gaussians = args.mode == "gaussians"
    with torch.inference_mode():
        for _ in range(3):
            branch_forward(model.net, x, gaussians)
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            branch_forward(model.net, x, gaussians)
            torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=25, max_name_column_width=70))
    for _ in range(10):
        data = encode_reconstruction(reconstruct(model, frame, args.mode, budget=Budget(min_opacity=0.0)), detail=LIVE)
    print({k: round(v, 2) for k, v in decode_frame(data).timings_ms.items()})


if __name__ == "__main__":
    main()
