"""Registering keyframes: each new keyframe is placed in the scan's world by a DA3 window of itself and
the latest keyframes whose poses are known (the anchors).

The method is DA3-Streaming's (the Depth-Anything-3 repository's ``da3_streaming``, itself adapted
from VGGT-Long): a multi-view window predicts every view's depth and pose in a frame and a scale of
its own; the views it shares with what is already placed (there: the overlapping frames of two
chunks; here: the anchors) give point pairs, and a Sim(3) fitted to them (Umeyama's least squares,
weighted by confidence, refined by iteratively reweighted least squares with a Huber weight) carries
the window into the world. The new view's pose is then the window's relative pose chained onto the
anchors' world poses, and its depth is rescaled into the world's unit, so the scale stays the same
from window to window. Here a window is small (the new frame plus ANCHORS keyframes) and runs live,
one per keyframe, instead of offline chunks of tens of frames.

S. Umeyama, "Least-squares estimation of transformation parameters between two point patterns",
IEEE TPAMI 13(4), 1991.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

import torch

from ..splats import SplatSet
from .geometry import transform
from .sources import DepthSource, View

ANCHORS = 2  # keyframes in a window besides the new frame: a 3-view window
SAMPLE_STRIDE = 4  # every 4th pixel of each anchor, both ways, gives the point pairs
IRLS_ITERATIONS = 3
HUBER_K = 1.345  # the Huber weight's threshold in robust standard deviations (95 % efficiency)


MAX_SCALE_STEP = 100.0  # a window whose unit is this far from the world's did not match its anchors


class RegistrationError(ValueError):
    """The window could not be placed in the world (its anchors' points gave no usable fit)."""


@dataclass
class Sim3:
    """x ↦ scale · rotation · x + translation."""

    scale: float
    rotation: torch.Tensor  # (3, 3)
    translation: torch.Tensor  # (3,)

    def apply(self, points: torch.Tensor) -> torch.Tensor:
        return self.scale * points @ self.rotation.T + self.translation


def umeyama(source: torch.Tensor, target: torch.Tensor, weights: torch.Tensor | None = None) -> Sim3:
    """The similarity that best maps ``source`` (N, 3) onto ``target`` (N, 3) in weighted least squares
    (Umeyama 1991, with the weights as in its weighted form): centre both, SVD of their weighted
    covariance, a reflection flipped back to a rotation, the scale from the source's spread."""
    source, target = source.double(), target.double()
    w = torch.ones(len(source), dtype=torch.float64, device=source.device) if weights is None else weights.double()
    w = w / w.sum()
    mean_s, mean_t = w @ source, w @ target
    cs, ct = source - mean_s, target - mean_t
    covariance = (ct * w[:, None]).T @ cs
    u, d, vt = torch.linalg.svd(covariance.cpu())  # a 3 × 3 problem: the host solves it at once
    flip = torch.ones(3, dtype=torch.float64)
    if torch.det(u) * torch.det(vt) < 0:
        flip[2] = -1
    rotation = (u * flip) @ vt
    variance = float(w @ (cs * cs).sum(dim=1))
    scale = float((d * flip).sum()) / max(variance, 1e-300)
    rotation = rotation.to(source.device)
    return Sim3(scale, rotation, mean_t - scale * rotation @ mean_s)


def robust_sim3(source: torch.Tensor, target: torch.Tensor, weights: torch.Tensor) -> Sim3:
    """``umeyama`` refined by IRLS: pairs whose residual is beyond HUBER_K robust standard deviations
    (1.4826 · the median residual) are down-weighted by k/r, as DA3-Streaming's Huber IRLS does."""
    fit = umeyama(source, target, weights)
    for _ in range(IRLS_ITERATIONS):
        residual = (fit.apply(source.double()) - target.double()).norm(dim=1)
        sigma = 1.4826 * residual.median().clamp(min=1e-12)
        huber = torch.where(residual <= HUBER_K * sigma, 1.0, HUBER_K * sigma / residual.clamp(min=1e-300))
        fit = umeyama(source, target, weights.double() * huber)
    return fit


def unproject(depth: torch.Tensor, intrinsics: torch.Tensor, stride: int = 1) -> torch.Tensor:
    """Camera-frame points (h', w', 3) of every ``stride``-th pixel centre (+0.5, as DA3's ray grid)."""
    height, width = depth.shape
    v, u = torch.meshgrid(torch.arange(0, height, stride, device=depth.device, dtype=torch.float32) + 0.5,
                          torch.arange(0, width, stride, device=depth.device, dtype=torch.float32) + 0.5,
                          indexing="ij")
    z = depth[::stride, ::stride].float()
    fx, fy, cx, cy = intrinsics[0, 0], intrinsics[1, 1], intrinsics[0, 2], intrinsics[1, 2]
    return torch.stack(((u - cx) / fx * z, (v - cy) / fy * z, z), dim=-1)


@dataclass
class Registered:
    """A keyframe placed in the world."""

    view: View
    pose: torch.Tensor  # (4, 4) camera → world, OpenCV axes, rigid
    depth: torch.Tensor  # (h, w) z-depth in the world's unit
    confidence: torch.Tensor  # (h, w)
    intrinsics: torch.Tensor  # (3, 3)
    scale: float  # the window's unit in the world's (1 for the first keyframe)
    gaussians: SplatSet | None = None  # a scan of Gaussians: the keyframe's, in its camera frame, world's unit


def _scaled(gaussians: SplatSet | None, scale: float) -> SplatSet | None:
    """Gaussians of a window's unit in the world's: centres and sizes scale, orientations do not."""
    if gaussians is None:
        return None
    return replace(gaussians, centers=gaussians.centers * scale, scales=gaussians.scales * scale)


class Registrar:
    """Places keyframes one after the other; the first one defines the world (its camera, its unit)."""

    def __init__(self, source: DepthSource, anchors: int = ANCHORS):
        self.source = source
        self.anchors: deque[Registered] = deque(maxlen=anchors)  # the latest first

    def register(self, view: View) -> Registered:
        window = self.source.window([anchor.view for anchor in self.anchors] + [view])  # view 0: the latest anchor
        camera_to_window = torch.linalg.inv(window.extrinsics.double())
        if not self.anchors:
            registered = Registered(view, torch.eye(4, dtype=torch.float64, device=window.depth.device),
                                    window.depth[0], window.confidence[0], window.intrinsics[0], 1.0,
                                    window.gaussians)
        else:
            to_world = self._window_to_world(window, camera_to_window)
            if not (1 / MAX_SCALE_STEP < to_world.scale < MAX_SCALE_STEP) or not torch.isfinite(to_world.rotation).all():
                raise RegistrationError(f"the frame could not be placed (window scale {to_world.scale:.3g}): "
                                        "move more slowly, or back to where the scan was")
            new = camera_to_window[-1]
            pose = torch.eye(4, dtype=torch.float64, device=new.device)
            pose[:3, :3] = to_world.rotation @ new[:3, :3]
            pose[:3, 3] = to_world.scale * to_world.rotation @ new[:3, 3] + to_world.translation
            registered = Registered(view, pose, window.depth[-1] * to_world.scale, window.confidence[-1],
                                    window.intrinsics[-1], to_world.scale, _scaled(window.gaussians, to_world.scale))
        self.anchors.appendleft(registered)
        return registered

    def _window_to_world(self, window, camera_to_window: torch.Tensor) -> Sim3:
        """The Sim(3) from the window's frame to the world, fitted on the anchors' points: each anchor
        pixel seen through the window (its window depth and pose) and through the world (its stored
        depth and pose), weighted by both confidences."""
        source, target, weights = [], [], []
        for i, anchor in enumerate(self.anchors):
            in_window = unproject(window.depth[i], window.intrinsics[i], SAMPLE_STRIDE)
            in_world = unproject(anchor.depth, anchor.intrinsics, SAMPLE_STRIDE)
            source.append(transform(camera_to_window[i], in_window.double()).reshape(-1, 3))
            target.append(transform(anchor.pose, in_world.double()).reshape(-1, 3))
            weights.append((window.confidence[i][::SAMPLE_STRIDE, ::SAMPLE_STRIDE]
                            * anchor.confidence[::SAMPLE_STRIDE, ::SAMPLE_STRIDE]).reshape(-1))
        source, target, weights = torch.cat(source), torch.cat(target), torch.cat(weights).double()
        usable = torch.isfinite(source).all(dim=1) & torch.isfinite(target).all(dim=1) & (weights > 0)
        if int(usable.sum()) < 3:
            raise RegistrationError("the frame could not be placed: its window has no valid depth where the anchors are")
        return robust_sim3(source[usable], target[usable], weights[usable])

    def reset(self) -> None:
        self.anchors.clear()
