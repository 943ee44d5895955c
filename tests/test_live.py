"""The live channel's server side (docs/live-channel.md) on a real Gradio server, through a client that
speaks the browser's protocol (bench/live_client.py): tokens, settings ticks, flow control, session
separation, refused messages, the fallback path; and the link adapter's choices."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
from pathlib import Path

import gradio as gr
import httpx
import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "custom_components" / "gradio_splat" / "backend"))

from bench.live_client import LiveClient, camera_message, jpeg_of, split_message  # noqa: E402
from gradio_splat import SplatViewer  # noqa: E402
from gradio_splat.live import MAX_UPLOAD, LinkAdapter, current_connection  # noqa: E402
from splat_core.planes import frame_from_arrays  # noqa: E402
from splat_core.wire import Camera, decode_frame, decode_planes  # noqa: E402

SIZES = (320, 160, 80)


def solid(colour, width=320, height=240) -> np.ndarray:
    return np.broadcast_to(np.array(colour, np.uint8), (height, width, 3)).copy()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Blocks app (its Gradio cache in a folder of its own) whose stream handler makes a quick wire frame of each camera frame (its colours, a
    plane at 2 m, the grid a quarter of the frame's size) and reports the mode it was called with."""
    calls: list[tuple[str, tuple, str]] = []

    def handler(image, mode, request: gr.Request):
        calls.append((request.session_hash, image.shape, mode))
        rgb = image[::4, ::4]
        height, width = rgb.shape[:2]
        camera = Camera(width, height, width, width, width / 2, height / 2)
        frame = frame_from_arrays(np.full((height, width), 2.0), rgb, camera)
        if mode == "deltas":  # a list: three frames to deliver in order, as scan mode's deltas
            connection = current_connection()
            if image[0, 0, 0] > 100:  # a bright frame is slow: the next one, started beside it, ends first
                time.sleep(1.0)
            frame = [frame_from_arrays(np.full((height, width), 1.0 + k), rgb, camera) for k in range(3)]
            return frame, f"deltas from connection {connection}"
        return frame, f"{mode}: {image.shape[1]}×{image.shape[0]}"

    cache = tmp_path_factory.mktemp("gradio-cache")
    previous = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = str(cache)
    with gr.Blocks() as demo:
        viewer = SplatViewer(webcam=True, capture_sizes=SIZES)
        mode = gr.Radio(["points", "gaussians", "deltas"], value="points")
        status = gr.Markdown()
        viewer.stream(handler, [viewer, mode], [viewer, status], concurrency_limit=None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.queue().launch(server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    yield f"http://127.0.0.1:{port}/", calls, cache / "gradio_splat"
    demo.close()
    if previous is None:
        del os.environ["GRADIO_TEMP_DIR"]
    else:
        os.environ["GRADIO_TEMP_DIR"] = previous


def started(url, **kwargs) -> LiveClient:
    client = LiveClient(url, **kwargs)
    client.start(timeout=30)
    return client


def mean_colour(frame: bytes) -> np.ndarray:
    return decode_planes(decode_frame(frame))["color"].reshape(-1, 3).mean(0)


def frame_files(folder: Path) -> int:
    return len(list(folder.glob("*.bin"))) if folder.exists() else 0


def test_frames_flow_and_settings_reach_the_running_stream(server):
    url, calls, frames_folder = server
    files_before = frame_files(frames_folder)
    client = started(url, settings=["points"])
    assert client.channel["sizes"] == list(SIZES) and len(client.channel["token"]) == 32
    results = client.stream(image=solid((200, 40, 40)), seconds=1.5)
    assert len(results) >= 5, "frames flow as fast as the flow control allows"
    assert [r.header["id"] for r in results] == sorted({r.header["id"] for r in results}), "in order, once each"
    assert all(r.latency_ms < 5000 for r in results)
    np.testing.assert_allclose(mean_colour(results[-1].frame), (200, 40, 40), atol=3)

    client.settings[0] = "gaussians"  # the next ticks carry it; the stream is not restarted
    time.sleep(4 * client.tick_every_s)
    client.stream(image=solid((200, 40, 40)), seconds=1.0)
    session_calls = [mode for session, _, mode in calls if session == client.session_hash]
    assert session_calls[0] == "points" and session_calls[-1] == "gaussians"
    time.sleep(3 * client.tick_every_s)
    statuses = [m["output"]["data"][1] for m in client.messages if m.get("msg") == "process_streaming"]
    assert "gaussians: 320×240" in statuses, "the handler's other outputs reach Gradio with the ticks"
    assert frame_files(frames_folder) == files_before, "nothing per frame is written to disk"
    client.close()


def test_sessions_only_get_their_own_frames(server):
    url, _, _ = server
    colours = [(220, 30, 30), (30, 30, 220), (30, 200, 30)]
    clients = [started(url, settings=["points"]) for _ in colours]
    assert len({c.channel["token"] for c in clients}) == len(clients)
    seen: list[list[np.ndarray]] = [[] for _ in colours]

    def run(i):
        seen[i] = [mean_colour(r.frame) for r in clients[i].stream(image=solid(colours[i]), seconds=2.0)]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(colours))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for colour, frames in zip(colours, seen):
        assert frames, "every session is served"
        for got in frames:
            np.testing.assert_allclose(got, colour, atol=3)
    for client in clients:
        client.close()


def test_a_forged_token_gets_nothing(server):
    url, _, _ = server
    client = started(url)  # a real channel exists, but the forger does not know its token
    with connect(client.socket_url()) as ws:  # (with the compression a browser asks for: it is refused)
        assert ws.response.headers.get("Sec-WebSocket-Extensions") is None, "frames are compressed already"
        ws.send(json.dumps({"type": "hello", "token": secrets.token_hex(16)}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 4403
    with connect(client.socket_url()) as ws:  # no hello at all: the same
        ws.send(camera_message(0, jpeg_of(solid((1, 2, 3))), 320))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 4403
    client.close()


def test_bad_camera_messages_are_refused_and_the_session_goes_on(server):
    url, _, _ = server
    client = started(url)
    good = jpeg_of(solid((90, 90, 90)))
    with connect(client.socket_url(), max_size=2**26) as ws:
        ws.send(json.dumps({"type": "hello", "token": client.channel["token"]}))
        assert json.loads(ws.recv(timeout=10))["type"] == "ready"
        bad = {
            "no header": b"\x01",
            "header longer than the message": (10**6).to_bytes(4, "little") + b"{}",
            "header not JSON": (3).to_bytes(4, "little") + b"{{{" + good,
            "not a JPEG": camera_message(1, b"PNG not jpeg", 320),
            "oversized": camera_message(2, b"\xff\xd8\xff" + bytes(MAX_UPLOAD), 320),
            "JPEG that is cut off": camera_message(3, good[:200], 320),
        }
        errors = []
        for message in bad.values():
            ws.send(message)
            while True:
                reply = json.loads(ws.recv(timeout=30))
                if reply["type"] == "error":
                    errors.append((reply["message"], reply["id"]))
                    break
        assert len(errors) == len(bad) and all(message for message, _ in errors)
        assert [refused for _, refused in errors] == [None, None, None, 1, 2, 3], "ids where the header had one"
        errors = [message for message, _ in errors]
        assert "JPEG" in errors[3] and f"{MAX_UPLOAD:,}" in errors[4]
        ws.send(camera_message(4, good, 320))
        while isinstance(reply := ws.recv(timeout=30), str):
            pass
        header, frame = split_message(reply)
        assert header["id"] == 4
        np.testing.assert_allclose(mean_colour(frame), (90, 90, 90), atol=3)
    client.close()


def test_results_wait_for_the_ack_and_the_latest_wins(server):
    url, _, _ = server
    client = started(url)
    with connect(client.socket_url()) as ws:
        ws.send(json.dumps({"type": "hello", "token": client.channel["token"]}))
        json.loads(ws.recv(timeout=10))
        results, sent = [], 0
        ws.send(camera_message(sent, jpeg_of(solid((sent % 256, 0, 0))), 320))
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # send on every "taken", never acknowledge
            try:
                message = ws.recv(timeout=0.2)
            except TimeoutError:
                continue
            if isinstance(message, bytes):
                results.append(split_message(message)[0])
            elif json.loads(message)["type"] == "taken":
                sent += 1
                ws.send(camera_message(sent, jpeg_of(solid((sent % 256, 0, 0))), 320))
        assert sent >= 4, "camera frames keep going up while a result waits for its ack"
        assert len(results) == 1, "one result in flight downstream"
        ws.send(json.dumps({"type": "ack", "id": results[0]["id"]}))
        while isinstance(message := ws.recv(timeout=10), str):
            pass
        latest = split_message(message)[0]
        assert latest["id"] > results[0]["id"] + 1 and latest["dropped_down"] >= 1
    client.close()


def test_a_list_of_frames_is_delivered_whole_and_in_order(server):
    """Scan mode's deltas: every frame of a list the handler returns arrives, in order, one after each
    ack, marked "queued", though camera frames keep coming; lists go in camera-frame order, though the
    first frame is slow and the second, processed beside it, ends first; a new socket is a new connection."""
    url, _, _ = server
    client = started(url, settings=["deltas"])

    def connections():  # named in the statuses that reached the page on ticks
        return set(re.findall(r"deltas from connection (\w+)", json.dumps(client.messages)))

    for sockets in (1, 2):
        with connect(client.socket_url()) as ws:
            ws.send(json.dumps({"type": "hello", "token": client.channel["token"]}))
            json.loads(ws.recv(timeout=10))
            results, sent = [], 0
            ws.send(camera_message(sent, jpeg_of(solid((200, 0, 0))), 320))  # slow
            while len(results) < 9:
                message = ws.recv(timeout=10)
                if isinstance(message, bytes):
                    header, frame = split_message(message)
                    results.append((header, decode_frame(frame).depth_range))
                    ws.send(json.dumps({"type": "ack", "id": header["id"]}))
                elif json.loads(message)["type"] == "taken" and sent < 2:
                    sent += 1
                    ws.send(camera_message(sent, jpeg_of(solid((40, 0, 0))), 320))
            assert all(header["queued"] for header, _ in results)
            assert [header["id"] for header, _ in results] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
            assert [depth_range[0] for _, depth_range in results] == pytest.approx([1, 2, 3] * 3)
            deadline = time.monotonic() + 5
            while len(connections()) < sockets:  # each socket is a connection of its own
                assert time.monotonic() < deadline, connections()
                time.sleep(0.1)
    assert "None" not in connections()
    client.close()


def test_the_fallback_path_runs_the_handler_through_gradio(server):
    url, _, frames_folder = server
    client = LiveClient(url, settings=["points"])
    client.start(timeout=30)  # for the fn index and the SSE listener
    data_url = "data:image/jpeg;base64," + base64.b64encode(jpeg_of(solid((10, 200, 10)))).decode()
    httpx.post(url + f"gradio_api/stream/{client.event_id}",
               json=client._body({"kind": "camera", "jpeg": data_url})).raise_for_status()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        values = [m["output"]["data"][0] for m in client.messages if m.get("msg") == "process_streaming"]
        frames = [v for v in values if isinstance(v, dict) and v.get("kind") == "frame"]
        if frames:
            break
        time.sleep(0.1)
    assert frames, "the camera frame came back as a viewer value"
    assert frame_files(frames_folder) >= 1, "as a frame file, as Gradio's stream path does"
    frame = httpx.get(frames[0]["file"]["url"]).content
    np.testing.assert_allclose(mean_colour(frame), (10, 200, 10), atol=3)
    client.close()


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def feed(adapter: LinkAdapter, clock: FakeClock, bandwidth: float, latency: float, frames: int,
         bytes_at_finest: int = 200_000) -> None:
    """Transfers each way at ``bandwidth`` bytes/s after ``latency`` s, at the adapter's current size."""
    for _ in range(frames):
        adapter.observe_round_trip(latency)
        size = adapter.size
        nbytes = int(bytes_at_finest * (size / adapter.sizes[0]) ** 2)
        seconds = latency + nbytes / bandwidth
        adapter.observe("down", nbytes, seconds, size)
        adapter.observe("up", nbytes // 4, latency + nbytes / 4 / bandwidth, size)
        clock.now += max(seconds, 1 / 30)


def test_the_adapter_lowers_the_size_for_a_slow_link_and_raises_it_after():
    clock = FakeClock()
    adapter = LinkAdapter((640, 392, 308, 252, 168), clock)
    feed(adapter, clock, bandwidth=50e6, latency=0.002, frames=30)
    assert adapter.level == 0, "a fast link keeps the finest size"
    feed(adapter, clock, bandwidth=2.5e6, latency=0.01, frames=10)  # 20 Mbit/s: 200 KB takes 80 ms
    slow_level = adapter.level
    took = lambda level: 0.01 + 200_000 * (adapter.sizes[level] / 640) ** 2 / 2.5e6  # noqa: E731
    assert slow_level >= 1 and took(slow_level) < 1 / 15, "the size drops until frames fit in a 15 fps period"
    assert took(slow_level - 1) > 0.7 / 15, "and no further"
    feed(adapter, clock, bandwidth=2.5e6, latency=0.01, frames=60)
    assert adapter.level == slow_level, "it stays there while the link stays slow"
    feed(adapter, clock, bandwidth=50e6, latency=0.002, frames=200)
    assert adapter.level == 0, "and climbs back when the link recovers"


def test_the_adapter_does_not_drop_detail_for_latency_alone():
    clock = FakeClock()
    adapter = LinkAdapter((640, 392, 308, 252, 168), clock)
    feed(adapter, clock, bandwidth=100e6, latency=0.09, frames=40)  # far away, but a wide link
    assert adapter.level == 0


def test_the_app_streams_real_frames_through_the_channel(launch_app, tmp_path, webcam_frame):
    """``python app.py --weights random --model tiny``: DA3's frames (random weights) come back over the
    channel, and the app's status reaches the page with the settings ticks."""
    with launch_app(["--weights", "random", "--model", "tiny"], tmp_path / "app.log") as url:
        client = started(url, settings=["Points (fast)", "Lowest (168×126)"])
        results = client.stream(image=webcam_frame, seconds=120.0, until=3)  # the first loads the model
        assert len(results) >= 2, client.errors
        frame = decode_frame(results[-1].frame)
        assert (frame.camera.width, frame.camera.height) == (168, 126) and frame.mode == "points"
        time.sleep(3 * client.tick_every_s)
        statuses = [m["output"]["data"][2] for m in client.messages if m.get("msg") == "process_streaming"]
        assert any(isinstance(s, str) and s.startswith("Ready:") for s in statuses)
        client.close()
