"""A wire frame's splats, computed as the viewer computes them (docs/wire-format.md, "From planes to
splats"), on the host: for exporting frames the server no longer holds as splats, such as a clip's
frames as PLY files."""

from __future__ import annotations

import numpy as np
import torch

from .splats import SplatSet
from .wire import Frame, decode_planes

# Points have no size on the wire; the viewer draws each as a solid disc over its pixel. A PLY reader
# draws Gaussians, so each point becomes an opaque isotropic Gaussian of half a pixel's footprint:
# neighbours, one footprint apart, then overlap enough to leave no gaps.
POINT_SIGMA_PX = 0.5


def frame_splats(frame: Frame) -> SplatSet:
    """The splats of ``frame``'s pixels that have one, in the frame's OpenCV camera axes; raises
    ``ValueError`` for planes that do not decode."""
    planes = decode_planes(frame)
    cam, quant = frame.camera, frame.quant
    code = planes["depth"][..., 0]
    keep = code != 0
    near, far = frame.depth_range
    z = 1.0 / (1.0 / far + (code[keep] - 1.0) / 65534.0 * (1.0 / near - 1.0 / far))
    v, u = np.nonzero(keep)
    u, v = u + 0.5, v + 0.5
    signed = lambda name: (planes[name][keep].astype(np.float64) - 128.0) / 127.0  # noqa: E731
    gaussians = frame.mode == "gaussians"
    if gaussians:
        offset = signed("offset") * quant["offset_range"]
        u, v = u + offset[:, 0], v + offset[:, 1]
    centers = np.stack([(u - cam.cx) / cam.fx * z, (v - cam.cy) / cam.fy * z, z], axis=1)
    if gaussians:
        lo, hi = quant["log_scale_range"]
        scales = z[:, None] / cam.fx * np.exp(lo + planes["scale"][keep] / 255.0 * (hi - lo))
        opacities = planes["opacity"][keep][:, 0] / 255.0
        quats = rotation_quats(planes["rotation"][keep])
    else:
        scales = np.repeat((POINT_SIGMA_PX * z / cam.fx)[:, None], 3, axis=1)
        opacities = np.ones(len(z))
        quats = np.tile([0.0, 0.0, 0.0, 1.0], (len(z), 1))
    sh_rest = None
    if frame.sh_degree:
        coefficients = signed("sh").reshape(len(z), -1, 3)  # channel 3k + rgb
        bound = np.where(np.arange(coefficients.shape[1]) < 3, *quant["sh_max"])
        sh_rest = torch.from_numpy((coefficients * bound[None, :, None]).astype(np.float32))
    f32 = lambda a: torch.from_numpy(np.ascontiguousarray(a, np.float32))  # noqa: E731
    return SplatSet(centers=f32(centers), scales=f32(scales), quats_xyzw=f32(quats), opacities=f32(opacities),
                    rgb=f32(planes["color"][keep] / 255.0), pixel=torch.from_numpy(np.flatnonzero(keep)),
                    sh_rest=sh_rest, height=cam.height, width=cam.width)


def rotation_quats(codes: np.ndarray) -> np.ndarray:
    """Unit quaternions (x, y, z, w) from Spark 2.2's rotation bytes (N, 3): its decodeQuatOctXy88R8
    (src/utils.ts), the inverse of ``pack.rotation_bytes``: a folded-octahedral axis and an angle."""
    f = codes[:, :2].astype(np.float64) / 255.0 * 2.0 - 1.0
    fz = 1.0 - np.abs(f).sum(axis=1)
    t = np.maximum(-fz, 0.0)[:, None]
    f = f - np.where(f >= 0, t, -t)  # unfold the lower hemisphere
    axis = np.concatenate([f, fz[:, None]], axis=1)
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    half = codes[:, 2].astype(np.float64) / 255.0 * np.pi / 2
    return np.concatenate([axis * np.sin(half)[:, None], np.cos(half)[:, None]], axis=1)
