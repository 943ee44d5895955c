"""app.py as a user runs it: ``python app.py --help``, the ``/reconstruct`` API called with gradio_client
against ``python app.py --weights random --model tiny`` on a free port (good, bad and odd files, disk
bounds, the upload limit), and a clean stop on SIGINT and SIGTERM in the middle of a call."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import gsply
import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from splat_core.frames import processing_size
from splat_core.wire import decode_frame, decode_planes

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, str(ROOT / "app.py"), "--help"], cwd=ROOT, env=ENV,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps long lines
    choices = re.search(r"--model \{([^}]*)\}", text)
    assert choices and set(choices.group(1).split(",")) == {"tiny", "small", "base", "large", "giant", "nested"}
    for option in ("--weights", "--device", "--port", "--share", "--detail", "--gaussian-model", "--host"):
        assert re.search(rf"{option}\b", text), f"{option} missing from --help"


TINY = ["--weights", "random", "--model", "tiny", "--device", "cpu"]
# Short, so that the disk test sees files expire, but with room for a loaded 2-core machine to download a
# 45 MB PLY before it goes.
EXPORT_TTL_S, EXPORT_CAP_MB = 15, 20


@pytest.fixture(scope="module")
def server(launch_app, tmp_path_factory):
    """``python app.py --weights random --model tiny --port <free port>`` with short-lived downloads and
    a Gradio cache of its own; yields (url, log path, cache folder)."""
    folder = tmp_path_factory.mktemp("server")
    args = [*TINY, "--export-ttl", str(EXPORT_TTL_S), "--export-cap", str(EXPORT_CAP_MB)]
    with launch_app(args, folder / "server.log", env={"GRADIO_TEMP_DIR": str(folder / "cache")}) as url:
        yield url, folder / "server.log", folder / "cache"


def reconstruct(url: str, path, download_to: Path):
    """``/reconstruct`` through gradio_client: (PLY path, decoded wire frame)."""
    ply_path, viewer = Client(url, verbose=False, download_files=str(download_to)).predict(
        handle_file(str(path)), api_name="/reconstruct")
    frame_path = viewer["file"]["path"] if isinstance(viewer["file"], dict) else viewer["file"]
    return ply_path, decode_frame(Path(frame_path).read_bytes())


def export_bytes(cache: Path) -> int:
    return sum(f.stat().st_size for f in cache.glob("exports-*/**/*") if f.is_file())


@pytest.fixture(scope="module")
def photo_jpg(tmp_path_factory) -> Path:
    """scikit-image's coffee photograph as a 640×480 JPEG."""
    from skimage import data

    path = tmp_path_factory.mktemp("photo") / "coffee.jpg"
    Image.fromarray(data.coffee()).resize((640, 480), Image.BICUBIC).save(path, quality=90)
    return path


def test_reconstruct_returns_a_ply_and_a_wire_frame(server, photo_jpg, tmp_path):
    url, log_path, _ = server
    client = Client(url, verbose=False, download_files=str(tmp_path))
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/reconstruct" in endpoints, f"/reconstruct is not in the API: {list(endpoints)}"

    ply_path, viewer = client.predict(handle_file(str(photo_jpg)), api_name="/reconstruct")

    ply = gsply.plyread(ply_path)
    assert len(ply.means) > 0, f"empty PLY; log: {log_path}"
    for name in ("means", "scales", "quats", "opacities", "sh0", "shN"):
        assert np.isfinite(getattr(ply, name)).all(), name
    assert ply.shN.shape[1] == 8, "the HQ reconstruction keeps degree-2 spherical harmonics"

    assert viewer["kind"] == "frame", viewer
    frame_path = viewer["file"]["path"] if isinstance(viewer["file"], dict) else viewer["file"]
    frame = decode_frame(Path(frame_path).read_bytes())
    assert frame.mode == "gaussians" and frame.sh_degree == 2
    assert int((decode_planes(frame)["depth"] != 0).sum()) == len(ply.means), "the PLY holds the frame's splats"
    assert viewer["num_splats"] == frame.num_pixels
    assert viewer["frame_id"] == frame.frame_id
    # 640×480 at the HQ processing size: up to 756 px on the long side but never above the picture's own
    # size, sides multiples of 14
    assert (frame.camera.width, frame.camera.height) == (630, 476)


def test_reconstruct_without_an_image_is_an_error(server):
    url, *_ = server
    with pytest.raises(AppError, match="No image given"):
        Client(url, verbose=False).predict(None, api_name="/reconstruct")


@pytest.fixture(scope="module")
def small_jpg(tmp_path_factory, webcam_frame) -> Path:
    """A 160×120 photo: an HQ reconstruction of it takes a fraction of a second."""
    path = tmp_path_factory.mktemp("small") / "small.jpg"
    Image.fromarray(webcam_frame).resize((160, 120), Image.BICUBIC).save(path, quality=90)
    return path


def test_bad_files_through_reconstruct_say_what_is_wrong(server, upload_corpus, small_jpg, tmp_path):
    """Each bad file: the client gets our message (not Gradio's generic one), and the server goes on
    with the next good picture."""
    url, log_path, _ = server
    for case, (path, message) in upload_corpus.items():
        with pytest.raises(AppError, match=message):
            Client(url, verbose=False).predict(handle_file(str(path)), api_name="/reconstruct")
        ply_path, frame = reconstruct(url, small_jpg, tmp_path)
        assert (frame.camera.width, frame.camera.height) == (154, 112), f"after {case}; log: {log_path}"
        assert len(gsply.plyread(ply_path).means) == int((decode_planes(frame)["depth"] != 0).sum())


def test_odd_pictures_through_reconstruct(server, odd_pictures, tmp_path):
    """Each odd picture reconstructs on its own grid (never enlarged, EXIF rotation applied); 16-bit grey,
    palette and the GIF's first frame give exactly the frame of the 8-bit RGB picture a viewer shows."""
    url, *_ = server
    for name, (path, picture, _note) in odd_pictures.items():
        _, frame = reconstruct(url, path, tmp_path)
        height, width = picture.shape[:2]
        assert (frame.camera.width, frame.camera.height) == processing_size(width, height, 756), name
        if path.suffix != ".jpg":  # lossless: the network saw exactly the picture's pixels
            twin = tmp_path / f"twin-{path.stem}.png"
            Image.fromarray(picture).save(twin)
            want = reconstruct(url, twin, tmp_path)[1]
            assert {n: p.data for n, p in frame.planes.items()} == {n: p.data for n, p in want.planes.items()}, name


def test_disk_stays_bounded_and_downloads_expire(server, photo_jpg, tmp_path):
    """Every call writes a PLY (about 45 MB for a 640×480 photo); the store keeps at most the cap (plus
    the newest file) and removes everything once the TTL has passed, with the server idle."""
    url, _, cache = server
    sizes = []
    for _ in range(3):
        ply_path, _ = reconstruct(url, photo_jpg, tmp_path)
        sizes.append(Path(ply_path).stat().st_size)
        assert export_bytes(cache) <= EXPORT_CAP_MB * 2**20 + max(sizes)
    assert min(sizes) > EXPORT_CAP_MB * 2**20 / 2, "the cap must be small enough to bite in this test"
    deadline = time.monotonic() + EXPORT_TTL_S + 15
    while export_bytes(cache) or [f for f in cache.rglob("*") if f.is_file() and "gradio_splat" not in f.parts]:
        assert time.monotonic() < deadline, f"files left after the TTL: {sorted(cache.rglob('*'))}"
        time.sleep(0.5)


def test_uploads_over_the_size_limit_are_refused(server, small_jpg):
    import httpx

    url, *_ = server
    limit = 100 * 2**20  # app.MAX_UPLOAD
    for size, expected in ((limit + 2**20, 413), (len(small_jpg.read_bytes()), 200)):
        response = httpx.post(f"{url}gradio_api/upload", timeout=60,
                              files={"files": ("photo.jpg", small_jpg.read_bytes().ljust(size, b"\0"), "image/jpeg")})
        assert response.status_code == expected, response.text[:200]


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_signal_during_a_call_stops_cleanly_and_removes_exports(signal_name, tmp_path, photo_jpg, small_jpg):
    """Ctrl-C or SIGTERM in the middle of a /reconstruct call: the call in flight ends (its client hears
    of it), the workers stop, the exports and Gradio's cache are removed, and the exit status is 0."""
    from conftest import start_app, stop_app

    cache, log_path = tmp_path / "cache", tmp_path / "server.log"
    proc, url = start_app(TINY, log_path, env={"GRADIO_TEMP_DIR": str(cache)})
    try:
        reconstruct(url, small_jpg, tmp_path)
        assert export_bytes(cache) > 0
        job = Client(url, verbose=False).submit(handle_file(str(photo_jpg)), api_name="/reconstruct")
        time.sleep(1.5)  # the upload is done and the capture is running (it takes seconds on a CPU)
        assert not job.done(), "the capture finished before the signal: make it longer"
        proc.send_signal(getattr(signal, signal_name))
        start = time.monotonic()
        status = proc.wait(timeout=60)
        stopped_in = time.monotonic() - start
    finally:
        stop_app(proc)
    log = log_path.read_text(errors="replace")
    assert status == 0, f"exit status {status}; log:\n{log[-3000:]}"
    assert "terminate called" not in log and "Traceback" not in log.split(f"{signal_name}: stopping")[0]
    assert stopped_in < 30, f"stopping took {stopped_in:.1f} s"
    assert not list(cache.glob("exports-*")), "exports left behind"
    left = [f for f in cache.rglob("*") if f.is_file()]
    assert not left, f"Gradio's cache left behind: {left}"
    with pytest.raises(Exception):  # noqa: B017 - the client sees an error or a closed connection
        job.result(timeout=30)
