"""Shared fixtures: the tiny random-weight DA3 model (small backbone + Gaussian head) on the CPU, a
webcam-like frame, and ``launch_app`` to run app.py as a server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# `python app.py ARGS` with torch's RNG seeded first (the seed is argv[1]), for the same random weights.
SEEDED_APP = ("import runpy, sys, torch; torch.manual_seed(int(sys.argv.pop(1))); sys.argv[0] = 'app.py'; "
              "runpy.run_path('app.py', run_name='__main__')")


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


def start_app(args: list[str], log_path: Path, *, seed: int | None = None, env: dict | None = None,
              timeout: float = 180) -> tuple[subprocess.Popen, str]:
    """Starts ``python app.py ARGS --port <free port>`` (with ``torch.manual_seed(seed)`` first if a seed
    is given, ``env`` added to the environment), its output in ``log_path``; returns the process and its
    URL once the page answers. The caller stops it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    program = ["app.py"] if seed is None else ["-c", SEEDED_APP, str(seed)]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log_path, "wb") as log:
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
