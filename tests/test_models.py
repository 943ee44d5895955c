import subprocess
import sys

import huggingface_hub
import pytest
import torch
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


def test_offline_hub_fails_fast_naming_the_alternatives(monkeypatch):
    def offline(*args, **kwargs):
        raise huggingface_hub.errors.LocalEntryNotFoundError("no connection and nothing cached")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", offline)
    with pytest.raises(ModelLoadError, match=r"depth-anything/DA3-SMALL.*--weights random.*--weights /path"):
        load_model("small", "auto", "cpu")


def test_hub_weights_load_strictly_into_the_bare_network(monkeypatch, tmp_path):
    trained = models.build_network(MODELS["small"])
    save_hub_style_checkpoint(trained, tmp_path / "model.safetensors")
    asked = []
    monkeypatch.setattr(huggingface_hub, "hf_hub_download",
                        lambda repo, filename: asked.append((repo, filename)) or str(tmp_path / filename))
    loaded = load_model("small", "auto", "cpu")
    assert asked == [("depth-anything/DA3-SMALL", "model.safetensors")]
    for (name, ours), theirs in zip(loaded.net.state_dict().items(), trained.state_dict().values()):
        assert torch.equal(ours, theirs), name


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
