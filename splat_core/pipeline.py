"""The whole chain for one frame: image → network → splats → budget → packed wire frame."""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field

import torch

from . import frames, wire
from .budget import GAUSSIANS_BUDGET, POINTS_BUDGET, Budget, apply_budget, budget_limits, budget_selection
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
    for members in _same_shape([x for x, _ in prepared]):
        batch = torch.cat([prepared[i][0] for i in members])
        for i, out in zip(members, run_networks(model, batch, want_gaussians=mode == "gaussians")):
            outputs[i] = out
    watch.lap("model")
    return [_finish(out, rgb, mode, budget or default_budget(mode), keep_sh, dict(watch.timings))
            for out, (_, rgb), budget in zip(outputs, prepared, budgets)]


def _finish(out, rgb, mode, budget, keep_sh, timings) -> Reconstruction:
    """One frame's splats from its network output: extraction and budget."""
    watch = _Stopwatch(rgb.device)
    splats = _splats(out, rgb, mode, keep_sh)
    watch.lap("extract")
    splats = apply_budget(splats, budget)
    watch.lap("budget")
    fx, fy, cx, cy = out.intrinsics[[0, 1, 0, 1], [0, 1, 2, 2]].tolist()
    height, width = out.depth.shape
    target = splats.centers[:, 2].median().item() if len(splats) else 1.0
    return Reconstruction(splats, mode, wire.Camera(width, height, fx, fy, cx, cy), target,
                          {**timings, **watch.timings})


def _same_shape(tensors: list[torch.Tensor]) -> list[list[int]]:
    """Indices of the tensors grouped by shape: one batch each (webcams of different sizes batch apart)."""
    groups: dict[tuple, list[int]] = {}
    for i, tensor in enumerate(tensors):
        groups.setdefault(tuple(tensor.shape), []).append(i)
    return list(groups.values())


def _splats(out, rgb, mode: str, keep_sh: bool = False) -> SplatSet:
    """One splat per pixel: the network's Gaussians, or points unprojected from its depth."""
    if mode == "gaussians":
        return out.gaussians(keep_sh)
    return splats_from_depth(out.depth, out.intrinsics, rgb, out.confidence)


def live_frames(model: LoadedModel, images: list, mode: str, budgets: list[Budget | None],
                frame_ids: list[int], process_res: int = LIVE_RES) -> list[bytes]:
    """Wire frames (no SH) for several independent images, the live path.

    Everything from the uploaded frames to the packed words runs with static shapes (``_live_step``),
    so with a fast model it is replayed from one CUDA graph per batch shape; the host then copies each
    frame's kept words once. Same splats, bytes and camera as ``reconstruct_many`` + ``pack_reconstruction``
    (tests/test_pipeline.py).
    """
    if mode not in wire.MODES:
        raise ValueError(f"mode must be one of {wire.MODES}, got {mode!r}")
    rgb = [frames.to_rgb_uint8(image) for image in images]
    results: list[bytes] = [b""] * len(images)
    network = model.fast.forward if model.fast is not None else functools.partial(run_networks, model)
    step = functools.partial(_live_step, network, mode, process_res)
    for members in _same_shape(rgb):
        shape = rgb[members[0]].shape
        watch = _Stopwatch(model.device)
        width, height = frames.processing_size(shape[1], shape[0], process_res)
        batch = _upload([rgb[i] for i in members], model.device)
        limits = _upload([budget_limits(budgets[i] or default_budget(mode), height, width) for i in members],
                         model.device)
        watch.lap("upload")
        with torch.inference_mode():
            words, headers = (model.fast.replay(("live", mode, process_res), step, batch, limits)
                              if model.fast is not None else step(batch, limits))
        watch.lap("frame")
        headers = headers.tolist()
        packed = [words_to_bytes(frame_words, int(header[0])) for frame_words, header in zip(words, headers)]
        watch.lap("to_host")
        for i, frame_packed, (count, fx, fy, cx, cy, target) in zip(members, packed, headers):
            results[i] = wire.encode_frame(wire.Frame(
                packed=frame_packed, num_splats=int(count), mode=mode, camera=wire.Camera(width, height, fx, fy, cx, cy),
                target_depth=target, frame_id=frame_ids[i], timings_ms=watch.timings))
    return results


def _upload(tensors: list[torch.Tensor], device: torch.device) -> torch.Tensor:
    """Stacked on the host and copied to ``device``; to a GPU through pinned memory (torch's caching host
    allocator), an asynchronous copy instead of a staged, blocking one."""
    pinned = device.type == "cuda"
    stacked = torch.empty((len(tensors), *tensors[0].shape), dtype=tensors[0].dtype, pin_memory=pinned)
    return torch.stack(tensors, out=stacked).to(device, non_blocking=pinned)


def _live_step(network, mode: str, process_res: int, batch: torch.Tensor, limits: torch.Tensor):
    """Frames (B, H, W, 3) uint8 and budget limits (B, 6) → packed words (B, N, 4) int32, each frame's kept
    splats first in pixel order, and headers (B, 6) float64: count, fx, fy, cx, cy, target depth.
    Static shapes and no host synchronisation: a CUDA graph can hold all of it."""
    x, rgb = frames.normalise(batch, process_res)
    words, headers = [], []
    for out, colours, frame_limits in zip(network(x, mode == "gaussians"), rgb, limits):
        splats = _splats(out, colours, mode)
        keep, count, enlarge = budget_selection(splats, frame_limits)
        packed = pack_splats(splats.centers, splats.scales * enlarge, splats.quats_xyzw, splats.opacities,
                             splats.rgb)[:len(splats)].view(torch.int32)  # few ops take uint32
        # Kept rows to the front, in order: row i goes to (kept before i); dropped rows to a spare last row.
        destination = torch.where(keep, keep.cumsum(0) - 1, len(keep))
        words.append(packed.new_zeros(len(keep) + 1, 4).index_copy_(0, destination, packed)[:-1])
        # The lower median of the kept depths, as torch.median (1.0 for an empty frame).
        depths = splats.centers[:, 2].masked_fill(~keep, math.inf).sort().values
        median = depths.gather(0, ((count - 1) // 2).clamp(min=0).view(1))[0]
        target = torch.where(count > 0, median, 1.0)
        intrinsics = out.intrinsics
        headers.append(torch.stack([count.double(), intrinsics[0, 0].double(), intrinsics[1, 1].double(),
                                    intrinsics[0, 2].double(), intrinsics[1, 2].double(), target.double()]))
    return torch.stack(words), torch.stack(headers)


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
