"""What wire format 2 costs: bytes per frame and encode time.

    python bench/bench_wire.py [--reps 30]

Sizes (any machine; content decides them, not the device): the synthetic room of ``bench/scenes.py`` at
every live detail level, points and Gaussians, and an HQ capture (756×567, SH degree 2, lossless
colour); then random-weight frames from the real network and pipeline (``live_frames``; giant and base
on CUDA, the tiny model on a CPU) as the worst case: their depth and attributes are noise.

Encode time (full resolution): the device part, ``planes.quantise`` (pruned mask in, residual byte
planes out), replayed from a CUDA graph as in the live path, and eagerly; the colour's JPEG by nvJPEG
on a GPU (``planes.device_jpeg``); the copy to the host; and the CPU part, ``planes.compress_frame``
(zlib in threads, and Pillow's JPEG where no GPU made one) plus msgpack. Prints Markdown tables for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from bench.scenes import room  # noqa: E402
from splat_core.models import load_model  # noqa: E402
from splat_core.pipeline import DETAILS, HQ, live_frames  # noqa: E402
from splat_core.planes import compress_frame, device_jpeg, frame_from_arrays, grid_splats, quantise  # noqa: E402
from splat_core.splats import SplatSet  # noqa: E402
from splat_core.wire import decode_frame, encode_frame  # noqa: E402


def scene_at(detail) -> tuple:
    """The room on the grid a 640×480 webcam frame gets at ``detail``, and its Gaussian attributes."""
    from splat_core.frames import processing_size

    width, height = processing_size(640, 480, detail.process_res)
    scene = room(width, height)
    return scene, scene.gaussians()


def mode_attributes(attributes: dict, mode: str, sh: bool) -> dict:
    """The Gaussian attributes a frame of ``mode`` carries (SH only if ``sh``); points carry none."""
    return {k: v for k, v in attributes.items() if k != "sh_rest" or sh} if mode == "gaussians" else {}


def frame_bytes(scene, attributes, mode: str, detail, sh: bool = False) -> bytes:
    extra = mode_attributes(attributes, mode, sh)
    color = "lossless" if detail.jpeg_quality is None else "jpeg"
    return frame_from_arrays(scene.depth, scene.rgb, scene.camera, mode=mode, color=color,
                             jpeg_quality=detail.jpeg_quality or 0, **extra)


def plane_sizes(data: bytes) -> str:
    sizes = {name: sum(map(len, plane.data)) if plane.codec == "delta2d" else len(plane.data)
             for name, plane in decode_frame(data).planes.items()}
    return ", ".join(f"{name} {size / 1024:.1f}" for name, size in sizes.items())


def size_table() -> None:
    print("| content | mode | detail | grid | KB/frame | B/splat | planes (KB) |")
    print("|---|---|---|---|---|---|---|")
    for detail in [*DETAILS.values(), HQ]:
        scene, attributes = scene_at(detail)
        pixels = scene.depth.size
        grid = f"{scene.camera.width}×{scene.camera.height}"
        for mode in ("points", "gaussians") if detail is not HQ else ("gaussians",):
            data = frame_bytes(scene, attributes, mode, detail, sh=detail is HQ)
            label = "HQ, SH 2" if detail is HQ else mode
            print(f"| synthetic room | {label} | {detail.name} | {grid} | {len(data) / 1024:.0f} | "
                  f"{len(data) / pixels:.2f} | {plane_sizes(data)} |", flush=True)


def random_weight_rows(device: str) -> None:
    models = [("giant", "gaussians"), ("base", "points")] if device == "cuda" else [("tiny", "gaussians"),
                                                                                   ("tiny", "points")]
    image = webcam_like_frame()
    for name, mode in models:
        torch.manual_seed(0)
        model = load_model(name, "random", device)
        data = live_frames(model, [image], mode, [0], [DETAILS["full"]])[0]
        frame = decode_frame(data)
        print(f"| random weights ({name}) | {mode} | full | {frame.camera.width}×{frame.camera.height} | "
              f"{len(data) / 1024:.0f} | {len(data) / frame.num_pixels:.2f} | {plane_sizes(data)} |", flush=True)
        del model


def to_device(splats: SplatSet, device) -> SplatSet:
    return dataclasses.replace(splats, **{f.name: getattr(splats, f.name).to(device) for f in dataclasses.fields(splats)
                                          if isinstance(getattr(splats, f.name), torch.Tensor)})


def median_ms(fn, reps: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples)


def encode_table(device: str, reps: int) -> None:
    print("| frame | grid | quantise, graph (ms) | quantise, eager (ms) | JPEG on the GPU (ms) | to host (ms) | "
          "compress + msgpack (ms) | encode total (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, mode, detail in [("points", "points", DETAILS["full"]), ("gaussians", "gaussians", DETAILS["full"]),
                                ("HQ, SH 2, lossless colour", "gaussians", HQ)]:
        scene, attributes = scene_at(detail)
        extra = mode_attributes(attributes, mode, sh=detail is HQ)
        splats, keep, intrinsics = grid_splats(scene.depth, scene.rgb, scene.camera, mode=mode, **extra)
        splats, keep, intrinsics = to_device(splats, device), keep.to(device), intrinsics.to(device)
        lossless = detail.jpeg_quality is None

        def run():
            return quantise(splats, keep, intrinsics, mode, lossless_color=lossless)

        eager = median_ms(run, reps)
        graph_ms = float("nan")
        if device == "cuda":
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                run()  # warm-up outside the capture, as torch.cuda.graphs asks
            torch.cuda.current_stream().wait_stream(stream)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                captured = run()
            graph_ms = median_ms(graph.replay, reps)
        else:
            captured = run()
        sh_degree = 2 if detail is HQ else 0
        # As the live path: the JPEG made on the GPU where it can be (planes.device_jpeg), then only the
        # planes it still needs copied to the host, then zlib (and Pillow's JPEG where the GPU made none).
        color_chw = captured.color.permute(2, 0, 1)
        jpeg = None if lossless else device_jpeg(color_chw, detail.jpeg_quality)
        jpeg_ms = median_ms(lambda: device_jpeg(color_chw, detail.jpeg_quality), reps) if jpeg else 0.0
        color = None if jpeg else captured.color.cpu().numpy()
        to_host = median_ms(lambda: (captured.planes.cpu(), captured.header.tolist()), reps)
        planes, header = captured.planes.cpu().numpy(), captured.header.tolist()
        compress = median_ms(lambda: encode_frame(compress_frame(planes, color, header, mode, sh_degree, lossless,
                                                                 detail.jpeg_quality or 0, jpeg=jpeg)), reps)
        device_ms = graph_ms if device == "cuda" else eager
        print(f"| {label} | {scene.camera.width}×{scene.camera.height} | {graph_ms:.2f} | {eager:.2f} | "
              f"{jpeg_ms:.2f} | {to_host:.2f} | {compress:.2f} | {device_ms + jpeg_ms + to_host + compress:.2f} |",
              flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--skip-random", action="store_true", help="no random-weight rows (no model load)")
    args = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    print(f"### Bytes per frame ({name}, torch {torch.__version__})\n")
    size_table()
    if not args.skip_random:
        random_weight_rows(device)
    print(f"\n### Encode time per frame, {name}, median of {args.reps}\n")
    encode_table(device, args.reps)


if __name__ == "__main__":
    main()
