"""A synthetic RGB-D scene with the structure a webcam sees, for measuring what the wire costs.

Random weights predict noise that no codec compresses, so size figures come from this scene: a
textured room (photographs from scikit-image on the walls, floor and objects), a box and a sphere,
ray-cast from a pinhole camera at the origin in OpenCV axes (x right, y down, z forward). Gaussian
attributes follow the surfaces as a trained model's would: flat splats in the surface's tangent plane,
rotated to its normal, a pixel footprint wide; opaque, thinner at depth edges; small smooth sub-pixel
offsets; SH that vary smoothly with the normal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage import data
from skimage.filters import gaussian

from splat_core.wire import Camera


@dataclass
class Scene:
    camera: Camera
    depth: np.ndarray  # (H, W) z; inf where a ray hits nothing (never, in the room)
    rgb: np.ndarray  # (H, W, 3) uint8
    normal: np.ndarray  # (H, W, 3) unit surface normals, facing the camera

    def gaussians(self) -> dict[str, np.ndarray]:
        """frame_from_arrays' Gaussian attributes for this scene."""
        height, width = self.depth.shape
        v, u = np.mgrid[0:height, 0:width] / max(height, width)
        offset = 0.2 * np.stack([np.sin(9 * u + 4 * v), np.cos(7 * v - 3 * u)], axis=-1)
        gy, gx = np.gradient(np.log(self.depth))
        edge = np.hypot(gx, gy) * self.camera.fx > 0.5  # depth jumps by more than half a pixel's width
        opacity = np.where(edge, 0.55, 0.97)
        footprint = np.ones_like(self.depth)  # σ in units of z / fx: one pixel, as DA3's head gives
        scales = np.stack([0.8 * footprint, 0.8 * footprint, 0.08 * footprint], axis=-1) * (
            self.depth / self.camera.fx)[..., None]
        # View-dependent colour follows the surface and its lighting, not its texture.
        degree1 = 0.08 * self.normal[..., None, :] * np.array([1.0, 0.9, 0.8])[:, None]
        degree2 = 0.03 * np.sin(3 * self.normal[..., None, :] + np.arange(5)[:, None] + 2 * u[..., None, None])
        return {"offset": offset, "opacity": opacity, "scales": scales, "quats_xyzw": _quat_z_to(self.normal),
                "sh_rest": np.concatenate([degree1.transpose(0, 1, 3, 2), degree2], axis=-2)}


def room(width: int = 504, height: int = 378, hfov_deg: float = 65.0) -> Scene:
    """The room seen by a camera of ``hfov_deg`` horizontal field of view on a ``width`` × ``height`` grid."""
    fx = width / 2 / np.tan(np.radians(hfov_deg) / 2)
    camera = Camera(width, height, float(fx), float(fx), width / 2, height / 2)
    v, u = np.mgrid[0:height, 0:width] + 0.5
    rays = np.stack([(u - camera.cx) / fx, (v - camera.cy) / fx, np.ones_like(u)], axis=-1)  # z = 1
    depth = np.full((height, width), np.inf)
    rgb = np.zeros((height, width, 3))
    normal = np.zeros((height, width, 3))

    def hit(t, colour, n):
        nearer = t < depth
        depth[nearer] = t[nearer]
        rgb[nearer] = colour[nearer]
        normal[nearer] = np.broadcast_to(n, rgb.shape)[nearer]

    photos = {"back": data.astronaut(), "left": _tint(data.brick(), (0.9, 0.55, 0.4)),
              "right": data.coffee(), "floor": _tint(data.grass(), (0.55, 0.45, 0.3)),
              "ceiling": _tint(data.gravel(), (0.9, 0.9, 0.85)), "box": data.rocket(), "ball": data.chelsea()}
    # Walls: (axis, plane position, normal towards the camera, texture axes, texture scale in metres).
    walls = [(2, 5.0, (0, 0, -1), (0, 1), "back", 6.5), (0, -2.2, (1, 0, 0), (2, 1), "left", 4.0),
             (0, 2.2, (-1, 0, 0), (2, 1), "right", 5.0), (1, 1.3, (0, -1, 0), (0, 2), "floor", 3.0),
             (1, -1.6, (0, 1, 0), (0, 2), "ceiling", 4.0)]
    for axis, position, n, (a, b), name, size in walls:
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(rays[..., axis] * position > 0, position / rays[..., axis], np.inf)
            points = rays * t[..., None]
        hit(t, _texture(photos[name], points[..., a], points[..., b], size), np.array(n, float))
    _box(rays, hit, photos["box"], lo=np.array([-1.3, 0.5, 2.6]), hi=np.array([-0.5, 1.3, 3.4]))
    _ball(rays, hit, photos["ball"], centre=np.array([0.75, 0.55, 2.4]), radius=0.6)
    # A webcam's optics blur about a pixel; sharper than that, nearest-texel sampling would alias.
    rgb = gaussian(rgb, sigma=(0.6, 0.6, 0), preserve_range=True)
    return Scene(camera, depth, rgb.round().clip(0, 255).astype(np.uint8), normal)


def _texture(photo: np.ndarray, s: np.ndarray, t: np.ndarray, size: float) -> np.ndarray:
    """The photo tiled over the plane with ``size`` metres per copy, nearest texel (no filtering: the
    camera sees it at about one texel a pixel, like a webcam sees a wall)."""
    h, w = photo.shape[:2]
    finite = np.isfinite(s) & np.isfinite(t)
    col = (np.where(finite, s, 0) / size * w).astype(np.int64) % w
    row = (np.where(finite, t, 0) / size * h).astype(np.int64) % h
    return photo[row, col].astype(float)


def _tint(grey: np.ndarray, colour) -> np.ndarray:
    return grey[..., None] * np.array(colour)


def _box(rays, hit, photo, lo, hi):
    """An axis-aligned box (slab method): the front face each ray enters by."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t0, t1 = (lo - 0) / rays, (hi - 0) / rays
    near, far = np.minimum(t0, t1), np.maximum(t0, t1)
    t_in = near.max(axis=-1)
    inside = (t_in < far.min(axis=-1)) & (t_in > 0)
    face = near.argmax(axis=-1)
    with np.errstate(invalid="ignore"):
        points = rays * t_in[..., None]
    normal = np.zeros(rays.shape)
    np.put_along_axis(normal, face[..., None], -np.sign(np.take_along_axis(rays, face[..., None], -1)), -1)
    s = np.where(face == 0, points[..., 2], points[..., 0])
    t = np.where(face == 1, points[..., 2], points[..., 1])
    colour = _texture(photo, s - lo[0], t - lo[1], hi[0] - lo[0])
    hit(np.where(inside, t_in, np.inf), colour, normal)


def _ball(rays, hit, photo, centre, radius):
    b = rays @ centre
    a = (rays * rays).sum(-1)
    disc = b * b - a * (centre @ centre - radius * radius)
    t = np.where(disc > 0, (b - np.sqrt(np.maximum(disc, 0))) / a, np.inf)
    points = rays * np.where(np.isfinite(t), t, 0)[..., None]
    normal = (points - centre) / radius
    longitude = np.arctan2(normal[..., 0], -normal[..., 2])
    latitude = np.arcsin(np.clip(normal[..., 1], -1, 1))
    colour = _texture(photo, longitude / np.pi, latitude / np.pi + 0.5, 1.0)
    hit(t, colour, normal)


def _quat_z_to(normal: np.ndarray) -> np.ndarray:
    """Unit quaternions (x, y, z, w) turning the splat's local z axis (its thin one) onto ``normal``."""
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(z, normal)
    w = 1.0 + normal @ z
    quat = np.concatenate([axis, w[..., None]], axis=-1)
    flipped = w < 1e-6  # normal = -z: any half turn about x
    quat[flipped] = (1.0, 0.0, 0.0, 0.0)
    return quat / np.linalg.norm(quat, axis=-1, keepdims=True)
