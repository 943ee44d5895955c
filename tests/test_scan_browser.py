"""Scan mode in a real browser: Debian's Chromium, SwiftShader WebGL and a fake webcam that plays the
synthetic room (splat_core/scan/synthetic.py) against ``python app.py --weights random --model tiny``
with the room's ground truth as the scan's depth source (``SPLAT_SCAN_TRUTH=room``: random weights
predict noise, the truth shows whether the scan is put together right; only the depths and poses
come from it, everything else is the app's own path).

The test starts a scan, starts the camera, and checks that the scene grows in the viewer (keyframe
deltas arrive over the live channel and are kept), that the camera path is drawn, that Stop keeps the
scene, and that the exported PLY and SPZ reload with the viewer's splat count; then a scan of Gaussians
replaces the scene, and its export has the room's Gaussians. With UPDATE_SCREENSHOT=1
it writes the README's picture of scan mode, docs/scan.png. The ``/scan`` API is called with
gradio_client on the same server, with a video and with a list of images of the room, for points and
for Gaussians.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import gsply
import numpy as np
import pytest
from conftest import HOOK_TIMEOUT_MS as TIMEOUT_MS
from conftest import VIEWER_CANVAS as CANVAS
from conftest import hooks, wait_hooks, write_y4m

from splat_core.scan import synthetic
from splat_core.scan.sources import ROOM_FRAMES, TRUTH_ENV, TRUTH_GAUSSIAN

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "scan.png"
FPS = 10  # the fake webcam's: one sweep round the room in ROOM_FRAMES / FPS = 12 s


@pytest.fixture(scope="module")
def server(launch_app, workdir):
    log_path = workdir / "server.log"
    args = ["--weights", "random", "--model", "tiny", "--device", "cpu", "--detail", "lowest"]
    env = {TRUTH_ENV: "room", "GRADIO_TEMP_DIR": str(workdir / "cache"), "OMP_NUM_THREADS": "1"}
    with launch_app(args, log_path, env=env) as url:
        yield url, log_path


@pytest.fixture(scope="module")
def browser(launch_chromium, workdir):
    frames = [synthetic.render(pose, 320, 240).rgb for pose in synthetic.path(ROOM_FRAMES)]
    with launch_chromium(write_y4m(frames, workdir / "room.y4m", FPS)) as b:
        yield b


def download(page, elem_id: str, path: Path) -> Path:
    """The file behind one of the scan's download buttons, fetched as the browser would."""
    button = page.locator(f"#{elem_id}")
    button.wait_for(state="visible", timeout=TIMEOUT_MS)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        button.dispatch_event("click")
    info.value.save_as(path)
    return path


def test_a_scan_grows_in_the_viewer_and_exports_what_it_shows(server, browser, workdir):
    url, log_path = server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1,
                                  permissions=["camera"], accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    step = "open the page"
    try:
        page.goto(url)
        wait_hooks(page, "Number(d.renders) > 2")
        step = "start a scan"
        page.get_by_role("radio", name="Scan").check()
        page.get_by_role("button", name="Start scan").click()
        page.get_by_role("button", name="Start camera").click()

        step = "the scene grows"
        first = wait_hooks(page, "Number(d.scanKeyframes) >= 3 && Number(d.scanPath) >= 3")
        grown = wait_hooks(page, f"Number(d.scanSplats) > {int(first['scanSplats'])} && "
                                 f"Number(d.scanPath) > {int(first['scanPath'])}")
        assert int(grown["scanKeyframes"]) > int(first["scanKeyframes"])
        # Every delta is kept: the viewer holds more splats than one keyframe's grid (168 × 126).
        assert int(grown["scanSplats"]) > 168 * 126
        wait_hooks(page, f"Number(d.renders) >= {int(grown['renders']) + 2} && Number(d.activeSplats) > 0")

        step = "screenshot"
        page.locator(CANVAS).scroll_into_view_if_needed()
        box = page.locator(CANVAS).bounding_box()
        # Back out of the first keyframe's camera and look down a little, so the path shows.
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.move(*centre)
        for _ in range(8):
            page.mouse.wheel(0, 120)
            page.wait_for_timeout(50)
        page.mouse.down()
        page.mouse.move(centre[0] + 40, centre[1] + 120, steps=8)
        page.mouse.up()
        drawn = hooks(page)  # the orbit glides (damping) over the next renders
        wait_hooks(page, f"Number(d.renders) >= {int(drawn['renders']) + 8}")
        shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") == "1" else workdir / "scan.png"
        page.screenshot(path=str(shot))
        # The path is drawn: the magenta line through the cameras' centres (test/scan_scene.test.ts checks
        # the current view's frustum, which may be anywhere in or out of this view).
        from PIL import Image

        pixels = np.asarray(Image.open(shot).convert("RGB").crop(
            (box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]))).astype(int)
        r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
        assert ((r > 200) & (b > 200) & (g < 80)).sum() > 10, "the camera path is drawn"

        step = "stop keeps the scene"
        page.get_by_role("button", name="Stop scan").dispatch_event("click")
        page.wait_for_timeout(1500)  # a delta in flight may still land
        stopped = hooks(page)
        page.wait_for_timeout(2500)
        kept = hooks(page)
        assert kept["scanSplats"] == stopped["scanSplats"] and int(kept["scanSplats"]) > 0
        assert int(kept["delivered"]) >= int(stopped["delivered"])  # the camera still streams

        step = "export"
        page.get_by_role("button", name="Export scan").dispatch_event("click")
        ply = gsply.plyread(download(page, "scan-ply", workdir / "scan.ply"))
        spz = gsply.read_spz(download(page, "scan-spz", workdir / "scan.spz"))
        path = json.loads(download(page, "scan-path", workdir / "path.json").read_text())
        assert len(ply.means) == len(spz.means) == int(kept["scanSplats"])
        assert len(path["keyframes"]) == int(kept["scanPath"])
        # The scan's world is the first keyframe's camera: the room's first view, at the scan's unit.
        assert np.allclose(path["keyframes"][0]["pose"], np.eye(4))
        np.testing.assert_allclose(ply.scales.max(axis=1), ply.scales.min(axis=1))  # points: round splats

        step = "a scan of Gaussians"
        page.locator("#scan-splats").get_by_role("radio", name="Gaussians").check()
        page.get_by_role("button", name="Start scan").dispatch_event("click")  # other splats: a new scene
        regrown = wait_hooks(page, f"d.scanScene !== '{kept['scanScene']}' && Number(d.scanKeyframes) >= 3")
        page.get_by_role("button", name="Stop scan").dispatch_event("click")
        page.wait_for_timeout(1500)
        stopped = hooks(page)
        page.get_by_role("button", name="Export scan").dispatch_event("click")
        for _ in range(20):  # until the download button holds this scene's file, not the first one's
            page.wait_for_timeout(500)
            ply = gsply.plyread(download(page, "scan-ply", workdir / "gaussians.ply"))
            if len(ply.means) != int(kept["scanSplats"]):
                break
        assert len(ply.means) == int(stopped["scanSplats"]) >= int(regrown["scanSplats"]) > 0
        sigmas = np.sort(np.exp(ply.scales), axis=1)  # the room's one Gaussian shape (sources.TRUTH_GAUSSIAN)
        np.testing.assert_allclose(sigmas / sigmas[:, 2:], np.broadcast_to(
            np.sort(TRUTH_GAUSSIAN[0]) / max(TRUTH_GAUSSIAN[0]), sigmas.shape), rtol=1e-3)
        assert not errors, errors
    except Exception as err:
        page.screenshot(path=str(workdir / "failure.png"))
        state = hooks(page) if page.query_selector(CANVAS) else {}
        raise AssertionError(f"step '{step}' failed: {err}; hooks {state}; page errors {errors}; "
                             f"log {log_path}: {log_path.read_text(errors='replace')[-2000:]}") from err
    finally:
        context.close()


def on_the_room(points: np.ndarray) -> float:
    """How far the scan's points are from the room's surfaces, as a share of the room's size, at the
    scan's unit (its world is the first view's camera at the first window's arbitrary scale, which
    TruthSource draws from 0.5-2: the best unit in that range is taken)."""
    sample = points[:: max(1, len(points) // 20_000)]
    return min(np.quantile(synthetic.surface_distance(sample / unit), 0.999)
               for unit in np.geomspace(0.45, 2.2, 300)) / synthetic.SIZE


def test_the_scan_api_fuses_a_video_or_images_into_a_ply(server, workdir):
    import cv2
    from gradio_client import Client, handle_file
    from PIL import Image

    url, _ = server
    pictures = [synthetic.render(pose, 320, 240).rgb for pose in synthetic.path(ROOM_FRAMES)[:30]]
    video = workdir / "walk.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 5, (320, 240))
    for picture in pictures:
        writer.write(cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
    writer.release()
    images = []
    for i, picture in enumerate(pictures[::5]):
        images.append(workdir / f"view-{i}.png")
        Image.fromarray(picture).save(images[-1])

    client = Client(url, verbose=False, download_files=str(workdir / "api"))
    from_video = gsply.plyread(client.predict([handle_file(str(video))], "lowest", api_name="/scan"))
    from_images = gsply.plyread(client.predict([handle_file(str(p)) for p in images], "lowest", api_name="/scan"))
    for ply in (from_video, from_images):
        assert len(ply.means) > 168 * 112  # more than one keyframe's grid
        assert on_the_room(ply.means) <= 0.01  # within 1 % of the room's size of its walls
        np.testing.assert_allclose(ply.scales.max(axis=1), ply.scales.min(axis=1))  # points: round splats

    # Gaussians: every truth Gaussian has the room's one shape (sources.TRUTH_GAUSSIAN), so each splat
    # of the PLY must have its proportions, whatever the scan's unit.
    gaussians = gsply.plyread(client.predict([handle_file(str(p)) for p in images], "lowest", "gaussians",
                                             api_name="/scan"))
    assert len(gaussians.means) > 168 * 112 and on_the_room(gaussians.means) <= 0.01
    sigmas = np.sort(np.exp(gaussians.scales), axis=1)
    np.testing.assert_allclose(sigmas / sigmas[:, 2:], np.broadcast_to(np.sort(TRUTH_GAUSSIAN[0]) / max(TRUTH_GAUSSIAN[0]), sigmas.shape),
                               rtol=1e-3)
