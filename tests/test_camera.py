"""Predicted cameras clamped into the plausible range (camera.py): unchanged when plausible, in range
whatever the network predicts, and the same camera for the live path, HQ and exports."""

import math

import numpy as np
import pytest
import torch

from splat_core.camera import MAX_ASPECT, MAX_FOV_DEG, MIN_FOV_DEG, implausibility, plausible_intrinsics
from splat_core.pipeline import DETAILS, live_planes, reconstruct

W, H = 504, 378


def matrix(fx, fy, cx, cy):
    return torch.tensor([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]])


def fov(focal, side):
    return math.degrees(2 * math.atan(side / 2 / focal))


def assert_plausible(k: torch.Tensor, width=W, height=H):
    fx, fy, cx, cy = (float(v) for v in (k[0, 0], k[1, 1], k[0, 2], k[1, 2]))
    eps = 1e-3
    assert MIN_FOV_DEG - eps <= fov(fx, width) <= MAX_FOV_DEG + eps
    assert MIN_FOV_DEG - eps <= fov(fy, height) <= MAX_FOV_DEG + eps
    assert 1 / MAX_ASPECT - eps <= fx / fy <= MAX_ASPECT + eps
    assert width / 4 - eps <= cx <= 3 * width / 4 + eps and height / 4 - eps <= cy <= 3 * height / 4 + eps


def test_a_plausible_camera_is_left_alone():
    webcam = matrix(W / 2 / math.tan(math.radians(30)), W / 2 / math.tan(math.radians(30)) * 1.01, 250.0, 191.0)
    assert torch.allclose(plausible_intrinsics(webcam, W, H), webcam)
    assert implausibility([webcam[0, 0].item(), webcam[1, 1].item(), 250.0, 191.0], W, H) is None


@pytest.mark.parametrize("name, fx, fy, cx, cy, says", [
    ("near-zero field of view", 1.26e8, 9.8e7, W / 2, H / 2, "field of view 0.00023°"),
    ("fx ≫ fy", 997.0, 9.8e7, W / 2, H / 2, "fx/fy 1.02e-05"),
    ("fisheye", 1.0, 1.0, W / 2, H / 2, "field of view 1.8e+02°"),
    ("negative focal", -300.0, 300.0, W / 2, H / 2, "focal -300 px"),
    ("off-centre", 400.0, 400.0, 0.0, H * 2.0, "principal point at 0%, 200%"),
    ("not a number", math.nan, 400.0, W / 2, math.nan, "nan"),
])
def test_implausible_cameras_are_clamped_into_range_and_described(name, fx, fy, cx, cy, says):
    clamped = plausible_intrinsics(matrix(fx, fy, cx, cy), W, H)
    assert torch.isfinite(clamped).all(), name
    assert_plausible(clamped)
    notice = implausibility([fx, fy, cx, cy], W, H)
    assert notice and says in notice and "clamped" in notice, notice


def test_clamping_keeps_the_zoom_when_only_the_ratio_is_wrong():
    fx, fy = 800.0, 400.0  # both fields of view in range, the ratio 2
    clamped = plausible_intrinsics(matrix(fx, fy, W / 2, H / 2), W, H)
    assert clamped[0, 0] / clamped[1, 1] == pytest.approx(MAX_ASPECT, rel=1e-5)
    assert (clamped[0, 0] * clamped[1, 1]).sqrt() == pytest.approx(math.sqrt(fx * fy), rel=1e-5)


def test_any_prediction_comes_out_plausible():
    rng = np.random.default_rng(0)
    for width, height in ((W, H), (378, 504), (504, 280), (28, 28)):
        for _ in range(300):
            fx, fy = 10 ** rng.uniform(-3, 9, 2) * rng.choice([-1, 1], 2)
            cx, cy = rng.uniform(-2, 3, 2) * (width, height)
            assert_plausible(plausible_intrinsics(matrix(fx, fy, cx, cy), width, height), width, height)


def test_the_live_path_hq_and_exports_use_the_clamped_camera(tiny_model, webcam_frame):
    """The tiny model's random weights predict fx ≫ fy with near-zero fields of view. Reconstructions,
    their splats and live frames all use the one clamped camera, and say that it was clamped."""
    recon = reconstruct(tiny_model, webcam_frame, "points", 252)
    camera = recon.camera
    assert_plausible(matrix(camera.fx, camera.fy, camera.cx, camera.cy), camera.width, camera.height)
    assert recon.camera_notice and "implausible" in recon.camera_notice
    # Points sit on the rays of the clamped camera: the grid's edge columns at ±(W/2 - 1/2)/fx.
    splats = recon.grid
    slopes = (splats.centers[:, 0] / splats.centers[:, 2]).reshape(camera.height, camera.width)
    expected = (torch.arange(camera.width) + 0.5 - camera.cx) / camera.fx
    assert torch.allclose(slopes, expected.expand_as(slopes), atol=1e-4)
    pending = live_planes(tiny_model, [webcam_frame], "points", [1], [DETAILS["low"]])[0]
    assert pending.camera_notice == recon.camera_notice
    hq = reconstruct(tiny_model, webcam_frame, "gaussians", 756, keep_sh=True)
    assert_plausible(matrix(hq.camera.fx, hq.camera.fy, hq.camera.cx, hq.camera.cy), hq.camera.width, hq.camera.height)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_clamping_is_capturable_in_a_cuda_graph():
    k = matrix(997.0, 9.8e7, W / 2, H / 2).cuda()
    out = torch.empty_like(k)
    graph = torch.cuda.CUDAGraph()
    plausible_intrinsics(k, W, H)  # warm-up
    with torch.cuda.graph(graph):
        out.copy_(plausible_intrinsics(k, W, H))
    graph.replay()
    assert_plausible(out.cpu())
