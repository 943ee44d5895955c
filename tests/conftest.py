"""Shared fixtures: the tiny random-weight DA3 model (small backbone + Gaussian head) on the CPU, a
webcam-like frame, ``launch_app`` to run app.py as a server, and for browser tests Debian's Chromium
(``launch_chromium``) with a fake webcam (``webcam_frames``, ``write_y4m``) and the viewer's test hooks."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# `python app.py ARGS` from a -c program: argv[1] seeds torch's RNG first ("": not), for the same random
# weights in every run; argv[2] is Python run before app.py in its process (a test's change to it).
APP_RUNNER = """import runpy, sys, torch
seed, prelude = sys.argv.pop(1), sys.argv.pop(1)
if seed:
    torch.manual_seed(int(seed))
exec(prelude)
sys.argv[0] = "app.py"
runpy.run_path("app.py", run_name="__main__")
"""


@pytest.fixture(scope="session")
def tiny_model():
    import torch

    from splat_core.models import load_model

    torch.manual_seed(0)  # the same random weights in every run
    return load_model("tiny", weights="random", device="cpu")


@pytest.fixture(scope="session")
def webcam_frame():
    """A 640×480 RGB frame with smooth structure (a gradient plus a bright square)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:480, 0:640]
    frame = np.stack([x / 640 * 255, y / 480 * 255, np.full_like(x, 90)], axis=-1)
    frame[150:300, 250:400] = (240, 200, 40)
    return (frame + rng.normal(0, 4, frame.shape)).clip(0, 255).astype(np.uint8)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(args: list[str], log_path: Path, *, seed: int | None = None, env: dict | None = None,
              timeout: float = 180, port: int | None = None, prelude: str = "") -> tuple[subprocess.Popen, str]:
    """Starts ``python app.py ARGS --port <port, or a free one>`` (with ``torch.manual_seed(seed)`` first
    if a seed is given, ``env`` added to the environment, the Python statements ``prelude`` run before
    app.py in its process), its output appended to ``log_path``; returns the process and its URL once the
    page answers. The caller stops it."""
    port = port or free_port()
    program = ["app.py"] if seed is None and not prelude else ["-c", APP_RUNNER, str(seed or ""), prelude]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, *program, *args, "--port", str(port)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"app.py exited with {proc.returncode}; log: {log_path}\n"
                                 + log_path.read_text(errors="replace")[-3000:])
        if time.monotonic() > deadline:
            stop_app(proc)
            raise AssertionError(f"app.py did not answer on {url} within {timeout:.0f} s; log: {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            pass
        time.sleep(0.5)


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def _launch_app(args: list[str], log_path: Path, *, seed: int | None = None, env: dict | None = None,
                timeout: float = 180) -> Iterator[str]:
    """``start_app``, yielding its URL, and stopping it on exit."""
    proc, url = start_app(args, log_path, seed=seed, env=env, timeout=timeout)
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def launch_app():
    """``with launch_app(args, log_path, seed=None, env=None) as url:`` runs app.py as a server on a free port
    (see ``_launch_app``); for module-scoped server fixtures."""
    return _launch_app


# ---------------------------------------------------------------------------------------------
# Browser tests

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Software WebGL2 through ANGLE; without the flag Chromium logs that the fallback is deprecated.
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]
VIEWER_CANVAS = "#viewer canvas[data-testid=splat-canvas]"  # the viewer of app.py (elem_id "viewer")
# torch's RNG is seeded before app.py runs in browser tests, so the random weights are the same in every
# run. Unseeded, about one initialisation in six predicts a field of view of ~0 on both axes (DA3 clamps
# tan(fov/2) to 1e-6); Spark then draws every splat over the whole canvas and SwiftShader stalls for
# minutes. Seed 14 predicts fields of view near a webcam's aspect on both axes for the fake webcam.
WEIGHTS_SEED = 14
HOOK_TIMEOUT_MS = 120_000


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def webcam_frames(count: int) -> list[np.ndarray]:
    """A slow pan and zoom across scikit-image's astronaut photograph, ``count`` frames of 640×480 RGB."""
    from PIL import Image
    from skimage import data

    photo = Image.fromarray(data.astronaut())  # 512×512
    frames = []
    for i in range(count):
        t = i / (count - 1)
        # A 4:3 window sliding left to right and zooming in a little, resized to 640×480.
        w = 512 * (1.0 - 0.15 * t)
        h = w * 3 / 4
        x0 = (512 - w) * t
        y0 = (512 - h) * 0.3
        crop = photo.resize((640, 480), Image.BICUBIC, box=(x0, y0, x0 + w, y0 + h))
        frames.append(np.asarray(crop))
    return frames


def write_y4m(frames: list[np.ndarray], path: Path, fps: int) -> Path:
    """YUV4MPEG2, 4:2:0, full-range BT.601 (what C420jpeg means), as Chromium's fake camera reads it
    (and plays at ``fps``, looping)."""
    height, width = frames[0].shape[:2]
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
            y = 0.299 * r + 0.587 * g + 0.114 * b
            u = (b - y) * 0.564 + 128
            v = (r - y) * 0.713 + 128
            sub = lambda c: c.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))  # noqa: E731
            out.write(b"FRAME\n")
            for plane in (y, sub(u), sub(v)):
                out.write(np.clip(np.rint(plane), 0, 255).astype(np.uint8).tobytes())
    return path


@pytest.fixture(scope="module")
def workdir(request):
    """Scratch files of a browser test module (fake webcam, server logs, downloads); kept only if a
    test failed."""
    path = Path(tempfile.mkdtemp(prefix=f"{request.module.__name__.replace('_', '-')}-"))
    failed_before = request.session.testsfailed
    yield path
    if request.session.testsfailed == failed_before:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def launch_chromium():
    """``with launch_chromium(camera=None, ask=False) as browser:`` Debian's Chromium (through Playwright)
    with SwiftShader WebGL and, given a .y4m file, that file as its webcam: allowed without asking, or
    with ``ask=True`` asked for as a user would be (a context's ``permissions`` then answer). One
    Playwright per module, ended with it: its sync API cannot be started twice at once, and
    test_pack.py starts its own."""
    if not Path(CHROMIUM).exists():
        message = "Debian's chromium is needed: apt-get install chromium"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:

        @contextlib.contextmanager
        def launch(camera: Path | None = None, ask: bool = False):
            webcam = [] if camera is None else [
                "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={camera}",
                *([] if ask else ["--use-fake-ui-for-media-stream"])]
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*webcam, *CHROMIUM_ARGS])
            try:
                yield browser
            finally:
                browser.close()

        yield launch


def hooks(page, canvas: str = VIEWER_CANVAS) -> dict:
    """The viewer's test hooks: its canvas's data attributes."""
    return page.eval_on_selector(canvas, "c => ({...c.dataset})")


def wait_hooks(page, condition: str, timeout: float = HOOK_TIMEOUT_MS, canvas: str = VIEWER_CANVAS) -> dict:
    """Waits until ``condition`` (JS over ``d``, the canvas's dataset) holds; returns the hooks."""
    page.wait_for_function(f"(c => !!c && (d => {condition})(c.dataset))(document.querySelector('{canvas}'))",
                           timeout=timeout, polling=100)
    return hooks(page, canvas)


def png_of_zeros(width: int, height: int, complete: bool = True) -> bytes:
    """A black 8-bit grey PNG of any size, written chunk by chunk without holding its pixels: a 16000×11000
    one is 0.2 MB. ``complete=False`` stops after the first scanlines (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer, row = zlib.compressobj(1), bytes(width + 1)  # each scanline: filter byte 0, then pixels
    rows_per_piece = max(1, 2**22 // len(row))
    pieces = [packer.compress(row * min(rows_per_piece, height - start))
              for start in range(0, height if complete else 1, rows_per_piece)]
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", b"".join(pieces) + packer.flush()) + chunk(b"IEND", b""))


@pytest.fixture(scope="session")
def upload_corpus(tmp_path_factory, webcam_frame) -> dict[str, tuple[Path, str]]:
    """Files a visitor or an API client may upload that are not usable pictures: name → (file, what the
    error message must say)."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("bad-uploads")
    good = folder / "good.jpg"
    Image.fromarray(webcam_frame).save(good, quality=90)
    data = good.read_bytes()
    files = {
        "truncated JPEG": ("truncated.jpg", data[:len(data) // 2], r"truncated JPEG"),
        "zero-byte file": ("empty.jpg", b"", r"not an image: empty\.jpg is an empty file"),
        "text named .png": ("notes.png", b"my shopping list\n", r"not an image: notes\.png is not a picture"),
        "900 MP bomb": ("bomb.png", png_of_zeros(30_000, 30_000, complete=False),
                        r"image too large: over \d+ MP, the limit is 40 MP"),
        "16000×11000 PNG": ("huge.png", png_of_zeros(16_000, 11_000),
                            r"image too large: 176 MP \(16000×11000\), the limit is 40 MP"),
        "1×1 PNG": ("dot.png", None, r"image too small: 1×1 px; each side must be at least 32 px"),
    }
    corpus = {}
    for case, (name, content, message) in files.items():
        path = folder / name
        if content is None:
            Image.new("RGB", (1, 1), (200, 10, 10)).save(path)
        else:
            path.write_bytes(content)
        corpus[case] = (path, message)
    return corpus


@pytest.fixture(scope="session")
def odd_pictures(tmp_path_factory) -> dict[str, tuple[Path, np.ndarray, str]]:
    """Unusual but valid picture files: name → (file, the RGB picture it holds as a viewer shows it, a
    note the status must show or ""). Small (96×72), so that reconstructing one costs little."""
    import cv2
    from PIL import Image

    folder = tmp_path_factory.mktemp("odd-pictures")
    y, x = np.mgrid[0:72, 0:96]
    rgb = np.stack([x * 255 // 95, y * 255 // 71, (x + y) * 255 // 166], axis=-1).astype(np.uint8)
    grey16 = (x * 65535 // 95).astype(np.uint16) ^ (y.astype(np.uint16) << 3)  # low bits carry detail too
    pictures = {}

    def add(name, filename, save, picture, note=""):
        path = folder / filename
        save(path)
        pictures[name] = (path, picture, note)

    add("16-bit grey PNG", "grey16.png", lambda p: Image.fromarray(grey16).save(p),
        np.repeat(np.round(grey16 / 257).astype(np.uint8)[..., None], 3, axis=2))
    add("16-bit RGB PNG", "rgb16.png",
        lambda p: cv2.imwrite(str(p), cv2.cvtColor(rgb.astype(np.uint16) * 257, cv2.COLOR_RGB2BGR)), rgb)
    palette = Image.fromarray(rgb).quantize(64)
    add("palette PNG", "palette.png", palette.save, np.asarray(palette.convert("RGB")))
    gif_frames = [palette, Image.fromarray(255 - rgb).quantize(64), Image.fromarray(rgb[::-1]).quantize(64)]
    add("animated GIF", "animated.gif", lambda p: gif_frames[0].save(p, save_all=True, append_images=gif_frames[1:],
                                                                    duration=100, loop=0),
        np.asarray(gif_frames[0].convert("RGB")), "Animated GIF: its first of 3 frames is shown.")
    add("CMYK JPEG", "cmyk.jpg", lambda p: Image.fromarray(rgb).convert("CMYK").save(p, quality=95), rgb)

    def save_rotated(path):  # stored lying on its side; EXIF orientation 6 says "turn 90° clockwise"
        exif = Image.Exif()
        exif[0x0112] = 6
        Image.fromarray(np.rot90(rgb, 1)).save(path, quality=95, exif=exif)

    add("EXIF-rotated JPEG", "rotated.jpg", save_rotated, rgb)
    return pictures
