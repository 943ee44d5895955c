"""How long an HQ capture holds up other sessions' live frames (issue 13: at most one HQ frame time,
≤ 200 ms on a GPU).

    python bench/bench_capture.py [--seconds 10] [--device cuda]

One thread streams live frames back to back through the app's engine (points with base, as a webcam
session does); first alone, then while another thread captures HQ frames (giant, 640×480) one after
another. Prints the live frame intervals in both cases and the capture's own time. Random weights.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from splat_core.engine import Engine  # noqa: E402
from splat_core.wire import decode_frame  # noqa: E402


def stream(engine: Engine, image, seconds: float, mode: str, detail: str) -> np.ndarray:
    """Intervals (ms) between live frames delivered back to back for ``seconds``."""
    times = [time.perf_counter()]
    while times[-1] - times[0] < seconds:
        engine.live(image, mode, detail)
        times.append(time.perf_counter())
    return np.diff(times) * 1e3


def summary(intervals: np.ndarray) -> str:
    return (f"{len(intervals)} frames, median {np.median(intervals):.1f} ms, p99 {np.percentile(intervals, 99):.1f} ms, "
            f"max {intervals.max():.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--points-model", default="base")
    parser.add_argument("--gaussian-model", default="giant")
    parser.add_argument("--detail", default="full")
    args = parser.parse_args()
    engine = Engine(args.points_model, args.gaussian_model, "random", args.device)
    live_image, hq_image = webcam_like_frame(0), webcam_like_frame(1)
    engine.warm_up()
    for _ in range(3):  # graphs captured, allocator warm
        engine.live(live_image, "points", args.detail)
        engine.capture(hq_image)

    alone = stream(engine, live_image, args.seconds, "points", args.detail)
    captures, stop = [], threading.Event()

    def capture_loop():
        while not stop.is_set():
            start = time.perf_counter()
            frame = engine.capture(hq_image).frame
            captures.append((time.perf_counter() - start) * 1e3)
        stages.update(decode_frame(frame).timings_ms)

    stages: dict[str, float] = {}

    capturing = threading.Thread(target=capture_loop)
    capturing.start()
    during = stream(engine, live_image, args.seconds, "points", args.detail)
    stop.set()
    capturing.join()
    print(f"live {args.points_model} points at {args.detail} detail, HQ captures with {args.gaussian_model} "
          f"on {args.device}")
    print(f"- live alone: {summary(alone)}")
    print(f"- live during captures: {summary(during)}")
    print(f"- captures ({len(captures)}, back to back): median {np.median(captures):.1f} ms, max {max(captures):.1f} ms")
    print(f"- the last capture's stages (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    print(f"- longest extra wait of a live frame: {during.max() - np.median(alone):.1f} ms")


if __name__ == "__main__":
    main()
