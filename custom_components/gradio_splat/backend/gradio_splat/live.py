"""The live channel's server side (docs/live-channel.md): one WebSocket per streaming session, on the
server that serves the app, carrying binary JPEG camera frames up and wire frames down, latest-wins
in both directions, with the capture size adapted to the session's link.

The app's stream handler stays a plain function of the frame and the settings: Gradio's own stream
event carries the control (a token to start, then settings ticks), and the channel calls the handler
for every camera frame that arrives on the socket.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import secrets
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gradio import Request
from gradio.helpers import special_args
from PIL import Image
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

log = logging.getLogger(__name__)

ROUTE = "/gradio_api/gradio_splat/live"
MAX_UPLOAD = 4 * 2**20  # a 640×480 JPEG is 30-80 KB; anything near this is not a webcam frame
MAX_HEADER = 4096
MAX_CAMERA_PIXELS = 4096 * 4096
TOKEN_TTL_S = 30.0  # a channel without a socket is forgotten this long after its last one closed
FRAMES_IN_PROCESS = 2  # per session: one on the GPU while the previous one is compressed
CLOSE_UNKNOWN_TOKEN = 4403
# Adaptive detail (docs/live-channel.md): sizes are chosen for this frame rate.
TARGET_FPS = 15.0
FIT, FIT_TO_GO_UP = 0.7, 0.5  # share of a frame period a size must be predicted to take
MISSES_TO_GO_DOWN = 3
SECONDS_BETWEEN_STEPS_UP = 1.0
PING_EVERY_S = 1.0

# Which socket the frame in this thread came through (``current_connection``).
_handling = threading.local()
_connections = itertools.count(1)


def current_connection() -> int | None:
    """For an app's handler: an id of the socket that delivered the frame being handled (a new one after
    every reconnection, so a handler that sends deltas knows when to send its whole state again), or
    None on Gradio's own stream (the fallback), where lists of frames are not delivered."""
    return getattr(_handling, "connection", None)


@dataclass(frozen=True)
class LiveChannel:
    """The viewer value that opens a channel: what the browser needs to connect."""

    token: str
    sizes: tuple[int, ...]
    path: str = ROUTE.lstrip("/")
    max_upload: int = MAX_UPLOAD


@dataclass(frozen=True)
class LivePayload:
    """What the viewer sends through Gradio's stream while live: a settings tick of a channel (``token``,
    None to ask for one), or, on the fallback path, one camera frame (``image``)."""

    token: str | None = None
    image: np.ndarray | None = None


class LinkAdapter:
    """Picks the capture size (a long side from ``sizes``, finest first) for one session's link, from
    how long uploads and deliveries of known sizes took (docs/live-channel.md, "Adaptive detail").

    A transfer's time is modelled as the link's latency (the round trip of a ping: no size can reduce
    it) plus bytes over its bandwidth; a size fits when that prediction leaves the frame rate at
    TARGET_FPS, in both directions."""

    def __init__(self, sizes: Sequence[int], clock: Callable[[], float] = time.monotonic):
        self.sizes = tuple(sizes)
        self.level = 0
        self._clock = clock
        self._misses = {"up": 0, "down": 0}  # frames in a row that missed the period, each way
        self._last_change = -float("inf")
        # (seconds, bytes, size) of the latest transfers each way: a short memory, as links change.
        self._recent: dict[str, deque] = {"up": deque(maxlen=8), "down": deque(maxlen=8)}
        self._round_trips: deque[float] = deque(maxlen=8)

    @property
    def size(self) -> int:
        return self.sizes[self.level]

    def observe_round_trip(self, seconds: float) -> None:
        """A ping's round trip: the latency part of every transfer."""
        self._round_trips.append(max(0.0, seconds))

    @property
    def latency(self) -> float:
        # Without pings, the fastest recent transfer is the best bound (it holds bytes too).
        if self._round_trips:
            return min(self._round_trips)
        return min((seconds for samples in self._recent.values() for seconds, _, _ in samples), default=0.0)

    def observe(self, direction: str, nbytes: int, seconds: float, size: int) -> None:
        """A transfer ("up" or "down") of ``nbytes`` made at capture size ``size`` took ``seconds``."""
        if nbytes <= 0 or seconds < 0 or size not in self.sizes:
            return
        self._recent[direction].append((seconds, nbytes, size))
        period = 1.0 / TARGET_FPS
        if size == self.size:  # a miss that bytes caused (not the latency alone) counts
            slow = seconds > period and seconds - self.latency > 0.25 * period
            self._misses[direction] = self._misses[direction] + 1 if slow else 0
        now = self._clock()
        if self._misses[direction] >= MISSES_TO_GO_DOWN:
            self._set(max(self.level + 1, self._finest_fitting(FIT)), now)
        elif self.level > 0 and now - self._last_change >= SECONDS_BETWEEN_STEPS_UP \
                and self._fits(self.sizes[self.level - 1], FIT_TO_GO_UP):
            self._set(self.level - 1, now)

    def _set(self, level: int, now: float) -> None:
        level = min(level, len(self.sizes) - 1)
        if level != self.level:
            self.level, self._last_change = level, now
            self._misses = dict.fromkeys(self._misses, 0)

    def _finest_fitting(self, share: float) -> int:
        return next((level for level, size in enumerate(self.sizes) if self._fits(size, share)), len(self.sizes) - 1)

    def _fits(self, size: int, share: float) -> bool:
        """Whether frames captured at ``size`` are predicted to move within ``share`` of a frame period
        each way; where the latency alone takes most of that, a quarter of it is left for the bytes."""
        budget, latency = share / TARGET_FPS, self.latency
        for samples in self._recent.values():
            if not samples:
                continue
            seconds_per_byte = max((seconds - latency) / nbytes for seconds, nbytes, _ in samples)
            nbytes = float(np.median([n * (size / s) ** 2 for _, n, s in samples]))
            if nbytes * seconds_per_byte > max(budget - latency, 0.25 * budget):
                return False
        return True


@dataclass
class _CameraFrame:
    id: int
    captured: float  # the browser's clock, ms: echoed, never compared with ours
    jpeg: bytes
    received: float  # our clock, s
    size: int  # the capture size it was asked for


@dataclass
class Channel:
    """One session's channel: the handler, the settings of the last tick, the link's state."""

    token: str
    session_hash: str | None
    handler: StreamHandler
    settings: list = field(default_factory=list)
    request: Request | None = None
    adapter: LinkAdapter | None = None
    socket: WebSocket | None = None
    closed_at: float | None = None
    # Outputs other than the viewer's that the handler returned since the last tick (index → value).
    _outputs: dict[int, Any] = field(default_factory=dict)
    _outputs_lock: threading.Lock = field(default_factory=threading.Lock)

    def keep_outputs(self, outputs: dict[int, Any]) -> None:
        with self._outputs_lock:
            self._outputs.update(outputs)

    def take_outputs(self) -> dict[int, Any]:
        with self._outputs_lock:
            outputs, self._outputs = self._outputs, {}
        return outputs


class StreamHandler:
    """Wraps an app's stream handler ``fn(frame, *settings) -> (viewer value, *other outputs)`` so that
    Gradio's stream event runs the control ticks and the fallback frames, and channels run the frames
    that come over their socket."""

    def __init__(self, fn: Callable, viewer_output: int, num_outputs: int, sizes: Sequence[int],
                 camera_jpeg: bool = False):
        self.fn, self.viewer_output, self.num_outputs, self.sizes = fn, viewer_output, num_outputs, tuple(sizes)
        self.camera_jpeg = camera_jpeg  # frames reach fn as their JPEG bytes instead of decoded

    def __call__(self, request: Request, payload, *settings):
        """The function Gradio's stream event runs (Gradio passes ``request`` first: see ``tick``)."""
        outputs = [_SKIP] * self.num_outputs
        if not isinstance(payload, LivePayload):  # not streaming through the viewer's own camera
            return self._returned(outputs)
        if payload.image is not None:  # the fallback path: one frame, through Gradio
            return self.call(payload.image, settings, request)
        channel = CHANNELS.tick(payload.token, request, self, list(settings))
        for index, value in channel.take_outputs().items():
            outputs[index] = value
        if payload.token != channel.token:
            outputs[self.viewer_output] = LiveChannel(channel.token, self.sizes)
        return self._returned(outputs)

    def call(self, image, settings, request):
        """The app's handler on one frame, with the session's request (and any other special argument)
        where it asks for one, as Gradio passes them."""
        args, *_ = special_args(self.fn, [image, *settings], request=request)
        return self.fn(*args)

    def _returned(self, outputs: list):
        """Outputs as a Gradio handler returns them: one value alone, several as a tuple."""
        return outputs[0] if self.num_outputs == 1 else tuple(outputs)


_SKIP = {"__type__": "update"}  # gr.skip(): leave the output as it is


def _is_skip(value) -> bool:
    return isinstance(value, dict) and value == _SKIP


class Channels:
    """Every live channel by token. Tokens are only handed out in the session's own Gradio stream."""

    def __init__(self):
        self._channels: dict[str, Channel] = {}
        self._lock = threading.Lock()

    def tick(self, token: str | None, request: Request, handler: StreamHandler, settings: list) -> Channel:
        """The session's channel, with the settings of this tick: the one ``token`` names if it belongs to
        this session, else a new one."""
        session = getattr(request, "session_hash", None)
        with self._lock:
            self._forget_expired()
            channel = self._channels.get(token) if token else None
            if channel is None or channel.session_hash != session:
                channel = Channel(secrets.token_hex(16), session, handler, adapter=LinkAdapter(handler.sizes),
                                  closed_at=time.monotonic())
                self._channels[channel.token] = channel
            channel.handler, channel.settings, channel.request = handler, settings, request
        return channel

    def get(self, token) -> Channel | None:
        with self._lock:
            self._forget_expired()
            return self._channels.get(token) if isinstance(token, str) else None

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for token, channel in list(self._channels.items()):
            if channel.socket is None and channel.closed_at is not None and now - channel.closed_at > TOKEN_TTL_S:
                del self._channels[token]


CHANNELS = Channels()


def install(app, server=None) -> None:
    """Adds the channel's WebSocket route to a Gradio app (the FastAPI app ``launch`` made), and turns
    off per-message deflate on its uvicorn ``server``: browsers always offer it, and deflating frames
    that are zlib and JPEG already cost 13.5 ms a 291 KB frame in the server's event loop for no gain
    (uvicorn reads the setting for each new connection)."""
    from starlette.routing import WebSocketRoute

    if server is not None and hasattr(server, "config"):
        server.config.ws_per_message_deflate = False

    if any(getattr(route, "path", None) == ROUTE for route in app.router.routes):
        return
    # First: Gradio's routes include mounts, which would take the upgrade otherwise.
    app.router.routes.insert(0, WebSocketRoute(ROUTE, _serve))


async def _serve(socket: WebSocket) -> None:
    await socket.accept()
    try:
        hello = json.loads(await asyncio.wait_for(socket.receive_text(), timeout=10))
    except (asyncio.TimeoutError, ValueError, KeyError, WebSocketDisconnect, RuntimeError):
        return await _close(socket, CLOSE_UNKNOWN_TOKEN, "expected a hello with a token")
    channel = CHANNELS.get(hello.get("token") if isinstance(hello, dict) else None)
    if channel is None:
        return await _close(socket, CLOSE_UNKNOWN_TOKEN, "unknown channel")
    previous, channel.socket, channel.closed_at = channel.socket, socket, None
    if previous is not None:  # a second socket with the token replaces the first
        await _close(previous, 1000, "replaced by a newer connection")
    try:
        await _Session(channel, socket).run()
    finally:
        if channel.socket is socket:
            channel.socket, channel.closed_at = None, time.monotonic()


async def _close(socket: WebSocket, code: int, reason: str) -> None:
    if socket.application_state != WebSocketState.DISCONNECTED:
        try:
            await socket.close(code, reason)
        except RuntimeError:  # already closing
            pass


class _Session:
    """One socket's life: reads camera frames, runs at most FRAMES_IN_PROCESS of them at a time, and
    delivers results latest-wins, one awaiting the browser's ack at a time."""

    def __init__(self, channel: Channel, socket: WebSocket):
        self.channel, self.socket = channel, socket
        self.adapter = channel.adapter
        self.pending: _CameraFrame | None = None  # the newest frame not yet started
        self.in_process = 0
        self.processing: set[int] = set()  # ids of the frames in process
        self.parked: dict[int, tuple[_CameraFrame, list[bytes]]] = {}  # lists waiting for an earlier frame
        self.newest_result = -1
        self.unacked: tuple[int, float, int, int] | None = None  # id, sent at, bytes, size
        self.held: tuple[_CameraFrame, bytes] | None = None  # a result waiting for the ack
        self.queued: deque[tuple[_CameraFrame, bytes]] = deque()  # results of a list: all go, in order
        self.connection = next(_connections)
        self.dropped_up = self.dropped_down = 0
        self.pings: dict[int, float] = {}  # ping id → when it was sent
        self.owed_taken: int | None = None  # the frame whose "taken" waits for room
        self.last_upload: tuple[int, int] | None = None  # bytes and size of the last upload, until its up_ms
        self.pool = ThreadPoolExecutor(FRAMES_IN_PROCESS, thread_name_prefix="gradio-splat-live")
        self.tasks: set[asyncio.Task] = set()
        self.send_lock = asyncio.Lock()

    async def run(self) -> None:
        await self._send_json({"type": "ready", "size": self.adapter.size})
        self._spawn(self._ping())
        try:
            while True:
                message = await self.socket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("bytes") is not None:
                    await self._camera_frame(message["bytes"])
                elif message.get("text") is not None:
                    self._control(message["text"])
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.pending = self.held = None
            self.queued.clear()
            self.parked.clear()
            for task in self.tasks:
                task.cancel()
            self.pool.shutdown(wait=False, cancel_futures=True)

    async def _ping(self) -> None:
        """A ping a second: the link's round trip, for the adapter's latency."""
        for ping in itertools.count():
            self.pings[ping] = time.monotonic()
            await self._send_json({"type": "ping", "id": ping})
            self.pings.pop(ping - 8, None)  # unanswered ones are forgotten
            await asyncio.sleep(PING_EVERY_S)

    async def _camera_frame(self, data: bytes) -> None:
        header: dict = {}
        try:
            header, jpeg = _split(data)
            frame_id, captured = int(header["id"]), float(header["t"])
            _check_camera_message(data, jpeg)
        except (ValueError, KeyError, TypeError) as err:
            # With its id, when it has one: the browser waits for that frame's "taken" otherwise.
            refused = header.get("id") if isinstance(header.get("id"), int) else None
            return await self._send_json({"type": "error", "message": f"Camera message refused: {err}", "id": refused})
        if header.get("up_ms") is not None and self.last_upload is not None:
            nbytes, size = self.last_upload
            self.adapter.observe("up", nbytes, float(header["up_ms"]) / 1e3, size)
        size = header.get("size")
        self.last_upload = (len(jpeg), size if size in self.adapter.sizes else self.adapter.size)
        await self._send_json({"type": "received", "id": frame_id})
        if self.pending is not None:  # a client that did not wait for "taken"
            self.dropped_up += 1
        self.pending = _CameraFrame(frame_id, captured, jpeg, time.monotonic(), self.last_upload[1])
        self._start_work()

    def _control(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        if message.get("type") == "pong" and message.get("id") in self.pings:
            self.adapter.observe_round_trip(time.monotonic() - self.pings.pop(message["id"]))
        elif message.get("type") == "ack" and self.unacked is not None \
                and message.get("id") == self.unacked[0]:
            _, sent, nbytes, size = self.unacked
            self.unacked = None
            self.adapter.observe("down", nbytes, time.monotonic() - sent, size)
            if self.queued:
                self._send_result(*self.queued.popleft(), queued=True)
            elif self.held is not None:
                frame, data = self.held
                self.held = None
                self._send_result(frame, data)

    def _start_work(self) -> None:
        while self.pending is not None and self.in_process < FRAMES_IN_PROCESS:
            frame, self.pending = self.pending, None
            self.in_process += 1
            self.processing.add(frame.id)
            self._spawn(self._process(frame))
            # The browser may send the next frame once there is room to start it at once: a frame that
            # waited here would only add its wait to the latency.
            self.owed_taken = frame.id
            if self.in_process < FRAMES_IN_PROCESS:
                self._send_taken()

    def _send_taken(self) -> None:
        if self.owed_taken is not None:
            self._spawn(self._send_json({"type": "taken", "id": self.owed_taken}))
            self.owed_taken = None

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _process(self, frame: _CameraFrame) -> None:
        try:
            data = await asyncio.get_running_loop().run_in_executor(self.pool, self._run_handler, frame)
        except Exception as err:  # a bad frame or a failing handler: say so, keep the session
            log.debug("live frame %s failed: %s", frame.id, err)
            data = None
            await self._send_json({"type": "error", "message": str(err), "id": frame.id})
        finally:
            self.in_process -= 1
            self.processing.discard(frame.id)
            self._send_taken()
        if data is not None:
            self._deliver(frame, data)
        self._unpark()
        self._start_work()

    def _unpark(self) -> None:
        """Parked lists, in frame order, through ``_deliver`` again: those still held back park again."""
        for frame_id in sorted(self.parked):
            self._deliver(*self.parked.pop(frame_id))

    def _run_handler(self, frame: _CameraFrame) -> bytes | list[bytes] | None:
        """The app's handler on one camera frame (in a worker thread): the viewer's output is returned,
        the others are kept for the next settings tick. A list of wire frames (deltas of a scene that
        the browser accumulates) is returned as a list: all of them are delivered, in order."""
        channel = self.channel
        handler = channel.handler
        _handling.connection = self.connection
        try:
            outputs = handler.call(decode_jpeg(frame.jpeg, decode=not handler.camera_jpeg), channel.settings,
                                   channel.request)
        finally:
            _handling.connection = None
        outputs = list(outputs) if handler.num_outputs > 1 else [outputs]
        viewer = outputs[handler.viewer_output]
        channel.keep_outputs({i: value for i, value in enumerate(outputs)
                              if i != handler.viewer_output and not _is_skip(value)})
        from .splat_viewer import read_frame_header

        if isinstance(viewer, list):
            for data in viewer:
                read_frame_header(bytes(data))
            return [bytes(data) for data in viewer] or None
        if isinstance(viewer, (bytes, bytearray, memoryview)):
            read_frame_header(bytes(viewer))  # the same check as the Gradio path's postprocess
            return bytes(viewer)
        return None

    def _deliver(self, frame: _CameraFrame, data: bytes | list[bytes]) -> None:
        if isinstance(data, list):  # never dropped: each goes after the previous one's ack
            if any(earlier < frame.id for earlier in self.processing):  # lists go in camera-frame order
                self.parked[frame.id] = (frame, data)
                return
            self.queued.extend((frame, item) for item in data)
            if self.unacked is None:
                self._send_result(*self.queued.popleft(), queued=True)
            return
        if frame.id < self.newest_result:  # a newer frame overtook it (two are processed at once)
            self.dropped_down += 1
            return
        self.newest_result = frame.id
        if self.unacked is not None or self.queued:  # the browser has not taken the previous one: latest wins
            if self.held is not None:
                self.dropped_down += 1
            self.held = (frame, data)
            return
        self._send_result(frame, data)

    def _send_result(self, frame: _CameraFrame, data: bytes, queued: bool = False) -> None:
        """Sends one result: it is the unacknowledged one from now on, before any other code runs (an ack
        or another result arriving while the bytes go out must see it), and sends go out in call order
        (tasks start in the order made, and the send lock serves them in turn)."""
        header = {"id": frame.id, "t": frame.captured, "size": self.adapter.size, "level": self.adapter.level,
                  "dropped_up": self.dropped_up, "dropped_down": self.dropped_down,
                  "server_ms": round((time.monotonic() - frame.received) * 1e3, 2), "queued": queued}
        self.unacked = (frame.id, time.monotonic(), len(data), frame.size)
        self._spawn(self._send(_join(header, data)))

    async def _send_json(self, message: dict) -> None:
        await self._send(json.dumps(message))

    async def _send(self, message: str | bytes) -> None:
        async with self.send_lock:
            try:
                if isinstance(message, str):
                    await self.socket.send_text(message)
                else:
                    await self.socket.send_bytes(message)
            except (WebSocketDisconnect, RuntimeError):  # gone: run() ends on the disconnect
                pass


def _split(data: bytes) -> tuple[dict, bytes]:
    """A binary message's JSON header and payload (docs/live-channel.md)."""
    if len(data) < 4:
        raise ValueError("too short for a header")
    (length,) = struct.unpack_from("<I", data)
    if not 2 <= length <= min(MAX_HEADER, len(data) - 4):
        raise ValueError(f"header length {length} is out of range")
    header = json.loads(data[4:4 + length].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    return header, data[4 + length:]


def _check_camera_message(data: bytes, jpeg: bytes) -> None:
    if len(data) > MAX_UPLOAD:
        raise ValueError(f"{len(data):,} bytes is more than the {MAX_UPLOAD:,} a camera frame may have")
    if jpeg[:3] != b"\xff\xd8\xff":
        raise ValueError("the payload is not a JPEG")


def _join(header: dict, payload: bytes) -> bytes:
    encoded = json.dumps(header).encode("utf-8")
    return struct.pack("<I", len(encoded)) + encoded + payload


def decode_jpeg(data: bytes, decode: bool = True) -> np.ndarray | bytes:
    """A camera JPEG as (H, W, 3) uint8 RGB (or with ``decode=False`` the bytes themselves, once the
    header says they are a JPEG of an accepted size), or a ValueError saying what is wrong with it."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.format != "JPEG":
                raise ValueError(f"expected a JPEG camera frame, got {picture.format}")
            if picture.width * picture.height > MAX_CAMERA_PIXELS:
                raise ValueError(f"camera frame of {picture.width}×{picture.height} is too large")
            return np.asarray(picture.convert("RGB")) if decode else data
    except (OSError, Image.DecompressionBombError) as err:
        raise ValueError(f"unreadable camera frame: {err}") from err
