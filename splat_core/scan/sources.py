"""Depth sources for the scan: what turns a window of views into depths, confidences, intrinsics and
relative poses.

- ``NetworkSource``: Depth Anything 3, all views of the window in one multi-view pass
  (``inference.run_window``; research/da3.md §7: DA3 predicts every view's depth and camera in one
  frame, ``extrinsics`` world → camera, OpenCV axes, view 0 the reference), and for a scan of
  Gaussians the new view's per-pixel Gaussians from the same pass.
- ``TruthSource``: the synthetic room's ground truth (``synthetic.py``), for tests and the benchmark.
  It is an input, not a stand-in for our code: registration, fusion, deltas, export and the viewer
  run as they do on DA3's output. Each window gets its own arbitrary scale, as DA3's relative depth
  does, so the scan's scale keeping is exercised too. For a scan of Gaussians it gives every pixel a
  Gaussian of one fixed shape in the room (``TRUTH_GAUSSIAN``), so that what fusion makes of their
  orientations and sizes can be checked.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import torch

from .. import frames
from ..inference import run_window
from ..models import LoadedModel
from ..points import splats_from_depth
from ..splats import SplatSet
from . import synthetic
from .geometry import rotate_quats

TRUTH_ENV = "SPLAT_SCAN_TRUTH"  # "room": the app's scans read the synthetic room's truth (tests, benchmark)


@dataclass
class View:
    """One frame, prepared for windows: the network input and its colours at the processing size."""

    x: torch.Tensor  # (1, 1, 3, h, w) network input
    rgb: torch.Tensor  # (h, w, 3) colours in [0, 1]
    truth: int | None = None  # the synthetic frame it shows (TruthSource only)


@dataclass
class Window:
    """A window's prediction, every view in the frame of view 0, at the window's own scale."""

    depth: torch.Tensor  # (V, h, w) z-depth
    confidence: torch.Tensor  # (V, h, w), higher is better
    intrinsics: torch.Tensor  # (V, 3, 3), pixels of the processing grid
    extrinsics: torch.Tensor  # (V, 4, 4) world → camera (OpenCV axes)
    # A scan of Gaussians: the last (new) view's per-pixel Gaussians, in its camera frame, window's unit.
    gaussians: SplatSet | None = None


class DepthSource(Protocol):
    device: torch.device  # where views and windows live
    gaussians: bool  # windows carry the new view's Gaussians

    def prepare(self, image) -> View: ...

    def window(self, views: list[View]) -> Window: ...


class NetworkSource:
    """DA3 on a window of views (the new frame and its anchors) at ``process_res``; with ``gaussians``
    (a model with a Gaussian head) the new view's Gaussians come from the same pass."""

    def __init__(self, model: LoadedModel, process_res: int, gaussians: bool = False):
        if gaussians and not model.spec.has_gaussians:
            raise ValueError(f"Model '{model.spec.name}' has no Gaussian head: scan with points.")
        self.model, self.process_res, self.device = model, process_res, model.device
        self.gaussians = gaussians
        from depth_anything_3.utils.logger import LOG_LEVELS, logger

        # DA3 logs its reference-view choice on every multi-view pass: ten lines a second in a scan.
        logger.level = min(logger.level, LOG_LEVELS["WARN"])

    def prepare(self, image) -> View:
        x, rgb = frames.prepare(image, self.process_res, self.model.device)
        return View(x, rgb)

    def window(self, views: list[View]) -> Window:
        # Copies: on CUDA the window's outputs are a graph's, overwritten by the next window.
        outputs, extrinsics = run_window(self.model, torch.cat([view.x for view in views], dim=1), self.gaussians)
        return Window(torch.stack([out.depth.float() for out in outputs]),
                      torch.stack([out.confidence.float() for out in outputs]),
                      torch.stack([out.intrinsics.float() for out in outputs]), extrinsics.clone(),
                      outputs[-1].gaussians() if self.gaussians else None)


class TruthSource:
    """The synthetic room's true depths and poses for frames of ``synthetic.render`` along ``poses``.

    A frame is recognised by its picture (the nearest of the sequence's thumbnails), so frames that
    went through a browser's camera and JPEG still find their ground truth."""

    THUMB = (32, 24)

    def __init__(self, poses: np.ndarray, process_res: int, device: torch.device | str = "cpu", seed: int = 0,
                 gaussians: bool = False):
        self.poses, self.process_res, self.device = poses, process_res, torch.device(device)
        self.gaussians = gaussians
        self._rng = np.random.default_rng(seed)
        self._thumbs = np.stack([self._thumb(synthetic.render(pose, 128, 96).rgb) for pose in poses])

    @functools.lru_cache(maxsize=512)  # a view is in several windows; a benchmark walks the path again and again
    def _render(self, index: int, width: int, height: int) -> synthetic.View:
        return synthetic.render(self.poses[index], width, height)

    def _thumb(self, rgb: np.ndarray) -> np.ndarray:
        image = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float()
        small = torch.nn.functional.interpolate(image, size=self.THUMB[::-1], mode="area")
        return small.flatten().numpy()

    def prepare(self, image) -> View:
        x, rgb = frames.prepare(image, self.process_res, self.device)
        picture = frames.to_rgb_uint8(image).cpu().numpy()
        truth = int(np.argmin(((self._thumbs - self._thumb(picture)) ** 2).sum(axis=1)))
        return View(x, rgb, truth)

    def window(self, views: list[View]) -> Window:
        height, width = views[0].rgb.shape[:2]
        rendered = [self._render(view.truth, width, height) for view in views]
        reference = np.linalg.inv(rendered[0].pose)  # the window's frame is view 0's camera
        scale = float(self._rng.uniform(0.5, 2.0))  # relative depth: each window its own unit
        extrinsics = []
        for view in rendered:
            w2c = np.linalg.inv(reference @ view.pose)
            w2c[:3, 3] *= scale
            extrinsics.append(w2c)
        tensor = lambda a: torch.as_tensor(np.stack(a), dtype=torch.float32, device=self.device)  # noqa: E731
        window = Window(tensor([view.depth * scale for view in rendered]), tensor([np.ones_like(view.depth) for view in rendered]),
                        tensor([view.intrinsics for view in rendered]), tensor(extrinsics))
        if self.gaussians:
            window.gaussians = self._gaussians(rendered[-1], window, views[-1].rgb, scale)
        return window

    def _gaussians(self, view: synthetic.View, window: Window, rgb: torch.Tensor, scale: float) -> SplatSet:
        """Each pixel's Gaussian: on the true surface, of the room's one shape (``TRUTH_GAUSSIAN``) seen
        from this camera, at the window's scale."""
        splats = splats_from_depth(window.depth[-1], window.intrinsics[-1], rgb, window.confidence[-1])
        scales, quat = (torch.tensor(values, device=self.device) for values in TRUTH_GAUSSIAN)
        room_to_camera = torch.as_tensor(view.pose[:3, :3].T, dtype=torch.float32, device=self.device)
        count = len(splats)
        return replace(splats, scales=(scale * scales).expand(count, 3),
                       quats_xyzw=rotate_quats(room_to_camera, quat.expand(count, 4)),
                       opacities=torch.full((count,), 0.9, device=self.device))


def truth_from_env(process_res: int, device, gaussians: bool = False) -> TruthSource | None:
    """The synthetic room's truth when ``SPLAT_SCAN_TRUTH=room`` (browser tests and benchmarks feed the
    app the room's frames and check what the scan builds of them); None otherwise."""
    if os.environ.get(TRUTH_ENV) != "room":
        return None
    return TruthSource(synthetic.path(ROOM_FRAMES), process_res, device, gaussians=gaussians)


# Every truth Gaussian's shape in the room: standard deviations (m) and orientation (x, y, z, w), a
# flat disc turned 30° about an oblique axis, so that any slip in turning or scaling shows.
TRUTH_GAUSSIAN = ((0.02, 0.01, 0.002), (0.2187, 0.1312, 0.0437, 0.9659))

ROOM_FRAMES = 120  # frames of one sweep round the synthetic room (tests/test_scan_browser.py's webcam)
