"""Running a DA3 network on one frame.

This follows ``DepthAnything3Net.forward`` (model/da3.py) stage by stage, with one deliberate change:
the Gaussian adapter gets the identity as the camera pose, so the Gaussians come out in the input
camera's own frame (OpenCV axes) instead of DA3's predicted "world" frame. For a single frame the
predicted pose is meant to be about the identity anyway; using it exactly also avoids DA3's quaternion
composition quirk for poses that are not the identity (research/da3.md §2) and leaves the SH unrotated.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch

from .models import LoadedModel


@dataclass
class NetworkOutput:
    depth: torch.Tensor  # (h, w) z-depth along the optical axis
    confidence: torch.Tensor  # (h, w), ≥ 1
    intrinsics: torch.Tensor  # (3, 3) in processing pixels
    gaussians: object | None  # depth_anything_3.specs.Gaussians in the camera frame, batch dim 1


def _autocast(device: torch.device):
    # DA3 runs its backbone under bf16 autocast on GPUs; its heads switch autocast off themselves.
    # On the CPU fp16/bf16 autocast is several times slower than fp32 (research/da3.md §3), so skip it.
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _branch_forward(net, x: torch.Tensor, want_gaussians: bool):
    """One DepthAnything3Net: backbone, depth head, camera decoder, and optionally the Gaussian head."""
    height, width = x.shape[-2:]
    with _autocast(x.device):
        feats, _ = net.backbone(x, cam_token=None, export_feat_layers=[], ref_view_strategy="first")
    with torch.autocast(x.device.type, enabled=False):
        out = net._process_depth_head(feats, height, width)
        out = net._process_camera_estimation(feats, height, width, out)
        if want_gaussians:
            from depth_anything_3.utils.geometry import map_pdf_to_opacity

            raw = net.gs_head(feats=feats, H=height, W=width, patch_start_idx=0, images=x)
            identity = torch.eye(4, device=x.device).expand(*out.extrinsics.shape[:2], 4, 4)
            out.gaussians = net.gs_adapter(
                extrinsics=identity,
                intrinsics=out.intrinsics,
                depths=out.depth,
                opacities=map_pdf_to_opacity(raw.raw_gs_conf),
                raw_gaussians=raw.raw_gs,
                image_shape=(height, width),
            )
    return out


@torch.inference_mode()
def run_network(model: LoadedModel, x: torch.Tensor, want_gaussians: bool) -> NetworkOutput:
    """Depth, confidence, intrinsics and optionally Gaussians for one network input (1, 1, 3, h, w)."""
    if want_gaussians and not model.spec.has_gaussians:
        raise ValueError(f"Model '{model.spec.name}' has no Gaussian head.")
    net = model.net.da3 if model.is_nested else model.net
    out = _branch_forward(net, x, want_gaussians)
    if model.is_nested:
        # Metric scale from the metric branch, as NestedDepthAnything3Net.forward does. DA3 scales only
        # depth and poses; the Gaussians were made before, so they get the same factor here.
        metric = model.net.da3_metric(x)
        out = model.net._apply_metric_scaling(out, metric)
        out = model.net._apply_depth_alignment(out, metric)
        if want_gaussians:
            out.gaussians.means *= out.scale_factor
            out.gaussians.scales *= out.scale_factor
    return NetworkOutput(
        depth=out.depth[0, 0],
        confidence=out.depth_conf[0, 0],
        intrinsics=out.intrinsics[0, 0],
        gaussians=out.get("gaussians") if want_gaussians else None,
    )
