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


@contextlib.contextmanager
def _launch_app(args: list[str], log_path: Path, *, seed: int | None = None,
                timeout: float = 180) -> Iterator[str]:
    """Runs ``python app.py ARGS --port <free port>`` (with ``torch.manual_seed(seed)`` first if a seed
    is given), its output in ``log_path``; yields its URL once the page answers, and stops it on exit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    program = ["app.py"] if seed is None else ["-c", SEEDED_APP, str(seed)]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, *program, *args, "--port", str(port)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"app.py exited with {proc.returncode}; log: {log_path}\n"
                                     + log_path.read_text(errors="replace")[-3000:])
            if time.monotonic() > deadline:
                raise AssertionError(f"app.py did not answer on {url} within {timeout:.0f} s; log: {log_path}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def launch_app():
    """``with launch_app(args, log_path, seed=None) as url:`` runs app.py as a server on a free port
    (see ``_launch_app``); for module-scoped server fixtures."""
    return _launch_app
