"""Where a model's GPU time goes: the top kernels of one forward, grouped by kind, and the fast path's stages.

    python bench/profile_model.py [--model giant] [--mode gaussians] [--path eager|exact|tuned] [--batch 1]

``eager`` is DA3's forward; ``exact`` and ``tuned`` the fast path's forward (``FastNetwork.forward``), run
outside its CUDA graph so that the profiler sees each kernel (inside the graph they are the same kernels
without the launch gaps). The groups say what is left for the GPU: matrix products and attention are
bound by arithmetic, the rest mostly by memory traffic.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from splat_core.budget import Budget  # noqa: E402
from splat_core.frames import prepare  # noqa: E402
from splat_core.inference import branch_forward  # noqa: E402
from splat_core.models import load_model  # noqa: E402
from splat_core.pipeline import LIVE, encode_reconstruction, reconstruct  # noqa: E402
from splat_core.wire import decode_frame  # noqa: E402

# Kernel name patterns, first match wins (cuBLAS/CUTLASS, SDPA's flash and memory-efficient kernels,
# cuDNN, Inductor's and our Triton kernels, PyTorch's own).
KINDS = [
    ("attention", r"flash|fmha|attention|efficient_attention"),
    ("matrix products", r"gemm|cutlass|sm90_xmma|sm80_xmma|nvjet|cublas"),
    ("convolutions", r"conv|implicit|winograd|cudnn|nchwToNhwc|nhwcToNchw|fft"),
    ("layer norms", r"layer_norm|LayerNorm"),
    ("upsampling", r"upsample|interpolate|bilinear|bicubic"),
    ("fused (Triton)", r"^triton_|_kernel$"),
    ("elementwise and copies", r"elementwise|vectorized|copy|cat|index|reduce|fill|Memcpy|Memset"),
]


def kind_of(name: str) -> str:
    return next((kind for kind, pattern in KINDS if re.search(pattern, name, re.IGNORECASE)), "other")


def bf16_rate(size: int = 8192, reps: int = 20) -> float:
    """TFLOP/s of a large bf16 matrix product on this GPU: what dense arithmetic can reach here."""
    a, b = (torch.randn(size, size, device="cuda", dtype=torch.bfloat16) for _ in range(2))
    for _ in range(3):
        a @ b
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(reps):
        a @ b
    end.record()
    torch.cuda.synchronize()
    return 2 * size**3 * reps / (start.elapsed_time(end) / 1e3) / 1e12


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="giant")
    parser.add_argument("--mode", default="gaussians")
    parser.add_argument("--path", default="eager", choices=["eager", "exact", "tuned"])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    model = load_model(args.model, "random", "cuda", fast=args.path != "eager", tuned=args.path == "tuned")
    frame = webcam_like_frame()
    x, _ = prepare(frame, 504, model.device)
    x = x.expand(args.batch, -1, -1, -1, -1).contiguous()
    gaussians = args.mode == "gaussians"
    forward = (lambda: branch_forward(model.net, x, gaussians)) if model.fast is None else (
        lambda: model.fast.forward(x, gaussians))
    with torch.inference_mode():
        for _ in range(3):
            forward()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            forward()
            torch.cuda.synchronize()
    events = [e for e in prof.key_averages() if e.self_device_time_total > 0]
    print(prof.key_averages().table(sort_by="self_cuda_time_total", row_limit=args.top, max_name_column_width=70))
    by_kind, count = defaultdict(float), defaultdict(int)
    for event in events:
        by_kind[kind_of(event.key)] += event.self_device_time_total / 1e3
        count[kind_of(event.key)] += event.count
    total = sum(by_kind.values())
    print(f"\n{args.model} {args.mode}, {args.path}, batch {args.batch}: {total:.2f} ms of kernels "
          f"({total / args.batch:.2f} ms a frame)")
    print("| kind | ms | share | kernels |\n|---|---|---|---|")
    for kind, ms in sorted(by_kind.items(), key=lambda item: -item[1]):
        print(f"| {kind} | {ms:.2f} | {ms / total:.0%} | {count[kind]} |")
    if args.path != "tuned":  # compiled code bypasses the counter; the arithmetic is the same
        with torch.inference_mode(), FlopCounterMode(display=False) as counter:
            forward()
        tflop, rate = counter.get_total_flops() / 1e12 / args.batch, bf16_rate()
        print(f"arithmetic: {tflop:.2f} TFLOP a frame; a large bf16 matrix product runs at {rate:.0f} TFLOP/s here, "
              f"so the arithmetic alone takes {tflop / rate * 1e3:.2f} ms a frame at that rate")
    for _ in range(10):
        data = encode_reconstruction(reconstruct(model, frame, args.mode, budget=Budget(min_opacity=0.0)), detail=LIVE)
    print({k: round(v, 2) for k, v in decode_frame(data).timings_ms.items()})


if __name__ == "__main__":
    main()
