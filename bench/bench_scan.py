"""Scan mode's keyframe cost and memory (issue 10's targets: a keyframe, a 3-view window on giant plus
fusion, in ≤ 60 ms; memory flat over a 5-minute scan at the splat budget).

    python bench/bench_scan.py --device cuda --weights random --model giant          # the H200 run
    python bench/bench_scan.py --device cpu --weights random --model tiny --detail lowest --minutes 0.2 --paths eager,graph

Two parts, on the synthetic room (splat_core/scan/synthetic.py), whose truth gives the scan real
geometry (random weights predict noise: their poses would make a scene of nothing):

1. Keyframe time: ``--keyframes`` keyframes (default 60) on each of ``--paths`` (DA3's eager forward,
   the fast path's CUDA graph, the tuned path), for scans of points and of Gaussians (``--splats``), each a DA3 window on the model (the new frame and two
   anchors, at the detail's grid) timed as the app runs it; the window's depths and
   poses are then replaced by the truth's, so that registration, fusion and the delta work on a real
   scene. Stages: window (DA3), register (Sim(3) and chaining), fuse (voxels, budget, planes on the
   device), compression (the wire frame, on the host), and the whole keyframe.
2. Memory: ``--minutes`` of scanning at ``--rate`` keyframes a second (3000 for 5 minutes at 10/s),
   every frame a keyframe, walking through a row of copies of the room (``WalkingTruth``: every sweep
   a new place), with the truth as the depth source, so the scene fills the budget and keyframes are
   evicted. Every 30 s of scan: GPU memory (allocated, and the peak since the last
   sample), the process's resident memory, the scene's splats and slots, and the mean keyframe time.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from splat_core.models import load_model  # noqa: E402
from splat_core.pipeline import DETAILS  # noqa: E402
from splat_core.scan import synthetic  # noqa: E402
from splat_core.scan.fusion import DEFAULT_BUDGET  # noqa: E402
from splat_core.scan.scene import ScanScene  # noqa: E402
from splat_core.scan.sources import NetworkSource, TruthSource  # noqa: E402

FRAMES_PER_SWEEP = 120  # 3° a frame


class TimedWindow:
    """The depth source of part 1: DA3's window runs (and is timed) on every window, then the truth's
    window takes its place, so the scene is the room's. The truth's own work (finding a frame's truth
    by its picture, building its window) is timed too, as ``truth_ms``: the app does none of it."""

    def __init__(self, network: NetworkSource, truth: TruthSource):
        self.network, self.truth, self.device = network, truth, network.device
        self.gaussians = truth.gaussians = network.gaussians
        self.window_ms: list[float] = []
        self.truth_ms = 0.0  # since the last reset

    def prepare(self, image):
        started = time.perf_counter()
        view = self.truth.prepare(image)
        view.x = view.x.to(self.device)
        self.truth_ms += (time.perf_counter() - started) * 1e3
        return view

    def window(self, views):
        sync(self.device)
        started = time.perf_counter()
        self.network.window(views)
        sync(self.device)
        self.window_ms.append((time.perf_counter() - started) * 1e3)
        truth = self.truth.window(views)
        sync(self.device)
        self.truth_ms += (time.perf_counter() - started) * 1e3 - self.window_ms[-1]
        return truth


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class WalkingTruth(TruthSource):
    """The room's truth for a walk through a row of copies of it: frame i of the walk is frame
    i % FRAMES_PER_SWEEP of a sweep, in room i // FRAMES_PER_SWEEP, ROOM_STEP further along x. Each
    sweep is a new place to the scan (its pictures repeat, so frames are told apart by their place in
    the walk, not by their picture), so the scene keeps growing into the budget and evicting."""

    ROOM_STEP = 6.0  # metres between the rooms' centres

    def __init__(self, process_res: int, device):
        super().__init__(synthetic.path(FRAMES_PER_SWEEP), process_res, device)
        self.walked = 0

    def prepare(self, image):
        view = super().prepare(image)
        view.truth, self.walked = self.walked, self.walked + 1
        return view

    def _render(self, index: int, width: int, height: int) -> synthetic.View:
        view = super()._render(index % FRAMES_PER_SWEEP, width, height)
        pose = view.pose.copy()
        pose[0, 3] += self.ROOM_STEP * (index // FRAMES_PER_SWEEP)
        return synthetic.View(view.rgb, view.depth, view.intrinsics, pose)


def room_walk(process_res: int, device, width: int, height: int) -> tuple[WalkingTruth, list[np.ndarray]]:
    """The walk's truth and one sweep's frames, each rendered once (the truth keeps its renders)."""
    truth = WalkingTruth(process_res, device)
    return truth, [truth._render(i, width, height).rgb for i in range(FRAMES_PER_SWEEP)]


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values, q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


PATHS = {"eager": {"fast": False}, "graph": {}, "tuned": {"tuned": True}}  # load_model's options


def part1(args, device, truth: TruthSource, pictures: list[np.ndarray], width: int, height: int) -> None:
    print(f"\n1. Keyframe time: {args.model} ({args.weights} weights) on {device}, 3-view windows at "
          f"{width}×{height} ({args.keyframes} keyframes after 5 warm-up each). The app's keyframe is the "
          "whole keyframe less the truth's own lookups (the benchmark's, not the app's).")
    print("| path, splats | DA3 window | registration, less the window | fusion + delta planes | compression | "
          "**keyframe as the app runs it** (p90) | delta KB median / p90 |")
    print("|---|---|---|---|---|---|---|")
    for splats in args.splats.split(","):
        for path in args.paths.split(","):
            keyframe_timing(args, device, truth, pictures, path, splats == "gaussians")
    truth.gaussians = False


def keyframe_timing(args, device, truth: TruthSource, pictures: list[np.ndarray], path: str, gaussians: bool) -> None:
    """One row of part 1: the median of each stage of ``args.keyframes`` keyframes on one path."""
    model = load_model(args.model, args.weights, str(device), need_gaussians=gaussians, **PATHS[path])
    detail = DETAILS[args.detail]
    source = TimedWindow(NetworkSource(model, detail.process_res, gaussians), truth)
    scene = ScanScene(source, budget=args.budget, detail=detail, motion=0.0)
    stages = {"window": [], "register": [], "fuse": [], "compress": [], "keyframe": []}
    sizes = []
    for i in range(args.keyframes + 5):
        source.truth_ms = 0.0
        started = time.perf_counter()
        deltas = scene.add_frame(pictures[i % len(pictures)])
        total = (time.perf_counter() - started) * 1e3
        if i < 5:  # warm-up: allocator, cuDNN and kernel selection, graph capture, compilation
            continue
        timings = scene.timings_ms
        stages["window"].append(source.window_ms[-1])
        stages["register"].append(timings["register"] - source.window_ms[-1] - source.truth_ms)
        stages["fuse"].append(timings["fuse"])
        stages["compress"].append(total - timings["register"] - timings["fuse"])
        stages["keyframe"].append(total - source.truth_ms)
        sizes += [len(d) for d in deltas]
    cells = [f"{median(stages[name]):.1f}" for name in ("window", "register", "fuse", "compress")]
    print(f"| {path}, {'Gaussians' if gaussians else 'points'} | {' | '.join(cells)} | **{median(stages['keyframe']):.1f}** ({percentile(stages['keyframe'], 90):.1f}) "
          f"| {median(sizes) / 1e3:.1f} / {percentile(sizes, 90) / 1e3:.1f} |", flush=True)
    if device.type == "cuda":
        print(f"GPU memory peak {torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB")
    del model, source, scene
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def part2(args, device, truth: TruthSource, pictures: list[np.ndarray]) -> None:
    keyframes = int(args.minutes * 60 * args.rate)
    detail = DETAILS[args.detail]
    truth.walked = 0
    scene = ScanScene(truth, budget=args.budget, detail=detail, motion=0.0)
    every = max(1, int(30 * args.rate))  # a sample each 30 s of scan
    print(f"\n2. Memory over a {args.minutes:g}-minute scan at {args.rate:g} keyframes/s ({keyframes} keyframes, "
          f"budget {args.budget:,} slots), truth as the depth source, on {device}")
    print("| scan time | keyframes | splats | slots | evicted so far | GPU allocated MiB | GPU peak MiB | RSS MiB | ms/keyframe |")
    print("|---|---|---|---|---|---|---|---|---|")
    evicted, window, started_all = 0, [], time.perf_counter()
    for i in range(keyframes):
        started = time.perf_counter()
        for delta in scene.add_frame(pictures[i % len(pictures)]):
            evicted += len(_scan_of(delta)["evicted"])
        window.append((time.perf_counter() - started) * 1e3)
        if (i + 1) % every == 0 or i + 1 == keyframes:
            gpu = (torch.cuda.memory_allocated(device) / 2**20, torch.cuda.max_memory_allocated(device) / 2**20) \
                if device.type == "cuda" else (float("nan"), float("nan"))
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            print(f"| {(i + 1) / args.rate:.0f} s | {len(scene.keyframes)} | {scene.num_splats:,} | "
                  f"{scene.fusion.total_slots:,} | {evicted} | {gpu[0]:.0f} | {gpu[1]:.0f} | {rss_mb():.0f} | "
                  f"{statistics.mean(window):.1f} |", flush=True)
            window = []
    print(f"part 2 took {time.perf_counter() - started_all:.0f} s; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def _scan_of(delta: bytes) -> dict:
    import msgpack

    return msgpack.unpackb(delta, raw=False)["scan"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--weights", default="random")
    parser.add_argument("--model", default="giant")
    parser.add_argument("--detail", default="full", choices=list(DETAILS))
    parser.add_argument("--keyframes", type=int, default=60, help="keyframes timed in part 1")
    parser.add_argument("--paths", default="eager,graph,tuned",
                        help="part 1's network paths: eager (DA3's forward), graph (the fast path), tuned")
    parser.add_argument("--splats", default="points,gaussians", help="part 1's scans: of points, of Gaussians")
    parser.add_argument("--minutes", type=float, default=5.0, help="scan length of part 2")
    parser.add_argument("--rate", type=float, default=10.0, help="keyframes a second of scan (part 2)")
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    process = DETAILS[args.detail].process_res
    width, height = process, process * 3 // 4 // 14 * 14  # a 4:3 webcam frame at the grid's own size
    torch.manual_seed(0)
    started = time.perf_counter()
    truth, pictures = room_walk(process, device, width, height)
    print(f"the room's {len(pictures)} frames rendered in {time.perf_counter() - started:.0f} s")
    part1(args, device, truth, pictures, width, height)
    part2(args, device, truth, pictures)


if __name__ == "__main__":
    main()
