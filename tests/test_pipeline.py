"""The pipeline on real DA3 code: the tiny random-weight config (small backbone + Gaussian head)."""

import dataclasses

import numpy as np
import pytest
import torch

from splat_core import frames
from splat_core.budget import Budget
from splat_core.frames import prepare
from splat_core.gaussians import SH_C0
from splat_core.inference import run_network
from splat_core.pipeline import DETAILS, HQ, LIVE, encode_reconstruction, infer, live_frames, reconstruct, reconstruct_many
from splat_core.points import splats_from_depth
from splat_core.wire import decode_frame, decode_planes


def test_gaussians_match_da3_reference_forward_in_the_camera_frame(tiny_model, webcam_frame):
    """Our Gaussians are DA3's own, moved from its predicted world frame into the camera's (for the
    camera DA3 predicted: ours are then made for that camera clamped to a plausible one, camera.py)."""
    x, _ = prepare(webcam_frame, 504, tiny_model.device)
    out = run_network(tiny_model, x, want_gaussians=True)
    ours = dataclasses.replace(out, intrinsics=out.predicted_intrinsics).gaussians(keep_sh=True)
    with torch.inference_mode():
        ref = tiny_model.net(x, None, None, [], True, False, "first")
    assert torch.equal(out.depth, ref.depth[0, 0]) and torch.equal(out.predicted_intrinsics, ref.intrinsics[0, 0])
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
@pytest.mark.parametrize("budget", [None, Budget(min_opacity=0.0)], ids=["default budget", "no pruning"])
def test_the_frame_is_the_whole_grid_and_pruning_only_marks_pixels(tiny_model, webcam_frame, mode, budget):
    """One splat slot per pixel of the processing grid; pruned pixels carry depth code 0 (the default
    budget's border for Gaussians, its depth and confidence quantiles)."""
    recon = reconstruct(tiny_model, webcam_frame, mode, budget=budget)
    assert (recon.camera.width, recon.camera.height) == (504, 378)
    assert len(recon.grid) == 504 * 378 and torch.equal(recon.splats.pixel, recon.keep.nonzero()[:, 0])
    assert bool(recon.keep.all()) == (budget is not None)
    frame = decode_frame(encode_reconstruction(recon, frame_id=5, detail=LIVE))
    assert frame.mode == mode and frame.frame_id == 5 and frame.camera == recon.camera and frame.sh_degree == 0
    assert frame.planes["color"].codec == "jpeg"  # live detail: JPEG colour
    codes = decode_planes(frame)["depth"][..., 0]
    assert np.array_equal(codes != 0, recon.keep.reshape(378, 504).numpy())
    if mode == "gaussians" and budget is None:
        border = int(8 / 256 * 378), int(8 / 256 * 504)  # GAUSSIANS_BUDGET's border: at least 11 rows, 15 columns
        assert not codes[:border[0]].any() and not codes[:, -border[1]:].any() and codes[border[0]:-border[0]].any()
    # The orbit target: the median depth of the kept splats (torch.median's lower median).
    assert frame.target_depth == pytest.approx(recon.grid.centers[recon.keep, 2].median().item(), rel=1e-6)
    assert set(frame.timings_ms) == {"preprocess", "model", "extract", "budget", "quantise", "to_host", "compress"}


def test_hq_frames_are_lossless_with_degree_2_harmonics(tiny_model, webcam_frame):
    recon = reconstruct(tiny_model, webcam_frame, "gaussians", process_res=HQ.process_res, keep_sh=True)
    frame = decode_frame(encode_reconstruction(recon, detail=HQ))
    assert (frame.camera.width, frame.camera.height) == frames.processing_size(640, 480, HQ.process_res)
    assert max(frame.camera.width, frame.camera.height) == 630  # 756 px at most, but never above 640 px
    assert frame.sh_degree == 2 and frame.planes["sh"].channels == 24 and frame.planes["color"].codec == "delta2d"
    assert all(m > 0 for m in frame.quant["sh_max"])
    planes = decode_planes(frame)
    keep = recon.keep.reshape(frame.camera.height, frame.camera.width).numpy()
    rgb = (recon.grid.rgb.double().clamp(0, 1) * 255).round().to(torch.uint8).reshape(keep.shape + (3,)).numpy()
    assert np.array_equal(planes["color"][keep], rgb[keep])  # lossless: the splats' own colour


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
    """The live path (static shapes, one CUDA graph on a GPU) gives the frames of reconstruct_many +
    encode_reconstruction, for a batch mixing detail levels and frame sizes; each detail level's grid
    has its processing size (DA3's: the long side at process_res, sides multiples of 14, but never above
    the frame's own size)."""
    rng = np.random.default_rng(5)
    square = rng.integers(0, 255, (300, 300, 3), np.uint8)
    others = [detail for detail in DETAILS.values() if detail != LIVE]
    images = [webcam_frame, webcam_frame[::-1].copy(), square] + [(webcam_frame, square)[k % 2]
                                                                 for k in range(len(others))]
    details = [LIVE] * 3 + others
    live = live_frames(tiny_model, images, mode, [7 + i for i in range(len(images))], details)
    for detail in set(details):
        # Same batches as the live path (a batched forward may round differently from a single one).
        members = [i for i, d in enumerate(details) if d == detail]
        reference = reconstruct_many(tiny_model, [images[i] for i in members], mode, detail.process_res)
        for i, recon in zip(members, reference):
            got, want = decode_frame(live[i]), decode_frame(encode_reconstruction(recon, 7 + i, detail))
            assert {n: p.data for n, p in got.planes.items()} == {n: p.data for n, p in want.planes.items()}
            assert decode_planes(got)["depth"].any()  # splats to compare
            assert (got.camera, got.depth_range, got.quant, got.target_depth) == (
                want.camera, want.depth_range, want.quant, want.target_depth)
            assert got.mode == mode and got.frame_id == 7 + i and got.sh_degree == 0
            height, width = images[i].shape[:2]
            assert (got.camera.width, got.camera.height) == frames.processing_size(width, height, detail.process_res)
            assert max(got.camera.width, got.camera.height) == min(detail.process_res, max(width, height) // 14 * 14)


def test_owned_outputs_share_no_memory_with_the_networks(tiny_model, webcam_frame):
    """``Inferred.owned`` (what an HQ capture keeps between its GPU turns): equal values, own storage."""
    inferred = infer(tiny_model, [webcam_frame], "gaussians", 196)
    owned = inferred.owned()
    out, copy = inferred.outputs[0], owned.outputs[0]
    for name in ("depth", "confidence", "intrinsics", "raw_gs", "gs_opacity", "gs_depth"):
        original, kept = getattr(out, name), getattr(copy, name)
        assert torch.equal(kept, original) and kept.untyped_storage().data_ptr() != original.untyped_storage().data_ptr()
    assert copy.adapter is out.adapter and owned.rgb is inferred.rgb
