"""A client that speaks the browser's side of the live channel (docs/live-channel.md): it starts the
viewer's Gradio stream to get a token, ticks the settings, and streams JPEG frames over the socket
as fast as the flow control allows. For the benchmark and the tests; no browser needed."""

from __future__ import annotations

import io
import json
import os
import secrets
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from websockets.sync.client import connect


def start_app(args: list[str], port: int, log: Path, env: dict | None = None) -> subprocess.Popen:
    """``python app.py --weights random ARGS --port PORT`` (its output in ``log``), once it answers."""
    root = Path(__file__).resolve().parents[1]
    server = subprocess.Popen([sys.executable, str(root / "app.py"), "--weights", "random", *args, "--port", str(port)],
                              cwd=root, stdout=open(log, "w"), stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the app exited: see {log}")
            time.sleep(1)
    raise SystemExit("the app did not start in 10 minutes")


def jpeg_of(image: np.ndarray, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def camera_message(frame_id: int, jpeg: bytes, size: int, up_ms: float | None = None,
                   captured_ms: float | None = None) -> bytes:
    header = json.dumps({"id": frame_id, "t": time.time() * 1e3 if captured_ms is None else captured_ms,
                         "size": size, "up_ms": up_ms}).encode()
    return struct.pack("<I", len(header)) + header + jpeg


def split_message(data: bytes) -> tuple[dict, bytes]:
    (length,) = struct.unpack_from("<I", data)
    return json.loads(data[4:4 + length]), data[4 + length:]


@dataclass
class Result:
    header: dict
    frame: bytes
    latency_ms: float  # capture → received (the capture time is this client's clock, echoed)
    received: float  # time.monotonic() when it arrived


@dataclass
class LiveClient:
    """One session: ``start()`` gets a channel through Gradio, ``stream(...)`` sends frames."""

    url: str  # the app's root, e.g. http://127.0.0.1:7860/
    settings: list | None = None  # values of the stream's other inputs (default: their values in /config)
    session_hash: str = field(default_factory=lambda: secrets.token_hex(6))
    tick_every_s: float = 0.25

    def start(self, timeout: float = 60.0) -> dict:
        """Joins the viewer's stream event and returns the channel the server opened for this session."""
        self.url = self.url.rstrip("/") + "/"
        self.http = httpx.Client(base_url=self.url, timeout=timeout)
        config = self.http.get("config").json()
        self.fn_index, dep = next((i, d) for i, d in enumerate(config["dependencies"])
                                  if any(t[1] == "stream" for t in d["targets"]) and d.get("connection") == "stream")
        values = {c["id"]: c.get("props", {}).get("value") for c in config["components"]}
        self.settings = self.settings if self.settings is not None else [values[i] for i in dep["inputs"][1:]]
        self.viewer_output = dep["outputs"].index(dep["inputs"][0])
        self.messages: list[dict] = []
        self._channel = threading.Event()
        self._sse = threading.Thread(target=self._listen, daemon=True)
        self._sse.start()
        joined = self.http.post("gradio_api/queue/join", json=self._body({"kind": "channel", "token": None})).json()
        self.event_id = joined["event_id"]
        if not self._channel.wait(timeout):
            raise TimeoutError(f"no channel from the server: {self.messages[-3:]}")
        self._stop_ticks = threading.Event()
        threading.Thread(target=self._tick, daemon=True).start()
        return self.channel

    def _body(self, payload) -> dict:
        return {"data": [payload, *self.settings], "fn_index": self.fn_index, "session_hash": self.session_hash,
                "event_data": None, "trigger_id": None}

    def _listen(self) -> None:
        try:
            self._read_messages()
        except httpx.HTTPError:  # the server went away: the socket says so to whoever streams
            pass

    def _read_messages(self) -> None:
        with httpx.Client(base_url=self.url, timeout=None) as client, \
                client.stream("GET", "gradio_api/queue/data", params={"session_hash": self.session_hash}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                self.messages.append(message)
                value = (message.get("output") or {}).get("data", [None] * (self.viewer_output + 1))
                value = value[self.viewer_output] if len(value) > self.viewer_output else None
                if isinstance(value, dict) and value.get("kind") == "channel" and value.get("channel"):
                    self.channel = value["channel"]
                    self._channel.set()
                if message.get("msg") == "close_stream":
                    return

    def _tick(self) -> None:
        while not self._stop_ticks.wait(self.tick_every_s):
            try:
                self.http.post(f"gradio_api/stream/{self.event_id}",
                               json=self._body({"kind": "channel", "token": self.channel["token"]}))
            except httpx.HTTPError:
                return

    def socket_url(self) -> str:
        return self.url.replace("http", "ws", 1) + self.channel["path"]

    def stream(self, frames: list[bytes] | None = None, seconds: float = 5.0, image: np.ndarray | None = None,
               on_result=None, until: int | None = None) -> list[Result]:
        """Sends camera frames (JPEGs, cycled; or ``image`` scaled to the size the server asks for) for
        ``seconds`` (or until ``until`` results came) as fast as the flow control allows, acknowledging
        every result at once."""
        results: list[Result] = []
        self.errors: list[str] = []
        sized: dict[int, bytes] = {}

        def frame_at(index: int, size: int) -> bytes:
            if frames is not None:
                return frames[index % len(frames)]
            if size not in sized:
                scale = min(1.0, size / max(image.shape[:2]))
                shape = (round(image.shape[1] * scale), round(image.shape[0] * scale))
                sized[size] = jpeg_of(np.asarray(Image.fromarray(image).resize(shape, Image.BILINEAR)))
            return sized[size]

        with connect(self.socket_url(), max_size=64 * 2**20, compression=None) as socket:
            socket.send(json.dumps({"type": "hello", "token": self.channel["token"]}))
            size = json.loads(socket.recv(timeout=10))["size"]
            deadline, frame_id, up_ms, sent_at = time.monotonic() + seconds, 0, None, time.monotonic()
            socket.send(camera_message(frame_id, frame_at(frame_id, size), size))
            while time.monotonic() < deadline and (until is None or len(results) < until):
                message = socket.recv(timeout=max(0.1, deadline - time.monotonic() + 30))
                if isinstance(message, str):
                    control = json.loads(message)
                    if control["type"] == "received" and control["id"] == frame_id:
                        up_ms = (time.monotonic() - sent_at) * 1e3
                    elif control["type"] == "taken" and control["id"] == frame_id:
                        frame_id += 1
                        sent_at = time.monotonic()
                        socket.send(camera_message(frame_id, frame_at(frame_id, size), size, up_ms))
                    elif control["type"] == "ping":
                        socket.send(json.dumps({"type": "pong", "id": control["id"]}))
                    elif control["type"] == "error":
                        self.errors.append(control["message"])
                    continue
                header, frame = split_message(message)
                socket.send(json.dumps({"type": "ack", "id": header["id"]}))
                size = header["size"]
                results.append(Result(header, frame, time.time() * 1e3 - header["t"], time.monotonic()))
                if on_result is not None:
                    on_result(results[-1])
        return results

    def close(self) -> None:
        self._stop_ticks.set()
        try:
            self.http.post(f"gradio_api/stream/{self.event_id}/close")
        except httpx.HTTPError:
            pass
        self.http.close()
