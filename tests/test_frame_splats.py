"""splat_core.frame_splats: a wire frame's splats on the host, as the viewer builds them, equal the splats
that were encoded, within the wire format's quantisation bounds (docs/wire-format.md), and write as a PLY
that gsply reads back."""

from __future__ import annotations

import gsply
import numpy as np
import torch

from splat_core.export import write_ply
from splat_core.frame_splats import POINT_SIGMA_PX, frame_splats
from splat_core.planes import frame_from_arrays, grid_splats
from splat_core.wire import Camera, decode_frame

W, H = 40, 30
CAMERA = Camera(W, H, 35.0, 36.0, 20.3, 14.8)


def scene(rng):
    depth = rng.uniform(1.0, 4.0, (H, W))
    depth[3, 5] = np.nan  # a pixel without a splat
    quats = rng.normal(size=(H, W, 4))
    return dict(depth=depth, rgb=rng.integers(0, 256, (H, W, 3), np.uint8), camera=CAMERA, mode="gaussians",
                offset=rng.uniform(-0.8, 0.8, (H, W, 2)), opacity=rng.uniform(0.05, 1, (H, W)),
                scales=rng.uniform(0.01, 0.2, (H, W, 3)), quats_xyzw=quats / np.linalg.norm(quats, axis=-1, keepdims=True),
                sh_rest=rng.normal(0, 0.2, (H, W, 8, 3)), color="lossless")


def test_gaussians_come_back_within_the_quantisation_bounds(tmp_path):
    arrays = scene(np.random.default_rng(3))
    frame = decode_frame(frame_from_arrays(**arrays))
    got = frame_splats(frame)
    want, keep, _ = grid_splats(**{k: v for k, v in arrays.items() if k != "color"})
    want = want.select(keep)
    assert len(got) == len(want) == H * W - 1
    assert torch.equal(got.pixel, want.pixel)
    # Depth is 16-bit inverse depth (the centre moves along its ray by under a code's step); offsets are
    # within offset_range/254 px, i.e. that times z/fx sideways.
    assert torch.allclose(got.centers, want.centers, rtol=2e-4, atol=0.8 / 254 * 4.0 / CAMERA.fx)
    assert torch.allclose(got.rgb, want.rgb, atol=0.5 / 255 + 1e-6)  # lossless colour
    assert torch.allclose(got.opacities, want.opacities, atol=0.5 / 255 + 1e-6)
    assert torch.allclose(got.scales.log(), want.scales.log(), atol=0.02)  # ±(hi − lo)/510 in ln σ
    # Spark's rotation bytes: 8+8-bit axis and a π/255 angle step; the decoded rotation is within a few
    # tenths of a degree of the original's, plus the axis step.
    cos_half = (got.quats_xyzw.double() * want.quats_xyzw.double()).sum(1).abs()
    error_deg = torch.rad2deg(2 * torch.acos(cos_half.clamp(max=1)))
    print(f"\nrotation error: median {float(error_deg.median()):.2f}°, max {float(error_deg.max()):.2f}°")
    assert float(error_deg.max()) < 2.5
    m1, m2 = frame.quant["sh_max"]
    assert torch.allclose(got.sh_rest[:, :3], want.sh_rest[:, :3], atol=m1 / 254 + 1e-6)
    assert torch.allclose(got.sh_rest[:, 3:], want.sh_rest[:, 3:], atol=m2 / 254 + 1e-6)

    ply = gsply.plyread(write_ply(got, tmp_path / "frame.ply"))
    assert len(ply.means) == len(got)
    assert np.allclose(ply.means, got.centers.numpy(), atol=1e-6)


def test_points_become_opaque_half_pixel_gaussians():
    rng = np.random.default_rng(4)
    depth = rng.uniform(1.0, 4.0, (H, W))
    frame = decode_frame(frame_from_arrays(depth, rng.integers(0, 256, (H, W, 3), np.uint8), CAMERA))
    got = frame_splats(frame)
    assert len(got) == H * W and got.sh_rest is None
    z = got.centers[:, 2]
    assert torch.allclose(z, torch.from_numpy(depth.reshape(-1)).float(), rtol=2e-4)
    assert torch.allclose(got.scales, (POINT_SIGMA_PX * z / CAMERA.fx)[:, None].expand(-1, 3))
    assert bool((got.opacities == 1).all())
