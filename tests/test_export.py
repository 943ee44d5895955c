import gsply
import numpy as np
import torch

from splat_core.export import write_ply, write_spz
from splat_core.pipeline import reconstruct


def test_hq_capture_round_trips_through_ply_and_spz(tiny_model, webcam_frame, tmp_path):
    splats = reconstruct(tiny_model, webcam_frame, "gaussians", process_res=280, keep_sh=True).splats
    host = splats.to_numpy()
    ply = gsply.plyread(write_ply(splats, tmp_path / "capture.ply"))
    assert ply.means.shape == (len(splats), 3) and ply.shN.shape == (len(splats), 8, 3)
    np.testing.assert_array_equal(ply.means, host["centers"])
    np.testing.assert_allclose(np.exp(ply.scales), host["scales"], rtol=1e-5)
    np.testing.assert_allclose(1 / (1 + np.exp(-ply.opacities)), host["opacities"], rtol=1e-4)
    np.testing.assert_allclose(0.5 + 0.28209479177387814 * ply.sh0, host["rgb"], atol=1e-5)
    quats = host["quats_xyzw"][:, [3, 0, 1, 2]]
    np.testing.assert_allclose(np.abs((ply.quats * quats).sum(1)), 1, atol=1e-4)  # same rotation, w first
    np.testing.assert_allclose(ply.shN, host["sh_rest"], atol=1e-6)

    spz = gsply.read_spz(write_spz(splats, tmp_path / "capture.spz"))
    assert spz.means.shape == ply.means.shape
    np.testing.assert_allclose(spz.means, host["centers"], atol=2 ** -11)  # 12 fractional bits
    assert (tmp_path / "capture.spz").stat().st_size < (tmp_path / "capture.ply").stat().st_size / 4


def test_ply_header_is_standard_3dgs(tmp_path):
    from splat_core.splats import SplatSet

    splats = SplatSet(centers=torch.zeros(2, 3), scales=torch.ones(2, 3), quats_xyzw=torch.tensor([[0.0, 0, 0, 1]] * 2),
                      opacities=torch.full((2,), 0.5), rgb=torch.full((2, 3), 0.5), pixel=torch.arange(2))
    header = write_ply(splats, tmp_path / "a.ply").read_bytes().split(b"end_header")[0].decode()
    for prop in ["x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity", "scale_0", "scale_1", "scale_2",
                 "rot_0", "rot_1", "rot_2", "rot_3"]:
        assert f"property float {prop}\n" in header
    assert "element vertex 2" in header
