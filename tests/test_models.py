import contextlib
import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import torch
from huggingface_hub import constants
from safetensors.torch import save_model

from splat_core import models
from splat_core.models import MODELS, ModelLoadError, estimated_bytes, fitting_model, load_model

GIB = 2**30


def save_hub_style_checkpoint(net, path):
    """As huggingface_hub's mixin saves DA3's API wrapper: keys start with "model.", tied tensors once."""
    wrapper = torch.nn.Module()
    wrapper.model = net
    save_model(wrapper, str(path))


def test_importing_splat_core_is_light():
    code = "import sys, splat_core; print(sorted(m for m in ('torch', 'depth_anything_3', 'gradio') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_loading_a_model_skips_das3_heavy_exporters(tiny_model):
    code = ("import sys; from splat_core.models import load_model; load_model('tiny', 'random', 'cpu');"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'moviepy', 'pycolmap', 'trimesh', 'open3d', 'cv2', 'depth_anything_3.api'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_memory_fallback_walks_down_to_a_model_that_fits_the_mode():
    giant = MODELS["giant"]
    assert fitting_model("giant", True, estimated_bytes(giant)) == (giant, None)
    spec, notice = fitting_model("nested", True, estimated_bytes(giant) + GIB // 10)
    assert spec.name == "giant" and "using 'giant' instead" in notice
    spec, notice = fitting_model("giant", False, estimated_bytes(MODELS["large"]))
    assert spec.name == "large" and "Not enough GPU memory for 'giant'" in notice
    with pytest.raises(ModelLoadError, match="any model that can do Gaussians"):
        fitting_model("giant", True, estimated_bytes(giant) - 1)  # never falls back to the test config


def test_unknown_model_and_missing_gaussian_head_are_explained():
    with pytest.raises(ModelLoadError, match="Unknown model 'huge'"):
        load_model("huge", "random", "cpu")
    with pytest.raises(ModelLoadError, match="no Gaussian head"):
        load_model("small", "random", "cpu", need_gaussians=True)


@contextlib.contextmanager
def fake_hub(files: dict[str, bytes]):
    """A local stand-in for the hub's file API (HEAD and GET of /{repo}/resolve/{revision}/{file}, with
    the commit and ETag headers huggingface_hub reads); yields its URL and the paths asked for."""
    asked = []

    class Hub(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            asked.append(self.path)
            data = files.get(self.path.split("/resolve/main/")[-1], b"") if "/resolve/" in self.path else b""
            self.send_response(200)
            self.send_header("X-Repo-Commit", "0" * 40)
            self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return data

        def do_GET(self):
            self.wfile.write(self.do_HEAD())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", asked
    finally:
        server.shutdown()


@contextlib.contextmanager
def silent_hub():
    """A hub that accepts connections and never answers (a hung proxy, a captive portal, a dead route
    with a TCP middlebox): only a timeout ends a request to it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def hub_cache(monkeypatch, tmp_path):
    """An empty hub cache, and no offline flag from the environment."""
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    return tmp_path / "hub"


@pytest.mark.parametrize("hub", ["silent", "no such host"])
def test_an_unreachable_hub_fails_fast_naming_the_alternatives(hub, hub_cache, monkeypatch):
    with silent_hub() if hub == "silent" else contextlib.nullcontext("http://hub.invalid") as url:
        monkeypatch.setattr(constants, "ENDPOINT", url)
        start = time.monotonic()
        with pytest.raises(ModelLoadError, match=r"DA3-SMALL.*unreachable.*--weights random.*--weights /path"):
            load_model("small", "auto", "cpu")
        elapsed = time.monotonic() - start
    # huggingface_hub alone retries for about 30 s; the probe gives up after HUB_TIMEOUT_S.
    assert elapsed <= 10, f"the failed load took {elapsed:.1f} s"


def test_hub_weights_download_when_the_hub_answers_and_load_from_the_cache_offline(tmp_path):
    """In a fresh process each (huggingface_hub builds its URLs from HF_ENDPOINT at import): load_model
    against a hub that answers, then against a silent one, which the cached copy serves."""
    trained = models.build_network(MODELS["small"])
    save_hub_style_checkpoint(trained, tmp_path / "model.safetensors")
    code = ("import time; from splat_core.models import load_model; start = time.monotonic(); "
            "net = load_model('small', 'auto', 'cpu').net; "
            "print(time.monotonic() - start, float(net.head.scratch.output_conv1.weight.double().sum()))")

    def load(url):
        env = {**os.environ, "HF_ENDPOINT": url, "HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HUB_OFFLINE": "0"}
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        seconds, checksum = map(float, result.stdout.split()[-2:])
        return seconds, checksum

    expected = float(trained.head.scratch.output_conv1.weight.double().sum())
    with fake_hub({"model.safetensors": (tmp_path / "model.safetensors").read_bytes()}) as (url, asked):
        answered_seconds, checksum = load(url)
    assert checksum == expected
    assert "/depth-anything/DA3-SMALL/resolve/main/model.safetensors" in asked
    with silent_hub() as url:
        seconds, checksum = load(url)
    # Building the network dominates both loads and depends on the machine's load, so the silent hub is
    # timed against the answering one (which even downloads): at most the probe's timeout more, not
    # huggingface_hub's 30 s of retries.
    assert checksum == expected
    assert seconds <= answered_seconds + models.HUB_TIMEOUT_S + 2, (seconds, answered_seconds)


def test_local_checkpoint_folder_and_mismatch(tmp_path):
    net = models.build_network(MODELS["tiny"])
    save_hub_style_checkpoint(net, tmp_path / "model.safetensors")
    loaded = load_model("tiny", str(tmp_path), "cpu")
    assert torch.equal(loaded.net.gs_head.scratch.output_conv1.weight, net.gs_head.scratch.output_conv1.weight)
    with pytest.raises(ModelLoadError, match="does not match"):
        load_model("small", str(tmp_path / "model.safetensors"), "cpu")
    with pytest.raises(ModelLoadError, match="No checkpoint"):
        load_model("tiny", str(tmp_path / "missing"), "cpu")


def test_device_auto_selection_on_this_machine():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert models.pick_device().type in (expected, "mps") and models.pick_device("cpu").type == "cpu"
