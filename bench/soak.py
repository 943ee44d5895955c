"""Soak (issue 13): stream for ten minutes and sample what could grow, every 30 s.

    python bench/soak.py --device cuda --minutes 8.5 --sessions 4 --mode Gaussians --detail "Full (504×378)"

The app (`--weights random`) runs with its Gradio cache in a fresh folder; live clients
(bench/live_client.py) stream through the live channel while an HQ capture is taken now and then
through `/reconstruct`. Printed every 30 s: the server's resident memory, the GPU memory in use
(nvidia-smi), the cache folder's size and file count, and frames delivered. The browser's side is
bench/soak_browser.py.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from bench.live_client import LiveClient, start_app  # noqa: E402


def resident_mb(pid: int) -> float:
    """Resident memory of a process and its children (the app's own workers), in MB."""
    total = 0
    for process in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return children + [g for c in children for g in _children(c)]


def gpu_mb() -> float | None:
    if shutil.which("nvidia-smi") is None:
        return None
    out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
                         capture_output=True, text=True).stdout
    return float(out.split()[0]) if out.strip() else None


def folder_size(folder: Path) -> tuple[float, int]:
    files = [f for f in folder.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files) / 2**20, len(files)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--sessions", type=int, default=1, help="live sessions (protocol clients)")
    parser.add_argument("--device", default=None)
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--gaussian-model", default="tiny")
    parser.add_argument("--mode", default="Points (fast)")
    parser.add_argument("--detail", default="Lowest (168×126)")
    parser.add_argument("--capture-every", type=float, default=60.0, help="seconds between HQ captures (0: none)")
    parser.add_argument("--port", type=int, default=7898)
    args = parser.parse_args()

    cache = Path(tempfile.mkdtemp(prefix="soak-cache-"))
    server = start_app(["--model", args.model, "--gaussian-model", args.gaussian_model, "--export-ttl", "120",
                        *(["--device", args.device] if args.device else [])], args.port,
                       cache.parent / "soak-server.log", env={"GRADIO_TEMP_DIR": str(cache)})
    url = f"http://127.0.0.1:{args.port}/"
    stop = threading.Event()
    delivered, captures = [0], [0]
    try:
        image = webcam_like_frame()
        for _ in range(args.sessions):
            client = LiveClient(url, settings=[args.mode, args.detail])
            client.start(timeout=600)
            threading.Thread(target=_stream_until, args=(client, image, stop, delivered), daemon=True).start()
        if args.capture_every > 0:
            threading.Thread(target=_capture_now_and_then, args=(url, image, args.capture_every, stop, captures),
                             daemon=True).start()
        print("| minute | server RSS MB | GPU MB | cache MB (files) | frames delivered | HQ captures |")
        print("|---|---|---|---|---|---|", flush=True)
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            size, count = folder_size(cache)
            gpu = gpu_mb()
            print(f"| {elapsed / 60:.1f} | {resident_mb(server.pid):.0f} | {'–' if gpu is None else f'{gpu:.0f}'} "
                  f"| {size:.1f} ({count}) | {delivered[0]} | {captures[0]} |", flush=True)
            if elapsed >= args.minutes * 60:
                break
            time.sleep(min(args.every, args.minutes * 60 - elapsed + 0.01))
    finally:
        stop.set()
        server.terminate()
        server.wait(60)
        shutil.rmtree(cache, ignore_errors=True)


def _stream_until(client: LiveClient, image, stop: threading.Event, delivered: list[int]) -> None:
    def count(_result):
        delivered[0] += 1

    while not stop.is_set():
        try:
            client.stream(image=image, seconds=30, on_result=count)
        except Exception:
            if stop.is_set():  # the server was stopped under it
                return
            raise


def _capture_now_and_then(url: str, image, every: float, stop: threading.Event, captures: list[int]) -> None:
    """An HQ capture through /reconstruct every ``every`` seconds (its PLY goes to the export store)."""
    from gradio_client import Client, handle_file
    from PIL import Image

    path = Path(tempfile.mkdtemp()) / "photo.jpg"
    Image.fromarray(image).save(path, quality=90)
    client = Client(url, verbose=False)
    while not stop.wait(every):
        try:
            client.predict(handle_file(str(path)), api_name="/reconstruct")
            captures[0] += 1
        except Exception as error:  # said, and the next capture tried: a soak must not end on one failure
            if stop.is_set():
                return
            print(f"capture failed: {error!r}", flush=True)


if __name__ == "__main__":
    main()
