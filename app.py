"""Live 3D camera: webcam → Depth Anything 3 → Gaussian splats, orbitable in the browser.

    python app.py                      # real weights from the hub
    python app.py --weights random --model tiny   # offline: random weights, CPU-sized model

This file only wires the UI to ``splat_core`` (the pipeline) and ``gradio_splat`` (the viewer).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The viewer is imported from source with its committed templates: a Space installs requirements.txt
# before the repository is copied in, so it cannot pip-install a local path (research/gradio.md §4.1).
sys.path.insert(0, str(ROOT / "custom_components" / "gradio_splat" / "backend"))

import gradio as gr  # noqa: E402
import spaces  # noqa: E402  (spaces.GPU is a no-op outside ZeroGPU)
from gradio.utils import get_upload_folder  # noqa: E402
from gradio_splat import SplatViewer  # noqa: E402
from gradio_splat.clip import EXTENSION as CLIP_EXTENSION, ClipError, ClipWriter, check_clip  # noqa: E402
from gradio_splat.live import current_connection  # noqa: E402

from splat_core import host_memory  # noqa: E402
from splat_core.engine import Engine  # noqa: E402
from splat_core.export import write_ply, write_spz  # noqa: E402
from splat_core.frame_splats import frame_splats  # noqa: E402
from splat_core.frames import read_image  # noqa: E402
from splat_core.models import MODELS, ModelLoadError, pick_device  # noqa: E402
from splat_core.pipeline import DETAILS  # noqa: E402
from splat_core.scan.scene import ScanScene  # noqa: E402
from splat_core.scan.sources import NetworkSource, truth_from_env  # noqa: E402
from splat_core.store import ExportStore  # noqa: E402
from splat_core.video import sample_frames  # noqa: E402
from splat_core.wire import decode_frame  # noqa: E402

log = logging.getLogger("app")

MODES = {"Points (fast)": "points", "Gaussians": "gaussians"}
# Detail is the processing grid (one splat per pixel) and the colour's JPEG quality: pipeline.DETAILS.
DETAIL_LEVELS = {"Full (504×378)": "full", "High (392×294)": "high", "Medium (308×224)": "medium",
                 "Low (252×196)": "low", "Lowest (168×126)": "lowest"}
# The long sides the viewer may scale webcam frames to before sending them, finest first, chosen by the
# visitor's link (docs/live-channel.md). A frame is processed at most at its own size, so each side is
# a detail level's grid (pipeline.DETAILS); the finest is the webcam's own 640 px, for Capture HQ.
CAPTURE_SIDES = (640, 392, 308, 252, 168)
# Uploads (photos and videos): a 40 MP photo is 5-20 MB as JPEG and usually under 100 MB as PNG; a
# video is sampled for its first 30 s.
MAX_UPLOAD = "100mb"
# Seconds an in-flight frame or capture stage gets to finish when the server is stopped; then it is
# abandoned (a network pass cannot be interrupted, and on a CPU one can take a minute).
STOP_GRACE_S = 5.0

ENGINE: Engine | None = None  # set by main() or by tests through build_app()
EXPORTS: ExportStore | None = None  # PLY and SPZ files to download: removed after EXPORTS.ttl seconds


# Sessions whose view is frozen (an HQ capture, a photo or a video on show), by session hash. Not a
# gr.State: a stream call reads its inputs when it starts, so a live frame begun before a capture would
# land after it and replace it; this set is read again when the frame is done. Pruned on unload.
_frozen_sessions: set[str] = set()


def _freeze(request: gr.Request | None, frozen: bool = True) -> None:
    session = getattr(request, "session_hash", None)
    if session is not None:
        (_frozen_sessions.add if frozen else _frozen_sessions.discard)(session)


def _is_frozen(request: gr.Request | None) -> bool:
    return getattr(request, "session_hash", None) in _frozen_sessions


def forget_session(request: gr.Request = None) -> None:
    """The tab was closed or reloaded: drop its frozen flag."""
    _freeze(request, False)


def _status(extra: str = "") -> str:
    lines = [ENGINE.status, *ENGINE.notices[-3:]]
    return "\n\n".join(line for line in [*lines, extra] if line)


@spaces.GPU(duration=10)
def _live_frame(image, mode: str, detail: str) -> bytes:
    return ENGINE.live(image, mode, detail)


@spaces.GPU(duration=60)
def _hq_capture(image):
    return ENGINE.capture(image)


def on_frame(image, mode_label: str, detail: str, request: gr.Request = None):
    """The webcam stream: one wire frame per webcam frame, unless an HQ capture is on show. The frame
    comes at the size the link allows (CAPTURE_SIDES), and is processed at most at that size. It comes as
    its JPEG's bytes: the pipeline decodes it on the GPU (nvJPEG), where there is one."""
    if _is_frozen(request) or image is None:
        return gr.skip(), image, gr.skip()
    if mode_label == SCAN_LABEL:  # scan mode: the scene's new deltas instead of this frame's splats
        deltas, note = SCANS.frame(image, DETAIL_LEVELS[detail], request)
        return deltas, image, _status(note)
    try:
        data = _live_frame(image, MODES[mode_label], DETAIL_LEVELS[detail])
    except (ValueError, ModelLoadError, RuntimeError) as err:
        return gr.skip(), image, _status(f"⚠️ Frame skipped: {err}")
    if _is_frozen(request):  # a capture, photo or video froze the view while this frame was made
        return gr.skip(), image, gr.skip()
    return data, image, _status()


def capture_hq(image, progress=gr.Progress(), request: gr.Request = None):
    """Capture HQ: the giant model at high resolution, frozen in the viewer, PLY and SPZ to download."""
    if image is None:
        raise gr.Error("No frame yet: start the camera (the button in the 3D view) or upload an image first.")
    progress(0.1, desc="Reconstructing at high quality…")
    was_frozen = _is_frozen(request)
    _freeze(request)  # from now on, no live frame of this session may land
    try:
        capture = _hq_capture(image)
    except (ValueError, ModelLoadError, RuntimeError) as err:
        _freeze(request, was_frozen)
        raise gr.Error(str(err)) from err
    progress(0.8, desc="Writing PLY and SPZ…")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    try:
        ply = EXPORTS.save(f"capture-{stamp}.ply", lambda path: write_ply(capture.splats, path))
        spz = EXPORTS.save(f"capture-{stamp}.spz", lambda path: write_spz(capture.splats, path))
    except RuntimeError as err:  # the server is stopping
        raise gr.Error(str(err)) from err
    status = _status(f"HQ capture: {len(capture.splats):,} Gaussians with spherical harmonics. "
                     f"Press “Back to live” to resume the stream. Downloads last {_minutes(EXPORTS.ttl)}.")
    return (capture.frame, gr.update(value=str(ply), visible=True), gr.update(value=str(spz), visible=True),
            status)


def back_to_live(request: gr.Request = None):
    _freeze(request, False)
    return gr.update(visible=False), gr.update(visible=False), _status()


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} seconds"


def _decode_upload(payload):
    """The uploaded file (Gradio's FileData, unprocessed: the events that take uploads have
    ``preprocess=False``, so Gradio's own conversion, which clips 16-bit greys and fails on bad files
    with a generic error, never runs) decoded by splat_core.frames, or None without a file."""
    path = payload.get("path") if isinstance(payload, dict) else payload
    if not path:
        return None
    try:
        return read_image(path)
    except ValueError as err:
        raise gr.Error(str(err)) from err


def _option(options: dict[str, str], label: str) -> str:
    """A radio's value for its label (unprocessed events get the label unchecked)."""
    if label not in options:
        raise gr.Error(f"Unknown option {label!r}; choose one of {', '.join(options)}.")
    return options[label]


def show_image(payload, mode_label: str, detail: str, request: gr.Request = None):
    """An uploaded photo: one frame, shown frozen like a capture (Capture HQ then captures it)."""
    picture = _decode_upload(payload)
    if picture is None:
        return gr.skip(), gr.skip(), gr.skip()
    mode, detail = _option(MODES, mode_label), _option(DETAIL_LEVELS, detail)
    was_frozen = _is_frozen(request)
    _freeze(request)
    try:
        return _live_frame(picture.rgb, mode, detail), picture.rgb, _status(" ".join(picture.notes))
    except (ValueError, ModelLoadError, RuntimeError) as err:
        _freeze(request, was_frozen)
        raise gr.Error(str(err)) from err


def play_video(path, mode_label: str, detail: str, request: gr.Request = None):
    """An uploaded video: its frames through the same pipeline, played back at about 5 frames a second."""
    if not path:
        return
    mode = _option(MODES, mode_label)  # "Scan" is no mode for a video: /scan scans one
    _freeze(request)
    started = time.monotonic()
    try:
        for seconds, frame in sample_frames(path, fps=5):
            data = _live_frame(frame, mode, DETAIL_LEVELS[detail])
            time.sleep(max(0.0, started + seconds - time.monotonic()))  # keep the video's pace
            yield data, frame, _status(f"Video: {seconds:.1f} s")
    except (ValueError, ModelLoadError, RuntimeError) as err:
        raise gr.Error(str(err)) from err


# A video becomes a clip of this many frames a second (of the video's time), for its first 30 s.
CLIP_FPS = 10
# The most PLY bytes one export of a clip writes (a full-detail frame is about 11 MB of PLY): a longer
# clip gives every k-th frame.
PLY_ZIP_MAX_BYTES = 2**30
PLY_BYTES_PER_SPLAT = 4 * (3 + 3 + 4 + 1 + 3)  # float32 centre, log scales, quaternion, opacity logit, DC


def make_clip(path, mode: str, detail: str, progress=gr.Progress()) -> Path:
    """A video's frames through the live pipeline into a clip file, timed as in the video (docs/clip-format.md)."""
    if not path:
        raise gr.Error("No video given.")

    def write(target: Path):
        with open(target, "wb") as file:
            clip, seconds = ClipWriter(file, source="video"), 0.0
            for seconds, frame in sample_frames(path, fps=CLIP_FPS, max_frames=30 * CLIP_FPS):
                progress(None, desc=f"Video → 3D clip: {seconds:.1f} s")
                clip.add(_live_frame(frame, mode, detail), seconds * 1000)
            clip.close(duration_ms=(seconds + 1 / CLIP_FPS) * 1000)

    try:
        return EXPORTS.save(f"{Path(path).stem}{CLIP_EXTENSION}", write)
    except (ValueError, ModelLoadError, RuntimeError) as err:
        raise gr.Error(str(err)) from err


def video_clip(path, mode_label: str, detail: str, progress=gr.Progress()):
    """The Video tab's "Make a 3D clip": the clip replays in the viewer and can be downloaded."""
    clip = make_clip(path, _option(MODES, mode_label), _option(DETAIL_LEVELS, detail), progress)
    return str(clip), gr.update(value=str(clip), visible=True), _status(f"3D clip made; its link lasts {_minutes(EXPORTS.ttl)}.")


def clip_api(path, mode: str, detail: str, progress=gr.Progress()) -> str:
    """API: a video file in, its clip file out (``/clip``)."""
    return str(make_clip(path, mode, detail, progress))


def open_clip(payload):
    """An uploaded clip, checked (its layout, and its first frame), to replay in the viewer."""
    path = payload.get("path") if isinstance(payload, dict) else payload
    if not path:
        return gr.skip(), gr.skip()
    try:
        with check_clip(path) as clip:
            about = f"Clip: {len(clip)} frames, {clip.duration_ms / 1000:.1f} s."
    except ClipError as err:
        raise gr.Error(str(err)) from err
    return path, _status(about)


def clip_plys(payload, progress=gr.Progress()):
    """The uploaded clip's frames as PLY files in one zip (every k-th frame if they would pass PLY_ZIP_MAX_BYTES)."""
    import zipfile

    path = payload.get("path") if isinstance(payload, dict) else payload
    if not path:
        raise gr.Error("Upload a clip first.")
    frames = step = 0

    def write(target: Path):
        nonlocal frames, step
        with check_clip(path) as clip, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:  # floats barely deflate
            frames, camera = len(clip), decode_frame(clip.frame(0)).camera
            step = max(1, -(-frames * camera.width * camera.height * PLY_BYTES_PER_SPLAT // PLY_ZIP_MAX_BYTES))
            ply = target.with_suffix(".ply")  # one frame's PLY at a time
            for i in range(0, frames, step):
                progress(i / frames, desc=f"Frame {i + 1} of {frames} as PLY")
                write_ply(frame_splats(decode_frame(clip.frame(i))), ply)
                archive.write(ply, f"frame-{i:05d}-{clip.times_ms[i]:06d}ms.ply")
            ply.unlink(missing_ok=True)

    try:
        archive = EXPORTS.save(f"{Path(path).stem}-ply.zip", write)
    except (ValueError, RuntimeError) as err:
        raise gr.Error(str(err)) from err
    which = f"one frame in {step} of {frames}, to stay under {PLY_ZIP_MAX_BYTES >> 30} GB" if step > 1 else "every frame"
    return (gr.update(value=str(archive), visible=True),
            _status(f"PLY zip: {which}; its link lasts {_minutes(EXPORTS.ttl)}."))


def reconstruct_api(payload):
    """API: an image file in, a PLY file and a wire frame out (``/reconstruct``)."""
    picture = _decode_upload(payload)
    if picture is None:
        raise gr.Error("No image given.")
    try:
        capture = _hq_capture(picture.rgb)
        ply = EXPORTS.save("reconstruction.ply", lambda path: write_ply(capture.splats, path))
    except (ValueError, ModelLoadError, RuntimeError) as err:
        raise gr.Error(str(err)) from err
    return str(ply), capture.frame


# Scan mode (splat_core.scan): one scan per browser session, its Start, Stop, Reset and Export
# controls, and the /scan API. A scan's deltas reach the viewer over the live channel, as a list of
# wire frames that the channel delivers in order without dropping any (docs/live-channel.md); a
# socket that the scene has not been sent to yet (a reconnection, a page that joins) gets all of it.

SCAN_LABEL = "Scan"  # the Live mode radio's choice
SCAN_SPLATS = {"Points": "points", "Gaussians": "gaussians"}  # the scan's splats: label → the /scan API's name
SCAN_VIDEO_SUFFIXES = {".mp4", ".webm", ".mov", ".avi", ".mkv", ".m4v"}
SCAN_API_FPS, SCAN_API_MAX_FRAMES = 5, 600  # /scan samples a video at 5 frames a second, two minutes at most


@dataclass
class _ScanSession:
    scene: ScanScene | None = None
    running: bool = False
    connection: int | None = None  # the live channel's socket that has the scene so far
    lock: threading.Lock = field(default_factory=threading.Lock)


class Scans:
    """Every session's scan, by Gradio session; dropped when the tab closes."""

    def __init__(self, engine: Engine, exports: ExportStore):
        self.engine, self.exports = engine, exports
        self._sessions: dict[str, _ScanSession] = {}
        self._lock = threading.Lock()

    def _session(self, request: gr.Request | None) -> _ScanSession:
        key = getattr(request, "session_hash", None) or ""
        with self._lock:
            return self._sessions.setdefault(key, _ScanSession())

    def forget(self, request: gr.Request = None) -> None:
        with self._lock:
            self._sessions.pop(getattr(request, "session_hash", None) or "", None)

    def new_scene(self, detail: str, splats: str = "points", motion: float | None = None) -> ScanScene:
        """A scene of ``splats`` ("points" or "gaussians") whose keyframes are processed at ``detail``'s
        grid: DA3 (the Gaussian model, giant by default) on windows, or the synthetic room's truth where
        the environment asks for it (sources.TRUTH_ENV: tests and benchmarks)."""
        level, gaussians = DETAILS[detail], splats == "gaussians"
        source = truth_from_env(level.process_res, pick_device(self.engine.device), gaussians)
        if source is None:
            with self.engine.gpu_turn():
                source = NetworkSource(self.engine.model("gaussians"), level.process_res, gaussians)
        extra = {} if motion is None else {"motion": motion}
        return ScanScene(source, detail=level, gpu_turn=self.engine.gpu_turn, **extra)

    def frame(self, image, detail: str, request: gr.Request | None):
        """A camera frame in scan mode: (the viewer's output: a list of deltas, or skip; a status line)."""
        session = self._session(request)
        connection = current_connection()
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

    def summary(self, session: _ScanSession) -> str:
        scene = session.scene
        if scene is None:
            return ""
        state = "scanning" if session.running else "stopped"
        kind = "Gaussians" if scene.mode == "gaussians" else "points"
        timing = (f"; last keyframe {sum(scene.timings_ms.values()):.0f} ms" if scene.timings_ms else "")
        return (f"Scan ({state}): {len(scene.keyframes)} keyframes in the scene, {len(scene.path)} on the path, "
                f"{scene.num_splats:,} {kind}, {scene.fusion.total_slots / scene.budget:.0%} of the budget{timing}.")

    def start(self, detail_label: str, splats_label: str, details: dict[str, str], request: gr.Request = None) -> str:
        """Starts scanning: the scene so far goes on, unless the detail or the splats asked for differ
        from its own, which starts a new scene (the viewer drops the old one when the new one's first
        delta arrives)."""
        session = self._session(request)
        wanted = (details[detail_label], SCAN_SPLATS[splats_label])
        with session.lock:
            scene = session.scene
            try:
                if scene is None or (scene.detail.name, scene.mode) != wanted:
                    session.scene = self.new_scene(*wanted)
            except (ModelLoadError, ValueError) as err:
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

    def scan_files(self, payload, detail: str = "full", splats: str = "points") -> str:
        """API: a video (or several images) in, the fused scene of ``splats`` ("points" or "gaussians")
        as a PLY file out (``/scan``)."""
        paths = [item.get("path") if isinstance(item, dict) else item for item in (payload or [])]
        paths = [p for p in paths if p]
        if not paths:
            raise gr.Error("No files given: pass one video, or several images of the scene.")
        if detail not in DETAILS:
            raise gr.Error(f"detail must be one of {', '.join(DETAILS)}, got {detail!r}")
        if splats not in SCAN_SPLATS.values():
            raise gr.Error(f"splats must be one of {', '.join(SCAN_SPLATS.values())}, got {splats!r}")
        video = len(paths) == 1 and Path(paths[0]).suffix.lower() in SCAN_VIDEO_SUFFIXES
        try:
            # Every image given is meant as a view (motion 0); a video's frames are picked by motion.
            scene = self.new_scene(detail, splats, motion=None if video else 0.0)
            pictures = ((frame for _, frame in sample_frames(paths[0], SCAN_API_FPS, SCAN_API_MAX_FRAMES)) if video
                        else (read_image(path).rgb for path in paths))
            for picture in pictures:
                scene.add_frame(picture)
            splats = scene.splats()
            return str(self.exports.save("scan.ply", lambda p: write_ply(splats, p)))
        except (ValueError, ModelLoadError, RuntimeError) as err:
            raise gr.Error(str(err)) from err


SCANS: Scans | None = None  # set by scan_controls()


def scan_controls(engine: Engine, exports: ExportStore) -> dict:
    """The scan's buttons and downloads, made in the current layout; ``wire_scan`` connects them."""
    global SCANS
    SCANS = Scans(engine, exports)
    splats = gr.Radio(list(SCAN_SPLATS), value="Points", label="Scan splats", elem_id="scan-splats",
                      info="Gaussians come from DA3's Gaussian head: finer surfaces, slower keyframes")
    with gr.Row():
        start, stop, reset = gr.Button("Start scan"), gr.Button("Stop scan"), gr.Button("Reset scan")
        export = gr.Button("Export scan")
    with gr.Row():
        downloads = [gr.DownloadButton(label, visible=False, elem_id=elem) for label, elem in
                     (("Scan .ply", "scan-ply"), ("Scan .spz", "scan-spz"), ("Camera path .json", "scan-path"))]
    return {"splats": splats, "start": start, "stop": stop, "reset": reset, "export": export, "downloads": downloads}


def wire_scan(parts: dict, viewer, status, detail, details: dict[str, str], demo) -> None:
    """Connects ``scan_controls``' parts, the /scan API and the session's end."""
    def start(detail_label: str, splats_label: str, request: gr.Request):
        return SCANS.start(detail_label, splats_label, details, request)

    parts["start"].click(start, [detail, parts["splats"]], status, api_visibility="private")
    parts["stop"].click(SCANS.stop, None, status, api_visibility="private")
    parts["reset"].click(SCANS.reset, None, [viewer, status], api_visibility="private")
    parts["export"].click(SCANS.export, None, [*parts["downloads"], status], api_visibility="private")
    api_files = gr.File(file_count="multiple", visible=False)
    api_detail = gr.Radio(list(DETAILS), value="full", visible=False)
    api_splats = gr.Radio(list(SCAN_SPLATS.values()), value="points", visible=False)
    api_ply = gr.File(visible=False)
    gr.Button(visible=False).click(SCANS.scan_files, [api_files, api_detail, api_splats], api_ply, api_name="scan",
                                   preprocess=False)
    demo.unload(SCANS.forget)


def build_app(engine: Engine, detail: str = "full", exports: ExportStore | None = None) -> gr.Blocks:
    """The UI around ``engine``; exports go to ``exports`` (by default a store in Gradio's cache)."""
    global ENGINE, EXPORTS
    ENGINE, EXPORTS = engine, exports or ExportStore(Path(get_upload_folder()))
    # Gradio's cache (uploads; exports live in it too, so Gradio serves them without a copy) is swept
    # on the exports' schedule: one stated lifetime for everything a visitor leaves on the server.
    ttl = max(1, int(EXPORTS.ttl))
    with gr.Blocks(title="Live 3D camera", delete_cache=(max(1, int(EXPORTS.sweep_every)), ttl)) as demo:
        gr.Markdown("## Live 3D camera\nDepth Anything 3 turns every webcam frame into 3D splats. "
                    "Drag to orbit, right-drag to pan, scroll to zoom.")
        last_frame = gr.State(None)
        with gr.Row():
            with gr.Column(scale=1, min_width=320):
                with gr.Tab("Photo"):
                    photo = gr.Image(sources=["upload", "clipboard"], type="numpy", label="Photo")
                with gr.Tab("Video"):
                    video = gr.Video(sources=["upload"], label="Video")
                    with gr.Row():
                        make_video_clip = gr.Button("Make a 3D clip")
                        video_clip_file = gr.DownloadButton("Download clip", visible=False)
                with gr.Tab("Clip"):  # docs/clip-format.md; the viewer's own clips can be dropped on it too
                    clip_file = gr.File(label="Clip (.splatclip)", file_types=[CLIP_EXTENSION], elem_id="clip-file")
                    with gr.Row():
                        export_plys = gr.Button("Export frames as PLY (.zip)")
                        ply_zip = gr.DownloadButton("Download PLY zip", visible=False)
                mode = gr.Radio([*MODES, SCAN_LABEL], value="Points (fast)", label="Live mode", elem_id="live-mode")
                detail = gr.Radio(list(DETAIL_LEVELS), value=next(k for k, v in DETAIL_LEVELS.items() if v == detail),
                                  label="Detail (the 3D grid, one splat per pixel: the finest; a slow link lowers it)")
                with gr.Row():
                    capture = gr.Button("Capture HQ", variant="primary")
                    live = gr.Button("Back to live")
                with gr.Row():
                    ply_file = gr.DownloadButton("Download .ply", visible=False)
                    spz_file = gr.DownloadButton("Download .spz", visible=False)
                scan_parts = scan_controls(engine, EXPORTS)
                status = gr.Markdown(engine.status, elem_id="status")
            with gr.Column(scale=2):
                viewer = SplatViewer(label="3D view", height=560, show_stats=True, elem_id="viewer", webcam=True,
                                     capture_sizes=CAPTURE_SIDES, camera_jpeg=True)

        # The viewer's camera streams through its own channel (docs/live-channel.md); each stream holds a
        # Gradio queue slot for its life, so the slots are not limited (the engine shares the GPU).
        viewer.stream(on_frame, [viewer, mode, detail], [viewer, last_frame, status], concurrency_limit=None,
                      show_progress="hidden", api_visibility="undocumented")
        capture.click(capture_hq, last_frame, [viewer, ply_file, spz_file, status], api_visibility="private")
        live.click(back_to_live, None, [ply_file, spz_file, status], api_visibility="private")
        photo.upload(show_image, [photo, mode, detail], [viewer, last_frame, status], api_visibility="private",
                     preprocess=False)
        video.upload(play_video, [video, mode, detail], [viewer, last_frame, status],
                     show_progress="hidden", api_visibility="private")
        make_video_clip.click(video_clip, [video, mode, detail], [viewer, video_clip_file, status],
                              api_visibility="private")
        clip_file.upload(open_clip, clip_file, [viewer, status], api_visibility="private", preprocess=False)
        export_plys.click(clip_plys, clip_file, [ply_zip, status], api_visibility="private", preprocess=False)
        demo.unload(forget_session)
        wire_scan(scan_parts, viewer, status, detail, DETAIL_LEVELS, demo)
        # gradio_client cannot call stream endpoints: /reconstruct is the non-stream API twin.
        api_image = gr.Image(type="filepath", visible=False)
        api_ply = gr.File(visible=False)
        gr.Button(visible=False).click(reconstruct_api, api_image, [api_ply, viewer], api_name="reconstruct",
                                       preprocess=False)
        # /clip: a video in, its clip file out (the modes and detail levels by their values: "points", "lowest").
        api_video, api_clip = gr.File(visible=False), gr.File(visible=False)
        api_mode = gr.Radio(list(MODES.values()), value="points", visible=False)
        api_detail = gr.Radio(list(DETAIL_LEVELS.values()), value="full", visible=False)
        gr.Button(visible=False).click(clip_api, [api_video, api_mode, api_detail], api_clip, api_name="clip")
        # Model download and warm-up progress until the live model is ready.
        timer = gr.Timer(1.0)
        timer.tick(lambda: (_status(), gr.Timer(active=ENGINE.status.endswith("…"))), None,
                   [status, timer], show_progress="hidden", api_visibility="private")
    return demo


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Live 3D camera: webcam → Depth Anything 3 → splats.")
    parser.add_argument("--model", choices=list(MODELS), default="base",
                        help="model for live points (default base); a model with a Gaussian head "
                             "(tiny, giant, nested) also serves Gaussians and HQ captures")
    parser.add_argument("--gaussian-model", choices=[m for m, s in MODELS.items() if s.has_gaussians],
                        help="model for live Gaussians and HQ captures (default: --model if it can, else giant)")
    parser.add_argument("--weights", default="auto",
                        help="auto (the Hugging Face hub, cached), random (offline testing), or a local path")
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: the first available)")
    parser.add_argument("--tuned", action="store_true",
                        help="compiled GPU kernels: about a quarter less GPU time a frame, not bit-identical to DA3 "
                             "(docs/benchmarks.md)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--host", default=None, help="address to listen on (default: Gradio's, 127.0.0.1)")
    parser.add_argument("--share", action="store_true", help="also serve through a public share link")
    parser.add_argument("--detail", choices=list(DETAIL_LEVELS.values()), default="full",
                        help="default live detail: the processing grid (full 504×378 … lowest 168×126)")
    parser.add_argument("--export-ttl", type=float, default=600.0,
                        help="seconds that downloads (PLY, SPZ, /reconstruct outputs) and uploads are kept (default 600)")
    parser.add_argument("--export-cap", type=float, default=2048.0,
                        help="MB of downloads kept at most; the oldest go first (default 2048)")
    return parser.parse_args(argv)


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    host_memory.fix_mmap_threshold()  # large buffers go back to the system when freed
    gaussian_model = args.gaussian_model or (args.model if MODELS[args.model].has_gaussians else "giant")
    engine = Engine(args.model, gaussian_model, args.weights, args.device, tuned=args.tuned)

    def warm_up():
        try:
            engine.warm_up()
        except ModelLoadError as err:
            engine.status = f"⚠️ {err}"
            log.error("%s", err)

    threading.Thread(target=warm_up, daemon=True).start()
    exports = ExportStore(Path(get_upload_folder()), ttl=args.export_ttl, max_bytes=int(args.export_cap * 2**20))

    def stop(signum, _frame):
        log.info("%s: stopping", signal.Signals(signum).name)
        engine.close(timeout=0)  # no new GPU work from now on; what is in flight may finish
        raise KeyboardInterrupt  # launch() closes the server on it, as on Ctrl-C

    # SIGTERM (docker stop, a Space restart) takes Ctrl-C's path; both first stop the engine, so that the
    # server's shutdown does not wait on queued frames.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    demo = build_app(engine, args.detail, exports)
    try:
        demo.queue(default_concurrency_limit=4).launch(
            server_name=args.host, server_port=args.port, share=args.share, ssr_mode=False, run_history=False,
            max_file_size=MAX_UPLOAD)
    except KeyboardInterrupt:  # a signal before the server was up
        pass
    finally:
        finished = engine.close(STOP_GRACE_S)
        demo.close()  # Gradio's shutdown removes its cache files (uploads, frames)
        exports.close()
    log.info("stopped%s", "" if finished else f" (work still in flight after {STOP_GRACE_S:g} s was abandoned)")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not a normal interpreter exit: its teardown, with daemon threads still inside torch (an abandoned
    # network pass, torch's thread pools), aborts with "terminate called without an active exception".
    os._exit(0)


if __name__ == "__main__":
    main()
