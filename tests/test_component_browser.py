"""gradio_splat in a real browser: Debian's Chromium with SwiftShader WebGL against a small Gradio app.

The tests share one page, in order:
- a session: the first frame (pixel colours where the webcam saw each blob), a second frame
  (picture changes, camera does not), orbiting, reset, resize and fullscreen, an HQ frame whose SH
  tints it differently from the front and from behind, .ply and .spz files;
- Gaussians' scale, rotation and offset planes: the shape and place of each splat on screen;
- fidelity: a photo with a smooth depth, seen from the webcam's viewpoint, against the photo;
- bad input: broken frames show an error and leave the last good frame on screen;
- apply and upload time of full-resolution (504×378) frames, points and Gaussians (last: software
  WebGL draws their 190k splats at a fraction of a frame a second).
Frames are RGB-D images encoded by splat_core (one splat per pixel). Scenes are small (160×120
grids on a ~414×240 canvas) because software WebGL draws Spark at a few frames a second. Pixel
checks project the known blob centres with the frame's intrinsics.
"""

import io
import re
import socket
import statistics
import sys
import time
import zlib
from pathlib import Path

import gradio as gr
import msgpack
import numpy as np
import pytest
import torch
from PIL import Image
from playwright.sync_api import Page
from skimage import data as skimage_data

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(ROOT / "custom_components" / "gradio_splat" / "backend"),
    str(ROOT / "custom_components" / "gradio_splat" / "demo"),
]

from gradio_splat import SplatViewer  # noqa: E402
from synthetic_scene import CAMERA, blob_frame, blob_splats  # noqa: E402
from splat_core.export import write_ply, write_spz  # noqa: E402
from splat_core.planes import frame_from_arrays  # noqa: E402
from splat_core.splats import SplatSet  # noqa: E402
from splat_core.wire import Camera, decode_frame, decode_planes  # noqa: E402

CANVAS = "canvas[data-testid=splat-canvas]"
# Everything the viewer lays over its canvas (label, buttons, stats), hidden for picture comparisons.
HIDE_OVERLAYS = "[data-testid=splat-canvas] ~ *, [data-testid=block-label] { visibility: hidden !important; }"
FULL_GRID = Camera(width=504, height=378, fx=400.0, fy=400.0, cx=252.0, cy=189.0)  # DA3's live grid
APPLY_BUDGET_MS = 2.0
MIN_PSNR_DB = 30.0

RED, GREEN, BLUE = (1, 0, 0), (0, 1, 0), (0, 0, 1)
# OpenCV axes: +x red (right), +y green (down on screen), +z blue (away from the camera).
SCENE_A = [((0.5, 0.0, 2.0), RED), ((0.0, 0.5, 2.0), GREEN), ((0.0, 0.0, 2.5), BLUE)]
# Red moves to the left; the camera differs, so a viewer that re-applied it would move the picture.
SCENE_B = [((-0.5, 0.0, 2.0), RED), ((0.0, 0.5, 2.0), GREEN), ((0.0, 0.0, 2.5), BLUE)]
CAMERA_B = Camera(width=160, height=120, fx=70.0, fy=70.0, cx=80.0, cy=60.0)
EMPTY = (-0.5, -0.5, 2.0)  # nothing there in any scene


@pytest.fixture(scope="module")
def app():
    """A Gradio server with the viewer and a button that pushes the next queued value into it."""
    queue: list = []
    with gr.Blocks() as demo:
        viewer = SplatViewer(height=240, show_stats=True)
        gr.Button("push", elem_id="push").click(lambda: queue.pop(0), None, viewer, show_progress="hidden")
        gr.HTML('<div style="height: 3000px"></div>')  # room to scroll the viewer out of view
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    yield f"http://127.0.0.1:{port}", queue
    demo.close()


@pytest.fixture(scope="module")
def browser_page(app, launch_chromium):
    url, _ = app
    errors: list[str] = []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 480, "height": 520}, device_scale_factor=1)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.wait_for_selector(CANVAS)
        page.wait_for_function(f"document.querySelector('{CANVAS}').dataset.renders > 0", timeout=60_000)
        yield page
    assert not errors, f"page errors: {errors}"


def hooks(page: Page) -> dict:
    return page.eval_on_selector(CANVAS, "c => ({...c.dataset})")


def click_push(page: Page, queue: list, value) -> int:
    """Queues a value (frame bytes or file path) and pushes it; returns the `shown` count before."""
    shown = int(hooks(page).get("shown", 0))
    queue.append(value)
    page.eval_on_selector("#push", "button => button.click()")  # without scrolling
    return shown


def push(page: Page, queue: list, value, settle_renders: int = 4) -> dict:
    """Pushes a value, waits until it is shown, sorted and drawn a few times; returns the hooks."""
    shown = click_push(page, queue, value)
    page.wait_for_function(
        f"(c => c.dataset.shown > {shown} && c.dataset.activeSplats > 0)"
        f"(document.querySelector('{CANVAS}'))",
        timeout=60_000,
    )
    wait_renders(page, settle_renders)
    return hooks(page)


def wait_renders(page: Page, count: int) -> None:
    renders = int(hooks(page)["renders"])
    page.wait_for_function(
        f"document.querySelector('{CANVAS}').dataset.renders >= {renders + count}", timeout=60_000
    )


def canvas_size(page: Page) -> tuple[int, int]:
    """The canvas' drawing buffer size, which the viewer keeps equal to its CSS size."""
    return tuple(page.eval_on_selector(CANVAS, "c => [c.width, c.height]"))


def same_view(a: dict, b: dict, atol: float = 0.02) -> bool:
    """Same camera position and orbit target, up to the last glide of the orbit's damping."""
    return np.allclose(*(np.array(h["camera"].split(","), float) for h in (a, b)), atol=atol)


def wait_camera_still(page: Page) -> dict:
    """Waits until the orbit's damping has glided to a stop; returns the hooks."""
    before = hooks(page)
    for _ in range(100):
        wait_renders(page, 5)
        after = hooks(page)
        if same_view(after, before, atol=1e-3):
            return after
        before = after
    raise AssertionError("the camera never came to rest")


def orbit(page: Page, dx: int) -> dict:
    """Drags the view `dx` pixels to the right with the left button; returns the hooks at rest."""
    box = page.locator(CANVAS).bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(cx + dx * step / 10, cy)
    page.mouse.up()
    return wait_camera_still(page)


def screenshot(page: Page) -> np.ndarray:
    # Generous: software WebGL on a busy machine can take a while to hold a picture still.
    image = page.locator(CANVAS).screenshot(timeout=90_000)
    return np.asarray(Image.open(io.BytesIO(image)).convert("RGB"), dtype=float)


def project(xyz, camera: Camera, shape) -> tuple[int, int]:
    """Canvas pixel (row, col) of an OpenCV point seen by the viewer's initial camera: at the
    origin, principal point at the centre, field of view fitted to show the whole webcam image."""
    h, w = shape[:2]
    x, y, z = xyz
    tan_half_v = max(camera.height / (2 * camera.fy), camera.width / (2 * camera.fx) / (w / h))
    pixels_per_unit = h / 2 / tan_half_v  # at z = 1
    return round(h / 2 + y / z * pixels_per_unit), round(w / 2 + x / z * pixels_per_unit)


def colour_at(image: np.ndarray, xyz, camera: Camera = CAMERA) -> np.ndarray:
    row, col = project(xyz, camera, image.shape)
    return image[row - 2 : row + 3, col - 2 : col + 3].reshape(-1, 3).mean(axis=0)


def classify(rgb: np.ndarray) -> str:
    """"dark", "orange" (red plus some green), or the one dominant channel "r", "g", "b"."""
    r, g, b = rgb
    if rgb.max() < 60:
        return "dark"
    if r > 150 and 60 < g < r - 40 and b < 60:
        return "orange"
    top, second = np.sort(rgb)[::-1][:2]
    return "rgb"[int(np.argmax(rgb))] if top > 2 * second + 40 else "mixed"


def eventually(page: Page, check, timeout_s: float = 30) -> None:
    """Runs `check` until it passes, a few renders apart: a new grid is drawn only once Spark's
    first sort of it lands."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        wait_renders(page, 2)


def expect_picture(page: Page, expected: dict, camera: Camera = CAMERA) -> np.ndarray:
    """The picture, once the colour at each projected OpenCV point is as expected."""

    def check():
        image = screenshot(page)
        seen = {xyz: classify(colour_at(image, xyz, camera)) for xyz in expected}
        assert seen == expected, f"colours at the projected points: {seen}"
        return image

    return eventually(page, check)


def pixels_of(image: np.ndarray, label: str) -> np.ndarray:
    """Mask of the pixels whose one dominant channel is `label`."""
    rgb = image.reshape(-1, 3)
    top = np.sort(rgb, axis=1)
    mask = (top[:, 2] > 2 * top[:, 1] + 40) & (rgb.argmax(axis=1) == "rgb".index(label))
    return mask.reshape(image.shape[:2])


def centroid(image: np.ndarray, label: str) -> np.ndarray:
    """Mean (row, col) of the pixels classified as `label`; asserts there are some."""
    mask = pixels_of(image, label)
    assert mask.sum() > 20, f"no {label} blob in the picture"
    return np.argwhere(mask).mean(axis=0)


def test_stream_orbit_reset_sh_and_files(app, browser_page, tmp_path):
    _, queue = app
    page = browser_page
    assert page.evaluate("!!document.createElement('canvas').getContext('webgl2')"), "no WebGL2"
    red, green, blue = (xyz for xyz, _ in SCENE_A)
    red_b = SCENE_B[0][0]

    # 1. First frame: the camera is the webcam's, so the blobs land where the webcam saw them:
    # red right of centre, green below it, blue at the centre, nothing top left.
    first = push(page, queue, blob_frame(SCENE_A, frame_id=1))
    assert first["frameId"] == "1"
    assert first["error"] == ""
    expect_picture(page, {red: "r", green: "g", blue: "b", EMPTY: "dark"})

    # 2. Second frame, from a different camera: the picture changes (red moves left), and the
    # view does not reset, so the blobs stay where the first camera puts them.
    second = push(page, queue, blob_frame(SCENE_B, frame_id=2, camera=CAMERA_B))
    assert second["frameId"] == "2"
    assert same_view(second, first)
    image_b = expect_picture(page, {red: "dark", red_b: "r", green: "g", blue: "b"})

    # 3. Orbit 60° with the mouse: the view moves, and the next frame (Gaussians now) keeps it.
    orbited = orbit(page, 40)
    image_orbit = screenshot(page)
    assert not same_view(orbited, first)
    moved = np.abs(image_orbit - image_b).max(axis=2) > 60
    assert moved.mean() > 0.005, "the picture should move when orbiting"
    assert classify(colour_at(image_orbit, blue)) != "b", "blue should have moved away"

    third = push(page, queue, blob_frame(SCENE_A, frame_id=3, mode="gaussians"))
    assert same_view(third, orbited), "a new frame must not reset the user's camera"

    # 4. Reset view returns to the webcam's viewpoint.
    page.get_by_label("Reset view").click()
    wait_renders(page, 4)
    assert same_view(hooks(page), first)
    expect_picture(page, {red: "r", green: "g", blue: "b"})

    # The viewer follows its container: a narrower page, then fullscreen, resize the drawing
    # buffer, and the webcam image stays fitted in view.
    page.set_viewport_size({"width": 300, "height": 520})
    wait_renders(page, 4)
    assert canvas_size(page)[0] < 300
    expect_picture(page, {red: "r", green: "g", blue: "b", EMPTY: "dark"})
    page.get_by_label("Fullscreen").click()
    page.wait_for_function("document.fullscreenElement !== null")
    wait_renders(page, 4)
    assert canvas_size(page) == (300, 520)
    page.get_by_label("Exit fullscreen").click()
    page.wait_for_function("document.fullscreenElement === null")
    page.set_viewport_size({"width": 480, "height": 520})
    wait_renders(page, 4)

    # 5. An HQ frame's SH is evaluated for the view direction: a degree-1 coefficient on the +z
    # basis function (3DGS: +0.4886 · d_z) adds green where the view looks along +z, turning the
    # red blob orange from the webcam's side, and takes green away seen from behind, where the
    # blob is plain red again.
    sh_rest = np.zeros((8, 3), np.float32)
    sh_rest[1] = (0, 1, 0)
    push(page, queue, blob_frame(SCENE_A, frame_id=4, sh_rest=sh_rest))
    front = expect_picture(page, {red: "orange", green: "g", EMPTY: "dark"})
    assert pixels_of(front, "r").sum() < 5, "no plain red from the front"
    orbit(page, canvas_size(page)[1] // 2)  # half the canvas height is 180° for OrbitControls

    def red_from_behind():
        assert pixels_of(screenshot(page), "r").sum() > 20, "the red blob should be plain red from behind"

    eventually(page, red_from_behind)
    page.get_by_label("Reset view").click()

    # 6. Saved captures (.ply and .spz, in OpenCV axes like the frames) load through Spark's
    # loaders and show the usual way up, seen from the capture's origin: green below red, and red
    # right of green in scene A, left of it in scene B.
    for scene, name, write, red_right in ((SCENE_A, "a.ply", write_ply, True), (SCENE_B, "b.spz", write_spz, False)):
        splats = {k: torch.from_numpy(v) for k, v in blob_splats(scene).items()}
        path = write(SplatSet(**splats, pixel=torch.arange(len(splats["rgb"]))), tmp_path / name)
        push(page, queue, str(path))

        def upright():
            image = screenshot(page)
            red_at, green_at = centroid(image, "r"), centroid(image, "g")
            assert green_at[0] > red_at[0] + 10, (name, red_at, green_at)
            assert (red_at[1] - green_at[1] > 10) if red_right else (green_at[1] - red_at[1] > 10), name

        eventually(page, upright)


def sparse_gaussians(*, scales_px, quat_xyzw=(0.0, 0.0, 0.0, 1.0), offset_px=(0.0, 0.0), frame_id: int) -> bytes:
    """White Gaussians at every 10th pixel of CAMERA's grid, 2 units away, all alike: `scales_px`
    their standard deviations in pixel footprints, `offset_px` their sub-pixel offset."""
    h, w = CAMERA.height, CAMERA.width
    depth = np.full((h, w), np.nan)
    depth[5::10, 5::10] = 2.0
    return frame_from_arrays(
        depth,
        np.ones((h, w, 3)),
        CAMERA,
        mode="gaussians",
        offset=np.broadcast_to(np.array(offset_px, float), (h, w, 2)).copy(),
        opacity=np.ones((h, w)),
        scales=np.broadcast_to(np.array(scales_px) * 2.0 / CAMERA.fx, (h, w, 3)).copy(),
        quats_xyzw=np.broadcast_to(np.array(quat_xyzw, float), (h, w, 4)).copy(),
        frame_id=frame_id,
    )


def test_gaussian_planes_shape_and_place_each_splat(app, browser_page):
    """The scale, rotation and offset planes act as the spec says: Gaussians long along x
    (OpenCV, right on screen) are wide; turned 90° about the optical axis they are tall; an
    offset of +3 pixels along u moves them 3 grid pixels right."""
    _, queue = app
    page = browser_page
    page.add_style_tag(content=HIDE_OVERLAYS)

    def picture(frame: bytes) -> np.ndarray:
        """Brightness over the background, without the canvas' 2-pixel rim (the block's corners)."""
        push(page, queue, frame)
        page.get_by_label("Reset view").dispatch_event("click")
        wait_renders(page, 3)
        gray = screenshot(page).mean(axis=2)[2:-2, 2:-2]
        return np.maximum(gray - np.median(gray), 0)

    def elongation(light: np.ndarray, lag: int) -> float:
        """Correlation of the light of pixels `lag` apart, across over down: > 1 for wide shapes."""
        return float((light[:, lag:] * light[:, :-lag]).sum() / (light[lag:] * light[:-lag]).sum())

    def shift_right(before: np.ndarray, after: np.ndarray) -> int:
        """The whole pixels the light moved right: the best match of the two column profiles."""
        a, b = before.sum(axis=0), after.sum(axis=0)
        return max(range(-20, 21), key=lambda s: float((a[max(-s, 0) : len(a) - max(s, 0)] * b[max(s, 0) : len(b) - max(-s, 0)]).sum()))

    try:
        wide = picture(sparse_gaussians(scales_px=(1.5, 0.3, 0.3), frame_id=400))
        half_turn = np.sin(np.pi / 4)
        tall = picture(sparse_gaussians(scales_px=(1.5, 0.3, 0.3), quat_xyzw=(0, 0, half_turn, half_turn), frame_id=401))
        round_ = picture(sparse_gaussians(scales_px=(0.5, 0.5, 0.5), frame_id=402))
        shifted = picture(sparse_gaussians(scales_px=(0.5, 0.5, 0.5), offset_px=(3.0, 0.0), frame_id=403))
    finally:
        page.evaluate("document.querySelectorAll('style').forEach(s => s.textContent.includes('visibility: hidden !important') && s.remove())")
    # 3 canvas pixels: beyond a thin side's blur (σ 0.3 pixel footprints, Spark's 0.3 px² blur),
    # within a long side's (σ 1.5 footprints, 2.6 canvas pixels a footprint).
    print(f"\nelongation: wide {elongation(wide, 3):.2f}, turned {elongation(tall, 3):.2f}, round {elongation(round_, 1):.2f}")
    assert elongation(wide, 3) > 3.0
    assert elongation(tall, 3) < 1 / 3
    assert 0.8 < elongation(round_, 1) < 1.25
    shape = (round_.shape[0] + 4, round_.shape[1] + 4)
    canvas_px_per_grid_px = (project((1.0, 0.0, 1.0), CAMERA, shape)[1] - project((0.0, 0.0, 1.0), CAMERA, shape)[1]) / CAMERA.fx
    shift = shift_right(round_, shifted)
    print(f"offset of 3 grid pixels: {shift} canvas pixels, expected {3 * canvas_px_per_grid_px:.2f}")
    assert abs(shift - 3 * canvas_px_per_grid_px) <= 1


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255.0**2 / np.mean((a - b) ** 2)))


def test_fidelity_of_a_photo_seen_from_the_webcam(app, browser_page):
    """A points frame of a photo on a tilted plane, one grid pixel per canvas pixel, drawn from the
    webcam's viewpoint, is the photo: each point is a solid disc that covers its pixel and no
    more (live_splats.ts)."""
    _, queue = app
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 520})  # a 254×240 canvas: 61k splats to draw
    wait_renders(page, 2)
    width, height = canvas_size(page)
    grid = Camera(width=width, height=height, fx=1.1 * height, fy=1.1 * height, cx=width / 2, cy=height / 2)
    photo = np.asarray(Image.fromarray(skimage_data.astronaut()).resize((width, height), Image.LANCZOS))
    v, u = np.mgrid[0:height, 0:width] / height
    depth = 2.0 + 0.6 * u + 0.3 * v + 0.2 * (u - 0.5) ** 2  # tilted and gently curved
    page.add_style_tag(content=HIDE_OVERLAYS)
    renders = {}
    for codec in ("lossless", "jpeg"):
        frame = frame_from_arrays(depth, photo, grid, color=codec, frame_id=100)
        push(page, queue, frame)
        # The webcam's viewpoint, fitted to this grid (the button is hidden, so no mouse click).
        page.get_by_label("Reset view").dispatch_event("click")
        wait_renders(page, 3)
        renders[codec] = screenshot(page)
        assert renders[codec].shape == photo.shape
    jpeg_pixels = decode_planes(decode_frame(frame))["color"].astype(float)
    figures = {
        "lossless": psnr(renders["lossless"], photo),
        "jpeg": psnr(renders["jpeg"], photo),
        "jpeg_alone": psnr(jpeg_pixels, photo),
        "jpeg_render_vs_its_pixels": psnr(renders["jpeg"], jpeg_pixels),
    }
    mean_error = np.abs(renders["lossless"].mean(axis=(0, 1)) / photo.mean(axis=(0, 1)) - 1)
    print(
        f"\nfidelity {width}×{height}: PSNR lossless colour {figures['lossless']:.2f} dB, JPEG colour "
        f"{figures['jpeg']:.2f} dB (the JPEG itself {figures['jpeg_alone']:.2f} dB; the render against "
        f"the JPEG's pixels {figures['jpeg_render_vs_its_pixels']:.2f} dB); mean colour error "
        f"{100 * mean_error.max():.3f} % (per channel {np.round(100 * mean_error, 3).tolist()})"
    )
    page.evaluate("document.querySelectorAll('style').forEach(s => s.textContent.includes('visibility: hidden !important') && s.remove())")
    page.set_viewport_size({"width": 480, "height": 520})
    assert figures["lossless"] >= MIN_PSNR_DB
    assert figures["jpeg"] >= MIN_PSNR_DB
    assert mean_error.max() <= 0.01
    # The viewer draws a JPEG frame's pixels as faithfully as a lossless frame's: all the JPEG
    # costs on screen is its own error against the photo (figures["jpeg_alone"]).
    assert figures["jpeg_render_vs_its_pixels"] >= figures["lossless"] - 0.3


def with_envelope(frame: bytes, **changes) -> bytes:
    """`frame` with envelope keys replaced (None deletes a key)."""
    envelope = msgpack.unpackb(frame, raw=False)
    envelope.update(changes)
    return msgpack.packb({k: v for k, v in envelope.items() if v is not None}, use_bin_type=True)


def with_plane(frame: bytes, name: str, data) -> bytes:
    """`frame` with plane `name`'s data replaced."""
    planes = msgpack.unpackb(frame, raw=False)["planes"]
    return with_envelope(frame, planes={**planes, name: {**planes[name], "data": data}})


def test_bad_frames_show_an_error_and_keep_the_last_good_one(app, browser_page):
    """Broken frames are swapped in on the wire (the browser's fetch of the next frame file gets
    them), past the server's envelope check, so the viewer's own checks are what is tested."""
    _, queue = app
    page = browser_page
    good = blob_frame(SCENE_A, frame_id=300)
    hi, lo = msgpack.unpackb(good, raw=False)["planes"]["depth"]["data"]  # one stream per byte plane
    n = CAMERA.width * CAMERA.height
    small_jpeg = io.BytesIO()
    Image.new("RGB", (80, 60)).save(small_jpeg, "JPEG")
    # Consecutive messages differ, so each new error is seen (the test waits for data-error to change).
    bad_frames = {
        "truncated plane": (with_plane(good, "depth", [hi, lo[: len(lo) // 2]]), r"plane 'depth' is not a valid zlib"),
        "wrong size": (
            with_plane(good, "depth", [zlib.compress(bytes(n - 2)), lo]),
            rf"plane 'depth' inflates to {n - 2} bytes, not {n}",
        ),
        "corrupt zlib": (with_plane(good, "depth", [hi[:2] + bytes(b ^ 0x5A for b in hi[2:]), lo]), r"plane 'depth'"),
        "bytes after the stream": (with_plane(good, "depth", [hi, lo + b"\0\1"]), r"plane 'depth' is not a valid zlib"),
        "a stream missing": (with_plane(good, "depth", [hi]), r"plane 'depth' must have 2 zlib streams"),
        "JPEG of another size": (with_plane(good, "color", small_jpeg.getvalue()), r"plane 'color' is 80×60, not 160×120"),
        "version 1": (with_envelope(good, version=1, num_splats=0, packed=b""), r"version 1 is no longer supported"),
        "unknown version": (with_envelope(good, version=3), r"unknown wire version 3"),
        "10^9 pixels": (
            with_envelope(good, camera={**msgpack.unpackb(good)["camera"], "width": 31_623, "height": 31_623}),
            r"grid 31623×31623 is outside",
        ),
    }
    first = push(page, queue, good)
    assert first["error"] == ""
    page.add_style_tag(content=HIDE_OVERLAYS)
    before = screenshot(page)
    swap: list[bytes] = []
    page.route(re.compile(r".*\.bin$"), lambda route: route.fulfill(body=swap.pop()) if swap else route.continue_())
    try:
        for name, (bad, message) in bad_frames.items():
            swap.append(bad)
            click_push(page, queue, good)
            page.wait_for_function(
                f"(c => c.dataset.error && c.dataset.error !== {hooks(page)['error']!r})(document.querySelector('{CANVAS}'))",
                timeout=30_000,
            )
            shown = hooks(page)
            assert re.search(message, shown["error"]), (name, shown["error"])
            # Its text, though the overlay is hidden for the picture comparison.
            assert re.search(message, page.locator("[role=alert]").text_content()), name
            assert shown["frameId"] == "300", name
        wait_renders(page, 3)
        still = np.abs(screenshot(page) - before).max(axis=2) > 40
        assert still.mean() < 0.001, "the last good frame should stay on screen"
    finally:
        page.unroute(re.compile(r".*\.bin$"))
        page.evaluate("document.querySelectorAll('style').forEach(s => s.textContent.includes('visibility: hidden !important') && s.remove())")
    after = push(page, queue, blob_frame(SCENE_B, frame_id=301))
    assert (after["frameId"], after["error"]) == ("301", "")
    assert page.locator("[role=alert]").count() == 0
    expect_picture(page, {SCENE_B[0][0]: "r", SCENE_A[0][0]: "dark"})


def full_grid_frame(mode: str, frame_id: int, seed: int) -> bytes:
    """A 504×378 frame of noise: every pixel a splat, nothing for zlib or JPEG to squeeze."""
    rng = np.random.default_rng(seed)
    h, w = FULL_GRID.height, FULL_GRID.width
    depth = 2.0 + rng.random((h, w))
    rgb = rng.random((h, w, 3))
    extra = {}
    if mode == "gaussians":
        quats = rng.normal(size=(h, w, 4))
        extra = {
            "offset": rng.uniform(-0.5, 0.5, (h, w, 2)),
            "opacity": rng.random((h, w)),
            "scales": rng.uniform(0.5, 2, (h, w, 3)) * depth[..., None] / FULL_GRID.fx,
            "quats_xyzw": quats / np.linalg.norm(quats, axis=-1, keepdims=True),
        }
    return frame_from_arrays(depth, rgb, FULL_GRID, mode=mode, frame_id=frame_id, **extra)


def test_apply_and_upload_time_of_full_resolution_frames(app, browser_page):
    """Main-thread time of a decoded 504×378 frame, timed in the page: applying it (the texture's
    data, the uniforms, the version bump) and, before the next draw, uploading its planes (the
    worker's decode time is printed too). The
    first frame of a mode makes its texture; the five after it are the steady state that is
    measured, and their median shrugs off a stray garbage collection. Software WebGL takes seconds
    to draw 190k splats, so the viewer is scrolled out of view for the apply times (it stops drawing
    and uploading, frames still land), and back for one upload a mode."""
    _, queue = app
    page = browser_page
    apply_medians = {}
    for mode in ("points", "gaussians"):
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        renders = hooks(page)["renders"]
        apply_ms, decode_ms = [], []
        for i in range(6):
            shown = click_push(page, queue, full_grid_frame(mode, frame_id=200 + i, seed=i))
            page.wait_for_function(f"document.querySelector('{CANVAS}').dataset.shown > {shown}", timeout=60_000)
            assert hooks(page)["error"] == ""
            apply_ms.append(float(hooks(page)["applyMs"]))
            decode_ms.append(float(hooks(page)["decodeMs"]))
        assert int(hooks(page)["renders"]) - int(renders) <= 2, "an off-screen viewer should not draw"
        page.evaluate("window.scrollTo(0, 0)")
        shown = click_push(page, queue, full_grid_frame(mode, frame_id=210, seed=10))
        page.wait_for_function(f"document.querySelector('{CANVAS}').dataset.shown > {shown}", timeout=60_000)
        wait_renders(page, 1)  # the first draw after the frame uploads it
        upload_ms = float(hooks(page)["uploadMs"])
        apply_medians[mode] = statistics.median(apply_ms[1:])
        print(
            f"\n{mode} {FULL_GRID.width}×{FULL_GRID.height}: apply median {apply_medians[mode]:.2f} ms "
            f"(each {apply_ms}), upload {upload_ms} ms; decode in the worker, median "
            f"{statistics.median(decode_ms[1:]):.1f} ms"
        )
    assert max(apply_medians.values()) <= APPLY_BUDGET_MS
