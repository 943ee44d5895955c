"""app.py as a user runs it: ``python app.py --help``, and the ``/reconstruct`` API called with
gradio_client against ``python app.py --weights random --model tiny`` on a free port."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import gsply
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

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


@pytest.fixture(scope="module")
def server(launch_app, tmp_path_factory):
    """``python app.py --weights random --model tiny --port <free port>``; yields (url, log path)."""
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with launch_app(["--weights", "random", "--model", "tiny", "--device", "cpu"], log_path) as url:
        yield url, log_path


@pytest.fixture(scope="module")
def photo_jpg(tmp_path_factory) -> Path:
    """scikit-image's coffee photograph as a 640×480 JPEG."""
    from skimage import data

    path = tmp_path_factory.mktemp("photo") / "coffee.jpg"
    Image.fromarray(data.coffee()).resize((640, 480), Image.BICUBIC).save(path, quality=90)
    return path


def test_reconstruct_returns_a_ply_and_a_wire_frame(server, photo_jpg, tmp_path):
    url, log_path = server
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
    # 640×480 at the HQ processing size (756 px on the long side, sides multiples of 14)
    assert (frame.camera.width, frame.camera.height) == (756, 560)


def test_reconstruct_without_an_image_is_an_error(server):
    url, _ = server
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="No image given"):
        Client(url, verbose=False).predict(None, api_name="/reconstruct")
