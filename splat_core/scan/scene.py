"""One scan: frames in, keyframes registered and fused into one scene, deltas out for the viewer.

A delta is a wire frame (version 2, one encoder: ``wire.encode_frame``) of one keyframe's kept
splats, on the crop of its grid that holds them, in its own camera frame, with two envelope keys
that readers of plain frames ignore: ``pose`` (camera → world) and ``scan`` (what else changed:
splats of earlier keyframes replaced, keyframes evicted, the scene's totals). docs/wire-format.md,
"Scan deltas", specifies them; the viewer (frontend/shared/scan_scene.ts) places each delta by its
pose and keeps them all. A scene is of points or, when its source gives Gaussians
(``sources.NetworkSource(gaussians=True)``), of DA3's Gaussians: a delta is then a Gaussians frame.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from .. import frames, wire
from ..budget import prune_mask
from ..pipeline import DETAILS, Detail, Reconstruction, default_budget, reconstruction_planes
from ..points import splats_from_depth
from ..splats import SplatSet
from .fusion import DEFAULT_BUDGET, MIN_NEW_SHARE, VoxelFusion
from .keyframes import MOTION, KeyframeSelector
from .geometry import rotate_quats, transform
from .registration import Registered, Registrar
from .sources import DepthSource

PATH_CONVENTION = ("camera → world 4 × 4 matrices, row-major, OpenCV axes (x right, y down, z forward) in "
                   "both frames; the world is the first keyframe's camera, in its depth unit (docs/wire-format.md)")
_SCENE_IDS = itertools.count(1)


@dataclass
class Keyframe:
    id: int
    frame: wire.Frame  # its delta, compressed (resent whole to a viewer that joins)
    removed: list[torch.Tensor] = field(default_factory=list)  # host int tensors: its pixels replaced since


@dataclass
class PathPoint:
    id: int
    pose: list[float]  # 16, row-major camera → world
    camera: wire.Camera  # its full grid's intrinsics


class ScanScene:
    """The per-session scan state. Thread-safe: frames of one session may arrive two at a time; they
    are registered one after the other. ``gpu_turn`` (the engine's) wraps the GPU work of a keyframe."""

    def __init__(self, source: DepthSource, budget: int = DEFAULT_BUDGET, detail: Detail = DETAILS["full"],
                 motion: float = MOTION, min_new: float = MIN_NEW_SHARE,
                 gpu_turn: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext):
        self.source, self.detail, self.gpu_turn = source, detail, gpu_turn
        self.budget, self.motion, self.min_new = budget, motion, min_new
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Starts over: an empty scene with a new id (a viewer drops what it has of the old one)."""
        self.id = next(_SCENE_IDS)
        self.selector = KeyframeSelector(self.motion)
        self.registrar = Registrar(self.source)
        self.fusion = VoxelFusion(self.budget, self.min_new)
        self.keyframes: dict[int, Keyframe] = {}  # in the scene, oldest first
        self.path: list[PathPoint] = []
        self._ids = itertools.count()
        self.timings_ms: dict[str, float] = {}

    @property
    def mode(self) -> str:
        """The scene's splats: "gaussians" when its source gives them, else "points" (a wire mode)."""
        return "gaussians" if self.source.gaussians else "points"

    @property
    def num_splats(self) -> int:
        return len(self.fusion)

    def add_frame(self, image) -> list[bytes]:
        """A camera frame: nothing if it is not a keyframe, else its delta (one wire frame)."""
        with self._lock:
            image = frames.to_rgb_uint8(image, self.source.device)  # a webcam JPEG is decoded here, once
            if not self.selector.consider(image):
                return []
            with self.gpu_turn():
                started = time.perf_counter()
                registered = self.registrar.register(self.source.prepare(image))
                _sync(registered.depth)
                registered_at = time.perf_counter()
                pending, scan = self._fuse(registered)
                self.timings_ms = {"register": (registered_at - started) * 1e3,
                                   "fuse": (time.perf_counter() - registered_at) * 1e3}
            frame = wire.decode_frame(pending.encode())  # compression needs no GPU turn
            frame.pose, frame.scan = _pose_list(registered.pose), scan
            frame.timings_ms = {**frame.timings_ms, **self.timings_ms}
            if scan["kept"]:
                self.keyframes[scan["keyframe"]] = Keyframe(scan["keyframe"], frame)
            scan["keyframes"] = len(self.keyframes)
            return [wire.encode_frame(frame)]

    def _fuse(self, registered: Registered):
        """The keyframe's splats into the scene; its delta's planes (on the host) and its ``scan`` map."""
        keyframe = next(self._ids)
        mode = self.mode
        grid = registered.gaussians if mode == "gaussians" else splats_from_depth(
            registered.depth, registered.intrinsics, registered.view.rgb, registered.confidence)
        height, width = grid.height, grid.width
        fx, fy, cx, cy = registered.intrinsics[0, 0], registered.intrinsics[1, 1], registered.intrinsics[0, 2], \
            registered.intrinsics[1, 2]
        self.path.append(PathPoint(keyframe, _pose_list(registered.pose),
                                   wire.Camera(width, height, float(fx), float(fy), float(cx), float(cy))))
        candidates = torch.nonzero(prune_mask(grid, default_budget(mode))).squeeze(1)
        if self.fusion.voxel is None:
            self.fusion.set_voxel(float(registered.depth.median()), float(fx))
        splats = grid.select(candidates)
        rotation = registered.pose[:3, :3].float()
        attributes = {"centers": transform(registered.pose, splats.centers.double()).float(),
                      "scales": splats.scales, "quats_xyzw": rotate_quats(rotation, splats.quats_xyzw),
                      "opacities": splats.opacities, "rgb": splats.rgb}
        added = self.fusion.add(keyframe, width, attributes["centers"], candidates, splats.confidence, attributes)
        for old, pixels in added.removed.items():
            if old in self.keyframes:
                self.keyframes[old].removed.append(pixels.cpu())
        for old in added.evicted:
            self.keyframes.pop(old, None)
        x0, y0, crop_w, crop_h = added.crop
        rows = torch.arange(y0, y0 + crop_h, device=grid.centers.device)
        cols = torch.arange(x0, x0 + crop_w, device=grid.centers.device)
        inside = (rows[:, None] * width + cols[None, :]).reshape(-1)
        keep = torch.zeros(height * width, dtype=torch.bool, device=grid.centers.device)
        keep[candidates[added.kept]] = True
        cropped = replace(grid.select(inside), pixel=torch.arange(len(inside), device=inside.device),
                          height=crop_h, width=crop_w)
        camera = wire.Camera(crop_w, crop_h, float(fx), float(fy), float(cx) - x0, float(cy) - y0)
        recon = Reconstruction(cropped, keep[inside], mode, camera)
        scan = {"scene": self.id, "keyframe": keyframe, "kept": int(added.kept.sum()),
                "removed": [[old, _index_bytes(pixels)] for old, pixels in added.removed.items()],
                "evicted": added.evicted, "splats": len(self.fusion), "slots": self.fusion.total_slots}
        return reconstruction_planes(recon, keyframe, self.detail), scan

    def full(self) -> list[bytes]:
        """The whole scene as deltas, for a viewer that joins mid-scan: the first one says to drop what
        it had (``full``) and carries the camera path so far (an empty scene: one delta without splats)."""
        with self._lock:
            messages = []
            keyframes = list(self.keyframes.values()) or [Keyframe(-1, self._empty_frame())]
            for i, keyframe in enumerate(keyframes):
                removed = torch.cat(keyframe.removed) if keyframe.removed else torch.zeros(0, dtype=torch.int32)
                scan = {**keyframe.frame.scan, "removed": [[keyframe.id, _index_bytes(removed)]] if len(removed) else [],
                        "evicted": [], "splats": len(self.fusion), "keyframes": len(self.keyframes),
                        "slots": self.fusion.total_slots}
                if i == 0:
                    scan |= {"full": True, "path": [value for point in self.path for value in point.pose]}
                messages.append(wire.encode_frame(replace(keyframe.frame, scan=scan)))
            return messages

    def _empty_frame(self) -> wire.Frame:
        """A delta without splats: a 1 × 1 grid whose pixel has none."""
        device = self.source.device
        grid = splats_from_depth(torch.ones(1, 1, device=device), torch.eye(3, device=device),
                                 torch.zeros(1, 1, 3, device=device))
        camera = wire.Camera(1, 1, 1.0, 1.0, 0.5, 0.5)
        pending = reconstruction_planes(Reconstruction(grid, torch.zeros(1, dtype=torch.bool, device=device),
                                                       "points", camera), 0, self.detail)
        frame = wire.decode_frame(pending.encode())
        frame.pose = _pose_list(torch.eye(4))
        frame.scan = {"scene": self.id, "keyframe": -1, "kept": 0, "removed": [], "evicted": []}
        return frame

    def splats(self) -> SplatSet:
        """Every splat of the scene in the world frame (for export)."""
        attributes = self.fusion.attributes
        if not attributes:
            raise ValueError("The scan has no splats yet: start a scan and move the camera.")
        count = len(self.fusion)
        return SplatSet(**attributes, pixel=torch.arange(count, device=self.fusion.keys.device),
                        confidence=self.fusion.confidence, height=1, width=count)

    def camera_path(self) -> dict:
        """The camera path as JSON: every registered keyframe, in order."""
        return {"convention": PATH_CONVENTION, "scene": self.id,
                "keyframes": [{"id": point.id, "pose": [point.pose[r * 4:(r + 1) * 4] for r in range(4)],
                               "camera": vars(point.camera)} for point in self.path]}


def _pose_list(pose: torch.Tensor) -> list[float]:
    return [float(v) for v in pose.reshape(-1).tolist()]


def _index_bytes(pixels: torch.Tensor) -> bytes:
    """Pixel indices as little-endian uint32 (docs/wire-format.md, "Scan deltas")."""
    return np.asarray(pixels.cpu(), dtype="<u4").tobytes()


def _sync(tensor: torch.Tensor) -> None:
    if tensor.device.type == "cuda":
        torch.cuda.synchronize(tensor.device)
