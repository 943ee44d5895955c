"""The whole chain for one frame: image → network → splats → budget → packed wire frame."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from . import frames, wire
from .budget import GAUSSIANS_BUDGET, POINTS_BUDGET, Budget, apply_budget
from .inference import run_networks
from .models import LoadedModel
from .pack import pack_sh, pack_splats, words_to_bytes
from .points import splats_from_depth
from .splats import SplatSet

LIVE_RES = 504  # DA3's default processing size: 640×480 → 504×378
HQ_RES = 756  # HQ capture: 756×567 → 428,652 Gaussians before pruning


@dataclass
class Reconstruction:
    splats: SplatSet
    mode: str
    camera: wire.Camera
    target_depth: float
    timings_ms: dict[str, float] = field(default_factory=dict)


class _Stopwatch:
    """Per-stage wall time; synchronises the device so GPU work is charged to the right stage."""

    def __init__(self, device: torch.device):
        self.device, self.timings, self._last = device, {}, time.perf_counter()

    def lap(self, stage: str) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self._last) * 1e3
        self._last = now


def default_budget(mode: str, max_splats: int | None = None) -> Budget:
    base = GAUSSIANS_BUDGET if mode == "gaussians" else POINTS_BUDGET
    return Budget(**{**vars(base), "max_splats": max_splats})


def reconstruct(model: LoadedModel, image, mode: str = "points", process_res: int = LIVE_RES,
                budget: Budget | None = None, keep_sh: bool = False) -> Reconstruction:
    """Splats for one image. ``mode`` is "points" (any model) or "gaussians" (giant, nested, tiny)."""
    return reconstruct_many(model, [image], mode, process_res, [budget], keep_sh)[0]


def reconstruct_many(model: LoadedModel, images: list, mode: str = "points", process_res: int = LIVE_RES,
                     budgets: list[Budget | None] | None = None, keep_sh: bool = False) -> list[Reconstruction]:
    """Splats for several independent images, through the network in batches of equal size.

    Stage timings of shared stages (preprocess, model) are those of the whole batch.
    """
    if mode not in wire.MODES:
        raise ValueError(f"mode must be one of {wire.MODES}, got {mode!r}")
    budgets = budgets or [None] * len(images)
    watch = _Stopwatch(model.device)
    prepared = [frames.prepare(image, process_res, model.device) for image in images]
    watch.lap("preprocess")
    outputs = [None] * len(images)
    for shape in {x.shape for x, _ in prepared}:  # webcams of different sizes batch separately
        members = [i for i, (x, _) in enumerate(prepared) if x.shape == shape]
        batch = torch.cat([prepared[i][0] for i in members])
        for i, out in zip(members, run_networks(model, batch, want_gaussians=mode == "gaussians")):
            outputs[i] = out
    watch.lap("model")
    return [_finish(out, rgb, mode, budget or default_budget(mode), keep_sh, dict(watch.timings))
            for out, (_, rgb), budget in zip(outputs, prepared, budgets)]


def _finish(out, rgb, mode, budget, keep_sh, timings) -> Reconstruction:
    """One frame's splats from its network output: extraction and budget."""
    watch = _Stopwatch(rgb.device)
    if mode == "gaussians":
        splats = out.gaussians(keep_sh)
    else:
        splats = splats_from_depth(out.depth, out.intrinsics, rgb, out.confidence)
    watch.lap("extract")
    splats = apply_budget(splats, budget)
    watch.lap("budget")
    fx, fy, cx, cy = out.intrinsics[[0, 1, 0, 1], [0, 1, 2, 2]].tolist()
    height, width = out.depth.shape
    target = splats.centers[:, 2].median().item() if len(splats) else 1.0
    return Reconstruction(splats, mode, wire.Camera(width, height, fx, fy, cx, cy), target,
                          {**timings, **watch.timings})


def pack_reconstruction(recon: Reconstruction, frame_id: int = 0) -> bytes:
    """Pack on the splats' device, copy the bytes to the host once, and wrap them in a wire frame."""
    splats = recon.splats
    watch = _Stopwatch(splats.centers.device)
    count = len(splats)
    words = pack_splats(splats.centers, splats.scales, splats.quats_xyzw, splats.opacities, splats.rgb)
    sh1 = sh2 = sh_max = None
    if splats.sh_rest is not None:
        sh1_words, sh2_words, sh1_max, sh2_max = pack_sh(splats.sh_rest)
        sh_max = (sh1_max, sh2_max)
    watch.lap("pack")
    packed = words_to_bytes(words, count)
    if splats.sh_rest is not None:
        sh1 = words_to_bytes(sh1_words, count)
        sh2 = words_to_bytes(sh2_words, count) if sh2_words is not None else None
    watch.lap("to_host")
    return wire.encode_frame(wire.Frame(
        packed=packed, num_splats=count, mode=recon.mode, camera=recon.camera,
        target_depth=recon.target_depth, frame_id=frame_id, sh1=sh1, sh2=sh2,
        sh_max=sh_max, timings_ms={**recon.timings_ms, **watch.timings},
    ))
