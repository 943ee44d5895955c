"""Scan mode's part of the app (app.py wires it in): one scan per browser session, its Start, Stop,
Reset and Export controls, and the ``/scan`` API.

The pipeline is ``splat_core.scan``. A scan's deltas reach the viewer over the live channel, as a list
of wire frames that the channel delivers in order without dropping any (docs/live-channel.md); a
socket that the scene has not been sent to yet (a reconnection, a page that joins) gets all of it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr
from gradio_splat import live

from splat_core.engine import Engine
from splat_core.export import write_ply, write_spz
from splat_core.frames import read_image
from splat_core.models import ModelLoadError, pick_device
from splat_core.pipeline import DETAILS
from splat_core.scan.scene import ScanScene
from splat_core.scan.sources import NetworkSource, truth_from_env
from splat_core.store import ExportStore
from splat_core.video import sample_frames

LABEL = "Scan"  # the Live mode radio's choice
VIDEO_SUFFIXES = {".mp4", ".webm", ".mov", ".avi", ".mkv", ".m4v"}
API_FPS, API_MAX_FRAMES = 5, 600  # /scan samples a video at 5 frames a second, two minutes at most


@dataclass
class _Session:
    scene: ScanScene | None = None
    running: bool = False
    connection: int | None = None  # the live channel's socket that has the scene so far
    lock: threading.Lock = field(default_factory=threading.Lock)


class Scans:
    """Every session's scan, by Gradio session; dropped when the tab closes."""

    def __init__(self, engine: Engine, exports: ExportStore):
        self.engine, self.exports = engine, exports
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def _session(self, request: gr.Request | None) -> _Session:
        key = getattr(request, "session_hash", None) or ""
        with self._lock:
            return self._sessions.setdefault(key, _Session())

    def forget(self, request: gr.Request = None) -> None:
        with self._lock:
            self._sessions.pop(getattr(request, "session_hash", None) or "", None)

    def new_scene(self, detail: str, motion: float | None = None) -> ScanScene:
        """A scene whose keyframes are processed at ``detail``'s grid: DA3 (the Gaussian model, giant by
        default) on windows, or the synthetic room's truth where the environment asks for it
        (sources.TRUTH_ENV: tests and benchmarks)."""
        level = DETAILS[detail]
        source = truth_from_env(level.process_res, pick_device(self.engine.device))
        if source is None:
            with self.engine.gpu_turn():
                source = NetworkSource(self.engine.model("gaussians"), level.process_res)
        extra = {} if motion is None else {"motion": motion}
        return ScanScene(source, detail=level, gpu_turn=self.engine.gpu_turn, **extra)

    def frame(self, image, detail: str, request: gr.Request | None):
        """A camera frame in scan mode: (the viewer's output: a list of deltas, or skip; a status line)."""
        session = self._session(request)
        connection = live.current_connection()
        if connection is None:
            return gr.skip(), "⚠️ Scan mode needs the live channel (a WebSocket): it is blocked on the way here."
        with session.lock:
            if session.scene is None:
                return gr.skip(), "Scan mode: press “Start scan”, then walk the camera slowly round the room."
            try:
                deltas = session.scene.add_frame(image) if session.running else []
            except ValueError as err:
                return gr.skip(), f"⚠️ Frame skipped: {err}"
            if session.connection != connection:  # this socket has not got the scene yet: all of it
                session.connection = connection
                deltas = session.scene.full()
            return deltas or gr.skip(), self.summary(session)

    def summary(self, session: _Session) -> str:
        scene = session.scene
        if scene is None:
            return ""
        state = "scanning" if session.running else "stopped"
        timing = (f"; last keyframe {sum(scene.timings_ms.values()):.0f} ms" if scene.timings_ms else "")
        return (f"Scan ({state}): {len(scene.keyframes)} keyframes in the scene, {len(scene.path)} on the path, "
                f"{scene.num_splats:,} splats, {scene.fusion.total_slots / scene.budget:.0%} of the budget{timing}.")

    def start(self, detail_label: str, details: dict[str, str], request: gr.Request = None) -> str:
        session = self._session(request)
        with session.lock:
            try:
                session.scene = session.scene or self.new_scene(details[detail_label])
            except ModelLoadError as err:
                raise gr.Error(str(err)) from err
            session.running = True
        return self.summary(session) + " Choose “Scan” as the live mode and start the camera (the button in the 3D view)."

    def stop(self, request: gr.Request = None) -> str:
        session = self._session(request)
        session.running = False
        return self.summary(session)

    def reset(self, request: gr.Request = None):
        """Starts the scan over: the next frame sends the viewer the (empty) new scene."""
        session = self._session(request)
        with session.lock:
            if session.scene is not None:
                session.scene.reset()
            session.connection = None
        return None, self.summary(session) or "Scan reset."

    def export(self, request: gr.Request = None):
        """The scene as PLY and SPZ, and the camera path as JSON, to download."""
        session = self._session(request)
        if session.scene is None or not session.scene.num_splats:
            raise gr.Error("Nothing scanned yet: start a scan and move the camera.")
        with session.lock:
            splats, path = session.scene.splats(), session.scene.camera_path()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        try:
            files = [self.exports.save(f"scan-{stamp}.ply", lambda p: write_ply(splats, p)),
                     self.exports.save(f"scan-{stamp}.spz", lambda p: write_spz(splats, p)),
                     self.exports.save(f"scan-{stamp}-path.json", lambda p: p.write_text(json.dumps(path, indent=1)))]
        except RuntimeError as err:  # the server is stopping
            raise gr.Error(str(err)) from err
        return (*(gr.update(value=str(f), visible=True) for f in files),
                f"Scan exported: {len(splats):,} splats, {len(path['keyframes'])} cameras on the path.")

    def scan_files(self, payload, detail: str = "full") -> str:
        """API: a video (or several images) in, the fused scene as a PLY file out (``/scan``)."""
        paths = [item.get("path") if isinstance(item, dict) else item for item in (payload or [])]
        paths = [p for p in paths if p]
        if not paths:
            raise gr.Error("No files given: pass one video, or several images of the scene.")
        if detail not in DETAILS:
            raise gr.Error(f"detail must be one of {', '.join(DETAILS)}, got {detail!r}")
        video = len(paths) == 1 and Path(paths[0]).suffix.lower() in VIDEO_SUFFIXES
        try:
            # Every image given is meant as a view (motion 0); a video's frames are picked by motion.
            scene = self.new_scene(detail, motion=None if video else 0.0)
            pictures = ((frame for _, frame in sample_frames(paths[0], API_FPS, API_MAX_FRAMES)) if video
                        else (read_image(path).rgb for path in paths))
            for picture in pictures:
                scene.add_frame(picture)
            splats = scene.splats()
            return str(self.exports.save("scan.ply", lambda p: write_ply(splats, p)))
        except (ValueError, ModelLoadError, RuntimeError) as err:
            raise gr.Error(str(err)) from err


SCANS: Scans | None = None  # set by controls()


def controls(engine: Engine, exports: ExportStore) -> dict:
    """The scan's buttons and downloads, made in the current layout; ``wire`` connects them."""
    global SCANS
    SCANS = Scans(engine, exports)
    with gr.Row():
        start, stop, reset = gr.Button("Start scan"), gr.Button("Stop scan"), gr.Button("Reset scan")
        export = gr.Button("Export scan")
    with gr.Row():
        downloads = [gr.DownloadButton(label, visible=False, elem_id=elem) for label, elem in
                     (("Scan .ply", "scan-ply"), ("Scan .spz", "scan-spz"), ("Camera path .json", "scan-path"))]
    return {"start": start, "stop": stop, "reset": reset, "export": export, "downloads": downloads}


def wire(parts: dict, viewer, status, detail, details: dict[str, str], demo) -> None:
    """Connects ``controls``' parts, the /scan API and the session's end."""
    def start(label: str, request: gr.Request):
        return SCANS.start(label, details, request)

    parts["start"].click(start, detail, status, api_visibility="private")
    parts["stop"].click(SCANS.stop, None, status, api_visibility="private")
    parts["reset"].click(SCANS.reset, None, [viewer, status], api_visibility="private")
    parts["export"].click(SCANS.export, None, [*parts["downloads"], status], api_visibility="private")
    api_files = gr.File(file_count="multiple", visible=False)
    api_detail = gr.Radio(list(DETAILS), value="full", visible=False)
    api_ply = gr.File(visible=False)
    gr.Button(visible=False).click(SCANS.scan_files, [api_files, api_detail], api_ply, api_name="scan",
                                   preprocess=False)
    demo.unload(SCANS.forget)
