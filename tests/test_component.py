"""gradio_splat.SplatViewer backend: config, preprocess/postprocess, and the frame cache policy."""

import hashlib
import json
import re
import sys
import time
from pathlib import Path

import gradio as gr
import msgpack
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# Imported from source, as the app does (a Space cannot pip-install a local path).
sys.path.insert(0, str(ROOT / "custom_components" / "gradio_splat" / "backend"))

from gradio_splat import FrameCache, SplatData, SplatViewer  # noqa: E402
from gradio_splat.splat_viewer import read_frame_header  # noqa: E402
from gradio.data_classes import FileData  # noqa: E402
from splat_core.planes import frame_from_arrays  # noqa: E402
from splat_core.wire import Camera, decode_frame, decode_planes  # noqa: E402

UUID_BIN = re.compile(r"^[0-9a-f]{32}\.bin$")
FIXTURES = ROOT / "custom_components" / "gradio_splat" / "frontend" / "test" / "fixtures"


def make_frame(width: int = 4, height: int = 3, frame_id: int = 5) -> bytes:
    """A points frame of a `width` × `height` grid, one pixel without a splat."""
    depth = np.full((height, width), 2.0)
    depth[0, 0] = np.nan
    camera = Camera(width=width, height=height, fx=10.0, fy=10.0, cx=width / 2, cy=height / 2)
    return frame_from_arrays(depth, np.full((height, width, 3), 0.5), camera, frame_id=frame_id)


def envelope(**changes) -> bytes:
    """make_frame's envelope with keys changed."""
    return msgpack.packb({**msgpack.unpackb(make_frame()), **changes}, use_bin_type=True)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TestInit:
    def test_config(self):
        config = SplatViewer(height=300, show_stats=True, label="Live").get_config()
        assert config["name"] == "splatviewer"
        assert config["value"] is None
        assert config["height"] == 300
        assert config["show_stats"] is True
        assert config["label"] == "Live"
        assert "frame_ttl" not in config  # server-side only

    def test_rejects_non_positive_ttl(self):
        with pytest.raises(ValueError, match="frame_ttl"):
            SplatViewer(frame_ttl=0)

    def test_initial_value_is_postprocessed(self):
        assert SplatViewer(value="scene.ply").get_config()["value"]["kind"] == "ply"


class TestPostprocess:
    def test_none(self):
        assert SplatViewer().postprocess(None) is None

    def test_frame_is_written_inside_gradios_cache_under_an_unguessable_name(self):
        viewer = SplatViewer()
        data = make_frame(width=4, height=3, frame_id=5)
        out = viewer.postprocess(data)
        path = Path(out.file.path)
        # Inside GRADIO_CACHE, Gradio serves the file as it is: no hash, no copy.
        assert path.parent == Path(viewer.GRADIO_CACHE) / "gradio_splat"
        assert UUID_BIN.match(path.name)
        assert path.read_bytes() == data
        assert out.kind == "frame"
        assert out.num_splats == 12  # a slot per grid pixel, with a splat or not
        assert out.frame_id == 5
        assert out.file.size == len(data)

    def test_each_frame_gets_its_own_file(self):
        viewer = SplatViewer()
        a, b = viewer.postprocess(make_frame()), viewer.postprocess(make_frame())
        assert a.file.path != b.file.path

    def test_gradio_serves_the_frame_file_without_copying_it(self):
        with gr.Blocks() as demo:
            viewer = SplatViewer()
            gr.Button().click(make_frame, None, viewer, api_name="push")
        out = demo(api_name="push")
        assert Path(out["file"]).parent == Path(viewer.GRADIO_CACHE) / "gradio_splat"
        assert out["kind"] == "frame"

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"\xc1", "not a msgpack wire frame"),
            (msgpack.packb({"format": "other"}), "'format'"),
            (msgpack.packb({"format": "gradio-splat", "version": 1, "num_splats": 2, "packed": b"x" * 32}), "got 1"),
            (lambda: envelope(version=3), "got 3"),
            (lambda: envelope(camera=None), "grid None×None"),
            (lambda: envelope(camera={"width": 31_623, "height": 31_623}), "grid 31623×31623 is outside"),
            (lambda: envelope(camera={"width": 4097, "height": 1}), "outside 1..4096"),
            (lambda: envelope(camera={"width": 2.5, "height": 2}), "outside"),
            (lambda: envelope(planes={"depth": {}}), "points frame without its planes ['color']"),
            (lambda: envelope(mode="gaussians"), "['offset', 'opacity', 'rotation', 'scale']"),
            (lambda: envelope(sh_degree=1), "['sh']"),
            (lambda: envelope(planes=None), "['color', 'depth']"),
        ],
    )
    def test_rejects_bytes_that_are_not_a_version_2_frame(self, data, message):
        with pytest.raises(ValueError, match=re.escape(message)):
            SplatViewer().postprocess(data() if callable(data) else data)

    @pytest.mark.parametrize(
        ("value", "kind"),
        [
            ("capture.ply", "ply"),
            (Path("out/capture.spz"), "spz"),
            ("CAPTURE.SPLAT", "splat"),
            ("https://example.org/scenes/garden.spz?download=1", "spz"),
        ],
    )
    def test_splat_files_by_extension(self, value, kind):
        out = SplatViewer().postprocess(value)
        assert out.kind == kind
        assert out.file.path == str(value)
        assert out.num_splats is None

    def test_rejects_other_files(self):
        with pytest.raises(ValueError, match="model.glb"):
            SplatViewer().postprocess("model.glb")


class TestPreprocess:
    def test_none(self):
        assert SplatViewer().preprocess(None) is None

    def test_frame_round_trips_to_bytes(self):
        viewer = SplatViewer()
        data = make_frame()
        assert viewer.preprocess(viewer.postprocess(data)) == data

    def test_file_gives_its_path(self):
        payload = SplatData(file=FileData(path="/tmp/x.ply"), kind="ply")
        assert SplatViewer().preprocess(payload) == "/tmp/x.ply"


def test_read_frame_header():
    header = read_frame_header(make_frame(width=5, height=2, frame_id=9))
    assert (header["camera"]["width"], header["camera"]["height"], header["frame_id"], header["mode"]) == (5, 2, 9, "points")
    assert header["version"] == 2


@pytest.mark.parametrize("name", ["points_lossless", "gaussians_sh1_lossless", "gaussians_sh2_lossless"])
def test_frontend_fixtures_are_what_splat_core_reads(name):
    """The frames the frontend's unit tests decode (made by splat_core's encoder,
    fixtures/make_fixtures.py), and the values they expect, are what splat_core's reader gives."""
    frame = decode_frame((FIXTURES / f"{name}.bin").read_bytes())
    expected = json.loads((FIXTURES / f"{name}.json").read_text())
    assert vars(frame.camera) == expected["camera"]
    assert (frame.mode, frame.sh_degree, list(frame.depth_range)) == (expected["mode"], expected["sh_degree"], expected["depth_range"])
    n = frame.camera.width * frame.camera.height
    planes = decode_planes(frame)
    assert planes.keys() == expected["planes"].keys()
    for plane, values in planes.items():
        assert values.reshape(n, -1).T.tolist() == expected["planes"][plane], plane


class TestFrameCache:
    def test_deletes_frames_older_than_ttl_on_the_next_write(self, tmp_path):
        clock, deleted = FakeClock(), []
        cache = FrameCache(tmp_path, ttl=10.0, on_delete=deleted.append, clock=clock)
        first = cache.put(b"a")
        clock.now = 5.0
        second = cache.put(b"b")
        clock.now = 10.0
        cache.put(b"c")
        assert first.exists()  # exactly ttl old: still fetchable
        clock.now = 10.5
        cache.put(b"d")
        assert not first.exists()
        assert second.exists()
        assert deleted == [str(first)]
        assert len(cache) == 3

    def test_disk_use_stays_bounded_during_a_stream(self, tmp_path):
        clock = FakeClock()
        cache = FrameCache(tmp_path, ttl=1.0, clock=clock)
        for i in range(200):  # 20 s of frames at 10 per second
            clock.now = i / 10
            cache.put(b"x" * 100)
        assert len(list(tmp_path.iterdir())) == len(cache) == 11

    def test_age_not_count_decides_so_a_busy_session_cannot_evict_a_slow_one(self, tmp_path):
        clock = FakeClock()
        cache = FrameCache(tmp_path, ttl=2.0, clock=clock)
        slow = cache.put(b"slow session's frame")
        for i in range(500):  # another session floods frames within the ttl
            clock.now = i / 1000
            cache.put(b"busy")
        assert slow.exists()

    def test_a_frame_already_gone_is_fine(self, tmp_path):
        clock = FakeClock()
        cache = FrameCache(tmp_path, ttl=1.0, clock=clock)
        cache.put(b"a").unlink()
        clock.now = 2.0
        cache.put(b"b")
        assert len(cache) == 1

    def test_viewer_forgets_deleted_frames(self):
        viewer = SplatViewer(frame_ttl=0.05)
        old = viewer.postprocess(make_frame()).file.path
        viewer.temp_files.add(old)  # as Gradio does when it serves the value
        time.sleep(0.1)
        new = viewer.postprocess(make_frame()).file.path
        assert not Path(old).exists()
        assert old not in viewer.temp_files  # the set would otherwise grow for ever
        assert Path(new).exists()


class TestPackaging:
    COMPONENT = ROOT / "custom_components" / "gradio_splat"
    TEMPLATES = COMPONENT / "backend" / "gradio_splat" / "templates"
    # Keep in step with SOURCES in custom_components/gradio_splat/build.sh.
    SOURCES = ["Index.svelte", "Example.svelte", "types.ts", "package.json", "package-lock.json", "shared/*"]

    def test_templates_are_committed(self):
        for entry in ("component/index.js", "component/style.css", "example/index.js"):
            assert (self.TEMPLATES / entry).is_file(), f"missing {entry}: run build.sh"

    def test_templates_match_the_frontend_sources(self):
        frontend = self.COMPONENT / "frontend"
        files = sorted(str(p.relative_to(frontend)) for pattern in self.SOURCES for p in frontend.glob(pattern))
        listing = "".join(f"{hashlib.sha256((frontend / f).read_bytes()).hexdigest()}  {f}\n" for f in files)
        expected = hashlib.sha256(listing.encode()).hexdigest()
        built = (self.TEMPLATES / "sources.sha256").read_text().strip()
        assert built == expected, "the frontend changed since the templates were built: run build.sh"

    def test_built_for_the_gradio_requirements_pin(self):
        built_for = re.search(r"^GRADIO_VERSION=(\S+)$", (self.COMPONENT / "build.sh").read_text(), re.M)
        pinned = re.search(r"^gradio==(\S+)", (ROOT / "requirements.txt").read_text(), re.M)
        assert built_for and pinned and built_for[1] == pinned[1] == gr.__version__

    def test_three_and_spark_are_pinned_exactly(self):
        lock = json.loads((self.COMPONENT / "frontend" / "package-lock.json").read_text())
        versions = {name: lock["packages"][f"node_modules/{name}"]["version"] for name in ("three", "@sparkjsdev/spark")}
        assert versions == {"three": "0.180.0", "@sparkjsdev/spark": "2.2.0"}
        assert lock["packages"][""]["dependencies"]["three"] == "0.180.0"
        assert lock["packages"][""]["dependencies"]["@sparkjsdev/spark"] == "2.2.0"
