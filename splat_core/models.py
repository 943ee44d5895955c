"""Loading Depth Anything 3 networks: hub weights, a local path, or random initialisation.

Only the bare network is built (``depth_anything_3.cfg.create_object``), never DA3's ``api`` module:
that one imports moviepy, pycolmap, trimesh and open3d-era exporters eagerly, which the pipeline never
uses (research/da3.md §4).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import torch

log = logging.getLogger(__name__)

CONFIG_DIR = Path(__file__).parent / "configs"


@dataclass(frozen=True)
class ModelSpec:
    name: str  # our short name (command line, UI)
    config: str  # DA3 registry name, or a path to one of our YAML configs
    hub_repo: str | None  # weights on the hub; None for test-only configs
    has_gaussians: bool
    params_m: float  # parameters in millions (counted from the built modules, research/da3.md)


# Ordered from largest to smallest: the out-of-memory fallback walks down this list.
# "-1.1" repos are the retrained ones; the originals are deprecated (DA3 README).
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in [
        ModelSpec("nested", "da3nested-giant-large", "depth-anything/DA3NESTED-GIANT-LARGE-1.1", True, 1689.8),
        ModelSpec("giant", "da3-giant", "depth-anything/DA3-GIANT-1.1", True, 1355.7),
        ModelSpec("large", "da3-large", "depth-anything/DA3-LARGE-1.1", False, 410.9),
        ModelSpec("base", "da3-base", "depth-anything/DA3-BASE", False, 135.4),
        ModelSpec("small", "da3-small", "depth-anything/DA3-SMALL", False, 34.3),
        ModelSpec("tiny", str(CONFIG_DIR / "da3-tiny-gs.yaml"), None, True, 37.2),
    ]
}

# Activations of one 504×378 frame plus allocator slack, measured on an H100 for giant (7.66 GB peak
# with 5.4 GB of fp32 weights); scaled down for the smaller models by this fixed share of weight memory.
ACTIVATION_OVERHEAD = 0.45
MIN_ACTIVATION_BYTES = 512 * 2**20
# Seconds the hub gets to answer one request before it counts as unreachable. huggingface_hub itself
# retries a failed request five times with backoff (about 30 s offline) before giving up.
HUB_TIMEOUT_S = 3.0


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says what to do instead."""


@dataclass
class LoadedModel:
    net: torch.nn.Module
    spec: ModelSpec
    device: torch.device
    notices: list[str] = field(default_factory=list)  # things the app should show the user
    fast: object | None = None  # fast.FastNetwork (not for the nested model)

    @property
    def is_nested(self) -> bool:
        return self.spec.name == "nested"


def pick_device(requested: str | None = None) -> torch.device:
    """cuda, then mps, then cpu, unless a device is named."""
    if requested and requested != "auto":
        return torch.device(requested)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def estimated_bytes(spec: ModelSpec) -> int:
    weights = int(spec.params_m * 1e6 * 4)  # fp32 weights; autocast computes in bf16
    return weights + max(int(weights * ACTIVATION_OVERHEAD), MIN_ACTIVATION_BYTES)


def fitting_model(name: str, need_gaussians: bool, free_bytes: int) -> tuple[ModelSpec, str | None]:
    """The requested model, or the next smaller one that fits ``free_bytes`` and can do the mode."""
    order = list(MODELS.values())
    wanted = MODELS[name]
    for spec in order[order.index(wanted):]:
        if spec.hub_repo is None and wanted.hub_repo is not None:
            break  # never fall back from a real model to the test-only config
        if need_gaussians and not spec.has_gaussians:
            continue
        if estimated_bytes(spec) <= free_bytes:
            if spec is wanted:
                return spec, None
            return spec, (
                f"Not enough GPU memory for '{wanted.name}' ({estimated_bytes(wanted) / 2**30:.1f} GiB needed, "
                f"{free_bytes / 2**30:.1f} GiB free): using '{spec.name}' instead."
            )
    mode = "Gaussians" if need_gaussians else "points"
    raise ModelLoadError(
        f"Not enough GPU memory for any model that can do {mode} "
        f"({free_bytes / 2**30:.1f} GiB free). Try --device cpu or a smaller --model."
    )


def build_network(spec: ModelSpec) -> torch.nn.Module:
    """The bare DA3 network with random weights."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*register_new_resolver.*")  # omegaconf 2.4 notice
        from depth_anything_3.cfg import create_object, load_config
        from depth_anything_3.registry import MODEL_REGISTRY

        return create_object(load_config(MODEL_REGISTRY.get(spec.config, spec.config)))


def hub_reachable() -> bool:
    """Whether the hub (``HF_ENDPOINT``, through any configured proxy) answers within HUB_TIMEOUT_S."""
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    if constants.HF_HUB_OFFLINE:
        return False
    try:
        get_session().head(constants.ENDPOINT, timeout=HUB_TIMEOUT_S)  # any HTTP answer will do
        return True
    except Exception:  # noqa: BLE001 - no DNS, refused, timed out, TLS: unreachable all the same
        return False


def _hub_files(repo: str) -> Path:
    """Download (or find in the cache) the checkpoint of ``repo``. One short probe first: when the hub
    does not answer, only the cache is looked at, so an offline start fails (or finds its cached copy)
    in seconds instead of after huggingface_hub's retries."""
    from huggingface_hub import hf_hub_download, try_to_load_from_cache

    try:
        if hub_reachable():
            return Path(hf_hub_download(repo, "model.safetensors"))
        # Looked up on disk only: even with local_files_only, hf_hub_download makes requests of its own.
        cached = try_to_load_from_cache(repo, "model.safetensors")
        if not isinstance(cached, str):
            raise ConnectionError(f"the hub is unreachable (no answer within {HUB_TIMEOUT_S:g} s) "
                                  "and the cache has no copy")
        return Path(cached)
    except Exception as err:  # offline, hub down, gated repo, missing cache: one message for all
        raise ModelLoadError(
            f"Could not get the weights of {repo} from the Hugging Face hub ({type(err).__name__}: {err}). "
            "Run with --weights random for random weights (testing), or --weights /path/to/checkpoint "
            "for a local copy (a folder holding model.safetensors, or the file itself)."
        ) from err


def _checkpoint_file(weights: str, spec: ModelSpec) -> Path:
    if weights == "auto":
        if spec.hub_repo is None:
            raise ModelLoadError(f"Model '{spec.name}' has no published weights: use --weights random.")
        return _hub_files(spec.hub_repo)
    path = Path(weights).expanduser()
    if path.is_dir():
        path = path / "model.safetensors"
    if not path.is_file():
        raise ModelLoadError(f"No checkpoint at {path}: expected model.safetensors or a folder holding it.")
    return path


def load_weights(net: torch.nn.Module, checkpoint: Path) -> None:
    """Load a DA3 hub checkpoint into the bare network, strictly.

    Hub checkpoints are saved by huggingface_hub's mixin from DA3's API wrapper: keys start with
    ``model.`` and tied tensors (the depth head's aux convolutions) are stored once. safetensors'
    ``load_model`` understands that de-duplication, so the network is wrapped to match the key prefix.
    """
    from safetensors.torch import load_model as load_safetensors

    wrapper = torch.nn.Module()
    wrapper.model = net
    try:
        load_safetensors(wrapper, str(checkpoint), strict=True)
    except RuntimeError as err:
        raise ModelLoadError(f"{checkpoint} does not match the model's architecture: {err}") from err


def free_memory(device: torch.device) -> int | None:
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return free
    return None  # no reliable figure for cpu/mps: assume it fits


def load_model(name: str = "giant", weights: str = "auto", device: str | None = None,
               need_gaussians: bool = False, fast: bool = True, tuned: bool = False) -> LoadedModel:
    """Build model ``name`` with ``weights`` ("auto" = hub, "random", or a local path) on ``device``.

    With ``fast``, frames run through ``splat_core.fast`` (CUDA graphs on CUDA), ``tuned`` with its
    compiled kernels (``fast.FastNetwork``)."""
    if name not in MODELS:
        raise ModelLoadError(f"Unknown model '{name}'; choose one of {', '.join(MODELS)}.")
    dev = pick_device(device)
    spec, notice = MODELS[name], None
    free = free_memory(dev)
    if free is not None:
        spec, notice = fitting_model(name, need_gaussians, free)
    elif need_gaussians and not spec.has_gaussians:
        raise ModelLoadError(f"Model '{name}' has no Gaussian head: use giant or nested (or tiny for tests).")

    checkpoint = None if weights == "random" else _checkpoint_file(weights, spec)  # fails before the build
    net = build_network(spec)
    if checkpoint is not None:
        load_weights(net, checkpoint)
    net = net.eval().requires_grad_(False).to(dev)
    loaded = LoadedModel(net=net, spec=spec, device=dev)
    if fast and spec.name != "nested":
        from .fast import FastNetwork

        loaded.fast = FastNetwork(net, tuned=tuned)
    if notice:
        loaded.notices.append(notice)
        log.warning(notice)
    if weights == "random":
        loaded.notices.append(f"'{spec.name}' runs with random weights: the geometry is noise.")
    log.info("loaded %s (%s weights) on %s", spec.name, weights, dev)
    return loaded

