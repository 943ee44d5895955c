"""The live path step by step against the reference (eager DA3 forward), from one run on one card.

    python bench/bench_fast.py [--reps 30]

Every row gets the same random weights and the same 640×480 JPEG, and times JPEG bytes in → wire frame
bytes on the host (decode, preprocess, network, splats, pruning, quantisation, copy, compression):

- DA3's own API (``DepthAnything3.inference(..., infer_gs=True)``, giant only; from a decoded frame);
- the reference: eager ``reconstruct`` + ``encode_reconstruction``;
- the exact fast path (``FastNetwork(tuned=False)``: CUDA graphs, bit-identical to the reference);
- then the tuned path's steps one by one: compiled transformer blocks, channels-last heads, and the
  JPEG decoded on the GPU (the last row is what the app runs on CUDA).

The tuned path is checked against the reference (``splat_core.accuracy``): relative L2 errors of depth,
centres and scales, largest errors of opacities and colours (in 1/255), and the smallest share of any
wire plane's values within one step, with every pixel kept and through the live pruning.
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

from bench.bench_pipeline import bench_da3_reference, da3_api, webcam_like_frame  # noqa: E402
from splat_core import accuracy  # noqa: E402
from splat_core.budget import Budget  # noqa: E402
from splat_core.fast import FastNetwork  # noqa: E402
from splat_core.models import MODELS, LoadedModel, build_network  # noqa: E402
from splat_core.pipeline import LIVE, encode_reconstruction, live_frames, reconstruct  # noqa: E402
from splat_core.wire import decode_frame  # noqa: E402

NO_PRUNING = Budget(min_opacity=0.0)


def frame_from_jpeg(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def run_reference(model, jpeg: bytes, mode: str, budget: Budget | None = None) -> bytes:
    return encode_reconstruction(reconstruct(model, frame_from_jpeg(jpeg), mode, budget=budget), detail=LIVE)


def run_live(model, jpeg: bytes, mode: str, decode_on_gpu: bool = False) -> bytes:
    """The live path; with ``decode_on_gpu`` it gets the JPEG's bytes, as the app gives them."""
    return live_frames(model, [jpeg if decode_on_gpu else frame_from_jpeg(jpeg)], mode, [0])[0]


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


def fast_model(reference: LoadedModel, tuned: bool, channels_last_heads: bool = True) -> LoadedModel:
    """A fast model on the reference's weights (for the step table, the tuned one optionally without its
    channels-last heads)."""
    net = build_network(reference.spec).eval().requires_grad_(False).cuda()
    net.load_state_dict(reference.net.state_dict())
    fast = FastNetwork(net, tuned=tuned)
    if tuned and not channels_last_heads:
        for head in (net.head, getattr(net, "gs_head", None)):
            if head is not None:
                head.to(memory_format=torch.contiguous_format)
    return LoadedModel(net=net, spec=reference.spec, device=reference.device, fast=fast)


def check(reference: LoadedModel, tuned: LoadedModel, jpeg: bytes, mode: str) -> str:
    """The accuracy bar's figures for the tuned path on the frame the reference gets."""
    image, no_pruning = frame_from_jpeg(jpeg), Budget(min_opacity=0.0)
    ref, got = reconstruct(reference, image, mode, budget=no_pruning), reconstruct(tuned, image, mode, budget=no_pruning)
    errors = accuracy.splat_errors(got.splats, ref.splats)
    every = accuracy.within_one_step(encode_reconstruction(got, detail=LIVE), encode_reconstruction(ref, detail=LIVE))
    live = accuracy.within_one_step(run_live(tuned, jpeg, mode), run_reference(reference, jpeg, mode))
    failures = accuracy.failures(errors, every) + accuracy.failures(errors, live)
    depth_steps = accuracy.step_differences(encode_reconstruction(got, detail=LIVE),
                                            encode_reconstruction(ref, detail=LIVE))["depth"]
    near, far = decode_frame(encode_reconstruction(ref, detail=LIVE)).depth_range
    return (f"depth {errors['depth']:.1e}, centres {errors['centres']:.1e}, scales {errors['scales']:.1e}, "
            f"opacities {errors['opacities'] * 255:.2f}/255, colours {errors['colours'] * 255:.2f}/255; "
            "within one step (all pixels / live): "
            + ", ".join(f"{name} {every[name]:.2%} / {live[name]:.2%}" for name in every)
            + f"; depth codes apart: median {np.median(depth_steps):.0f}, p99 {np.percentile(depth_steps, 99):.0f} "
            f"steps (depth range {near:.4g}–{far:.4g}: one step at the near end is "
            f"{(1 / near - 1 / far) / 65534 * near:.1e} of the depth); "
            + ("**within the bar**" if not failures else "OUTSIDE: " + "; ".join(failures)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--models", default="giant,base")
    parser.add_argument("--static-too", action="store_true", help="also time blocks compiled for static shapes")
    args = parser.parse_args()
    buffer = io.BytesIO()
    Image.fromarray(webcam_like_frame()).save(buffer, format="JPEG", quality=90)
    jpeg = buffer.getvalue()
    print(f"### {torch.cuda.get_device_name()}, torch {torch.__version__}, 640×480 JPEG ({len(jpeg) // 1024} KB) "
          f"→ 504×378, median of {args.reps}\n")
    print("| model, mode | path | ms | stages (ms) |")
    print("|---|---|---|---|")
    for name in args.models.split(","):
        mode = "gaussians" if MODELS[name].has_gaussians else "points"
        api = da3_api() if name == "giant" else None
        if api is not None:
            reference = LoadedModel(net=api.model, spec=MODELS[name], device=torch.device("cuda"))
            ms = bench_da3_reference(api, frame_from_jpeg(jpeg), args.reps, 5)
            print(f"| {name}, {mode} | DA3's API (from a decoded frame) | {ms:.1f} | |", flush=True)
        else:
            net = build_network(MODELS[name]).eval().requires_grad_(False).cuda()
            reference = LoadedModel(net=net, spec=MODELS[name], device=torch.device("cuda"))
        ms = time_ms(lambda: run_reference(reference, jpeg, mode), args.reps)
        print(f"| {name}, {mode} | reference (eager) | {ms:.1f} | |", flush=True)
        decode_ms = time_ms(lambda: frame_from_jpeg(jpeg), args.reps)
        steps = [("exact fast path (before)", dict(tuned=False), False),
                 ("+ compiled blocks", dict(tuned=True, channels_last_heads=False), False),
                 ("+ channels-last heads", dict(tuned=True), False),
                 ("+ JPEG decoded on the GPU (after)", dict(tuned=True), True)]
        model = None
        for label, options, on_gpu in steps:
            if model is None or not on_gpu:
                del model
                torch.cuda.empty_cache()
                model = fast_model(reference, **options)
                torch.cuda.reset_peak_memory_stats()
            started = time.perf_counter()
            run_live(model, jpeg, mode, on_gpu)
            first_s = time.perf_counter() - started
            ms = time_ms(lambda: run_live(model, jpeg, mode, on_gpu), args.reps)
            stages = decode_frame(run_live(model, jpeg, mode, on_gpu)).timings_ms
            print(f"| {name}, {mode} | {label} | **{ms:.1f}** | " + ("" if on_gpu else f"decode {decode_ms:.1f}, ")
                  + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
                  + f"; first call {first_s:.0f} s, peak {torch.cuda.max_memory_allocated() / 2**30:.1f} GB |", flush=True)
        print(f"| {name}, {mode} | accuracy of the tuned path | | {check(reference, model, jpeg, mode)} |", flush=True)
        if args.static_too:  # the blocks compiled for static shapes instead: one graph per frame and batch size
            import splat_core.fast as fast_module

            fast_module._compiled_block_math = torch.compile(fast_module._block_math, dynamic=False)
            del model
            model = fast_model(reference, tuned=True)
            run_live(model, jpeg, mode, True)
            ms = time_ms(lambda: run_live(model, jpeg, mode, True), args.reps)
            stages = decode_frame(run_live(model, jpeg, mode, True)).timings_ms
            print(f"| {name}, {mode} | (blocks compiled for static shapes) | {ms:.1f} | "
                  + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()) + " |", flush=True)
            fast_module._compiled_block_math = torch.compile(fast_module._block_math, dynamic=True)
        del model, reference, api
        torch.cuda.empty_cache()
    most, share = decoder_difference(jpeg)
    print(f"\nnvJPEG's pixels against Pillow's for this JPEG: {share:.2%} differ, by at most {most} levels.")


def decoder_difference(jpeg: bytes) -> tuple[int, float]:
    """How far nvJPEG's pixels are from Pillow's for the benchmark's JPEG."""
    from splat_core.frames import decode_jpeg

    gpu = decode_jpeg(jpeg, torch.device("cuda")).cpu().numpy().astype(np.int64)
    host = frame_from_jpeg(jpeg).astype(np.int64)
    return int(np.abs(gpu - host).max()), float((gpu != host).mean())


if __name__ == "__main__":
    main()
