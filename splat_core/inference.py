"""Running a DA3 network on one frame.

This follows ``DepthAnything3Net.forward`` (model/da3.py) stage by stage, with one deliberate change:
the Gaussians are made for a camera at the identity pose (``gaussians.camera_gaussians``), so they come
out in the input camera's own frame (OpenCV axes) instead of DA3's predicted "world" frame. For a single
frame the predicted pose is meant to be about the identity anyway; using it exactly also avoids DA3's
quaternion composition quirk for other poses (research/da3.md §2) and leaves the SH unrotated.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, fields, replace

import torch

from .camera import plausible_intrinsics
from .gaussians import camera_gaussians
from .models import LoadedModel
from .splats import SplatSet


@dataclass
class NetworkOutput:
    depth: torch.Tensor  # (h, w) z-depth along the optical axis
    confidence: torch.Tensor  # (h, w), ≥ 1
    intrinsics: torch.Tensor  # (3, 3) in processing pixels, clamped to a plausible camera (camera.py)
    predicted_intrinsics: torch.Tensor  # (3, 3) as the network predicted them
    adapter: object | None = None  # DA3's GaussianAdapter (its constants), when Gaussians were asked for
    raw_gs: torch.Tensor | None = None  # (h, w, 37) raw Gaussian head channels
    gs_opacity: torch.Tensor | None = None  # (h, w)
    gs_depth: torch.Tensor | None = None  # (h, w) the depth the Gaussians are built on (before metric scaling)
    metric_scale: float = 1.0
    live_gaussians: SplatSet | None = None  # precomputed without SH (the fast path's CUDA graph)

    def owned(self) -> NetworkOutput:
        """A copy that owns its tensors. The fast path's outputs are a CUDA graph's static tensors, and
        graphs share one memory pool: replaying another graph (a live batch) may overwrite them, so an
        output kept past its GPU turn (an HQ capture's, between its stages) must be copied."""
        def own(value):
            if isinstance(value, torch.Tensor):
                return value.clone()
            if isinstance(value, SplatSet):
                return replace(value, **{f.name: own(getattr(value, f.name)) for f in fields(value)})
            return value

        return replace(self, **{f.name: own(getattr(self, f.name)) for f in fields(self)})

    def gaussians(self, keep_sh: bool = False) -> SplatSet:
        """One Gaussian per pixel, in the camera frame."""
        if self.live_gaussians is not None and not keep_sh:
            return self.live_gaussians
        return camera_gaussians(self.adapter, self.raw_gs, self.gs_opacity, self.gs_depth, self.intrinsics,
                                self.confidence, keep_sh, self.metric_scale)


def autocast(device: torch.device):
    # DA3 runs its backbone under bf16 autocast on GPUs; its heads switch autocast off themselves.
    # On the CPU fp16/bf16 autocast is several times slower than fp32 (research/da3.md §3), so skip it.
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def branch_forward(net, x: torch.Tensor, want_gaussians: bool, gaussian_stream=None, gaussian_views: int | None = None):
    """One DepthAnything3Net on x (B, V, 3, h, w): backbone, depth head, camera decoder and optionally
    the raw Gaussian head outputs, for every view or only the last ``gaussian_views`` (the head works
    on each view apart; a scan's window needs the new view's alone). The heads run in fp32, as in DA3.

    ``gaussian_stream`` (a CUDA stream) runs the Gaussian head beside the depth head and camera decoder:
    they only share the backbone's features, and the same kernels on another stream give the same results.
    """
    height, width = x.shape[-2:]
    with autocast(x.device):
        feats, _ = net.backbone(x, cam_token=None, export_feat_layers=[], ref_view_strategy="first")
    with torch.autocast(x.device.type, enabled=False):
        if want_gaussians:
            views = slice(-gaussian_views if gaussian_views else None, None)
            with _forked(gaussian_stream):
                raw = net.gs_head(feats=[(feat[0][:, views], *feat[1:]) for feat in feats], H=height, W=width,
                                  patch_start_idx=0, images=x[:, views])
        out = net._process_depth_head(feats, height, width)
        out = net._process_camera_estimation(feats, height, width, out)
        if want_gaussians:
            _join(gaussian_stream, raw.raw_gs, raw.raw_gs_conf)
            out.raw_gs, out.raw_gs_conf = raw.raw_gs, raw.raw_gs_conf
    return out


@contextlib.contextmanager
def _forked(stream):
    """Work inside runs on ``stream`` (if any) after everything queued so far on the current stream."""
    if stream is None:
        yield
        return
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        yield


def _join(stream, *results: torch.Tensor) -> None:
    """The current stream waits for ``stream``; its results are then in use on the current stream."""
    if stream is None:
        return
    torch.cuda.current_stream().wait_stream(stream)
    for tensor in results:
        tensor.record_stream(torch.cuda.current_stream())


def output_of(net, out, frame: int = 0, metric_scale: float = 1.0, view: int = 0) -> NetworkOutput:
    """View ``view`` of frame ``frame`` of a ``branch_forward`` result, its camera clamped to a plausible
    one: the one place every path (live, HQ, export, scan windows) reads the network's camera from."""
    height, width = out.depth.shape[-2:]
    predicted = out.intrinsics[frame, view]
    result = NetworkOutput(out.depth[frame, view], out.depth_conf[frame, view],
                           plausible_intrinsics(predicted, width, height), predicted)
    gaussian_view = view - (out.depth.shape[1] - out.raw_gs.shape[1]) if "raw_gs" in out else -1  # the last views have them
    if gaussian_view >= 0:
        result.adapter, result.raw_gs = net.gs_adapter, out.raw_gs[frame, gaussian_view]
        result.gs_opacity, result.gs_depth = out.raw_gs_conf[frame, gaussian_view], out.depth[frame, view]
        result.metric_scale = metric_scale
    return result


@torch.inference_mode()
def run_networks(model: LoadedModel, x: torch.Tensor, want_gaussians: bool) -> list[NetworkOutput]:
    """Depth, confidence, intrinsics and optionally raw Gaussians for a batch of independent frames,
    x (B, 1, 3, h, w): one network pass for all of them."""
    if want_gaussians and not model.spec.has_gaussians:
        raise ValueError(f"Model '{model.spec.name}' has no Gaussian head.")
    if model.fast is not None:
        return model.fast(x, want_gaussians)
    if not model.is_nested:
        out = branch_forward(model.net, x, want_gaussians)
        return [output_of(model.net, out, frame) for frame in range(x.shape[0])]
    return [_nested_forward(model, x[frame:frame + 1], want_gaussians) for frame in range(x.shape[0])]


def _nested_forward(model: LoadedModel, x: torch.Tensor, want_gaussians: bool) -> NetworkOutput:
    """The nested model, one frame: its metric scale is fitted per call over the whole batch.

    As NestedDepthAnything3Net.forward, the metric branch gives the scale; DA3 scales only depth and
    poses, and its Gaussians come from the unscaled depth, so they get the same factor here."""
    out = branch_forward(model.net.da3, x, want_gaussians)
    gs_depth = out.depth.clone()
    metric = model.net.da3_metric(x)
    out = model.net._apply_metric_scaling(out, metric)
    out = model.net._apply_depth_alignment(out, metric)
    result = output_of(model.net.da3, out, metric_scale=out.scale_factor)
    if want_gaussians:
        result.gs_depth = gs_depth[0, 0]
    return result


@torch.inference_mode()
def run_window(model: LoadedModel, x: torch.Tensor, last_view_gaussians: bool = False
               ) -> tuple[list[NetworkOutput], torch.Tensor]:
    """Several views of one scene, x (1, V, 3, h, w), in one multi-view pass (the scan's registration
    window, splat_core/scan): each view's output and the predicted extrinsics (V, 4, 4), world → camera
    in OpenCV axes, in the frame of view 0 (DA3's reference view with ``ref_view_strategy="first"``);
    with ``last_view_gaussians`` the last view's output has its raw Gaussians too.

    Through the fast path where the model has one (on CUDA a graph per window shape: its outputs are
    static tensors that the next window overwrites). The nested model's metric branch is skipped: the
    scan keeps its own scale (splat_core/scan/registration.py)."""
    if last_view_gaussians and not model.spec.has_gaussians:
        raise ValueError(f"Model '{model.spec.name}' has no Gaussian head.")
    if model.fast is not None:
        return model.fast.window(x, last_view_gaussians)
    net = model.net.da3 if model.is_nested else model.net
    return window_outputs(net, branch_forward(net, x, last_view_gaussians, gaussian_views=1))


def window_outputs(net, out) -> tuple[list[NetworkOutput], torch.Tensor]:
    """A multi-view ``branch_forward`` result as ``run_window`` returns it."""
    views = out.depth.shape[1]
    bottom = torch.zeros(views, 1, 4, device=out.depth.device)  # made on the device: a graph holds no copies
    bottom[..., 3] = 1.0
    extrinsics = torch.cat([out.extrinsics[0, :, :3, :4].float(), bottom], dim=1)
    return [output_of(net, out, 0, view=view) for view in range(views)], extrinsics


def run_network(model: LoadedModel, x: torch.Tensor, want_gaussians: bool) -> NetworkOutput:
    """``run_networks`` for one frame, x (1, 1, 3, h, w)."""
    return run_networks(model, x, want_gaussians)[0]
