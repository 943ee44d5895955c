"""The app's view of the pipeline: models loaded on demand, GPU turns, memory fallbacks, a clean stop."""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import torch

from . import frames, host_memory
from .batching import Batcher, FairLock
from .models import MODELS, LoadedModel, load_model
from .pipeline import (DETAILS, HQ, LIVE, default_budget, detail_for, finish, infer, live_frames, live_planes,
                       reconstruction_planes)
from .splats import SplatSet

log = logging.getLogger(__name__)

LEVELS = list(DETAILS)  # finest first


@dataclass
class Capture:
    splats: SplatSet  # the surviving splats, with SH (for export)
    frame: bytes


class Stopping(RuntimeError):
    """The server is stopping: the request was abandoned."""


class Engine:
    """Turns frames into wire frames. Thread-safe: live frames from concurrent sessions are batched into
    shared network passes (one worker per mode), and all GPU work runs in turns (``_gpu_turn``), so
    sessions take turns on the GPU instead of colliding.

    An HQ capture takes several turns (the network, then splats and planes; compression needs none),
    and turns are granted in the order asked for, so live batches run between a capture's stages: a
    capture delays a live frame by at most one stage, not the whole capture."""

    def __init__(self, points_model: str = "base", gaussians_model: str = "giant",
                 weights: str = "auto", device: str | None = None, max_batch: int = 4, tuned: bool = False):
        self.names = {"points": points_model, "gaussians": gaussians_model}
        self.weights, self.device, self.tuned = weights, device, tuned
        self.status = "Starting…"
        self.notices: list[str] = []  # model fallbacks, random weights, out-of-memory fallbacks
        self._models: dict[str, LoadedModel] = {}
        self._lock = FairLock()  # one GPU turn at a time, in the order asked for
        # Captures take turns among themselves for their whole length, so that one capture's HQ buffers
        # (its network outputs, copied; its splats with SH: a few hundred MB) are in memory at a time.
        self._capture_lock = threading.Lock()
        self._stopping = threading.Event()
        self._last_turn = threading.Event()  # set once close() holds the GPU turn for good
        self._frame_ids = itertools.count(1)
        self._camera_clamped = False
        self._oom_level = 0  # live detail is at most LEVELS[_oom_level]: raised by out-of-memory errors
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
                loaded = load_model(name, self.weights, self.device, need_gaussians=mode == "gaussians",
                                    tuned=self.tuned)
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

    @contextlib.contextmanager
    def _gpu_turn(self):
        """One turn on the GPU; raises ``Stopping`` once ``close`` was called."""
        with self._lock:
            if self._stopping.is_set():
                raise Stopping("The server is stopping.")
            yield

    def gpu_turn(self):
        """One GPU turn for work outside the engine's own (a scan's keyframe, splat_core/scan), taken in
        order with live batches and capture stages."""
        return self._gpu_turn()

    def warm_up(self) -> None:
        """Load the live model and run one frame, so the first webcam frame is not the slow one."""
        with self._gpu_turn():
            model = self.model("points")
            self.status = f"Warming up '{model.spec.name}' on {model.device}…"
            live_frames(model, [np.zeros((480, 640, 3), np.uint8)], "points", [0])
            self.status = self._ready_status()

    def live(self, image, mode: str, detail: str = "full") -> bytes:
        """One live wire frame at ``detail`` (a name in pipeline.DETAILS), computed together with any
        concurrent sessions' frames."""
        if detail not in DETAILS:
            raise ValueError(f"detail must be one of {LEVELS}, got {detail!r}")
        # The batch worker returns host planes; each caller compresses its own frame, outside the GPU lock.
        return self._batchers[mode].submit((image, detail)).encode()

    def _live_batch(self, mode: str, requests: list) -> list:
        """Pending frames (or the ValueError of a bad frame) for (image, detail) requests. After an
        out-of-memory error live detail drops one level until a batch fits; a notice says so."""
        results: list = [None] * len(requests)
        with self._gpu_turn():
            model = self.model(mode)
            good, images = [], []
            for i, (image, _detail) in enumerate(requests):
                try:  # a JPEG is decoded on the model's device, so inside the turn
                    images.append(frames.to_rgb_uint8(image, model.device))
                    good.append(i)
                except ValueError as err:
                    results[i] = err
            while good:
                finest = [DETAILS[LEVELS[max(LEVELS.index(requests[i][1]), self._oom_level)]] for i in good]
                details = [detail_for(image.shape[1], image.shape[0], d) for image, d in zip(images, finest)]
                try:
                    data = live_planes(model, images, mode, [next(self._frame_ids) for _ in good], details)
                    for i, frame in zip(good, data):
                        results[i] = frame
                        self._camera_notice(frame.camera_notice)
                    return results
                except torch.OutOfMemoryError:
                    self._lower_detail_after_oom(max(LEVELS.index(d.name) for d in details))
        return results

    def capture(self, image) -> Capture:
        """An HQ frame: the Gaussian model at a higher resolution, every splat, SH kept. Two GPU turns,
        so that live batches run in between: the network, then the splats and planes."""
        image = frames.to_rgb_uint8(image)
        with self._capture_lock:
            for res in (HQ.process_res, LIVE.process_res):
                try:
                    with self._gpu_turn():  # owned: live batches replay their graphs before the next turn
                        inferred = infer(self.model("gaussians"), [image], "gaussians", res).owned()
                    with self._gpu_turn():
                        recon = finish(inferred, [default_budget("gaussians")], keep_sh=True)[0]
                        pending = reconstruction_planes(recon, next(self._frame_ids), HQ)
                        splats = recon.splats  # a copy, for export after the turn
                    self._camera_notice(recon.camera_notice)
                    capture = Capture(splats, pending.encode())  # compression needs no GPU turn
                    del inferred, recon, pending
                    host_memory.release_freed()  # the capture's host buffers leave free memory behind
                    return capture
                except torch.OutOfMemoryError:
                    torch.cuda.empty_cache()
                    self._notify(f"Out of GPU memory for an HQ capture at {res} px; trying a lower resolution.")
            raise RuntimeError("Out of GPU memory even at the live resolution: close other GPU programs.")

    def close(self, timeout: float = 30.0) -> bool:
        """Stop: no new GPU turns (requests fail with ``Stopping``), the batch workers finish their batch
        in flight and exit, and the GPU turn in flight (a network pass cannot be interrupted) ends. True
        if all of that happened within ``timeout`` seconds; on False the caller abandons the work left."""
        deadline = time.monotonic() + timeout
        if not self._stopping.is_set():
            self._stopping.set()
            threading.Thread(target=self._take_the_last_turn, name="engine-close", daemon=True).start()
        workers_done = all([batcher.close(max(0.0, deadline - time.monotonic())) for batcher in self._batchers.values()])
        return self._last_turn.wait(max(0.0, deadline - time.monotonic())) and workers_done

    def _take_the_last_turn(self) -> None:
        self._lock.acquire()  # never released: no GPU work after this turn
        self._last_turn.set()

    def _camera_notice(self, notice: str | None) -> None:
        """Say once that predicted cameras are being clamped (random weights do it on every frame)."""
        if notice and not self._camera_clamped:
            self._camera_clamped = True
            self._notify(notice)

    def _lower_detail_after_oom(self, current: int) -> None:
        torch.cuda.empty_cache()
        if current + 1 >= len(LEVELS):
            raise RuntimeError("Out of GPU memory even at the lowest live detail: close other GPU programs.")
        self._oom_level = current + 1
        self._notify(f"Out of GPU memory: live detail lowered to '{LEVELS[self._oom_level]}'.")

    def _notify(self, message: str) -> None:
        log.warning(message)
        self.notices.append(message)
