"""Synthetic scenes for the demo and the browser test, in OpenCV camera axes (x right, y down,
z forward, camera at the origin): round blobs seen as an RGB-D image, which splat_core encodes as a
wire frame (one splat per pixel), or scattered as splats for .ply/.spz files."""

from __future__ import annotations

import numpy as np
from splat_core.planes import frame_from_arrays
from splat_core.wire import Camera

# A small webcam: 160×120 pixels, 56° vertical field of view.
CAMERA = Camera(width=160, height=120, fx=113.0, fy=113.0, cx=80.0, cy=60.0)
Blobs = list[tuple[tuple[float, float, float], tuple[float, float, float]]]  # [(centre xyz, rgb 0..1)]


def blob_image(blobs: Blobs, camera: Camera = CAMERA, radius: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """What `camera` sees of spheres of `radius` around each blob centre: depth (H, W), NaN where
    no sphere is hit, and colour (H, W, 3) in [0, 1]."""
    v, u = np.mgrid[0 : camera.height, 0 : camera.width] + 0.5
    rays = np.stack([(u - camera.cx) / camera.fx, (v - camera.cy) / camera.fy, np.ones_like(u)], axis=-1)
    depth = np.full(u.shape, np.inf)
    rgb = np.zeros((*u.shape, 3))
    a = (rays**2).sum(axis=-1)
    for centre, colour in blobs:
        # |z · ray − centre|² = radius², nearest root: rays have z = 1, so the root is the depth.
        b = rays @ np.asarray(centre)
        disc = b**2 - a * (np.dot(centre, centre) - radius**2)
        z = np.where(disc >= 0, (b - np.sqrt(np.maximum(disc, 0))) / a, np.inf)
        nearer = (z > 0) & (z < depth)
        depth[nearer] = z[nearer]
        rgb[nearer] = colour
    return np.where(np.isfinite(depth), depth, np.nan), rgb


def blob_frame(
    blobs: Blobs,
    *,
    frame_id: int = 0,
    camera: Camera = CAMERA,
    mode: str = "points",
    sh_rest: np.ndarray | None = None,
    radius: float = 0.1,
) -> bytes:
    """A wire frame of `blob_image(blobs)`. Gaussians are round, opaque and about a pixel wide.
    `sh_rest` (8, 3), if given, are SH degree 1 and 2 coefficients (3DGS order, then RGB) shared by
    every splat: an HQ frame."""
    depth, rgb = blob_image(blobs, camera, radius)
    h, w = depth.shape
    gaussian = {}
    if mode == "gaussians" or sh_rest is not None:
        mode = "gaussians"
        gaussian = {
            "offset": np.zeros((h, w, 2)),
            "opacity": np.ones((h, w)),
            "scales": np.repeat(np.nan_to_num(depth, nan=1.0)[..., None] * 0.6 / camera.fx, 3, axis=-1),
            "quats_xyzw": np.tile([0.0, 0.0, 0.0, 1.0], (h, w, 1)),
        }
    if sh_rest is not None:
        gaussian["sh_rest"] = np.tile(np.asarray(sh_rest, np.float32), (h, w, 1, 1))
    return frame_from_arrays(depth, rgb, camera, mode=mode, frame_id=frame_id, **gaussian)


def blob_splats(
    blobs: Blobs,
    *,
    splats_per_blob: int = 400,
    radius: float = 0.08,
    scale: float = 0.025,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Round blobs as splat files hold them: each `splats_per_blob` opaque splats of one colour
    scattered in a ball of `radius` around its centre. Returns float32 arrays named as SplatSet's."""
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
