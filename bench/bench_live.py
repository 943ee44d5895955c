"""The live channel end to end (issue 14): the real app server, and clients that speak the browser's
protocol (bench/live_client.py) over loopback, sending 640×480 JPEG frames as fast as the flow
control allows.

    python bench/bench_live.py [--device cuda] [--seconds 10] [--gaussian-model giant]

Scenarios (``--scenarios``, mode:sessions): by default one session of points (base), one of Gaussians
(giant), four Gaussian sessions at once. Reports delivered frames per second per session and capture →
received latency (median, p90), with the server's own receipt → send time and the frame size; for
several sessions also the total, how far apart the sessions' rates are, and the GPU memory in use at
the end (nvidia-smi). Random weights (no hub access).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import msgpack
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from bench.live_client import LiveClient, start_app  # noqa: E402
from bench.soak import gpu_mb  # noqa: E402

MODES = {"points": "Points (fast)", "gaussians": "Gaussians"}
DETAILS = {"full": "Full (504×378)", "lowest": "Lowest (168×126)"}  # the app's Detail labels


def stage_medians(results) -> str:
    """The engine's per-stage times (the wire frames' timings_ms), median over the results."""
    timings = [msgpack.unpackb(r.frame, raw=False).get("timings_ms", {}) for r in results]
    return " ".join(f"{stage} {statistics.median(t.get(stage, 0) for t in timings):.1f}"
                    for stage in (timings[0] if timings else {}))


def warm_up(url: str, mode: str, detail: str, image, deadline_s: float = 900) -> None:
    """Streams until the frame rate settles (the first frame loads the model and captures its graphs):
    until a 5 s stretch is no more than 10 % faster than the one before."""
    client = LiveClient(url, settings=[MODES[mode], detail])
    client.start()
    deadline = time.monotonic() + deadline_s
    client.stream(image=image, seconds=deadline_s, until=1)
    previous = 0
    while time.monotonic() < deadline:
        frames = len(client.stream(image=image, seconds=5))
        if frames and frames <= 1.1 * previous:
            break
        previous = frames
    client.close()


def run_sessions(url: str, mode: str, detail: str, sessions: int, seconds: float, warmup: float, image) -> list[dict]:
    """``sessions`` clients streaming at once; each one's figures over the last ``seconds``."""
    clients = [LiveClient(url, settings=[MODES[mode], detail]) for _ in range(sessions)]
    for client in clients:
        client.start()
    figures: list[dict | None] = [None] * sessions

    def one(index: int) -> None:
        results = clients[index].stream(image=image, seconds=warmup + seconds)
        start = results[-1].received - seconds if results else 0
        measured = [r for r in results if r.received >= start]
        latencies = [r.latency_ms for r in measured]
        figures[index] = {
            "frames_per_s": len(measured) / seconds,
            "latency_ms": statistics.median(latencies) if latencies else float("nan"),
            "latency_p90_ms": float(np.percentile(latencies, 90)) if latencies else float("nan"),
            "server_ms": statistics.median(r.header["server_ms"] for r in measured) if measured else float("nan"),
            "kb": statistics.median(len(r.frame) for r in measured) / 1e3 if measured else float("nan"),
            "dropped_down": measured[-1].header["dropped_down"] if measured else 0,
            "stages": stage_medians(measured),
            "errors": clients[index].errors[:3],
        }

    threads = [threading.Thread(target=one, args=(i,)) for i in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default=None)
    parser.add_argument("--points-model", default="base")
    parser.add_argument("--gaussian-model", default="giant")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=8.0, help="seconds streamed before measuring")
    parser.add_argument("--tuned", action="store_true", help="run the app with --tuned")
    parser.add_argument("--scenarios", default="points:1,gaussians:1,gaussians:4", help="mode:sessions, …")
    parser.add_argument("--detail", default="full", choices=list(DETAILS),
                        help="live detail (lowest: enough frames for per-session rates on a CPU)")
    parser.add_argument("--port", type=int, default=7899)
    parser.add_argument("--log", default="/tmp/bench_live_server.log")
    args = parser.parse_args()
    server = start_app(["--model", args.points_model, "--gaussian-model", args.gaussian_model,
                        *(["--device", args.device] if args.device else []), *(["--tuned"] if args.tuned else [])],
                       args.port, Path(args.log))
    url = f"http://127.0.0.1:{args.port}/"
    image = webcam_like_frame()
    try:
        print(f"| scenario | session | frames/s | capture→received median (p90) ms | server ms | KB/frame |")
        print("|---|---|---|---|---|---|")
        for scenario in args.scenarios.split(","):
            mode, sessions = scenario.split(":")
            sessions = int(sessions)
            name = f"{'giant Gaussians' if mode == 'gaussians' else 'points'}, {sessions} session{'s' * (sessions > 1)}"
            warm_up(url, mode, DETAILS[args.detail], image)
            figures = run_sessions(url, mode, DETAILS[args.detail], sessions, args.seconds, args.warmup, image)
            for i, f in enumerate(figures):
                print(f"| {name} | {i + 1} | {f['frames_per_s']:.1f} | {f['latency_ms']:.1f} ({f['latency_p90_ms']:.1f}) "
                      f"| {f['server_ms']:.1f} | {f['kb']:.0f} |" + (f" errors: {f['errors']}" if f["errors"] else ""),
                      flush=True)
                print(f"|  | stages (ms) | {f['stages']} | | | |", flush=True)
            if sessions > 1:
                rates = [f["frames_per_s"] for f in figures]
                print(f"| {name} | **total** | **{sum(rates):.1f}** | slowest session at {min(rates) / max(rates):.0%} "
                      f"of the fastest | GPU {gpu_mb() or 0:.0f} MB in use | |", flush=True)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
