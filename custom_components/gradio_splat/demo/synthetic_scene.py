"""Synthetic splat scenes for the demo and the browser test, in OpenCV camera axes (x right,
y down, z forward, camera at the origin), encoded as wire frames by splat_core."""

from __future__ import annotations

import numpy as np
from splat_core.pack import pack_sh, pack_splats, words_to_bytes
from splat_core.wire import Camera, Frame, encode_frame

# A small webcam: 160×120 pixels, 56° vertical field of view.
CAMERA = Camera(width=160, height=120, fx=113.0, fy=113.0, cx=80.0, cy=60.0)


def blob_splats(
    blobs: list[tuple[tuple[float, float, float], tuple[float, float, float]]],
    *,
    splats_per_blob: int = 400,
    radius: float = 0.08,
    scale: float = 0.025,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Round blobs, each `splats_per_blob` opaque splats of one colour scattered in a ball of
    `radius` around its centre. `blobs` is [(centre xyz, rgb 0..1)]. Returns float32 arrays
    named as pack_splats' arguments."""
    rng = np.random.default_rng(seed)
    n = splats_per_blob * len(blobs)
    offsets = rng.normal(size=(n, 3))
    offsets *= radius * rng.random((n, 1)) ** (1 / 3) / np.linalg.norm(offsets, axis=1, keepdims=True)
    centers = np.repeat(np.array([c for c, _ in blobs], np.float32), splats_per_blob, axis=0) + offsets
    return {
        "centers": centers.astype(np.float32),
        "scales": np.full((n, 3), scale, np.float32),
        "quats_xyzw": np.tile(np.array([0, 0, 0, 1], np.float32), (n, 1)),
        "opacities": np.ones(n, np.float32),
        "rgb": np.repeat(np.array([c for _, c in blobs], np.float32), splats_per_blob, axis=0),
    }


def blob_frame(
    blobs: list[tuple[tuple[float, float, float], tuple[float, float, float]]],
    *,
    frame_id: int = 0,
    camera: Camera = CAMERA,
    mode: str = "gaussians",
    sh_rest: np.ndarray | None = None,
    **blob_options,
) -> bytes:
    """A wire frame of `blob_splats(blobs, **blob_options)`. `sh_rest` (8, 3), if given, are SH
    degree 1 and 2 coefficients (coefficient-major, then RGB) shared by every splat: an HQ frame."""
    splats = blob_splats(blobs, **blob_options)
    n = len(splats["centers"])
    words = pack_splats(**splats)
    sh = {}
    if sh_rest is not None:
        sh1, sh2, sh1_max, sh2_max = pack_sh(np.tile(np.asarray(sh_rest, np.float32), (n, 1, 1)))
        sh = {"sh1": words_to_bytes(sh1, n), "sh2": words_to_bytes(sh2, n), "sh_max": (sh1_max, sh2_max)}
    return encode_frame(
        Frame(
            packed=words_to_bytes(words, n),
            num_splats=n,
            mode=mode,
            camera=camera,
            target_depth=float(np.median(splats["centers"][:, 2])),
            frame_id=frame_id,
            **sh,
        )
    )
