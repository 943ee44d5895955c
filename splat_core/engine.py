"""The app's view of the pipeline: models loaded on demand, one GPU lock, and memory fallbacks."""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass

import numpy as np
import torch

from .models import MODELS, LoadedModel, load_model
from .pipeline import HQ_RES, LIVE_RES, Reconstruction, default_budget, pack_reconstruction, reconstruct

log = logging.getLogger(__name__)

OOM_RES = 392  # processing size after running out of GPU memory (392×294 at 4:3)


@dataclass
class Capture:
    recon: Reconstruction
    frame: bytes


class Engine:
    """Turns frames into wire frames. Thread-safe: every model call holds one lock, so concurrent
    sessions take turns on the GPU instead of colliding."""

    def __init__(self, points_model: str = "base", gaussians_model: str = "giant",
                 weights: str = "auto", device: str | None = None):
        self.names = {"points": points_model, "gaussians": gaussians_model}
        self.weights, self.device = weights, device
        self.status = "Starting…"
        self.notices: list[str] = []  # model fallbacks, random weights, out-of-memory fallbacks
        self._models: dict[str, LoadedModel] = {}
        self._lock = threading.Lock()
        self._frame_ids = itertools.count(1)
        self._oom_budget: int | None = None  # a lowered cap after an out-of-memory error

    def model(self, mode: str) -> LoadedModel:
        """The model for ``mode`` ("points" or "gaussians"), loaded on first use."""
        name = self.names[mode]
        if name not in self._models:
            spec = MODELS.get(name)
            source = "random weights" if self.weights == "random" else (
                f"weights from {self.weights}" if self.weights != "auto" else
                f"{spec.hub_repo if spec else name} (the first run downloads it)")
            self.status = f"Loading DA3 '{name}' with {source}…"
            loaded = load_model(name, self.weights, self.device, need_gaussians=mode == "gaussians")
            self.notices += loaded.notices
            self._models[name] = loaded
        return self._models[name]

    def warm_up(self) -> None:
        """Load the live model and run one frame, so the first webcam frame is not the slow one."""
        with self._lock:
            model = self.model("points")
            self.status = f"Warming up '{model.spec.name}' on {model.device}…"
            reconstruct(model, np.zeros((480, 640, 3), np.uint8), "points")
        self.status = f"Ready: '{model.spec.name}' on {model.device}."

    def live(self, image, mode: str, max_splats: int | None) -> bytes:
        """One live wire frame. After an out-of-memory error the cap is halved (and the processing
        size lowered) until a frame fits; a notice says so."""
        with self._lock:
            model = self.model(mode)
            while True:
                cap = max_splats if self._oom_budget is None else min(max_splats or self._oom_budget,
                                                                      self._oom_budget)
                try:
                    recon = reconstruct(model, image, mode, OOM_RES if self._oom_budget else LIVE_RES,
                                        default_budget(mode, cap))
                    return pack_reconstruction(recon, next(self._frame_ids))
                except torch.OutOfMemoryError:
                    self._lower_budget_after_oom(cap)

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

    def _lower_budget_after_oom(self, cap: int | None) -> None:
        torch.cuda.empty_cache()
        current = cap or 190_512
        if current <= 5_000:
            raise RuntimeError("Out of GPU memory even for 5,000 splats: close other GPU programs.")
        self._oom_budget = current // 2
        self._notify(f"Out of GPU memory: live detail lowered to {self._oom_budget:,} splats at {OOM_RES} px.")

    def _notify(self, message: str) -> None:
        log.warning(message)
        self.notices.append(message)
