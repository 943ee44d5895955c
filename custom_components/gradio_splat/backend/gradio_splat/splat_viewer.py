"""gradio_splat.SplatViewer() component."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

import msgpack
from gradio.components.base import Component
from gradio.context import Context
from gradio.data_classes import FileData, GradioModel
from gradio.events import Events
from gradio.i18n import I18nData
from gradio.route_utils import Request
from gradio.utils import get_upload_folder

from . import live

if TYPE_CHECKING:
    from gradio.components import Timer

log = logging.getLogger(__name__)

WIRE_FORMAT = "gradio-splat"
WIRE_VERSION = 2
# A frame's grid limits (docs/wire-format.md): the browser checks them again before allocating.
MAX_SIDE = 4096
MAX_PIXELS = 2048 * 2048
GAUSSIAN_PLANES = {"offset", "opacity", "scale", "rotation"}
SPLAT_FILE_TYPES = ("ply", "spz", "splat")


class ChannelData(GradioModel):
    """How the browser connects to its live channel (docs/live-channel.md)."""

    token: str
    path: str
    sizes: list[int]
    max_upload: int


class SplatData(GradioModel):
    """What the browser receives (where to fetch the bytes, and what they are, or a live channel to
    connect to) and, while its camera streams, what it sends (docs/live-channel.md)."""

    file: FileData | None = None
    kind: Literal["frame", "ply", "spz", "splat", "channel", "camera", "clip"]
    """"frame" is a wire frame (docs/wire-format.md); "ply", "spz", "splat" are splat files Spark loads;
    "channel" opens (server → browser) or ticks (browser → server) a live channel; "camera" is a camera
    frame on the fallback path; "clip" is a clip file the browser replays (docs/clip-format.md)."""
    num_splats: int | None = None
    """Splat slots in a frame: its grid's W × H pixels, read from its header; None for files."""
    frame_id: int | None = None
    """The frame's `frame_id`; None for files."""
    channel: ChannelData | None = None
    token: str | None = None
    jpeg: str | None = None
    """A camera frame as a JPEG data URL (the fallback path)."""


class FrameCache:
    """Frame files in Gradio's cache, each deleted `ttl` seconds after it was written.

    Policy: a frame must outlive the slowest fetch of it (the SSE message announcing it, then one
    download behind at most one other in-flight download in the browser), and the cache must not
    grow during a stream. Age, not count, decides: the component instance is shared by every
    session, so "keep the last K" would let a busy session evict a slow session's frame. Disk use is
    bounded by (frames per second over all sessions) × ttl × frame size. Sweeping happens on every
    write, so an idle server keeps at most the last ttl seconds of frames until the next one; Gradio
    removes the rest on shutdown.

    Names are uuid4 (122 random bits) and Gradio's file route lists no directories, so a session
    can fetch only frames whose URL it was sent.
    """

    def __init__(
        self,
        folder: Path,
        ttl: float,
        on_delete: Callable[[str], None] = lambda path: None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.folder = folder
        self.ttl = ttl
        self._on_delete = on_delete
        self._clock = clock
        self._files: deque[tuple[float, Path]] = deque()  # oldest first
        self._lock = threading.Lock()  # postprocess runs in worker threads, one per session

    def put(self, data: bytes) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{uuid.uuid4().hex}.bin"
        path.write_bytes(data)
        with self._lock:
            now = self._clock()
            self._files.append((now, path))
            self._sweep(now)
        return path

    def __len__(self) -> int:
        return len(self._files)

    def _sweep(self, now: float) -> None:
        while self._files and now - self._files[0][0] > self.ttl:
            _, path = self._files.popleft()
            path.unlink(missing_ok=True)
            self._on_delete(str(path))


def read_frame_header(data: bytes) -> dict[str, Any]:
    """Decodes and checks a wire frame's envelope (docs/wire-format.md); raises ValueError if it is
    not a version 2 frame. The planes' contents are the browser's to decode."""
    try:
        frame = msgpack.unpackb(data, raw=False)
    except Exception as e:
        raise ValueError(f"SplatViewer got bytes that are not a msgpack wire frame: {e}") from e
    if not isinstance(frame, dict) or frame.get("format") != WIRE_FORMAT:
        raise ValueError(f"SplatViewer got bytes whose 'format' is not {WIRE_FORMAT!r}.")
    if frame.get("version") != WIRE_VERSION:
        raise ValueError(
            f"SplatViewer reads wire version {WIRE_VERSION}, got {frame.get('version')!r}."
        )
    camera = frame.get("camera")
    width, height = (camera.get("width"), camera.get("height")) if isinstance(camera, dict) else (None, None)
    if not all(isinstance(v, int) and 1 <= v <= MAX_SIDE for v in (width, height)) or width * height > MAX_PIXELS:
        raise ValueError(
            f"SplatViewer got a frame whose camera grid {width!r}×{height!r} is outside "
            f"1..{MAX_SIDE} a side, {MAX_PIXELS:,} pixels."
        )
    needed = {"depth", "color"} | (GAUSSIAN_PLANES if frame.get("mode") == "gaussians" else set())
    needed |= {"sh"} if frame.get("sh_degree") else set()
    planes = frame.get("planes")
    missing = sorted(needed - planes.keys()) if isinstance(planes, dict) else sorted(needed)
    if missing:
        raise ValueError(f"SplatViewer got a {frame.get('mode')} frame without its planes {missing}.")
    return frame


class SplatViewer(Component):
    """
    Shows Gaussian splats with SparkJS: live wire frames many times a second, or a .ply, .spz or .splat file.
    """

    EVENTS = [Events.change, Events.stream]

    data_model = SplatData

    def __init__(
        self,
        value: bytes | str | Path | Callable | None = None,
        *,
        height: int | str = 480,
        show_stats: bool = False,
        webcam: bool = False,
        capture_sizes: Sequence[int] = (640, 392, 308, 252, 168),
        camera_jpeg: bool = False,
        frame_ttl: float = 10.0,
        label: str | I18nData | None = None,
        show_label: bool | None = None,
        every: Timer | float | None = None,
        inputs: Component | Sequence[Component] | set[Component] | None = None,
        container: bool = True,
        scale: int | None = None,
        min_width: int = 160,
        visible: bool | Literal["hidden"] = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = "value",
    ):
        """
        Parameters:
            value: a wire frame (bytes from splat_core.wire.encode_frame), or a path or URL of a .ply, .spz or .splat file.
            height: height of the viewer, in pixels if a number is passed, or in CSS units if a string is passed.
            show_stats: whether the stats overlay (render FPS, frames per second, splats, KB per frame, latency) starts shown; the user can toggle it.
            webcam: whether the viewer has its own camera: a button starts it, and its frames stream through the live channel to the handler of `.stream()` (docs/live-channel.md).
            capture_sizes: the long sides (px, finest first) the live channel may scale camera frames to before sending them, chosen by the link's speed.
            camera_jpeg: whether the handler of `.stream()` gets each camera frame as its JPEG's bytes (checked from the header: a JPEG of an accepted size), to decode where it runs (e.g. on a GPU), instead of an (H, W, 3) uint8 RGB array.
            frame_ttl: seconds a frame file stays in Gradio's cache for the browser to fetch it; older frames are deleted.
            label: the label for this component.
            show_label: if True, will display label.
            every: continuously calls `value` to recalculate it if `value` is a function (has no effect otherwise).
            inputs: components that are used as inputs to calculate `value` if `value` is a function (has no effect otherwise).
            container: if True, will place the component in a container, providing some extra padding around its border.
            scale: relative size compared to adjacent components in a Row or Blocks layout.
            min_width: minimum pixel width; will wrap if not sufficient screen width.
            visible: if False, component will be hidden; if "hidden", hidden but kept in the DOM.
            elem_id: an optional string that is assigned as the id of this component in the HTML DOM.
            elem_classes: an optional list of strings that are assigned as the classes of this component in the HTML DOM.
            render: if False, component will not render be rendered in the Blocks context.
            key: in a gr.render, components with the same key across re-renders are treated as the same component.
            preserved_by_key: parameters of this component preserved across re-renders with the same key.
        """
        if frame_ttl <= 0:
            raise ValueError("frame_ttl must be a positive number of seconds.")
        if not capture_sizes or any(not 16 <= size <= 4096 for size in capture_sizes):
            raise ValueError("capture_sizes must be long sides between 16 and 4096 px, finest first.")
        self.height = height
        self.show_stats = show_stats
        self.webcam = webcam
        self.capture_sizes = sorted(capture_sizes, reverse=True)
        self.camera_jpeg = camera_jpeg
        # Set before super().__init__, which postprocesses an initial value; the folder is the
        # one Gradio's GRADIO_CACHE will be, so Gradio serves frames as they are (no hash, no copy).
        self._frames = FrameCache(
            Path(get_upload_folder()) / "gradio_splat",
            frame_ttl,
            on_delete=lambda path: self.temp_files.discard(path),
        )
        super().__init__(
            value=value,
            label=label,
            show_label=show_label,
            every=every,
            inputs=inputs,
            container=container,
            scale=scale,
            min_width=min_width,
            visible=visible,
            elem_id=elem_id,
            elem_classes=elem_classes,
            render=render,
            key=key,
            preserved_by_key=preserved_by_key,
        )

    def preprocess(self, payload: SplatData | None) -> bytes | str | None:
        """
        Parameters:
            payload: the value shown in the browser.
        Returns:
            The wire frame's bytes, or the path of the splat file in Gradio's cache.
        """
        if payload is None:
            return None
        if payload.kind == "channel":
            return live.LivePayload(token=payload.token)
        if payload.kind == "camera":
            return live.LivePayload(image=_camera_image(payload.jpeg, decode=not self.camera_jpeg))
        if payload.kind == "frame":
            return Path(payload.file.path).read_bytes()
        return payload.file.path

    def postprocess(self, value: bytes | str | Path | None) -> SplatData | None:
        """
        Parameters:
            value: a wire frame's bytes, or a path or URL of a .ply, .spz or .splat file, or the path of a .splatclip clip.
        Returns:
            The file the browser fetches, with what it holds.
        """
        if value is None:
            return None
        if isinstance(value, live.LiveChannel):
            return SplatData(kind="channel", channel=ChannelData(
                token=value.token, path=value.path, sizes=list(value.sizes), max_upload=value.max_upload))
        if isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value)
            frame = read_frame_header(data)
            path = self._frames.put(data)
            return SplatData(
                file=FileData(path=str(path), size=len(data), mime_type="application/octet-stream"),
                kind="frame",
                num_splats=frame["camera"]["width"] * frame["camera"]["height"],
                frame_id=frame.get("frame_id"),
            )
        name = urlparse(str(value)).path if "://" in str(value) else str(value)
        kind = Path(name).suffix.lower().lstrip(".")
        if kind == "splatclip":  # read by range requests: the browser needs its size
            return SplatData(file=FileData(path=str(value), orig_name=Path(name).name, size=Path(value).stat().st_size),
                             kind="clip")
        if kind not in SPLAT_FILE_TYPES:
            raise ValueError(
                f"SplatViewer shows .ply, .spz, .splat and .splatclip files, not {Path(name).name!r}; "
                "pass bytes for a wire frame."
            )
        return SplatData(file=FileData(path=str(value), orig_name=Path(name).name), kind=kind)

    def stream_handler(self, fn: Callable, inputs, outputs) -> live.StreamHandler:
        """``fn`` as the stream event runs it: see ``_stream``."""
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        if not inputs or inputs[0] is not self or self not in outputs:
            raise ValueError("SplatViewer.stream needs the viewer as its first input and among its outputs.")
        root = Context.root_block
        if root is not None:  # the channel's route joins the app's server when it starts

            async def install_route():
                app = getattr(root, "server_app", None)  # set by launch(); mount_gradio_app leaves it unset
                if app is None:
                    log.warning("SplatViewer: no server to add the live channel to; viewers use Gradio's stream.")
                else:
                    live.install(app, getattr(root, "server", None))

            if not any(getattr(event, "gradio_splat_live", False) for event in root.extra_startup_events):
                install_route.gradio_splat_live = True
                root.extra_startup_events.append(install_route)
        return live.StreamHandler(fn, outputs.index(self), len(outputs), self.capture_sizes, self.camera_jpeg)

    def example_payload(self) -> Any:
        return None

    def example_value(self) -> Any:
        return None


def _camera_image(data_url: str | None, decode: bool = True):
    """A fallback-path camera frame (a JPEG data URL) as an RGB array, or its JPEG bytes (``decode=False``)."""
    import base64

    if not isinstance(data_url, str) or not data_url.startswith("data:image/jpeg;base64,"):
        raise ValueError("SplatViewer got a camera frame that is not a JPEG data URL.")
    try:
        jpeg = base64.b64decode(data_url.split(",", 1)[1], validate=True)
    except ValueError as e:
        raise ValueError(f"SplatViewer got a camera frame whose base64 is broken: {e}") from e
    if len(jpeg) > live.MAX_UPLOAD:
        raise ValueError(f"SplatViewer got a camera frame of {len(jpeg):,} bytes; the limit is {live.MAX_UPLOAD:,}.")
    return live.decode_jpeg(jpeg, decode)


_gradio_stream = SplatViewer.stream


def _stream(self: SplatViewer, fn: Callable, inputs=None, outputs=None, **kwargs):
    """``viewer.stream(fn, [viewer, *settings], [viewer, *others])``: ``fn(frame, *settings)`` is called
    for every camera frame of a viewer with ``webcam=True``, whether it arrives through the live
    channel or through Gradio's stream (the fallback), and returns a wire frame for the viewer as
    before. Gradio's stream event carries the channel's control (docs/live-channel.md)."""
    handler = self.stream_handler(fn, inputs, outputs)

    # Gradio passes the session's request where a positional parameter is annotated gr.Request.
    def tick(request: Request, *values):
        return handler(request, *values)

    tick.stream_handler = handler  # what it runs, for whoever inspects the event

    return _gradio_stream(self, tick, inputs, outputs, **kwargs)


# The event methods are generated from EVENTS when the class is made (gradio's ComponentMeta), so the
# stream event's is wrapped here, after it.
SplatViewer.stream = _stream
