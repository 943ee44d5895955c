"""A synthetic scan with known ground truth: a textured box room with a pillar, rendered from a known
camera path with its true depths (numpy only).

Random weights predict meaningless depths and poses, so registration, fusion, the deltas and the
viewer are checked on this sequence instead (tests/test_scan.py, tests/test_scan_browser.py,
bench/bench_scan.py). ``sources.TruthSource`` serves it to the scan as a depth source.

Axes are OpenCV's in the world too (x right, y down, z forward), the world being the first frame's
camera (docs/wire-format.md, "Coordinates"). Poses are camera → world 4 × 4 matrices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The room: x ∈ ±2.5 m, y ∈ ±1.4 m (floor at +1.4, y is down), z ∈ ±2.5 m; the camera walks a circle
# of PATH_RADIUS around the middle, at eye height y = 0, looking outwards and sweeping round.
ROOM_LO, ROOM_HI = np.array([-2.5, -1.4, -2.5]), np.array([2.5, 1.4, 2.5])
PILLAR_LO, PILLAR_HI = np.array([1.2, -1.4, 0.9]), np.array([1.7, 1.4, 1.4])
PATH_RADIUS = 0.35
HFOV_DEG = 65.0
SIZE = float(np.linalg.norm(ROOM_HI - ROOM_LO))  # the scene's size: the room's diagonal, 7.6 m

# Base colour of each face (axis, side): walls, floor and ceiling each look different.
_FACE_COLOURS = {(0, 0): (200, 90, 70), (0, 1): (70, 150, 200), (1, 0): (230, 230, 210), (1, 1): (120, 100, 70),
                 (2, 0): (90, 180, 100), (2, 1): (210, 180, 60)}
_PILLAR_COLOUR = (160, 70, 170)


@dataclass
class View:
    rgb: np.ndarray  # (H, W, 3) uint8
    depth: np.ndarray  # (H, W) z-depth in metres
    intrinsics: np.ndarray  # (3, 3)
    pose: np.ndarray  # (4, 4) camera → world


def intrinsics(width: int, height: int, hfov_deg: float = HFOV_DEG) -> np.ndarray:
    f = width / 2 / np.tan(np.radians(hfov_deg) / 2)
    return np.array([[f, 0, width / 2], [0, f, height / 2], [0, 0, 1.0]])


def path(count: int, turns: float = 1.0, phase: float = 0.0, radius: float = PATH_RADIUS) -> np.ndarray:
    """``count`` camera → world poses: ``turns`` sweeps round the room, starting at ``phase`` (in turns).
    The first pose of a path with phase 0 is the identity, so its camera is the world."""
    poses = []
    for i in range(count):
        angle = 2 * np.pi * (phase + turns * i / count)
        yaw = np.array([[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]])
        pose = np.eye(4)
        pose[:3, :3] = yaw
        # Walks a circle that passes through the origin at angle 0, a little up and down as a hand-held camera.
        pose[:3, 3] = [radius * np.sin(angle), 0.05 * np.sin(3 * angle), radius * (1 - np.cos(angle))]
        poses.append(pose)
    return np.stack(poses)


def render(pose: np.ndarray, width: int = 160, height: int = 120) -> View:
    """The room seen from ``pose``: colours and true z-depths on a ``width`` × ``height`` pixel grid."""
    k = intrinsics(width, height)
    v, u = np.mgrid[0:height, 0:width] + 0.5
    rays = np.stack([(u - k[0, 2]) / k[0, 0], (v - k[1, 2]) / k[1, 1], np.ones_like(u)], axis=-1)  # z = 1
    directions = rays @ pose[:3, :3].T
    origin = pose[:3, 3]
    # Rays along a camera z of 1, so the distance along a ray is the pixel's z-depth.
    with np.errstate(divide="ignore", invalid="ignore"):
        exits = np.where(directions > 0, (ROOM_HI - origin) / directions, (ROOM_LO - origin) / directions)
        exits = np.where(np.isfinite(exits) & (exits > 0), exits, np.inf)
        axis = exits.argmin(axis=-1)
        depth = exits.min(axis=-1)
        t1, t2 = (PILLAR_LO - origin) / directions, (PILLAR_HI - origin) / directions
        near, far = np.minimum(t1, t2), np.maximum(t1, t2)
    enter = np.nan_to_num(near, nan=-np.inf).max(axis=-1)
    pillar = (enter > 1e-6) & (enter < np.nan_to_num(far, nan=np.inf).min(axis=-1)) & (enter < depth)
    pillar_axis = np.nan_to_num(near, nan=-np.inf).argmax(axis=-1)
    depth = np.where(pillar, enter, depth)
    axis = np.where(pillar, pillar_axis, axis)
    points = origin + directions * depth[..., None]
    rgb = _texture(points, axis, directions, pillar)
    return View(rgb, depth, k, pose)


def _texture(points: np.ndarray, axis: np.ndarray, directions: np.ndarray, pillar: np.ndarray) -> np.ndarray:
    """Colours on every face: its base colour under a 25 cm checker, stripes and per-5 cm-cell noise,
    so that any patch of wall is distinct from its neighbours (motion and registration need that)."""
    side = (np.take_along_axis(directions, axis[..., None], -1)[..., 0] > 0).astype(int)
    base = np.zeros(points.shape)
    for (face_axis, face_side), colour in _FACE_COLOURS.items():
        base[(axis == face_axis) & (side == face_side)] = colour
    base[pillar] = _PILLAR_COLOUR
    # The two coordinates along the face.
    a = np.where(axis == 0, points[..., 2], points[..., 0])
    b = np.where(axis == 1, points[..., 2], points[..., 1])
    checker = (np.floor(a / 0.25) + np.floor(b / 0.25)) % 2
    stripes = 0.5 + 0.5 * np.sin(a * 23.0 + 2 * np.sin(b * 7.0))
    cells = np.floor(a / 0.05) * 7919 + np.floor(b / 0.05) * 104729 + axis * 15485863
    noise = (np.sin(cells) * 43758.5453) % 1.0
    shade = 0.45 + 0.25 * checker + 0.15 * stripes + 0.15 * noise
    return np.clip(base * shade[..., None], 0, 255).astype(np.uint8)


def surface_distance(points: np.ndarray) -> np.ndarray:
    """Distance from world points (N, 3) to the nearest surface of the room or the pillar."""
    to_walls = np.minimum(points - ROOM_LO, ROOM_HI - points).min(axis=-1)
    outside = np.maximum(np.maximum(PILLAR_LO - points, points - PILLAR_HI), 0)
    inside = np.minimum(points - PILLAR_LO, PILLAR_HI - points).min(axis=-1)
    to_pillar = np.where((outside == 0).all(axis=-1), np.abs(inside), np.linalg.norm(outside, axis=-1))
    return np.minimum(np.abs(to_walls), to_pillar)
