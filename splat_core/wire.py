"""The wire frame: one msgpack map per splat frame. Specified in docs/wire-format.md."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import msgpack

FORMAT = "gradio-splat"
VERSION = 1
MODES = ("points", "gaussians")
_SH_WORDS = {"sh1": 2, "sh2": 4}  # uint32 words per splat in Spark's extra.sh1 / extra.sh2


@dataclass
class Camera:
    """The pinhole camera that saw the frame, in processing pixels."""

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float


@dataclass
class Frame:
    packed: bytes  # num_splats × 16 bytes of Spark PackedSplats records
    num_splats: int
    mode: str
    camera: Camera
    target_depth: float
    frame_id: int = 0
    sh1: bytes | None = None
    sh2: bytes | None = None
    sh_max: tuple[float, float] | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    server_time: float = 0.0

    @property
    def sh_degree(self) -> int:
        return 2 if self.sh2 is not None else 1 if self.sh1 is not None else 0


def _check(frame: Frame) -> None:
    if frame.mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {frame.mode!r}")
    if len(frame.packed) != frame.num_splats * 16:
        raise ValueError(f"packed holds {len(frame.packed)} bytes, expected {frame.num_splats} × 16")
    if frame.sh2 is not None and frame.sh1 is None:
        raise ValueError("sh2 needs sh1")
    for key, words in _SH_WORDS.items():
        data = getattr(frame, key)
        if data is not None and len(data) != frame.num_splats * words * 4:
            raise ValueError(f"{key} holds {len(data)} bytes, expected {frame.num_splats} × {words * 4}")
    if frame.sh1 is not None and frame.sh_max is None:
        raise ValueError("sh1/sh2 need sh_max, their quantisation range")


def encode_frame(frame: Frame) -> bytes:
    """The msgpack bytes of ``frame``; ``server_time`` is stamped now."""
    _check(frame)
    envelope = {
        "format": FORMAT,
        "version": VERSION,
        "frame_id": frame.frame_id,
        "mode": frame.mode,
        "num_splats": frame.num_splats,
        "packed": frame.packed,
        "sh_degree": frame.sh_degree,
        "camera": vars(frame.camera),
        "target_depth": float(frame.target_depth),
        "timings_ms": {k: round(float(v), 3) for k, v in frame.timings_ms.items()},
        "server_time": time.time(),
    }
    if frame.sh1 is not None:
        envelope["sh1"] = frame.sh1
        envelope["sh_max"] = [float(v) for v in frame.sh_max]
    if frame.sh2 is not None:
        envelope["sh2"] = frame.sh2
    return msgpack.packb(envelope, use_bin_type=True)


def decode_frame(data: bytes) -> Frame:
    """Parse and validate a wire frame; raises ``ValueError`` on anything malformed."""
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
            packed=envelope["packed"],
            num_splats=envelope["num_splats"],
            mode=envelope["mode"],
            camera=Camera(**envelope["camera"]),
            target_depth=envelope["target_depth"],
            frame_id=envelope["frame_id"],
            sh1=envelope.get("sh1"),
            sh2=envelope.get("sh2"),
            sh_max=tuple(envelope["sh_max"]) if "sh_max" in envelope else None,
            timings_ms=envelope.get("timings_ms", {}),
            server_time=envelope.get("server_time", 0.0),
        )
    except (KeyError, TypeError) as err:
        raise ValueError(f"malformed splat frame: {err}") from err
    _check(frame)
    return frame
