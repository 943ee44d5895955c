"""Wire format 2 against docs/wire-format.md: frames made by ``planes.frame_from_arrays`` (the live
path's quantiser and compressor) and read back by ``wire.decode_frame`` + ``wire.decode_planes``, every
code checked against the spec's formulas and every reconstructed quantity against the error bounds of
its "What each quantisation costs" table; planes built from the spec alone; malformed frames."""

import io
import math
import zlib

import msgpack
import numpy as np
import pytest
from PIL import Image, ImageFile

from splat_core.pack import rotation_bytes
from splat_core.pipeline import DETAILS
from splat_core.planes import frame_from_arrays
from splat_core.wire import Camera, Frame, Plane, decode_frame, decode_planes, encode_frame, undo_delta2d

W, H = 40, 30
# Float32-exact intrinsics: frame_from_arrays hands the quantiser float32 intrinsics, as the network does.
CAMERA = Camera(width=W, height=H, fx=50.0, fy=52.0, cx=20.25, cy=14.75)
EPS32 = float(np.finfo(np.float32).eps)
# Centres are float32: u + Δu − cx, /fx and ·z each round once, by at most ε of |u|, |v| < W + H.
CENTRE_SLACK_PX = 8 * EPS32 * (W + H)
# The spec's plane table: (channels, bits).
SPEC_PLANES = {"depth": (1, 16), "color": (3, 8), "offset": (2, 8), "opacity": (1, 8), "scale": (3, 8),
               "rotation": (3, 8)}


# ----------------------------------------------------------------------------- the spec, in numpy

def spec_residual(x: np.ndarray, bits: int) -> np.ndarray:
    """r[i][j] = x[i][j] − x[i][j−1] − x[i−1][j] + x[i−1][j−1] mod 2^bits, x outside the grid 0."""
    p = np.pad(x.astype(np.int64), ((1, 0), (1, 0)))
    return (p[1:, 1:] - p[1:, :-1] - p[:-1, 1:] + p[:-1, :-1]) % (1 << bits)


def spec_byte_planes(values: np.ndarray, bits: int) -> list[bytes]:
    """A delta2d plane's byte planes before zlib: channel by channel, a 16-bit channel high bytes first."""
    out = []
    for c in range(values.shape[-1]):
        r = spec_residual(values[..., c], bits)
        out += [r >> 8, r & 0xFF] if bits == 16 else [r]
    return [plane.astype(np.uint8).tobytes() for plane in out]


def spec_plane(values: np.ndarray, bits: int) -> dict:
    return {"codec": "delta2d", "channels": values.shape[-1], "bits": bits,
            "data": [zlib.compress(plane) for plane in spec_byte_planes(values, bits)]}


# ----------------------------------------------------------------------------- scenes

def scene(rng, sh_coefficients=None):
    """Host arrays of a Gaussians frame: depth with every kind of pixel that carries no splat, and
    extreme attributes on those pixels (the quantisation ranges must come from valid splats only)."""
    depth = rng.uniform(0.4, 9.0, (H, W))
    depth[rng.random((H, W)) < 0.05] = np.nan
    depth[0, :5] = [np.nan, 0.0, -1.0, np.inf, -np.inf]
    valid = np.isfinite(depth) & (depth > 0)
    arrays = dict(
        depth=depth.astype(np.float32),
        rgb=rng.integers(0, 256, (H, W, 3), np.uint8),
        offset=rng.uniform(-0.9, 0.9, (H, W, 2)),
        opacity=rng.uniform(0, 1, (H, W)),
        scales=np.where(valid, depth, 1)[..., None] / CAMERA.fx * np.exp(rng.uniform(-3, 2, (H, W, 3))),
        quats_xyzw=rng.normal(size=(H, W, 4)),
    )
    arrays["offset"][~valid] = 40.0
    arrays["scales"][~valid] = 1e6
    if sh_coefficients:
        sh = rng.normal(size=(H, W, sh_coefficients, 3))
        sh[:, :, :3] *= 0.025  # DA3's factors for degrees 1 and 2
        sh[:, :, 3:] *= 0.00625
        sh[~valid] = 100.0
        arrays["sh_rest"] = sh
    return {name: np.asarray(a, np.float32) if name != "rgb" else a for name, a in arrays.items()}, valid


def round_trip(arrays, **kwargs):
    frame = decode_frame(frame_from_arrays(camera=CAMERA, **arrays, **kwargs))
    return frame, decode_planes(frame)


def decoded_depth(frame, codes):
    """z from the depth codes (spec: 1/z = 1/far + (code − 1)/65534 · (1/near − 1/far)), NaN for code 0."""
    near, far = frame.depth_range
    inverse = 1 / far + (codes.astype(np.float64) - 1) / 65534 * (1 / near - 1 / far)
    return np.where(codes > 0, 1 / inverse, np.nan)


def check_depth(frame, planes, depth, valid):
    """Code 0 exactly where no splat is; depth_range and target_depth from the valid depths; each depth
    within half the spec's inverse-depth step."""
    codes = planes["depth"][..., 0]
    assert planes["depth"].dtype == np.uint16 and codes.shape == (H, W)
    np.testing.assert_array_equal(codes == 0, ~valid)
    z = depth[valid].astype(np.float64)
    assert frame.depth_range == (z.min(), z.max())
    assert codes[valid].max() == 65535 and codes[valid].min() == 1  # near and far span the codes
    ordered = np.sort(z)
    assert ordered[(len(z) - 1) // 2] <= frame.target_depth <= ordered[len(z) // 2]  # a median
    near, far = frame.depth_range
    step = (1 / near - 1 / far) / 65534
    error = np.abs(1 / decoded_depth(frame, codes)[valid] - 1 / z)
    assert error.max() <= step / 2 * (1 + 1e-9)


def check_spec_layout(frame):
    """Every delta2d plane's streams inflate to exactly the spec's byte planes of its decoded values."""
    planes = decode_planes(frame)
    for name, plane in frame.planes.items():
        assert (plane.channels, plane.bits) == SPEC_PLANES.get(name, (plane.channels, 8)), name
        if plane.codec == "delta2d":
            assert [zlib.decompress(s) for s in plane.data] == spec_byte_planes(planes[name], plane.bits), name


# ----------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("sh_coefficients", [3, 8])
def test_gaussians_round_trip_within_the_spec_bounds(sh_coefficients):
    arrays, valid = scene(np.random.default_rng(sh_coefficients), sh_coefficients)
    frame, planes = round_trip(arrays, mode="gaussians", color="lossless", frame_id=11)
    assert frame.mode == "gaussians" and frame.frame_id == 11 and frame.camera == CAMERA
    assert frame.sh_degree == (1 if sh_coefficients == 3 else 2)
    assert set(frame.planes) == set(SPEC_PLANES) | {"sh"} and frame.planes["sh"].channels == 3 * sh_coefficients
    assert all(plane.codec == "delta2d" for plane in frame.planes.values())
    check_spec_layout(frame)
    check_depth(frame, planes, arrays["depth"], valid)
    np.testing.assert_array_equal(planes["color"][valid], arrays["rgb"][valid])  # lossless
    z = arrays["depth"][valid].astype(np.float64)

    # offset: (code − 128)/127 · offset_range, offset_range the largest valid |offset|.
    offset = arrays["offset"][valid]
    extent = frame.quant["offset_range"]
    assert extent == pytest.approx(np.abs(offset).max(), abs=CENTRE_SLACK_PX)
    got = (planes["offset"][valid].astype(np.float64) - 128) / 127 * extent
    assert np.abs(got - offset).max() <= extent / 254 + CENTRE_SLACK_PX

    # opacity: code/255.
    assert np.abs(planes["opacity"][valid][:, 0] / 255 - arrays["opacity"][valid]).max() <= 1 / 510 + 1e-9

    # scale: σ = (z/fx) · exp(lo + code/255 · (hi − lo)) with the decoded z; the error is the log step's
    # half plus what the depth code moved z by (bounded above).
    logs = np.log(arrays["scales"][valid].astype(np.float64) * CAMERA.fx / z[:, None])
    lo, hi = frame.quant["log_scale_range"]
    assert (lo, hi) == pytest.approx((logs.min(), logs.max()), abs=1e-12)
    z_decoded = decoded_depth(frame, planes["depth"][..., 0])[valid]
    sigma = z_decoded[:, None] / CAMERA.fx * np.exp(lo + planes["scale"][valid] / 255 * (hi - lo))
    log_error = np.abs(np.log(sigma / arrays["scales"][valid]) - np.log(z_decoded / z)[:, None])
    assert log_error.max() <= (hi - lo) / 510 + 1e-9

    # rotation: Spark's own bytes (tests/test_pack.py checks rotation_bytes against Spark).
    quats = arrays["quats_xyzw"][valid]
    np.testing.assert_array_equal(planes["rotation"][valid], rotation_bytes(quats).numpy())

    # SH: channel 3k + rgb is (code − 128)/127 · m, m the largest valid |coefficient| of k's degree.
    sh = arrays["sh_rest"][valid].astype(np.float64)
    m1, m2 = frame.quant["sh_max"]
    assert m1 == np.abs(sh[:, :3]).max() and m2 == (np.abs(sh[:, 3:]).max() if sh_coefficients == 8 else 0)
    m = np.where(np.arange(sh_coefficients) < 3, m1, m2)[None, :, None]
    got = (planes["sh"][valid].reshape(-1, sh_coefficients, 3).astype(np.float64) - 128) / 127 * m
    assert (np.abs(got - sh) <= m / 254 + 1e-12).all()


def test_points_frame_with_jpeg_colour():
    """A points frame is depth + colour; live colour is a baseline JPEG within the spec's quality: at
    the lowest live detail's quality, smooth content (easier than the spec's webcam pictures) ≥ 35 dB."""
    arrays, valid = scene(np.random.default_rng(3))
    v, u = np.mgrid[0:H, 0:W]
    smooth = np.stack([u / W * 255, v / H * 255, 128 + 60 * np.sin(u / 7 + v / 5)], -1).round().astype(np.uint8)
    lowest = min(detail.jpeg_quality for detail in DETAILS.values())
    frame, planes = round_trip({"depth": arrays["depth"], "rgb": smooth}, jpeg_quality=lowest)
    assert frame.mode == "points" and set(frame.planes) == {"depth", "color"} and frame.quant == {}
    assert frame.planes["color"].codec == "jpeg" and frame.sh_degree == 0
    check_spec_layout(frame)
    check_depth(frame, planes, arrays["depth"], valid)
    image = Image.open(io.BytesIO(frame.planes["color"].data))
    assert image.format == "JPEG" and not image.info.get("progressive")  # baseline
    mse = ((planes["color"].astype(np.float64) - smooth) ** 2).mean()
    assert 10 * math.log10(255**2 / mse) >= 35


def test_frames_without_splats_or_without_depth_spread_decode():
    """No valid pixel: every code 0 and a valid depth_range. One depth everywhere (near = far): every
    code decodes to that depth exactly."""
    rgb = np.zeros((H, W, 3), np.uint8)
    frame, planes = round_trip({"depth": np.full((H, W), np.nan, np.float32), "rgb": rgb})
    assert not planes["depth"].any() and 0 < frame.depth_range[0] <= frame.depth_range[1]
    frame, planes = round_trip({"depth": np.full((H, W), 2.5, np.float32), "rgb": rgb})
    assert frame.depth_range == (2.5, 2.5) and frame.target_depth == 2.5
    np.testing.assert_array_equal(decoded_depth(frame, planes["depth"][..., 0]), 2.5)


@pytest.mark.parametrize("bits", [8, 16])
def test_undo_delta2d_inverts_the_spec_residual(bits):
    rng = np.random.default_rng(bits)
    dtype = np.uint16 if bits == 16 else np.uint8
    for shape in [(1, 1), (1, 9), (7, 1), (33, 17), (64, 64)]:
        x = rng.integers(0, 1 << bits, shape).astype(dtype)
        got = undo_delta2d(spec_residual(x, bits).astype(dtype), bits)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, x)


def test_a_frame_built_from_the_spec_alone_decodes():
    """Planes made here from the spec's words (not by planes.py) decode to the values they hold."""
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 65536, (H, W, 1)).astype(np.uint16)
    rgb = rng.integers(0, 256, (H, W, 3)).astype(np.uint8)
    future = {"readers": "ignore it"}  # unknown keys, at every level, and an unknown plane
    envelope = {"format": "gradio-splat", "version": 2, "frame_id": 3, "mode": "points",
                "camera": {**vars(CAMERA), "future_key": future}, "depth_range": [0.5, 4.0],
                "planes": {"depth": {**spec_plane(codes, 16), "future_key": future}, "color": spec_plane(rgb, 8),
                           "normal": spec_plane(rgb, 8)},
                "target_depth": 1.0, "future_key": future}
    frame = decode_frame(msgpack.packb(envelope))
    assert set(frame.planes) == {"depth", "color"}
    planes = decode_planes(frame)
    np.testing.assert_array_equal(planes["depth"], codes)
    np.testing.assert_array_equal(planes["color"], rgb)


def test_envelope_round_trip_keeps_every_field():
    planes = {"depth": Plane(**spec_plane(np.zeros((H, W, 1), np.uint16), 16)),
              "color": Plane(**spec_plane(np.zeros((H, W, 3), np.uint8), 8))}
    frame = Frame(mode="points", camera=CAMERA, depth_range=(0.5, 4.0), planes=planes, target_depth=2.0,
                  frame_id=9, timings_ms={"model": 12.5})
    data = encode_frame(frame)
    envelope = msgpack.unpackb(data)
    assert set(envelope) == {"format", "version", "frame_id", "mode", "camera", "depth_range", "planes",
                             "sh_degree", "quant", "target_depth", "timings_ms", "server_time"}
    assert envelope["format"] == "gradio-splat" and envelope["version"] == 2
    back = decode_frame(data)
    assert back.server_time > 0 and vars(back) == {**vars(frame), "server_time": back.server_time}


# ----------------------------------------------------------------------------- compression

@pytest.mark.parametrize("width, height, p, q, bits_per_pixel", [
    # 1/z affine with slopes of a whole number of codes: residuals are 0 but in column 0 (the first
    # difference down the rows), so each row of each byte plane's stream is a literal or two and runs
    # of ≤ 258 zero bytes, ≤ 15 bits each for a literal, a length and a distance code: < 1 bit a pixel.
    (435, 267, 75, 124, 1),
    # Any other tilt: residuals are the mixed difference of four rounding errors in [−½, ½], so −1, 0
    # or 1; each of a pixel's two residual bytes is one of ≤ 3 values, ≤ 2 bits in a prefix code.
    (504, 378, 41.7, 93.2, 4),
])
def test_a_tilted_plane_compresses_to_a_few_bits_per_pixel(width, height, p, q, bits_per_pixel):
    """The inverse depth of any plane is affine in the pixel coordinates: the predictor's case. p and q:
    depth codes per column and per row."""
    span = p * (width - 1) + q * (height - 1)
    if bits_per_pixel == 1:
        assert span == 65534, "whole codes per pixel need whole codes from far (1) to near (65535)"
    v, u = np.mgrid[0:height, 0:width]
    near, far = 0.8, 12.0
    inverse = 1 / far + (p * u + q * v) / span * (1 / near - 1 / far)
    camera = Camera(width, height, 400.0, 400.0, width / 2, height / 2)
    data = frame_from_arrays((1 / inverse).astype(np.float32), np.zeros((height, width, 3), np.uint8), camera)
    frame = decode_frame(data)
    residual = spec_residual(decode_planes(frame)["depth"][..., 0], 16)[1:, 1:]
    assert set(np.unique(residual)) <= ({0} if bits_per_pixel == 1 else {0, 1, 65535})
    compressed = sum(len(stream) for stream in frame.planes["depth"].data)
    assert compressed * 8 < bits_per_pixel * width * height  # raw: 16 bits per pixel


# ----------------------------------------------------------------------------- rejection

def test_other_versions_are_rejected_by_their_version():
    v1 = {"format": "gradio-splat", "version": 1, "frame_id": 1, "mode": "points", "num_splats": 2,
          "packed": bytes(32), "camera": vars(CAMERA), "target_depth": 1.0}
    for version in (1, 3, "2", None):
        with pytest.raises(ValueError, match=f"unsupported wire version {version!r}; this reader knows 2"):
            decode_frame(msgpack.packb({**v1, "version": version}))


@pytest.fixture(scope="module")
def envelope():
    """A valid Gaussians frame with SH and JPEG colour, as a plain msgpack map to break."""
    arrays, _ = scene(np.random.default_rng(5), 8)
    return msgpack.unpackb(frame_from_arrays(camera=CAMERA, mode="gaussians", **arrays))


def jpeg(size, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "JPEG")
    return out.getvalue()


def deflated(n: int) -> bytes:
    return zlib.compress(bytes(n))


MALFORMED = {
    # the envelope
    "not msgpack": (lambda e: b"\xc1garbage", "not a msgpack"),
    "not a map": (lambda e: [1, 2], "not a gradio-splat"),
    "other format": (lambda e: {**e, "format": "other"}, "not a gradio-splat"),
    "no camera": (lambda e: {k: v for k, v in e.items() if k != "camera"}, "malformed"),
    "camera without fx": (lambda e: {**e, "camera": {"width": W, "height": H}}, "malformed"),
    "unknown mode": (lambda e: {**e, "mode": "voxels"}, "mode"),
    "sh_degree 3": (lambda e: {**e, "sh_degree": 3}, "sh_degree"),
    "near 0": (lambda e: {**e, "depth_range": [0.0, 5.0]}, "depth_range"),
    "near < 0": (lambda e: {**e, "depth_range": [-1.0, 5.0]}, "depth_range"),
    "near NaN": (lambda e: {**e, "depth_range": [math.nan, 5.0]}, "depth_range"),
    "near > far": (lambda e: {**e, "depth_range": [3.0, 2.0]}, "depth_range"),
    # the plane set
    "missing plane": (lambda e: {**e, "planes": {k: v for k, v in e["planes"].items() if k != "opacity"}}, "planes"),
    "SH without sh_degree": (lambda e: {**e, "sh_degree": 0}, "planes"),
    "Gaussian planes in a points frame": (lambda e: {**e, "mode": "points"}, "planes"),
    # a plane's header
    "8-bit depth": (lambda e: plane(e, "depth", bits=8), "depth.*16 bits"),
    "4-channel colour": (lambda e: plane(e, "color", channels=4), "color.*3 channels"),
    "SH of 12 channels": (lambda e: plane(e, "sh", channels=12), "sh.*24 channels"),
    "JPEG depth": (lambda e: plane(e, "depth", codec="jpeg"), "depth.*codec"),
    "PNG colour": (lambda e: plane(e, "color", codec="png"), "color.*codec"),
    "data as text": (lambda e: plane(e, "opacity", data=["abc"]), "opacity.*stream"),
    "one stream for 16 bits": (lambda e: plane(e, "depth", data=e["planes"]["depth"]["data"][:1]), "depth.*2 binary"),
    "an extra stream": (lambda e: plane(e, "scale", data=e["planes"]["scale"]["data"] * 2), "scale.*3 binary"),
    "JPEG as streams": (lambda e: plane(e, "color", data=[e["planes"]["color"]["data"]]), "color.*1 binary"),
    # a stream's data
    "truncated zlib": (lambda e: stream(e, "depth", e["planes"]["depth"]["data"][1][:-6]), "depth.*inflate"),
    "bytes after the stream": (lambda e: stream(e, "depth", e["planes"]["depth"]["data"][1] + b"\0"), "depth.*inflate"),
    "not zlib": (lambda e: stream(e, "depth", b"\x00" * 40), "depth.*zlib"),
    "inflates short": (lambda e: stream(e, "depth", deflated(W * H - 1)), "depth.*inflate"),
    "inflates long": (lambda e: stream(e, "depth", deflated(W * H + 1)), "depth.*inflate"),
    "JPEG of another size": (lambda e: plane(e, "color", data=jpeg((W - 1, H))), "color.*JPEG"),
    "grey JPEG": (lambda e: plane(e, "color", data=jpeg((W, H), "L")), "color.*JPEG"),
    "not a JPEG": (lambda e: plane(e, "color", data=b"\xff\xd8 not really"), "color.*JPEG"),
    "cut-off JPEG": (lambda e: plane(e, "color", data=e["planes"]["color"]["data"][:-200]), "color.*JPEG"),
}


def plane(envelope, name, **change):
    return {**envelope, "planes": {**envelope["planes"], name: {**envelope["planes"][name], **change}}}


def stream(envelope, name, data):
    """The envelope with the last stream of plane ``name`` replaced."""
    return plane(envelope, name, data=envelope["planes"][name]["data"][:-1] + [data])


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_frames_are_rejected(envelope, case):
    assert decode_planes(decode_frame(msgpack.packb(envelope)))  # the unbroken frame decodes
    breaking, message = MALFORMED[case]
    broken = breaking(envelope)
    with pytest.raises(ValueError, match=message):
        decode_planes(decode_frame(broken if isinstance(broken, bytes) else msgpack.packb(broken)))


class Inflated(BaseException):
    """Raised by a patched decoder: not an Exception, so no ``except Exception`` turns it into a ValueError."""


def refuse(*args, **kwargs):
    raise Inflated


def test_grids_beyond_the_limits_are_rejected_before_anything_is_inflated(envelope, monkeypatch):
    for width, height in [(1, 1), (4096, 1024), (2048, 2048)]:  # at the limits: the envelope is fine
        decode_frame(msgpack.packb({**envelope, "camera": {**envelope["camera"], "width": width, "height": height}}))
    monkeypatch.setattr(zlib, "decompressobj", refuse)
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    for width, height in [(100_000, 10_000), (4097, 1), (1, 4097), (2049, 2048), (0, 5), (5, -1), (40.0, 30)]:
        broken = {**envelope, "camera": {**envelope["camera"], "width": width, "height": height}}
        with pytest.raises(ValueError, match="grid"):
            decode_planes(decode_frame(msgpack.packb(broken)))


def test_a_jpeg_of_the_wrong_size_is_rejected_before_it_is_decoded(envelope, monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    with pytest.raises(ValueError, match="color.*JPEG"):
        decode_planes(decode_frame(msgpack.packb(plane(envelope, "color", data=jpeg((W, H + 1))))))
