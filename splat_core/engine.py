"""The app's view of the pipeline: models loaded on demand, one GPU lock, and memory fallbacks."""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass

import numpy as np
import torch

from . import frames
from .batching import Batcher
from .models import MODELS, LoadedModel, load_model
from .pipeline import (HQ_RES, LIVE_RES, Reconstruction, default_budget, live_frames, pack_reconstruction,
                       reconstruct)

log = logging.getLogger(__name__)

OOM_RES = 392  # processing size after running out of GPU memory (392×294 at 4:3)
FULL_FRAME = 190_512  # splats of an uncapped 504×378 frame


@dataclass
class Capture:
    recon: Reconstruction
    frame: bytes


class Engine:
    """Turns frames into wire frames. Thread-safe: live frames from concurrent sessions are batched into
    shared network passes (one worker per mode), and every model call holds one lock, so sessions take
    turns on the GPU instead of colliding."""

    def __init__(self, points_model: str = "base", gaussians_model: str = "giant",
                 weights: str = "auto", device: str | None = None, max_batch: int = 4):
        self.names = {"points": points_model, "gaussians": gaussians_model}
        self.weights, self.device = weights, device
        self.status = "Starting…"
        self.notices: list[str] = []  # model fallbacks, random weights, out-of-memory fallbacks
        self._models: dict[str, LoadedModel] = {}
        self._lock = threading.Lock()
        self._frame_ids = itertools.count(1)
        self._oom_budget: int | None = None  # a lowered cap after an out-of-memory error
        self._batchers = {mode: Batcher(lambda requests, mode=mode: self._live_batch(mode, requests),
                                        max_batch, name=f"live-{mode}") for mode in self.names}

    def model(self, mode: str) -> LoadedModel:
        """The model for ``mode`` ("points" or "gaussians"), loaded on first use."""
        name = self.names[mode]
        if name not in self._models:
            spec = MODELS.get(name)
            source = "random weights" if self.weights == "random" else (
                f"weights from {self.weights}" if self.weights != "auto" else
                f"{spec.hub_repo if spec else name} (the first run downloads it)")
            previous, self.status = self.status, f"Loading DA3 '{name}' with {source}…"
            try:
                loaded = load_model(name, self.weights, self.device, need_gaussians=mode == "gaussians")
            except Exception:
                self.status = previous
                raise
            self.notices += loaded.notices
            self._models[name] = loaded
            self.status = self._ready_status()
        return self._models[name]

    def _ready_status(self) -> str:
        """"Ready:" with the loaded model of each mode, e.g. "Ready: 'base' on cuda for points."."""
        loaded = {mode: self._models[name] for mode, name in self.names.items() if name in self._models}
        uses = [f"'{model.spec.name}' on {model.device} for {mode}" for mode, model in loaded.items()]
        return f"Ready: {', '.join(uses)}."

    def warm_up(self) -> None:
        """Load the live model and run one frame, so the first webcam frame is not the slow one."""
        with self._lock:
            model = self.model("points")
            self.status = f"Warming up '{model.spec.name}' on {model.device}…"
            live_frames(model, [np.zeros((480, 640, 3), np.uint8)], "points", [None], [0])
            self.status = self._ready_status()

    def live(self, image, mode: str, max_splats: int | None) -> bytes:
        """One live wire frame, computed together with any concurrent sessions' frames."""
        return self._batchers[mode].submit((image, max_splats))

    def _live_batch(self, mode: str, requests: list) -> list:
        """Wire frames (or the ValueError of a bad frame) for (image, max_splats) requests. After an
        out-of-memory error the cap is halved, at a lower processing size, until a batch fits; a notice
        says so."""
        results: list = [None] * len(requests)
        good, images = [], []
        for i, (image, _cap) in enumerate(requests):
            try:
                images.append(frames.to_rgb_uint8(image))
                good.append(i)
            except ValueError as err:
                results[i] = err
        if not good:
            return results
        with self._lock:
            model = self.model(mode)
            while True:
                caps = [self._capped(requests[i][1]) for i in good]
                res = OOM_RES if self._oom_budget else LIVE_RES
                try:
                    packed = live_frames(model, images, mode, [default_budget(mode, cap) for cap in caps],
                                         [next(self._frame_ids) for _ in good], res)
                    for i, frame in zip(good, packed):
                        results[i] = frame
                    return results
                except torch.OutOfMemoryError:
                    self._lower_budget_after_oom(max((cap or FULL_FRAME) for cap in caps))

    def _capped(self, max_splats: int | None) -> int | None:
        if self._oom_budget is None:
            return max_splats
        return min(max_splats or self._oom_budget, self._oom_budget)

    def capture(self, image) -> Capture:
        """An HQ frame: the Gaussian model at a higher resolution, every splat, SH kept."""
        with self._lock:
            model = self.model("gaussians")
            for res in (HQ_RES, LIVE_RES):
                try:
                    recon = reconstruct(model, image, "gaussians", res, default_budget("gaussians"), keep_sh=True)
                    return Capture(recon, pack_reconstruction(recon, next(self._frame_ids)))
                except torch.OutOfMemoryError:
                    torch.cuda.empty_cache()
                    self._notify(f"Out of GPU memory for an HQ capture at {res} px; trying a lower resolution.")
            raise RuntimeError("Out of GPU memory even at the live resolution: close other GPU programs.")

    def _lower_budget_after_oom(self, current: int) -> None:
        torch.cuda.empty_cache()
        if current <= 5_000:
            raise RuntimeError("Out of GPU memory even for 5,000 splats: close other GPU programs.")
        self._oom_budget = current // 2
        self._notify(f"Out of GPU memory: live detail lowered to {self._oom_budget:,} splats at {OOM_RES} px.")

    def _notify(self, message: str) -> None:
        log.warning(message)
        self.notices.append(message)
