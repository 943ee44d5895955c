"""The whole chain for one frame: image → network → splats → pruning → planes → wire frame."""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field, replace

import torch

import numpy as np

from . import frames, wire
from .camera import implausibility
from .budget import GAUSSIANS_BUDGET, POINTS_BUDGET, Budget, budget_limits, budget_selection, prune_mask
from .inference import NetworkOutput, run_networks
from .models import LoadedModel
from .planes import compress_frame, device_jpeg, quantise
from .points import splats_from_depth
from .splats import SplatSet


@dataclass(frozen=True)
class Detail:
    """A detail level: the processing grid's long side (DA3 rounds sides to multiples of 14) and the
    colour plane's JPEG quality (None: lossless)."""

    name: str
    process_res: int
    jpeg_quality: int | None


# Detail is resolution: every pixel of the grid is a splat. Sizes from 640×480 webcam frames.
DETAILS = {detail.name: detail for detail in (
    Detail("full", 504, 90),  # 504×378 = 190,512 splats, DA3's default processing size
    Detail("high", 392, 85),  # 392×294 = 115,248
    Detail("medium", 308, 80),  # 308×224 = 68,992
    Detail("low", 252, 75),  # 252×196 = 49,392
    Detail("lowest", 168, 70),  # 168×126 = 21,168: for slow links (and software WebGL)
)}
LIVE = DETAILS["full"]


def detail_for(width: int, height: int, finest: Detail) -> Detail:
    """The detail a width × height frame gets at most ``finest``: a frame is processed at most at its own
    size, so a smaller frame (a slow link's, docs/live-channel.md) gets the level of that size, with its
    colour quality."""
    side = max(frames.processing_size(width, height, finest.process_res))
    return min((d for d in DETAILS.values() if d.process_res >= side), key=lambda d: d.process_res, default=finest)
HQ = Detail("hq", 756, None)  # HQ capture: 756×567 = 428,652 Gaussians, lossless colour, SH
LIVE_RES, HQ_RES = LIVE.process_res, HQ.process_res


@dataclass
class Reconstruction:
    grid: SplatSet  # one splat per pixel of the processing grid
    keep: torch.Tensor  # (N,) bool: the pixels that survive pruning
    mode: str
    camera: wire.Camera
    timings_ms: dict[str, float] = field(default_factory=dict)
    camera_notice: str | None = None  # what was implausible about the predicted camera (camera.py)

    @property
    def splats(self) -> SplatSet:
        """The surviving splats only (for export)."""
        return self.grid.select(self.keep)


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


def default_budget(mode: str) -> Budget:
    return GAUSSIANS_BUDGET if mode == "gaussians" else POINTS_BUDGET


def reconstruct(model: LoadedModel, image, mode: str = "points", process_res: int = LIVE_RES,
                budget: Budget | None = None, keep_sh: bool = False) -> Reconstruction:
    """Splats for one image. ``mode`` is "points" (any model) or "gaussians" (giant, nested, tiny)."""
    return reconstruct_many(model, [image], mode, process_res, [budget], keep_sh)[0]


def reconstruct_many(model: LoadedModel, images: list, mode: str = "points", process_res: int = LIVE_RES,
                     budgets: list[Budget | None] | None = None, keep_sh: bool = False) -> list[Reconstruction]:
    """Splats for several independent images, through the network in batches of equal size: ``infer``
    then ``finish``. Stage timings of shared stages (preprocess, model) are those of the whole batch."""
    return finish(infer(model, images, mode, process_res), budgets, keep_sh)


@dataclass
class Inferred:
    """Network outputs of several images, before any splat is made: the first stage of a reconstruction,
    which the engine runs as one turn on the GPU (and ``finish`` as the next)."""

    outputs: list[NetworkOutput]
    rgb: list[torch.Tensor]  # each image's resized colours (h, w, 3) in [0, 1]
    mode: str
    timings_ms: dict[str, float]

    def owned(self) -> Inferred:
        """Outputs that stay valid past the GPU turn that made them (``NetworkOutput.owned``)."""
        return replace(self, outputs=[out.owned() for out in self.outputs])


def infer(model: LoadedModel, images: list, mode: str = "points", process_res: int = LIVE_RES) -> Inferred:
    """Preprocessing and the network, for images grouped into batches of equal size."""
    if mode not in wire.MODES:
        raise ValueError(f"mode must be one of {wire.MODES}, got {mode!r}")
    watch = _Stopwatch(model.device)
    prepared = [frames.prepare(image, process_res, model.device) for image in images]
    watch.lap("preprocess")
    outputs = [None] * len(images)
    for members in _group_by([tuple(x.shape) for x, _ in prepared]).values():
        batch = torch.cat([prepared[i][0] for i in members])
        for i, out in zip(members, run_networks(model, batch, want_gaussians=mode == "gaussians")):
            outputs[i] = out
    watch.lap("model")
    return Inferred(outputs, [rgb for _, rgb in prepared], mode, dict(watch.timings))


def finish(inferred: Inferred, budgets: list[Budget | None] | None = None,
           keep_sh: bool = False) -> list[Reconstruction]:
    """Each image's splats from its network output: extraction and pruning."""
    budgets = budgets or [None] * len(inferred.outputs)
    return [_finish(out, rgb, inferred.mode, budget or default_budget(inferred.mode), keep_sh, inferred.timings_ms)
            for out, rgb, budget in zip(inferred.outputs, inferred.rgb, budgets)]


def _finish(out, rgb, mode, budget, keep_sh, timings) -> Reconstruction:
    """One frame's splats from its network output: extraction and pruning."""
    watch = _Stopwatch(rgb.device)
    grid = _splats(out, rgb, mode, keep_sh)
    watch.lap("extract")
    keep = prune_mask(grid, budget)
    watch.lap("budget")
    height, width = out.depth.shape
    fx, fy, cx, cy = _camera_values(out.intrinsics).tolist()
    return Reconstruction(grid, keep, mode, wire.Camera(width, height, fx, fy, cx, cy), {**timings, **watch.timings},
                          implausibility(_camera_values(out.predicted_intrinsics).tolist(), width, height))


def _camera_values(intrinsics: torch.Tensor) -> torch.Tensor:
    """(fx, fy, cx, cy) of a (3, 3) matrix, by plain indexing (list indices would copy an index tensor to
    the device, which a CUDA graph cannot hold)."""
    return torch.stack([intrinsics[0, 0], intrinsics[1, 1], intrinsics[0, 2], intrinsics[1, 2]])


def _group_by(keys: list) -> dict:
    """Indices grouped by key, e.g. frame shape: one batch each (webcams of different sizes batch apart)."""
    groups: dict = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    return groups


def _splats(out, rgb, mode: str, keep_sh: bool = False) -> SplatSet:
    """One splat per pixel: the network's Gaussians, or points unprojected from its depth."""
    if mode == "gaussians":
        return out.gaussians(keep_sh)
    return splats_from_depth(out.depth, out.intrinsics, rgb, out.confidence)


def live_frames(model: LoadedModel, images: list, mode: str, frame_ids: list[int],
                details: list[Detail] | None = None) -> list[bytes]:
    """Wire frames (no SH) for several independent images at their detail levels, the live path:
    ``live_planes`` then each frame's ``encode``. Same frames as ``reconstruct_many`` +
    ``encode_reconstruction`` (tests/test_pipeline.py)."""
    return [pending.encode() for pending in live_planes(model, images, mode, frame_ids, details)]


@dataclass
class PendingFrame:
    """A live frame's quantised planes on the host, not yet compressed: the CPU step, which the engine
    runs in each caller's thread, outside the GPU lock."""

    planes: np.ndarray  # (P, h, w) uint8 delta2d byte planes
    color: np.ndarray | None  # (h, w, 3) uint8, or None where the GPU made the JPEG already
    header: list[float]
    mode: str
    detail: Detail
    frame_id: int
    timings_ms: dict[str, float]
    camera_notice: str | None = None  # what was implausible about the predicted camera (camera.py)
    sh_degree: int = 0
    jpeg: bytes | None = None  # the colour plane, from planes.device_jpeg

    def encode(self) -> bytes:
        """Host planes → compressed wire frame bytes (the CPU step), timed as "compress"."""
        start = time.perf_counter()
        detail = self.detail
        frame = compress_frame(self.planes, self.color, self.header, self.mode, self.sh_degree,
                               detail.jpeg_quality is None, detail.jpeg_quality or 0, self.frame_id, jpeg=self.jpeg)
        frame.timings_ms = {**self.timings_ms, "compress": (time.perf_counter() - start) * 1e3}
        return wire.encode_frame(frame)


def live_planes(model: LoadedModel, images: list, mode: str, frame_ids: list[int],
                details: list[Detail] | None = None) -> list[PendingFrame]:
    """The GPU part of the live path: everything from the uploaded frames to the quantised planes runs
    with static shapes (``_live_step``), so with a fast model it is replayed from one CUDA graph per batch
    shape; the host then copies each batch's bytes once."""
    if mode not in wire.MODES:
        raise ValueError(f"mode must be one of {wire.MODES}, got {mode!r}")
    details = details or [LIVE] * len(images)
    rgb = [frames.to_rgb_uint8(image, model.device) for image in images]  # JPEGs decode on the model's GPU
    results: list[PendingFrame | None] = [None] * len(images)
    network = model.fast.forward if model.fast is not None else functools.partial(run_networks, model)
    planes = sum(spec.byte_planes for spec in wire.lossless_planes(mode))
    for (shape, detail), members in _group_by([(tuple(image.shape), d) for image, d in zip(rgb, details)]).items():
        watch = _Stopwatch(model.device)
        width, height = frames.processing_size(shape[1], shape[0], detail.process_res)
        batch = _upload([rgb[i] for i in members], model.device)
        frame_limits = _upload([budget_limits(default_budget(mode), height, width)] * len(members), model.device)
        watch.lap("upload")
        step = functools.partial(_live_step, network, mode, detail.process_res)
        with torch.inference_mode():
            data, headers, cameras = (model.fast.replay(("live", mode, detail.process_res), step, batch, frame_limits)
                                      if model.fast is not None else step(batch, frame_limits))
        watch.lap("frame")
        jpegs = [device_jpeg(frame_data[planes:], detail.jpeg_quality) for frame_data in data]
        if all(jpegs):  # only the lossless planes travel to the host
            data = data[:, :planes]
        watch.lap("jpeg")
        data, headers, cameras = data.cpu().numpy(), headers.tolist(), cameras.tolist()
        watch.lap("to_host")
        for i, frame_data, header, camera, jpeg in zip(members, data, headers, cameras, jpegs):
            color = None if jpeg else frame_data[planes:].transpose(1, 2, 0)
            results[i] = PendingFrame(frame_data[:planes], color, header, mode, detail, frame_ids[i],
                                      dict(watch.timings), implausibility(camera, width, height), jpeg=jpeg)
    return results


def _upload(tensors: list[torch.Tensor], device: torch.device) -> torch.Tensor:
    """Stacked on the host and copied to ``device``; to a GPU through pinned memory (torch's caching host
    allocator), an asynchronous copy instead of a staged, blocking one. Tensors on ``device`` already
    (frames decoded there) are stacked there."""
    if tensors[0].device.type != "cpu":
        return torch.stack(tensors).to(device)
    pinned = device.type == "cuda"
    stacked = torch.empty((len(tensors), *tensors[0].shape), dtype=tensors[0].dtype, pin_memory=pinned)
    return torch.stack(tensors, out=stacked).to(device, non_blocking=pinned)


def _live_step(network, mode: str, process_res: int, batch: torch.Tensor, limits: torch.Tensor):
    """Frames (B, H, W, 3) uint8 and pruning limits (B, 5) → bytes (B, P + 3, h, w) uint8 (each frame's
    delta2d byte planes, then its colour channels), headers (B, len(planes.HEADER)) float64 and the
    predicted cameras (B, 4: fx, fy, cx, cy, before clamping). Static shapes and no host
    synchronisation: a CUDA graph can hold all of it."""
    x, rgb = frames.normalise(batch, process_res)
    data, headers, cameras = [], [], []
    for out, colours, frame_limits in zip(network(x, mode == "gaussians"), rgb, limits):
        grid = _splats(out, colours, mode)
        quantised = quantise(grid, budget_selection(grid, frame_limits), out.intrinsics, mode)
        data.append(torch.cat([quantised.planes, quantised.color.permute(2, 0, 1)]))
        headers.append(quantised.header)
        cameras.append(_camera_values(out.predicted_intrinsics))
    return torch.stack(data), torch.stack(headers), torch.stack(cameras)


def encode_reconstruction(recon: Reconstruction, frame_id: int = 0, detail: Detail = HQ) -> bytes:
    """A reconstruction's wire frame (with SH planes when it kept SH), on its device up to the bytes."""
    return reconstruction_planes(recon, frame_id, detail).encode()


def reconstruction_planes(recon: Reconstruction, frame_id: int = 0, detail: Detail = HQ) -> PendingFrame:
    """The GPU part of ``encode_reconstruction``: the quantised planes, on the host, not yet compressed."""
    grid = recon.grid
    watch = _Stopwatch(grid.centers.device)
    camera = recon.camera
    intrinsics = torch.tensor([[camera.fx, 0, camera.cx], [0, camera.fy, camera.cy], [0, 0, 1]],
                              device=grid.centers.device)
    lossless = detail.jpeg_quality is None
    quantised = quantise(grid, recon.keep, intrinsics, recon.mode, lossless_color=lossless)
    watch.lap("quantise")
    jpeg = None if lossless else device_jpeg(quantised.color.permute(2, 0, 1), detail.jpeg_quality)
    color = None if jpeg else quantised.color.cpu().numpy()
    planes, header = quantised.planes.cpu().numpy(), quantised.header.tolist()
    watch.lap("to_host")
    sh_degree = 0 if grid.sh_rest is None else wire.sh_degree_of(grid.sh_rest.shape[1])
    return PendingFrame(planes, color, header, recon.mode, detail, frame_id, {**recon.timings_ms, **watch.timings},
                        recon.camera_notice, sh_degree, jpeg)
