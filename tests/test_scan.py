"""Scan mode's pipeline (splat_core/scan): the DA3 window on the real network (tiny, random weights),
and registration, fusion, deltas and export on the synthetic room, whose true depths and poses are
known (random weights cannot show whether a scan is right)."""

from __future__ import annotations

import json

import gsply
import numpy as np
import pytest
import torch

from splat_core import wire
from splat_core.export import write_ply, write_spz
from splat_core.pipeline import Detail
from splat_core.scan import synthetic
from splat_core.scan import fusion
from splat_core.scan.fusion import VoxelFusion, merged_order
from splat_core.scan.registration import Registrar, robust_sim3, umeyama
from splat_core.scan.scene import ScanScene
from splat_core.frame_splats import frame_splats
from splat_core.scan.sources import TRUTH_GAUSSIAN, NetworkSource, TruthSource

WIDTH, HEIGHT = 168, 126  # multiples of 14: processed at their own size
DETAIL = Detail("scan-test", WIDTH, 90)
SWEEP = synthetic.path(48)


@pytest.fixture(autouse=True)
def one_thread():
    # Small tensors: torch's thread pool costs more than it gains on a shared 2-core machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def random_rotation(rng) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q *= np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


def scan(poses: np.ndarray, scene: ScanScene | None = None):
    """The scene after the frames of ``poses`` (by default a new scene with their truth), and every delta it sent."""
    scene = scene or ScanScene(TruthSource(poses, WIDTH), detail=DETAIL)
    deltas = [delta for pose in poses for delta in scene.add_frame(synthetic.render(pose, WIDTH, HEIGHT).rgb)]
    return scene, deltas


def unit_of(deltas: list[bytes]) -> float:
    """The scan's depth unit in metres: its world is the first keyframe's camera, at the first window's
    (arbitrary) scale; the first delta's depths over the true ones give it."""
    frame = wire.decode_frame(deltas[0])
    np.testing.assert_allclose(np.array(frame.pose).reshape(4, 4), np.eye(4), atol=1e-12)
    z, valid = delta_depth(frame)
    truth = synthetic.render(SWEEP[0], WIDTH, HEIGHT).depth
    x0, y0 = round(WIDTH / 2 - frame.camera.cx), round(HEIGHT / 2 - frame.camera.cy)  # the crop's corner
    crop = truth[y0:y0 + frame.camera.height, x0:x0 + frame.camera.width]
    return float(np.median(z[valid] / crop[valid]))


def delta_depth(frame: wire.Frame) -> tuple[np.ndarray, np.ndarray]:
    """A delta's z-depths (H, W) from its depth codes, and where it has a splat."""
    code = wire.decode_planes(frame)["depth"][..., 0].astype(np.float64)
    near, far = frame.depth_range
    with np.errstate(divide="ignore"):
        return 1 / (1 / far + (code - 1) / 65534 * (1 / near - 1 / far)), code > 0


def test_umeyama_recovers_a_known_similarity_and_ignores_outliers():
    rng = np.random.default_rng(1)
    source = rng.normal(size=(500, 3))
    rotation, scale, translation = random_rotation(rng), 2.7, np.array([0.3, -1.2, 4.0])
    target = scale * source @ rotation.T + translation
    fit = umeyama(torch.from_numpy(source), torch.from_numpy(target))
    assert fit.scale == pytest.approx(scale, rel=1e-9)
    np.testing.assert_allclose(fit.rotation.numpy(), rotation, atol=1e-9)
    np.testing.assert_allclose(fit.translation.numpy(), translation, atol=1e-9)

    noisy = target + rng.normal(0, 0.01, target.shape)
    noisy[:50] += rng.normal(0, 3.0, (50, 3))  # a tenth of the pairs are wrong (a moving object, bad depth)
    weights = torch.ones(len(source), dtype=torch.float64)
    plain = umeyama(torch.from_numpy(source), torch.from_numpy(noisy))
    robust = robust_sim3(torch.from_numpy(source), torch.from_numpy(noisy), weights)
    assert abs(robust.scale - scale) < 0.01 < abs(plain.scale - scale)
    assert np.abs(robust.rotation.numpy() - rotation).max() < 0.01


def test_registration_chains_windows_to_the_true_poses_at_one_scale():
    source = TruthSource(SWEEP, WIDTH)
    registrar = Registrar(source)
    placed = [registrar.register(source.prepare(synthetic.render(pose, WIDTH, HEIGHT).rgb)) for pose in SWEEP[::4]]
    unit = float(placed[0].depth.median()) / float(np.median(synthetic.render(SWEEP[0], WIDTH, HEIGHT).depth))
    assert {round(p.scale, 3) for p in placed[1:]} != {1.0}  # windows did come at scales of their own
    for registered, pose in zip(placed, SWEEP[::4]):
        estimate = registered.pose.numpy().copy()
        estimate[:3, 3] /= unit
        np.testing.assert_allclose(estimate, pose, atol=1e-5)
        truth = synthetic.render(pose, WIDTH, HEIGHT).depth
        np.testing.assert_allclose(registered.depth.numpy() / unit, truth, rtol=1e-5)


def test_fused_sweep_lies_on_the_true_surfaces_and_a_revisit_adds_little(monkeypatch):
    # Round the room, then round again on another circle half a step out of phase: the same walls from
    # new viewpoints. Every keyframe may send splats (min_new=0, and no crop rule): the voxels alone
    # stop the doubling.
    monkeypatch.setattr(fusion, "CROP_FILL", 0.0)
    revisit = synthetic.path(48, phase=0.5 / 48, radius=0.3)
    scene = ScanScene(TruthSource(np.concatenate([SWEEP, revisit]), WIDTH), detail=DETAIL, min_new=0.0)
    _, deltas = scan(SWEEP, scene)
    unit = unit_of(deltas)
    points = scene.splats().centers.numpy() / unit
    assert len(points) > 5 * WIDTH * HEIGHT  # a whole sweep: several keyframes' worth
    assert synthetic.surface_distance(points).max() <= 0.01 * synthetic.SIZE

    first = len(scene.fusion)
    _, again = scan(revisit, scene)
    assert sum(wire.decode_frame(delta).scan["kept"] for delta in again) > 0  # it was allowed to add
    assert len(scene.fusion) - first <= 0.05 * first, (first, len(scene.fusion))
    assert synthetic.surface_distance(scene.splats().centers.numpy() / unit).max() <= 0.01 * synthetic.SIZE


def test_deltas_rebuild_the_scene_and_a_late_viewer_gets_all_of_it():
    scene, deltas = scan(SWEEP[:24])
    rebuilt = apply_deltas(deltas)
    expected = scene.splats().centers.numpy()
    assert_same_points(rebuilt, expected)
    late = apply_deltas(scene.full())
    assert_same_points(late, expected)
    frames = [wire.decode_frame(d) for d in scene.full()]
    assert frames[0].scan["full"] and len(frames[0].scan["path"]) == 16 * len(scene.path)
    assert all(frame.camera.width * frame.camera.height < WIDTH * HEIGHT for frame in frames[1:])  # crops


def apply_deltas(deltas: list[bytes]) -> np.ndarray:
    """World points of a viewer that applies ``deltas`` as docs/wire-format.md ("Scan deltas") says."""
    keyframes: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id → (points (H·W, 3), valid (H·W,))
    for data in deltas:
        frame = wire.decode_frame(data)
        scan = frame.scan
        if scan.get("full"):
            keyframes.clear()
        for evicted in scan["evicted"]:
            keyframes.pop(evicted, None)
        for old, pixels in scan["removed"]:
            if old in keyframes:
                keyframes[old][1][np.frombuffer(pixels, "<u4")] = False
        if not scan["kept"]:
            continue
        z, valid = delta_depth(frame)
        camera = frame.camera
        v, u = np.mgrid[0:camera.height, 0:camera.width] + 0.5
        local = np.stack([(u - camera.cx) / camera.fx * z, (v - camera.cy) / camera.fy * z, z], -1).reshape(-1, 3)
        pose = np.array(frame.pose).reshape(4, 4)
        keyframes[scan["keyframe"]] = (local @ pose[:3, :3].T + pose[:3, 3], valid.reshape(-1))
    return np.concatenate([points[valid] for points, valid in keyframes.values()])


def assert_same_points(rebuilt: np.ndarray, expected: np.ndarray) -> None:
    """Same count, and each point has the other's within the 16-bit inverse depth's step (a few mm at
    the far wall of a 5 m room: docs/wire-format.md)."""
    from scipy.spatial import cKDTree

    assert len(rebuilt) == len(expected)
    tolerance = 2e-3 * np.abs(expected).max()
    assert cKDTree(expected).query(rebuilt)[0].max() <= tolerance
    assert cKDTree(rebuilt).query(expected)[0].max() <= tolerance


def covariances(scales: np.ndarray, quats_xyzw: np.ndarray) -> np.ndarray:
    """Each Gaussian's covariance (N, 3, 3), R diag(σ²) Rᵀ, from its standard deviations and quaternion."""
    x, y, z, w = (quats_xyzw / np.linalg.norm(quats_xyzw, axis=1, keepdims=True)).T
    rotation = np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                         2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                         2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], axis=1).reshape(-1, 3, 3)
    return rotation @ (scales[:, :, None] ** 2 * rotation.transpose(0, 2, 1))


def test_a_scan_of_gaussians_keeps_their_shape_in_the_room():
    # Every truth Gaussian has one shape in the room, and each keyframe sees it turned by its own camera
    # and sized by its own window's scale: fused into the scene (whose axes are the first camera's, the
    # room's here) all of them must have that shape again, at the scene's unit, and so must the deltas'
    # Gaussians as the viewer decodes them, each turned by its pose.
    scene = ScanScene(TruthSource(SWEEP, WIDTH, gaussians=True), detail=DETAIL)
    _, deltas = scan(SWEEP[:24], scene)
    unit = unit_of(deltas)
    sigmas, quat = (np.array([values]) for values in TRUTH_GAUSSIAN)
    expected = covariances(sigmas, quat)[0]
    splats = scene.splats()
    assert len(splats) > 3 * WIDTH * HEIGHT and {wire.decode_frame(d).mode for d in deltas} == {"gaussians"}
    fused = covariances(splats.scales.double().numpy() / unit, splats.quats_xyzw.double().numpy())
    np.testing.assert_allclose(fused, np.broadcast_to(expected, fused.shape), rtol=0, atol=1e-3 * expected.max())

    largest = 0.0
    for delta in deltas:
        frame = wire.decode_frame(delta)
        if not frame.scan["kept"]:
            continue
        sent = frame_splats(frame)
        turn = np.array(frame.pose).reshape(4, 4)[:3, :3]
        world = turn @ covariances(sent.scales.double().numpy() / unit, sent.quats_xyzw.double().numpy()) @ turn.T
        largest = max(largest, np.abs(world - expected).max() / expected.max())
    assert 0 < largest < 0.05  # 8-bit log scales and Spark's rotation bytes: a few per cent at most
    assert_same_points(apply_deltas(deltas), splats.centers.numpy())


def test_the_more_confident_keyframe_keeps_a_voxel():
    fusion = VoxelFusion()
    fusion.set_voxel(1.0, 100.0)  # voxels of 2 cm
    points = torch.rand(1000, 3)
    pixel = torch.arange(1000)
    fusion.add(0, 1000, points, pixel, torch.ones(1000), {"centers": points})
    same = fusion.add(1, 1000, points, pixel, torch.full((1000,), 1.1), {"centers": points})  # not clearly better
    assert not same.kept.any() and len(fusion) == 1000
    half = points[:, 0] < 0.5
    better = fusion.add(2, 1000, points[half], pixel[half], torch.full((int(half.sum()),), 2.0), {"centers": points[half]})
    assert better.kept.all() and set(better.removed) == {0}  # keyframe 0 gives up those voxels
    assert sorted(better.removed[0].tolist()) == pixel[half].tolist()
    assert len(fusion) == 1000 and fusion.keyframe.bincount().tolist() == [1000 - int(half.sum()), 0, int(half.sum())]
    rest = fusion.add(3, 1000, points[~half], pixel[~half], torch.full((int((~half).sum()),), 2.0),
                      {"centers": points[~half]})
    assert rest.evicted == [0] and not rest.removed  # nothing left of keyframe 0: it leaves whole
    assert list(fusion.slots) == [2, 3] and len(fusion) == 1000


def test_a_keyframe_merges_into_the_sorted_scene_as_a_stable_sort_would():
    generator = torch.Generator().manual_seed(2)
    old = torch.randint(0, 50, (1000,), generator=generator).sort().values  # many equal keys
    for new in (torch.randint(0, 60, (300,), generator=generator), torch.tensor([], dtype=torch.long),
                torch.full((5,), 7)):
        assert torch.equal(merged_order(old, new), torch.argsort(torch.cat([old, new]), stable=True))


def test_budget_evicts_the_oldest_keyframes():
    poses = SWEEP[:24]
    budget = 3 * WIDTH * HEIGHT
    scene = ScanScene(TruthSource(poses, WIDTH), budget=budget, detail=DETAIL)
    _, deltas = scan(poses, scene)
    evicted = [k for d in deltas for k in wire.decode_frame(d).scan["evicted"]]
    assert evicted and evicted == sorted(evicted) and evicted[0] == 0
    assert scene.fusion.total_slots <= budget
    assert not set(evicted) & set(scene.keyframes)
    assert_same_points(apply_deltas(deltas), scene.splats().centers.numpy())


def test_export_of_a_scan_reloads_with_its_splat_count(tmp_path):
    scene, _ = scan(SWEEP[:12])
    splats = scene.splats()
    ply = gsply.plyread(write_ply(splats, tmp_path / "scan.ply"))
    spz = gsply.read_spz(write_spz(splats, tmp_path / "scan.spz"))
    assert len(ply.means) == len(spz.means) == len(splats) == scene.num_splats
    np.testing.assert_array_equal(ply.means, splats.centers.numpy())
    path = json.loads(json.dumps(scene.camera_path()))
    assert len(path["keyframes"]) == len(scene.path) and np.array(path["keyframes"][0]["pose"]).shape == (4, 4)


def test_window_on_the_real_network_matches_da3s_own_multi_view_forward(tiny_model):
    source = NetworkSource(tiny_model, WIDTH)
    views = [source.prepare(synthetic.render(pose, WIDTH, HEIGHT).rgb) for pose in SWEEP[:3]]
    window = source.window(views)
    assert window.depth.shape == (3, HEIGHT, WIDTH) and window.extrinsics.shape == (3, 4, 4)
    rotation = window.extrinsics[:, :3, :3].double()
    np.testing.assert_allclose(rotation @ rotation.mT, np.broadcast_to(np.eye(3), (3, 3, 3)), atol=1e-4)
    assert torch.allclose(torch.det(rotation), torch.ones(3, dtype=torch.float64), atol=1e-4)
    np.testing.assert_array_equal(window.extrinsics[:, 3].numpy(), [[0, 0, 0, 1]] * 3)
    with torch.inference_mode():  # DA3's own forward, as its API calls it, on the same three views
        own = tiny_model.net(torch.cat([view.x for view in views], dim=1), None, None, [], False, False, "first")
    torch.testing.assert_close(window.extrinsics[:, :3], own.extrinsics[0, :, :3].float(), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(window.depth, own.depth[0].float(), atol=1e-4, rtol=1e-4)

    registrar = Registrar(source)
    placed = [registrar.register(view) for view in views]
    for registered in placed:  # random weights: poses are noise, but rigid, finite camera → world
        pose = registered.pose
        assert pose.shape == (4, 4) and torch.isfinite(pose).all() and registered.scale > 0
        torch.testing.assert_close(pose[:3, :3] @ pose[:3, :3].T, torch.eye(4, dtype=pose.dtype)[:3, :3], atol=1e-6, rtol=0)


@pytest.mark.parametrize("gaussians", [False, True])
def test_a_scan_on_the_real_network_sends_deltas_or_says_why_not(tiny_model, gaussians):
    # Random weights: the poses are noise, so a window may not fit its anchors (a RegistrationError, a
    # ValueError the app shows as "Frame skipped"); whatever is sent is a valid delta of the scan's kind.
    scene = ScanScene(NetworkSource(tiny_model, WIDTH, gaussians=gaussians), detail=DETAIL, motion=0.0)
    sent, skipped = [], []
    for pose in SWEEP[:4]:
        try:
            sent += scene.add_frame(synthetic.render(pose, WIDTH, HEIGHT).rgb)
        except ValueError as err:
            skipped.append(str(err))
    assert sent, skipped
    for delta in sent:
        frame = wire.decode_frame(delta)
        assert len(frame.pose) == 16 and np.isfinite(frame.pose).all() and frame.scan["scene"] == scene.id
        assert frame.mode == ("gaussians" if gaussians else "points")
    assert all("could not be placed" in reason for reason in skipped)


def test_a_delta_is_the_crop_of_its_new_splats_and_a_sprinkle_is_not_sent():
    width, height = 100, 80
    v, u = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    points = torch.stack([u.flatten() * 0.01, v.flatten() * 0.01, torch.ones(width * height)], 1)  # a wall at z = 1
    pixel = torch.arange(width * height)
    fusion = VoxelFusion(min_new=0.0)
    fusion.set_voxel(1.0, 200.0)  # 1 cm voxels: one pixel each
    strip = u.flatten() >= 90  # the wall's right edge: a strip 10 px wide
    added = fusion.add(0, width, points[strip], pixel[strip], torch.ones(int(strip.sum())), {})
    assert added.kept.all() and added.crop == (90, 0, 10, height)
    sprinkle = (u.flatten() + v.flatten()) % 40 == 0  # one pixel in 40, all over the picture
    new = sprinkle & ~strip
    added = fusion.add(1, width, points[new], pixel[new], torch.ones(int(new.sum())), {})
    assert not added.kept.any() and len(fusion) == int(strip.sum())  # not worth a full-size crop
