"""The pipeline on real DA3 code: the tiny random-weight config (small backbone + Gaussian head)."""

import numpy as np
import pytest
import torch

from splat_core.budget import Budget
from splat_core.frames import prepare
from splat_core.gaussians import SH_C0, splats_from_gaussians
from splat_core.inference import run_network
from splat_core.pipeline import default_budget, pack_reconstruction, reconstruct
from splat_core.points import splats_from_depth
from splat_core.wire import decode_frame


def test_gaussians_match_da3_reference_forward_in_the_camera_frame(tiny_model, webcam_frame):
    """Our forward gives DA3's own Gaussians, moved from its predicted world frame into the camera's."""
    x, _ = prepare(webcam_frame, 504, tiny_model.device)
    ours = run_network(tiny_model, x, want_gaussians=True)
    with torch.inference_mode():
        ref = tiny_model.net(x, None, None, [], True, False, "first")
    assert torch.equal(ours.depth, ref.depth[0, 0])
    assert torch.equal(ours.intrinsics, ref.intrinsics[0, 0])
    w2c = ref.extrinsics[0, 0]  # (3, 4) world → camera, OpenCV
    ref_means_cam = ref.gaussians.means[0] @ w2c[:, :3].T + w2c[:, 3]
    assert torch.allclose(ours.gaussians.means[0], ref_means_cam, rtol=1e-3, atol=1e-4)
    assert torch.equal(ours.gaussians.scales, ref.gaussians.scales)
    assert torch.equal(ours.gaussians.opacities, ref.gaussians.opacities)
    assert torch.allclose(ours.gaussians.harmonics[..., 0], ref.gaussians.harmonics[..., 0], atol=1e-6)


def test_da3_conventions_are_converted_once():
    class FakeGaussians:  # DA3 layout: batch 1, w-first quaternions, (N, 3, 9) harmonics
        means = torch.tensor([[[0.0, 0, 1], [1, 2, 3]]])
        scales = torch.tensor([[[0.1, 0.2, 0.3], [1, 1, 1]]])
        rotations = torch.tensor([[[1.0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]]])
        opacities = torch.tensor([[0.25, 1.0]])
        harmonics = torch.zeros(1, 2, 3, 9)

    FakeGaussians.harmonics[0, 1, :, 0] = torch.tensor([1.0, -1.0, 0.0])
    FakeGaussians.harmonics[0, 1, 2, 4] = 0.7  # blue, coefficient 4 (the first of degree 2)
    splats = splats_from_gaussians(FakeGaussians, torch.ones(1, 2), keep_sh=True)
    assert splats.quats_xyzw.tolist() == [[0, 0, 0, 1], [0.5, 0.5, 0.5, 0.5]]
    assert splats.opacities.tolist() == [0.25, 1.0] and torch.equal(splats.scales, FakeGaussians.scales[0])
    assert torch.allclose(splats.rgb[1], torch.tensor([0.5 + SH_C0, 0.5 - SH_C0, 0.5]))
    assert splats.sh_rest.shape == (2, 8, 3) and splats.sh_rest[1, 3, 2] == pytest.approx(0.7)


def test_points_unproject_pixel_centres_with_the_intrinsics():
    depth = torch.full((4, 6), 2.0)
    intrinsics = torch.tensor([[10.0, 0, 3], [0, 20.0, 2], [0, 0, 1]])
    rgb = torch.rand(4, 6, 3)
    splats = splats_from_depth(depth, intrinsics, rgb)
    # pixel (row 1, col 4): centre (4.5, 1.5) → x = (4.5-3)/10·2, y = (1.5-2)/20·2
    assert torch.allclose(splats.centers[1 * 6 + 4], torch.tensor([0.3, -0.05, 2.0]))
    assert torch.allclose(splats.scales[0], torch.full((3,), 0.6 * 2.0 * 0.5 * (1 / 10 + 1 / 20)))
    assert torch.equal(splats.rgb, rgb.reshape(-1, 3)) and splats.opacities.eq(1).all()


@pytest.mark.parametrize("mode", ["points", "gaussians"])
def test_full_frame_gives_one_splat_per_pixel_without_budget(tiny_model, webcam_frame, mode):
    recon = reconstruct(tiny_model, webcam_frame, mode, budget=Budget(min_opacity=0.0))
    assert (recon.camera.width, recon.camera.height) == (504, 378)
    assert len(recon.splats) == 504 * 378 == 190_512
    frame = decode_frame(pack_reconstruction(recon, frame_id=5))
    assert frame.num_splats == 190_512 and frame.mode == mode and frame.frame_id == 5
    assert len(frame.packed) == 190_512 * 16
    assert set(frame.timings_ms) == {"preprocess", "model", "extract", "budget", "pack", "to_host"}


def test_budget_caps_the_wire_frame_and_hq_keeps_spherical_harmonics(tiny_model, webcam_frame):
    live = reconstruct(tiny_model, webcam_frame, "gaussians", budget=default_budget("gaussians", 50_000))
    live_frame = decode_frame(pack_reconstruction(live))
    assert live_frame.num_splats == 50_000 and live_frame.sh_degree == 0
    assert len(pack_reconstruction(live)) < 50_000 * 16 + 1024
    hq = reconstruct(tiny_model, webcam_frame, "gaussians", process_res=560, keep_sh=True)
    hq_frame = decode_frame(pack_reconstruction(hq))
    assert hq_frame.camera.width == 560 and hq_frame.sh_degree == 2
    assert len(hq_frame.sh1) == hq_frame.num_splats * 8 and len(hq_frame.sh2) == hq_frame.num_splats * 16
    assert all(m > 0 for m in hq_frame.sh_max)


@pytest.mark.parametrize("image", [np.zeros((1, 1, 3), np.uint8), np.zeros((480, 640), np.float32),
                                   np.random.default_rng(1).random((2160, 3840, 4)).astype(np.float32)])
def test_odd_frames_still_reconstruct(tiny_model, image):
    recon = reconstruct(tiny_model, image, "points")
    assert len(recon.splats) > 0 and torch.isfinite(recon.splats.centers).all()


def test_bad_frames_raise_value_errors(tiny_model):
    with pytest.raises(ValueError, match="No image"):
        reconstruct(tiny_model, None, "points")
    with pytest.raises(ValueError, match="mode"):
        reconstruct(tiny_model, np.zeros((8, 8, 3), np.uint8), "voxels")
