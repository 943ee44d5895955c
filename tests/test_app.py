"""app.py's handlers in process, on the tiny random-weight DA3 config: live modes, detail, HQ capture,
back to live, bad frames, photo uploads (bad files and odd pictures), video uploads, live frames during a
capture, clamped cameras, and the out-of-GPU-memory fallback.

The handlers are called the way Gradio calls them (numpy images, the radios' labels, the session's
request); their wire frames are checked with ``splat_core.wire.decode_frame`` and
their files with gsply. Nothing is faked except, in the last tests, an out-of-memory error.
"""

from __future__ import annotations

import math
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path

import gradio as gr
from gradio.helpers import special_args
import gsply
import numpy as np
import pytest
import torch
from PIL import Image

import app
from splat_core import camera
from splat_core.fast import FastNetwork
from splat_core.engine import Engine
from splat_core.frames import normalise, processing_size
from splat_core.pipeline import DETAILS, LIVE_RES
from splat_core.store import ExportStore
from splat_core.wire import decode_frame, decode_planes

POINTS, GAUSSIANS = "Points (fast)", "Gaussians"
FULL, LOW = "Full (504×378)", "Low (252×196)"  # the detail radio's labels
LIVE_DETAIL = LOW  # the tests stream at low detail: the tiny model on a CPU takes a second a full frame
GRIDS = {"full": (504, 378), "high": (392, 294), "medium": (308, 224), "low": (252, 196),
         "lowest": (168, 126)}  # from 640×480
SKIP = gr.skip()


def no_progress(*args, **kwargs):
    """Stands in for gr.Progress outside a Gradio request."""


@pytest.fixture(scope="module")
def engine():
    engine = Engine("tiny", "tiny", weights="random", device="cpu")
    torch.manual_seed(0)  # the same random weights in every run
    engine.warm_up()  # loads the model
    return engine


@pytest.fixture(scope="module")
def demo(engine, tmp_path_factory):
    exports = ExportStore(tmp_path_factory.mktemp("exports"))
    yield app.build_app(engine, app.DETAIL_LEVELS[LIVE_DETAIL], exports)
    exports.close()


@pytest.fixture(autouse=True)
def current_engine(engine, demo, monkeypatch):
    """Every test starts with the shared engine behind the handlers (a test may swap in its own)."""
    monkeypatch.setattr(app, "ENGINE", engine)


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """scikit-image's astronaut photograph, as a 640×480 webcam frame."""
    from skimage import data

    return np.asarray(Image.fromarray(data.astronaut()).resize((640, 480), Image.BICUBIC))


@pytest.fixture(scope="module")
def photo_file(photo, tmp_path_factory):
    path = tmp_path_factory.mktemp("photo") / "astronaut.png"
    Image.fromarray(photo).save(path)
    return path


def upload(path) -> dict:
    """What an upload event with ``preprocess=False`` hands its handler: Gradio's FileData, as a dict."""
    return {"path": str(path), "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


@pytest.fixture
def session():
    """One browser tab's request (a session hash of its own); the tab closes after the test."""
    request = gr.Request(session_hash=f"test-{uuid.uuid4().hex}")
    yield request
    app.forget_session(request)


def live(photo, mode=POINTS, detail=LIVE_DETAIL, request=None):
    """One webcam frame through the stream handler; returns (frame or skip, last frame, status)."""
    return app.on_frame(photo, mode, detail, request=request)


def splats_in(frame) -> int:
    """The frame's splats: pixels whose depth code is not 0."""
    return int((decode_planes(frame)["depth"] != 0).sum())


def assert_live_frame(data, mode: str, detail: str = LIVE_DETAIL):
    assert isinstance(data, bytes), f"expected a wire frame, got {data!r}"
    frame = decode_frame(data)
    assert frame.mode == mode and frame.sh_degree == 0
    assert (frame.camera.width, frame.camera.height) == GRIDS[app.DETAIL_LEVELS[detail]]
    assert frame.planes["color"].codec == "jpeg" and 0 < splats_in(frame) <= frame.num_pixels
    return frame


def handler_of(block_fn):
    """The app's function behind an event (the viewer's stream wraps it: gradio_splat/live.py)."""
    handler = getattr(block_fn.fn, "stream_handler", None)
    return handler.fn if handler is not None else block_fn.fn


def test_the_stream_is_wired_to_the_handlers(demo):
    """What the tests below call is what the UI calls, with the inputs in this order."""
    fns = {handler_of(fn).__name__: fn for fn in demo.fns.values()}
    for name in ("on_frame", "capture_hq", "back_to_live", "show_image", "play_video", "reconstruct_api"):
        assert name in fns, f"{name} is not wired to any event"
    stream = fns["on_frame"]
    assert stream.connection == "stream" and stream.inputs[0] is stream.outputs[0], "the viewer streams its own camera"
    assert [type(b).__name__ for b in stream.inputs] == ["SplatViewer", "Radio", "Radio"]
    assert [type(b).__name__ for b in stream.outputs] == ["SplatViewer", "State", "Markdown"]
    mode, detail = stream.inputs[1:]
    assert {*app.MODES, app.SCAN_LABEL} == {label for label, _ in mode.choices}  # live modes and scan mode
    assert set(app.DETAIL_LEVELS) == {label for label, _ in detail.choices}
    assert set(app.DETAIL_LEVELS.values()) == set(DETAILS) == set(GRIDS)
    assert fns["capture_hq"].inputs[0] is stream.outputs[1], "Capture HQ must read the stream's last frame"
    # Uploads reach the handlers as files: Gradio's own image conversion must not run first.
    assert not fns["show_image"].preprocess and not fns["reconstruct_api"].preprocess
    # Gradio hands the session's request to the handlers that freeze and unfreeze the view.
    for name in ("on_frame", "capture_hq", "back_to_live", "show_image", "play_video", "forget_session"):
        request = gr.Request(session_hash="wired")
        args = special_args(handler_of(fns[name]), list(fns[name].inputs), request=request)[0]
        assert request in args, f"{name} does not get the session's request"


@pytest.mark.parametrize(("label", "mode"), [(POINTS, "points"), (GAUSSIANS, "gaussians")])
def test_live_modes_give_wire_frames_on_the_detail_grid(engine, photo, label, mode):
    data, last_frame, status = live(photo, label)
    frame = assert_live_frame(data, mode)
    assert last_frame is photo, "the frame must be kept for Capture HQ"
    assert engine.status in status and "random weights" in status
    full = assert_live_frame(live(photo, label, detail=FULL)[0], mode, FULL)
    assert full.frame_id > frame.frame_id
    assert splats_in(full) > 3 * splats_in(frame), "full detail sends every pixel of a 4× larger grid"


def test_a_clamped_camera_reaches_the_viewer_and_the_status_says_so(photo):
    """Random weights predict fx ≫ fy and near-zero fields of view; the viewer gets a plausible camera."""
    data, _, status = live(photo)
    cam = decode_frame(data).camera
    assert 1 / camera.MAX_ASPECT - 1e-4 <= cam.fx / cam.fy <= camera.MAX_ASPECT + 1e-4
    assert math.degrees(2 * math.atan(cam.width / 2 / cam.fx)) >= camera.MIN_FOV_DEG - 1e-3
    assert "The predicted camera was implausible" in status and camera.RANGE in status


def test_the_status_says_ready_once_a_second_model_has_loaded(photo, monkeypatch):
    """The Gaussian model loads on the first Gaussian frame, after the points model: once it has, the
    status says which model serves which mode, not "Loading …" (nor does the page keep polling it)."""
    engine = Engine("small", "tiny", weights="random", device="cpu")
    monkeypatch.setattr(app, "ENGINE", engine)
    engine.warm_up()
    assert engine.status.startswith("Ready: 'small' on cpu")
    data, _, status = live(photo, GAUSSIANS)
    assert_live_frame(data, "gaussians")
    assert engine.status == "Ready: 'small' on cpu for points, 'tiny' on cpu for gaussians."
    assert engine.status in status and "Loading" not in status
    assert not engine.status.endswith("…"), "the status timer keeps polling while the status ends with …"


def test_points_and_gaussians_are_different_splats(photo):
    points = decode_frame(live(photo, POINTS)[0])
    gaussians = decode_frame(live(photo, GAUSSIANS)[0])
    assert set(points.planes) == {"depth", "color"}
    assert set(gaussians.planes) == {"depth", "color", "offset", "opacity", "scale", "rotation"}
    assert points.planes["depth"].data != gaussians.planes["depth"].data


@pytest.mark.parametrize("label", ["High (392×294)", "Medium (308×224)", "Lowest (168×126)"])
def test_every_detail_level_streams_its_grid(photo, label):
    assert_live_frame(live(photo, POINTS, label)[0], "points", label)


def test_capture_hq_freezes_a_frame_with_sh_and_writes_ply_and_spz(photo, session):
    data, ply_update, spz_update, status = app.capture_hq(photo, progress=no_progress, request=session)
    frame = decode_frame(data)
    assert frame.mode == "gaussians" and frame.sh_degree == 2 and frame.planes["sh"].channels == 24
    assert frame.camera.width > LIVE_RES, "HQ runs above the live resolution"
    assert frame.planes["color"].codec == "delta2d", "HQ colour is lossless"
    count = splats_in(frame)
    assert count > 100_000
    assert live(photo, request=session)[0] == SKIP, "the capture must stay on show"
    assert ply_update["visible"] and spz_update["visible"]
    ply = gsply.plyread(ply_update["value"])
    spz = gsply.read_spz(spz_update["value"])
    assert len(ply.means) == len(spz.means) == count, "the files hold exactly the frame's splats"
    assert ply.shN.shape == (count, 8, 3)  # degree 2: 8 coefficients per colour
    for name in ("means", "scales", "quats", "opacities", "sh0", "shN"):
        assert np.isfinite(getattr(ply, name)).all(), name
    assert np.allclose(spz.means, ply.means, atol=0.05 * np.abs(ply.means).max())
    assert f"{count:,} Gaussians" in status and "Back to live" in status


def test_capture_hq_without_a_frame_says_so():
    with pytest.raises(gr.Error, match="No frame yet"):
        app.capture_hq(None, progress=no_progress)


def test_frozen_stream_skips_then_back_to_live_resumes(photo, photo_file, session):
    before = decode_frame(live(photo, request=session)[0]).frame_id
    app.show_image(upload(photo_file), POINTS, LIVE_DETAIL, request=session)  # freezes the view
    viewer, last_frame, status = live(photo, request=session)
    assert viewer == SKIP and status == SKIP, "a frozen view must not be replaced by live frames"
    assert last_frame is photo, "the newest webcam frame is still kept for the next capture"
    assert_live_frame(live(photo)[0], "points")  # other sessions stream on
    ply_update, spz_update, status = app.back_to_live(request=session)
    assert not ply_update["visible"] and not spz_update["visible"]
    after = assert_live_frame(live(photo, request=session)[0], "points")
    assert after.frame_id > before


def test_closing_the_tab_forgets_its_frozen_view(demo, photo_file, session):
    """Gradio calls the unload handlers with the session's request when a tab closes or reloads."""
    unload = [fn for fn in demo.fns.values() if (None, "unload") in fn.targets]
    assert [fn.fn.__name__ for fn in unload] == ["forget_session", "forget"]  # the frozen view, the scan
    app.show_image(upload(photo_file), POINTS, LIVE_DETAIL, request=session)
    app.SCANS.stop(request=session)  # the session's scan state exists from its first use
    assert session.session_hash in app._frozen_sessions  # noqa: SLF001
    assert session.session_hash in app.SCANS._sessions  # noqa: SLF001
    for fn in unload:
        fn.fn(*special_args(fn.fn, [], request=session)[0])
    assert session.session_hash not in app._frozen_sessions, "a closed tab's entry stayed"  # noqa: SLF001
    assert session.session_hash not in app.SCANS._sessions, "a closed tab's scan stayed"  # noqa: SLF001


def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def test_a_live_frame_in_flight_during_a_capture_does_not_replace_it(engine, photo, session):
    """A frame that was already on its way when Capture HQ was pressed must not land on top of the
    capture."""
    results = {}

    def run(name, fn, *args, **kwargs):
        results[name] = fn(*args, **kwargs)

    live_call = threading.Thread(target=run, args=("live", app.on_frame, photo, POINTS, LIVE_DETAIL),
                                 kwargs={"request": session})
    capture_call = threading.Thread(target=run, args=("capture", app.capture_hq, photo),
                                    kwargs={"progress": no_progress, "request": session})
    with engine._lock:  # noqa: SLF001 (the GPU is busy with another session: both calls queue)
        live_call.start()
        wait_until(lambda: "submit" in {f.name for f in traceback.extract_stack(
            sys._current_frames()[live_call.ident])}, "the live frame is queued in the engine")  # noqa: SLF001
        capture_call.start()
        wait_until(lambda: app._is_frozen(session), "Capture HQ has frozen the session")  # noqa: SLF001
    live_call.join(timeout=120)
    capture_call.join(timeout=120)
    assert results["live"][0] == SKIP, "the live frame replaced the HQ capture"
    assert decode_frame(results["capture"][0]).sh_degree == 2
    assert app.on_frame(photo, POINTS, LIVE_DETAIL, request=session)[0] == SKIP, "still frozen"
    app.back_to_live(request=session)
    assert_live_frame(app.on_frame(photo, POINTS, LIVE_DETAIL, request=session)[0], "points")


BAD_FRAMES = {
    "two channels": (np.zeros((480, 640, 2), np.uint8), "1, 3 or 4 channels"),
    "five channels": (np.zeros((480, 640, 5), np.uint8), "1, 3 or 4 channels"),
    "one dimension": (np.zeros(640, np.uint8), "H×W"),
    "four dimensions": (np.zeros((1, 480, 640, 3), np.uint8), "H×W"),
    "empty": (np.zeros((0, 640, 3), np.uint8), "empty"),
    "complex dtype": (np.zeros((480, 640, 3), np.complex64), "dtype"),
    "object dtype": (np.full((48, 64, 3), None, object), "dtype"),
    "string dtype": (np.full((48, 64, 3), "x"), "dtype"),
    "too large": (np.zeros((16_400, 8, 3), np.uint8), "too large"),
}


@pytest.mark.parametrize("name", list(BAD_FRAMES))
def test_bad_frame_shows_a_message_and_the_next_frame_still_works(photo, name):
    bad, message = BAD_FRAMES[name]
    viewer, _, status = live(bad)
    assert viewer == SKIP, "a bad frame must leave the last good picture on show"
    assert "⚠️ Frame skipped" in status and message in status
    assert_live_frame(live(photo)[0], "points")


@pytest.mark.parametrize("name", ["1×1", "8K", "float in [0, 1]", "uint16", "grey", "RGBA"])
def test_odd_but_valid_frames_are_reconstructed(photo, name):
    """Frames that are unusual but meaningful give a frame, not an error (and the next one works)."""
    odd = {
        "1×1": lambda: photo[:1, :1],
        "8K": lambda: np.asarray(Image.fromarray(photo).resize((7680, 4320), Image.NEAREST)),
        "float in [0, 1]": lambda: photo / 255.0,
        "uint16": lambda: photo.astype(np.uint16) * 257,
        "grey": lambda: photo.mean(axis=2).astype(np.uint8),
        "RGBA": lambda: np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)]),
    }[name]()
    data, _, status = live(odd)
    frame = decode_frame(data)
    assert splats_in(frame) > 0 and "⚠️" not in status
    if name != "1×1":
        assert frame.camera.width == GRIDS["low"][0], "the long side is resized to the detail's grid"
    assert_live_frame(live(photo)[0], "points")


def test_no_frame_is_skipped_quietly(photo):
    viewer, _, status = live(None)
    assert viewer == SKIP and status == SKIP
    assert_live_frame(live(photo)[0], "points")


def test_photo_upload_shows_one_frozen_frame(photo, photo_file, session):
    data, last_frame, status = app.show_image(upload(photo_file), GAUSSIANS, LIVE_DETAIL, request=session)
    assert_live_frame(data, "gaussians")
    assert live(photo, request=session)[0] == SKIP, "the stream must not overwrite an uploaded photo"
    assert np.array_equal(last_frame, photo), "Capture HQ must capture the uploaded photo"
    assert app.show_image(None, POINTS, LIVE_DETAIL) == (SKIP, SKIP, SKIP)


def test_bad_uploads_in_the_photo_tab_say_what_is_wrong(upload_corpus, photo, photo_file, session):
    """Each bad file: a message saying what is wrong and what works, the view not frozen by the failed
    upload, and the next good photo shown."""
    for case, (path, message) in upload_corpus.items():
        with pytest.raises(gr.Error, match=message):
            app.show_image(upload(path), POINTS, LIVE_DETAIL, request=session)
        assert not app._is_frozen(session), f"{case}: a failed upload froze the view"  # noqa: SLF001
        assert_live_frame(app.show_image(upload(photo_file), POINTS, LIVE_DETAIL, request=session)[0], "points")
        app.back_to_live(request=session)


def test_odd_pictures_in_the_photo_tab_keep_their_colours(odd_pictures, session):
    """Points take their colours from the picture: 16-bit grey (not clipped to a few levels), palette,
    an animated GIF's first frame (not palette indices), CMYK and EXIF-rotated JPEGs look like the
    picture, on a grid no larger than the picture."""
    for name, (path, picture, note) in odd_pictures.items():
        data, last_frame, status = app.show_image(upload(path), POINTS, LIVE_DETAIL, request=session)
        frame = decode_frame(data)
        height, width = picture.shape[:2]
        assert (frame.camera.width, frame.camera.height) == processing_size(width, height, DETAILS["low"].process_res)
        assert frame.camera.width <= width and frame.camera.height <= height, f"{name}: enlarged"
        _, expected = normalise(torch.from_numpy(picture.copy())[None], DETAILS["low"].process_res)
        colours = decode_planes(frame)["color"].astype(float)
        error = np.abs(colours - expected[0].numpy() * 255).mean()
        assert error < 6, f"{name}: the frame's colours are {error:.1f} levels off the picture's"
        assert np.abs(last_frame.astype(int) - picture).mean() < 3, f"{name}: Capture HQ would capture another picture"
        assert (note in status) if note else "Animated" not in status, name
        app.back_to_live(request=session)


@pytest.fixture(scope="module")
def video(tmp_path_factory, photo) -> str:
    """A 0.6 s, 10 frames/s MJPG video of the photo panning right."""
    import cv2

    path = tmp_path_factory.mktemp("video") / "pan.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (320, 240))
    assert writer.isOpened(), "OpenCV cannot write MJPG"
    for i in range(6):
        shifted = np.roll(photo, 8 * i, axis=1)
        writer.write(cv2.cvtColor(cv2.resize(shifted, (320, 240)), cv2.COLOR_RGB2BGR))
    writer.release()
    return str(path)


def test_video_upload_plays_its_frames(video, photo, session):
    results = list(app.play_video(video, POINTS, LIVE_DETAIL, request=session))
    assert len(results) == 3  # 6 frames at 10 frames/s, sampled at 5 frames/s: every other one
    frames = [decode_frame(data) for data, _, _ in results]
    assert all(f.mode == "points" and (f.camera.width, f.camera.height) == GRIDS["low"] for f in frames)
    assert [f.frame_id for f in frames] == sorted({f.frame_id for f in frames})
    assert live(photo, request=session)[0] == SKIP, "the webcam must not overwrite the video"
    assert all(frame.shape == (240, 320, 3) for _, frame, _ in results)
    assert [status.rsplit("Video: ", 1)[1] for *_, status in results] == ["0.0 s", "0.2 s", "0.4 s"]
    assert not np.array_equal(results[0][1], results[1][1]), "successive video frames differ"


def test_a_file_that_is_not_a_video_says_so(tmp_path):
    not_video = tmp_path / "notes.mp4"
    not_video.write_text("not a video")
    with pytest.raises(gr.Error, match="video"):
        list(app.play_video(str(not_video), POINTS, LIVE_DETAIL))
    assert list(app.play_video(None, POINTS, LIVE_DETAIL)) == []


@pytest.fixture
def oom_once(monkeypatch):
    """The network raises torch.OutOfMemoryError on its next call only (a CPU cannot run out of GPU
    memory); returns the list of calls."""
    calls = []
    real = FastNetwork.forward

    def forward(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(*args, **kwargs)

    monkeypatch.setattr(FastNetwork, "forward", forward)
    return calls


@pytest.fixture
def fresh_engine(engine, monkeypatch):
    """An engine of its own (the fallback lowers the detail for good), sharing the loaded model."""
    fresh = Engine("tiny", "tiny", weights="random", device="cpu")
    fresh._models = engine._models  # noqa: SLF001 (no second model load)
    fresh.status = engine.status
    monkeypatch.setattr(app, "ENGINE", fresh)
    return fresh


def test_out_of_gpu_memory_lowers_the_live_detail_and_says_so(fresh_engine, oom_once, photo):
    data, _, status = live(photo, POINTS, FULL)
    assert len(oom_once) == 2, "the frame is retried once after the error"
    assert_live_frame(data, "points", "High (392×294)")  # the retry runs one level lower
    assert "live detail lowered to 'high'" in status
    # The lower detail stays: the next frames fit without another error.
    assert_live_frame(live(photo, POINTS, FULL)[0], "points", "High (392×294)")
    assert len(oom_once) == 3


def test_out_of_gpu_memory_in_an_hq_capture_retries_at_the_live_resolution(fresh_engine, oom_once, photo):
    data, ply_update, _, status = app.capture_hq(photo, progress=no_progress)
    frame = decode_frame(data)
    assert frame.sh_degree == 2 and frame.camera.width == LIVE_RES
    assert "Out of GPU memory for an HQ capture" in status
    assert len(gsply.plyread(ply_update["value"]).means) == splats_in(frame)


def test_live_frames_keep_flowing_while_another_session_captures_hq(engine, photo):
    """One session streams while another captures HQ: the capture takes GPU turns (the network, then
    splats and planes; compression takes none), and live batches run between them, so the stream keeps
    receiving frames during the capture instead of waiting for all of it."""
    streamer, capturer = (gr.Request(session_hash=f"test-{uuid.uuid4().hex}") for _ in range(2))
    arrivals, done = [], threading.Event()

    def stream():
        while not done.is_set():
            data, _, _ = live(photo, request=streamer)
            assert_live_frame(data, "points")
            arrivals.append(time.monotonic())

    streaming = threading.Thread(target=stream)
    streaming.start()
    wait_until(lambda: len(arrivals) >= 2, "the stream is running")
    start = time.monotonic()
    frame = app.capture_hq(photo, progress=no_progress, request=capturer)[0]
    end = time.monotonic()
    done.set()
    streaming.join(timeout=60)
    app.forget_session(capturer)
    assert decode_frame(frame).sh_degree == 2
    during = [t for t in arrivals if start < t < end]
    gaps = np.diff([start, *during, end])
    print(f"capture {end - start:.2f} s: {len(during)} live frames during it, longest gap {gaps.max():.2f} s")
    assert len(during) >= 2, f"{len(during)} live frames during a {end - start:.1f} s capture"
    assert gaps.max() < 0.75 * (end - start), "the stream waited for most of the capture"
