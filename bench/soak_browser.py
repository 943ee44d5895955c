"""Browser memory while a SplatViewer streams: samples Chromium's processes every --interval seconds.

By default it serves its own page, a SplatViewer fed by a gr.Timer with pre-encoded frames of the
synthetic room (bench/scenes.py), so the browser gets a steady stream without a model; --url points
it at another page that streams by itself instead. The browser is Debian's Chromium with SwiftShader
WebGL, as the browser tests run it: GL memory (textures, buffers) lives in its GPU process. It is
driven over the DevTools protocol directly, not through playwright (see DevTools).

Each sample is one JSON line: the time, the viewer's counters (frames shown, renders), the page's JS
heaps (main thread, and its workers together), RSS, PSS and anonymous memory per Chromium process
type, and this Python process's RSS (the Gradio server, when it serves the page). The summary
fits a line to each series over the second half of the run, where start-up allocations are behind,
so a leak shows as a slope in MB/min.

    python bench/soak_browser.py --minutes 10 --fps 8 --grid 308x224 --mode gaussians
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

import numpy as np
import psutil
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "custom_components" / "gradio_splat" / "backend"), str(ROOT)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]
CANVAS = "canvas[data-testid=splat-canvas]"
MB = 2**20


def room_frames(width: int, height: int, mode: str, count: int) -> list[bytes]:
    """`count` distinct wire frames of the room (the colour rolled sideways a little each time), so
    every frame decodes to new bytes as a webcam's would."""
    from bench.scenes import room
    from splat_core.planes import frame_from_arrays

    scene = room(width, height)
    attrs = scene.gaussians() if mode == "gaussians" else {}
    attrs.pop("sh_rest", None)
    return [frame_from_arrays(scene.depth, np.roll(scene.rgb, 4 * i, axis=1), scene.camera, mode=mode,
                              frame_id=i, **attrs) for i in range(count)]


def serve(frames: list[bytes], fps: float) -> tuple[str, object]:
    """A page whose viewer gets the next of `frames` every 1/fps seconds, with room to scroll it away."""
    import gradio as gr
    from gradio_splat import SplatViewer

    def tick(i: int) -> tuple[bytes, int]:
        return frames[i % len(frames)], i + 1

    with gr.Blocks() as demo:
        viewer = SplatViewer(height=378, show_stats=True)
        count = gr.State(0)
        gr.Timer(1 / fps).tick(tick, count, [viewer, count], show_progress="hidden")
        gr.HTML('<div style="height: 3000px"></div>')
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    return f"http://127.0.0.1:{port}", demo


def wait_until(check, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout_s:.0f} s")
        time.sleep(0.2)


class DevTools:
    """The DevTools protocol on one page, by hand rather than through playwright: playwright enables
    the Network domain, and DevTools then keeps a copy of every response body (in the renderer, up
    to about 200 MB), which grows just like a leak while frames stream. No domain is enabled here; the
    page's workers (the frame decoder, Spark's sorter) are attached to read their heaps too."""

    def __init__(self, socket):
        self.socket = socket
        self.last_id = 0
        self.workers: set[str] = set()  # their DevTools sessions, added as they start
        self.send("Target.setAutoAttach", autoAttach=True, waitForDebuggerOnStart=False, flatten=True)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params}
        self.socket.send(json.dumps(message | ({"sessionId": session} if session else {})))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("method") == "Target.attachedToTarget":
                self.workers.add(reply["params"]["sessionId"])
            elif reply.get("method") == "Target.detachedFromTarget":
                self.workers.discard(reply["params"]["sessionId"])
            elif reply.get("id") == self.last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def heap_mb(self, session: str | None = None) -> float:
        """The live size of a JS heap (the page's, or a worker's): collected first, so garbage waiting
        for the collector does not count."""
        self.send("HeapProfiler.collectGarbage", session)
        return self.send("Runtime.getHeapUsage", session)["usedSize"] / MB

    def worker_heaps_mb(self) -> float:
        total = 0.0
        for session in list(self.workers):
            try:
                total += self.heap_mb(session)
            except RuntimeError:
                pass  # the worker ended meanwhile
        return total


@contextmanager
def chromium(url: str):
    """Headless Chromium showing `url`; yields DevTools on its page."""
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            [CHROMIUM, "--headless", f"--user-data-dir={profile}", "--remote-debugging-port=0",
             "--window-size=640,560", "--no-first-run", *CHROMIUM_ARGS, url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = Path(profile) / "DevToolsActivePort"  # Chromium writes the port it chose here
            wait_until(port_file.exists)
            port = port_file.read_text().split()[0]
            targets = json.load(urlopen(f"http://127.0.0.1:{port}/json/list"))
            page = next(t for t in targets if t["type"] == "page")
            with connect(page["webSocketDebuggerUrl"], max_size=None) as socket:
                yield DevTools(socket)
        finally:
            process.terminate()
            process.wait(10)


def chromium_processes() -> list[psutil.Process]:
    """This process's Chromium descendants."""
    return [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name()]


def process_memory() -> dict[str, dict[str, float]]:
    """MB of RSS, PSS and anonymous memory per Chromium process type. PSS splits shared memory (the
    renderer ↔ GPU transfer buffers) between the processes mapping it; anonymous memory is what
    each one allocated itself: the heaps, and SwiftShader's textures and buffers in the GPU process.
    The largest renderer is the page's; spare and internal ones are summed as "renderer:other"."""
    rows = []
    for p in chromium_processes():
        try:
            flags = dict(a[2:].partition("=")[::2] for a in p.cmdline() if a.startswith("--"))
            kind = flags.get("type", "browser")
            if kind == "utility":  # the network service, the storage service, ...
                kind += ":" + flags.get("utility-sub-type", "").split(".")[0]
            info = p.memory_full_info()
            anon = next(int(line.split()[1]) * 1024 for line in open(f"/proc/{p.pid}/status")
                        if line.startswith("RssAnon:"))
        except (psutil.Error, OSError):
            continue  # it exited between listing and reading
        rows.append([kind, info.rss / MB, info.pss / MB, anon / MB])
    renderers = [r for r in rows if r[0] == "renderer"]
    for r in sorted(renderers, key=lambda r: r[1])[:-1]:
        r[0] = "renderer:other"
    totals: dict[str, dict[str, float]] = {}
    for kind, *values in rows:
        t = totals.setdefault(kind, {"n": 0, "rss": 0.0, "pss": 0.0, "anon": 0.0})
        t["n"] += 1
        for key, v in zip(("rss", "pss", "anon"), values):
            t[key] += v
    return {kind: {k: round(v, 1) for k, v in t.items()} for kind, t in totals.items()}


def slope_mb_per_min(samples: list[dict], key) -> float:
    """Least-squares slope of `key(sample)` over the second half of the run."""
    half = samples[len(samples) // 2:]
    if len(half) < 2:
        return float("nan")
    t = np.array([s["t_s"] for s in half]) / 60
    return float(np.polyfit(t, [key(s) for s in half], 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="measure this page instead of serving the synthetic stream")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--fps", type=float, default=8.0, help="frames a second the synthetic stream sends")
    parser.add_argument("--grid", default="308x224", help="the synthetic frames' W×H")
    parser.add_argument("--mode", choices=("points", "gaussians"), default="points")
    parser.add_argument("--hidden", action="store_true", help="scroll the viewer out of view (it stops drawing)")
    parser.add_argument("--out", type=Path, help="also write the samples here, one JSON line each")
    args = parser.parse_args()

    demo = None
    url = args.url
    if url is None:
        width, height = map(int, args.grid.lower().split("x"))
        url, demo = serve(room_frames(width, height, args.mode, 8), args.fps)
    samples: list[dict] = []
    out = args.out.open("w") if args.out else None
    with chromium(url) as browser:
        wait_until(lambda: browser.evaluate(f"!!document.querySelector('{CANVAS}')"))
        if args.hidden:
            browser.evaluate("window.scrollTo(0, 2000)")
        start = time.monotonic()
        while True:
            t = time.monotonic() - start
            hooks = browser.evaluate(f"({{...document.querySelector('{CANVAS}').dataset}})")
            sample = {
                "t_s": round(t, 1),
                "shown": int(hooks.get("shown", 0)),
                "renders": int(hooks.get("renders", 0)),
                "error": hooks.get("error", ""),
                "js_heap_mb": round(browser.heap_mb(), 1),
                "workers": len(browser.workers),
                "worker_heap_mb": round(browser.worker_heaps_mb(), 1),
                "server_rss_mb": round(psutil.Process().memory_info().rss / MB, 1),
                "chromium": process_memory(),
            }
            samples.append(sample)
            line = json.dumps(sample)
            print(line, flush=True)
            if out:
                print(line, file=out, flush=True)
            if t >= args.minutes * 60:
                break
            time.sleep(max(0.0, args.interval - (time.monotonic() - start - t)))
    if demo is not None:
        demo.close()

    first, last = samples[0], samples[-1]
    minutes = (last["t_s"] - first["t_s"]) / 60
    print(f"\n{minutes:.1f} min, {(last['shown'] - first['shown']) / max(minutes * 60, 1e-9):.1f} frames/s shown, "
          f"{(last['renders'] - first['renders']) / max(minutes * 60, 1e-9):.1f} renders/s")
    series = {"js heap": lambda s: s["js_heap_mb"], "worker heaps": lambda s: s["worker_heap_mb"],
              "server rss": lambda s: s["server_rss_mb"]}
    for kind in last["chromium"]:
        for k in ("rss", "pss", "anon"):
            series[f"{kind} {k}"] = lambda s, kind=kind, k=k: s["chromium"].get(kind, {}).get(k, 0.0)
    for name, key in series.items():
        print(f"{name:>24}: {key(first):8.1f} → {key(last):8.1f} MB, "
              f"{slope_mb_per_min(samples, key):+6.2f} MB/min over the second half")


if __name__ == "__main__":
    main()
