"""The pipeline on real DA3 code: the tiny random-weight config (small backbone + Gaussian head)."""

import numpy as np
import pytest
import torch

from splat_core.budget import Budget
from splat_core.frames import prepare
from splat_core.gaussians import SH_C0
from splat_core.inference import run_network
from splat_core.pipeline import default_budget, live_frames, pack_reconstruction, reconstruct, reconstruct_many
from splat_core.points import splats_from_depth
from splat_core.wire import decode_frame


def test_gaussians_match_da3_reference_forward_in_the_camera_frame(tiny_model, webcam_frame):
    """Our Gaussians are DA3's own, moved from its predicted world frame into the camera's."""
    x, _ = prepare(webcam_frame, 504, tiny_model.device)
    out = run_network(tiny_model, x, want_gaussians=True)
    ours = out.gaussians(keep_sh=True)
    with torch.inference_mode():
        ref = tiny_model.net(x, None, None, [], True, False, "first")
    assert torch.equal(out.depth, ref.depth[0, 0]) and torch.equal(out.intrinsics, ref.intrinsics[0, 0])
    w2c = ref.extrinsics[0, 0]  # (3, 4) world → camera, OpenCV
    ref_means_cam = ref.gaussians.means[0] @ w2c[:, :3].T + w2c[:, 3]
    assert torch.allclose(ours.centers, ref_means_cam, rtol=1e-3, atol=1e-4)
    assert torch.allclose(ours.scales, ref.gaussians.scales[0], rtol=1e-5)
    assert torch.allclose(ours.opacities, ref.gaussians.opacities[0], atol=1e-6)  # DA3 maps p → ½(1-(1-p)+p)
    assert torch.allclose(ours.rgb, 0.5 + SH_C0 * ref.gaussians.harmonics[0, :, :, 0], atol=1e-6)


def test_gaussians_equal_da3_adapter_at_the_identity_pose(tiny_model, webcam_frame):
    """Every parameter, rotations and SH included, against DA3's GaussianAdapter with identity poses."""
    from depth_anything_3.utils.geometry import map_pdf_to_opacity

    x, _ = prepare(webcam_frame, 504, tiny_model.device)
    out = run_network(tiny_model, x, want_gaussians=True)
    ours = out.gaussians(keep_sh=True)
    with torch.inference_mode():
        ref = tiny_model.net.gs_adapter(
            extrinsics=torch.eye(4)[None, None], intrinsics=out.intrinsics[None, None],
            depths=out.gs_depth[None, None], opacities=map_pdf_to_opacity(out.gs_opacity[None, None]),
            raw_gaussians=out.raw_gs[None, None], image_shape=tuple(out.depth.shape))
    assert torch.allclose(ours.centers, ref.means[0], rtol=1e-4, atol=1e-6)
    assert torch.allclose(ours.scales, ref.scales[0], rtol=1e-5)
    # DA3's w-first quaternions, read the way its renderer reads them; q and −q are the same rotation
    ref_xyzw = ref.rotations[0].roll(-1, dims=-1)
    assert torch.allclose((ours.quats_xyzw * ref_xyzw).sum(-1).abs(), torch.ones(len(ours)), atol=1e-5)
    assert torch.allclose(ours.rgb, 0.5 + SH_C0 * ref.harmonics[0, :, :, 0], atol=1e-6)
    assert torch.allclose(ours.sh_rest, ref.harmonics[0, :, :, 1:].transpose(1, 2), atol=1e-6)
    assert torch.allclose(ours.opacities, ref.opacities[0], atol=1e-6)


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


@pytest.mark.parametrize("mode", ["points", "gaussians"])
def test_live_frames_equal_the_reference_chain(tiny_model, webcam_frame, mode):
    """The live path (static shapes, one CUDA graph on a GPU) gives the bytes, counts and cameras of
    reconstruct + pack_reconstruction, for a batch mixing budgets and frame sizes."""
    rng = np.random.default_rng(5)
    images = [webcam_frame, webcam_frame[::-1].copy(), rng.integers(0, 255, (300, 300, 3), np.uint8)]  # a square: its own batch in both
    budgets = [default_budget(mode, 5_000), Budget(min_opacity=0.0), None]
    frames = live_frames(tiny_model, images, mode, budgets, frame_ids=[7, 8, 9])
    # Same batches as the live path (a batched forward may round differently from a single one).
    reference = reconstruct_many(tiny_model, images, mode, budgets=budgets)
    for recon, frame, frame_id in zip(reference, frames, (7, 8, 9)):
        got, want = decode_frame(frame), decode_frame(pack_reconstruction(recon))
        assert got.packed == want.packed and got.num_splats == want.num_splats > 0
        assert got.camera == want.camera and got.target_depth == want.target_depth
        assert got.mode == mode and got.frame_id == frame_id
    assert decode_frame(frames[0]).num_splats == 5_000
