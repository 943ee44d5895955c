"""The wire frame, version 2: a msgpack map with the pixel grid's camera and one compressed plane per
attribute. Specified in docs/wire-format.md; ``planes`` makes the planes (on the GPU) and compresses
them, this module defines the layout, writes the envelope and reads frames back."""

from __future__ import annotations

import io
import time
import zlib
from dataclasses import dataclass, field, fields

import msgpack
import numpy as np
from PIL import Image


FORMAT = "gradio-splat"
VERSION = 2
MODES = ("points", "gaussians")
MAX_SIDE = 4096
MAX_PIXELS = 2048 * 2048  # Spark's splat texture layer
@dataclass(frozen=True)
class PlaneSpec:
    name: str
    channels: int
    bits: int

    @property
    def byte_planes(self) -> int:
        return self.channels * self.bits // 8


DEPTH = PlaneSpec("depth", 1, 16)
COLOR = PlaneSpec("color", 3, 8)
GAUSSIAN_PLANES = (PlaneSpec("offset", 2, 8), PlaneSpec("opacity", 1, 8), PlaneSpec("scale", 3, 8),
                   PlaneSpec("rotation", 3, 8))


PLANE_NAMES = {DEPTH.name, COLOR.name, "sh", *(spec.name for spec in GAUSSIAN_PLANES)}


SH_COEFFICIENTS = {1: 3, 2: 8}  # "rest" coefficients beyond the base colour, by SH degree


def sh_degree_of(coefficients: int) -> int:
    return next(degree for degree, count in SH_COEFFICIENTS.items() if count == coefficients)


def sh_plane(sh_degree: int) -> PlaneSpec:
    return PlaneSpec("sh", 3 * SH_COEFFICIENTS[sh_degree], 8)


def lossless_planes(mode: str, sh_degree: int = 0, lossless_color: bool = False) -> list[PlaneSpec]:
    """The delta2d planes of a frame, in the order of ``Quantised.planes``'s byte planes."""
    specs = [DEPTH] + ([COLOR] if lossless_color else [])
    if mode == "gaussians":
        specs += GAUSSIAN_PLANES
    if sh_degree:
        specs.append(sh_plane(sh_degree))
    return specs


@dataclass
class Camera:
    """The pinhole camera that saw the frame, in pixels of its grid (width × height)."""

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float


@dataclass
class Plane:
    codec: str  # "delta2d" or "jpeg"
    channels: int
    bits: int
    data: list[bytes] | bytes  # delta2d: one zlib stream per byte plane; jpeg: the JPEG


@dataclass
class Frame:
    mode: str
    camera: Camera
    depth_range: tuple[float, float]
    planes: dict[str, Plane]
    target_depth: float
    frame_id: int = 0
    sh_degree: int = 0
    quant: dict = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    server_time: float = 0.0
    pose: list[float] | None = None  # scan deltas: camera → world, 4 × 4 row-major (docs/wire-format.md)
    scan: dict | None = None  # scan deltas: the scene's changes ("Scan deltas" in docs/wire-format.md)

    @property
    def num_pixels(self) -> int:
        return self.camera.width * self.camera.height


def expected_planes(mode: str, sh_degree: int, color_codec: str) -> list[PlaneSpec]:
    specs = lossless_planes(mode, sh_degree, color_codec == "delta2d")
    return specs if color_codec == "delta2d" else specs + [COLOR]


def encode_frame(frame: Frame) -> bytes:
    """The msgpack bytes of ``frame``; ``server_time`` is stamped now."""
    _check(frame)
    envelope = {
        "format": FORMAT,
        "version": VERSION,
        "frame_id": frame.frame_id,
        "mode": frame.mode,
        "camera": vars(frame.camera),
        "depth_range": [float(v) for v in frame.depth_range],
        "planes": {name: vars(plane) for name, plane in frame.planes.items()},
        "sh_degree": frame.sh_degree,
        "quant": frame.quant,
        "target_depth": float(frame.target_depth),
        "timings_ms": {k: round(float(v), 3) for k, v in frame.timings_ms.items()},
        "server_time": time.time(),
    }
    if frame.pose is not None:
        envelope["pose"] = [float(v) for v in frame.pose]
    if frame.scan is not None:
        envelope["scan"] = frame.scan
    return msgpack.packb(envelope, use_bin_type=True)


def decode_frame(data: bytes) -> Frame:
    """Parse and validate a wire frame (not its plane contents: ``decode_planes``); raises ``ValueError``
    on anything malformed."""
    try:
        envelope = msgpack.unpackb(data, raw=False)
    except Exception as err:
        raise ValueError(f"not a msgpack splat frame: {err}") from err
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise ValueError("not a gradio-splat frame")
    if envelope.get("version") != VERSION:
        raise ValueError(f"unsupported wire version {envelope.get('version')!r}; this reader knows {VERSION}")
    try:
        frame = Frame(
            mode=envelope["mode"],
            camera=Camera(**_known(Camera, envelope["camera"])),
            depth_range=tuple(envelope["depth_range"]),
            planes={name: Plane(**_known(Plane, plane)) for name, plane in envelope["planes"].items()
                    if name in PLANE_NAMES},  # a plane this reader does not know is ignored, like any key
            target_depth=envelope["target_depth"],
            frame_id=envelope["frame_id"],
            sh_degree=envelope.get("sh_degree", 0),
            quant=envelope.get("quant", {}),
            timings_ms=envelope.get("timings_ms", {}),
            server_time=envelope.get("server_time", 0.0),
            pose=envelope.get("pose"),
            scan=envelope.get("scan"),
        )
    except (KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"malformed splat frame: {err}") from err
    _check(frame)
    return frame


def _known(cls, values: dict) -> dict:
    """The keys of ``values`` that ``cls`` has: readers ignore keys they do not know, at every level."""
    return {f.name: values[f.name] for f in fields(cls) if f.name in values}


def _check(frame: Frame) -> None:
    if frame.mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {frame.mode!r}")
    width, height = frame.camera.width, frame.camera.height
    if not (isinstance(width, int) and isinstance(height, int) and 1 <= width <= MAX_SIDE
            and 1 <= height <= MAX_SIDE and width * height <= MAX_PIXELS):
        raise ValueError(f"grid {width!r}×{height!r} is outside 1..{MAX_SIDE} a side, {MAX_PIXELS:,} pixels")
    if frame.sh_degree not in (0, 1, 2):
        raise ValueError(f"sh_degree must be 0, 1 or 2, got {frame.sh_degree!r}")
    color = frame.planes.get("color")
    specs = expected_planes(frame.mode, frame.sh_degree, getattr(color, "codec", "jpeg"))
    if set(frame.planes) != {spec.name for spec in specs}:
        raise ValueError(f"a {frame.mode} frame has planes {sorted(s.name for s in specs)}, got {sorted(frame.planes)}")
    for spec in specs:
        plane = frame.planes[spec.name]
        if (plane.channels, plane.bits) != (spec.channels, spec.bits):
            raise ValueError(f"plane {spec.name!r} must be {spec.channels} channels of {spec.bits} bits")
        if plane.codec not in ("delta2d", "jpeg") or (plane.codec == "jpeg" and spec.name != "color"):
            raise ValueError(f"plane {spec.name!r} cannot use codec {plane.codec!r}")
        streams = plane.data if plane.codec == "delta2d" else [plane.data]
        if (not isinstance(streams, list) or not all(isinstance(b, bytes) for b in streams)
                or len(streams) != (spec.byte_planes if plane.codec == "delta2d" else 1)):
            raise ValueError(f"plane {spec.name!r} must hold {spec.byte_planes if plane.codec == 'delta2d' else 1} "
                             "binary stream(s)")
    if frame.pose is not None and (not isinstance(frame.pose, list) or len(frame.pose) != 16):
        raise ValueError("pose must be 16 numbers: a 4 × 4 camera → world matrix, row-major")
    near, far = frame.depth_range
    if not 0 < near <= far:
        raise ValueError(f"depth_range must satisfy 0 < near <= far, got {frame.depth_range}")


def decode_planes(frame: Frame) -> dict[str, np.ndarray]:
    """Every plane's values as (H, W, C) arrays (uint16 depth codes, uint8 codes or colour); raises
    ``ValueError`` for a plane whose data does not decode to exactly the grid."""
    height, width = frame.camera.height, frame.camera.width
    out = {}
    for name, plane in frame.planes.items():
        if plane.codec == "jpeg":
            try:
                image = Image.open(io.BytesIO(plane.data), formats=["JPEG"])  # reads the header only
            except Exception as err:
                raise ValueError(f"plane {name!r} is not a JPEG: {err}") from err
            if image.size != (width, height) or image.mode != "RGB":  # before decoding a single pixel
                raise ValueError(f"plane {name!r} is a {image.mode} JPEG of {image.size}, not RGB {width}×{height}")
            try:
                out[name] = np.asarray(image)
            except Exception as err:
                raise ValueError(f"plane {name!r} is a damaged JPEG: {err}") from err
            continue
        residual = np.stack([_inflate(stream, height * width, name) for stream in plane.data]).reshape(
            -1, height, width)
        if plane.bits == 16:
            residual = (residual[0::2].astype(np.uint16) << 8) | residual[1::2]
        out[name] = np.stack([undo_delta2d(channel, plane.bits) for channel in residual], axis=-1)
    return out


def _inflate(stream: bytes, size: int, name: str) -> np.ndarray:
    """One byte plane: exactly ``size`` bytes from one whole zlib stream, or ValueError (memory stays
    bounded by ``size`` whatever the stream claims)."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(stream, size)
    except zlib.error as err:
        raise ValueError(f"plane {name!r} is not a zlib stream: {err}") from err
    if len(raw) != size or inflater.unconsumed_tail or inflater.unused_data or not inflater.eof:
        raise ValueError(f"plane {name!r} does not inflate to {size} bytes")
    return np.frombuffer(raw, np.uint8)


def undo_delta2d(residual: np.ndarray, bits: int) -> np.ndarray:
    """The values of one channel from its delta2d residuals (H, W): running sums along rows, then
    columns, mod 2^bits."""
    dtype = np.uint16 if bits == 16 else np.uint8
    return residual.astype(np.uint64).cumsum(axis=1).cumsum(axis=0).astype(dtype)
