"""splat_core.pack.rotation_bytes against Spark 2.2.0's own encoder, byte for byte.

The reference is Spark's JS (``utils.encodeQuatOctXy88R8``, what ``setPackedSplat`` calls) running in
headless Chromium, i.e. with V8's own Math.sqrt / Math.acos / Math.round.

Needs /usr/bin/chromium (or $CHROMIUM), the python ``playwright`` package and
``npm ci --prefix tests/spark_encoder``. Without them the browser tests skip, except when
$CI is set: then they fail.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import math
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from splat_core import pack
from splat_core.pack import rotation_bytes

HARNESS = Path(__file__).parent / "spark_encoder"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# ----------------------------------------------------------------------------- browser

def _missing() -> list[str]:
    missing = []
    if not os.path.isfile(CHROMIUM):
        missing.append(f"chromium ({CHROMIUM})")
    for rel in ("@sparkjsdev/spark/dist/spark.module.js", "three/build/three.module.js"):
        if not (HARNESS / "node_modules" / rel).is_file():
            missing.append(f"node_modules/{rel} (run: npm ci --prefix tests/spark_encoder)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("python package playwright")
    return missing


class _Handler(http.server.SimpleHTTPRequestHandler):
    # ES modules need a JavaScript MIME type.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript"}

    def log_message(self, *args):
        pass


class Spark:
    """Calls into tests/spark_encoder/harness.mjs in a page."""

    def __init__(self, page):
        self.page = page

    def rotation_bytes(self, quats_xyzw: np.ndarray) -> np.ndarray:
        """Spark's (N, 3) bytes u, v, angle: encodeQuatOctXy88R8's code split as setPackedSplat does."""
        b64 = base64.b64encode(np.ascontiguousarray(quats_xyzw, dtype="<f8").tobytes()).decode()
        codes = np.frombuffer(base64.b64decode(self.page.evaluate("b => window.sparkEncoder.encodeQuats(b)", b64)),
                              dtype="<u4")
        assert not (codes >> 24).any(), "Spark's code has bits above the three bytes"
        return np.stack([codes & 0xFF, codes >> 8 & 0xFF, codes >> 16 & 0xFF], axis=1).astype(np.uint8)


@contextlib.contextmanager
def spark_session(profile_dir: str):
    """Headless Chromium on a 127.0.0.1 server of tests/spark_encoder, as a Spark wrapper."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(HARNESS)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    errors = []
    try:
        with sync_playwright() as p:
            # headless=False so that Playwright adds no headless flag of its own: ours is
            # --headless=new, the mode real Chromium uses.
            ctx = p.chromium.launch_persistent_context(
                profile_dir, executable_path=CHROMIUM, headless=False, args=CHROMIUM_ARGS)
            try:
                page = ctx.pages[0] if ctx.pages else ctx.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
                try:
                    page.wait_for_function("window.sparkEncoderReady === true", timeout=30_000)
                except Exception as e:
                    raise RuntimeError(f"harness did not load: {errors}") from e
                yield Spark(page)
            finally:
                ctx.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    missing = _missing()
    if missing:
        msg = "Spark encoder harness unavailable: " + "; ".join(missing)
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(msg)
        pytest.skip(msg)
    with spark_session(str(tmp_path_factory.mktemp("chromium-profile"))) as sp:
        yield sp


# ----------------------------------------------------------------------------- threshold table
# pack.py reads the angle byte off a table of thresholds instead of calling acos, whose last bit
# differs between libms (V8's fdlibm, glibc, SLEEF, CUDA). The table is found here by bisection over
# doubles, asking Spark's own encoder in Chromium at every step; test_angle_thresholds_match_spark
# re-checks it, with a margin.

def _bits(x):
    return np.asarray(x, dtype=np.float64).view(np.int64)


def _from_bits(b):
    return np.asarray(b, dtype=np.int64).view(np.float64)


def _quat_with_w(w: float) -> tuple:
    """(a, 0, 0, w) whose computed norm is exactly 1.0, so Spark's normalised w is w itself."""
    a0 = math.sqrt(max(0.0, 1.0 - w * w))
    bits = _bits(a0) + np.array([0, 1, -1, 2, -2, 3, -3, 4, -4])  # a0 and its neighbours
    for a in _from_bits(bits[bits >= 0]):
        if math.sqrt(a * a + w * w) == 1.0:
            return (float(a), 0.0, 0.0, w)
    raise ValueError(f"no unit-norm quaternion with w = {w!r}")


def _quats_with_w(ws) -> np.ndarray:
    return np.array([_quat_with_w(float(w)) for w in ws])


def derive_thresholds(spark) -> np.ndarray:
    """Bisect Spark's encoder: u[k-1] is the largest w in [0, 1] whose angle byte is >= k (k = 1..255).
    Positive doubles are ordered like their bit patterns."""
    k = np.arange(1, 256)
    w_lo = np.full(255, _bits(0.0))                 # byte(w_lo) >= k
    w_hi = np.full(255, _bits(1.0))                 # byte(w_hi) < k
    while (w_hi - w_lo > 1).any():
        w_mid = w_lo + (w_hi - w_lo) // 2           # no int64 overflow
        ok = spark.rotation_bytes(_quats_with_w(_from_bits(w_mid)))[:, 2] >= k
        w_lo, w_hi = np.where(ok, w_mid, w_lo), np.where(ok, w_hi, w_mid)
    return _from_bits(w_lo)


# ----------------------------------------------------------------------------- data

def _quat_edges(rng) -> np.ndarray:
    inf, nan = np.inf, np.nan
    q = [
        (0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 0, -1), (0, 0, 0, 2), (0, 0, 0, -1e-3), (-0.0, -0.0, -0.0, -0.0),
        (1e-7, 0, 0, 1), (1e-6, 0, 0, 1), (9.99e-7, 0, 0, 1), (1.0001e-6, 0, 0, -1),
        (-1e-7, 2e-7, -3e-7, 1), (5e-7, 5e-7, 5e-7, 1), (1e-9, 0, 0, -1),
        (1, 0, 0, 0), (-1, 0, 0, 0), (0, 1, 0, 0), (0, -1, 0, 0), (0, 0, 1, 0), (0, 0, -1, 0),
        (0, 0, -1, 1), (-0.0, 0, -1, 1), (0, -0.0, -1, 0.3), (-0.0, -0.0, -1, 0.3),
        (0.3, 0, -0.4, -0.8), (0, 0.3, -0.4, 0.5), (-0.3, 0, -0.4, 0.5), (0, -0.3, -0.4, 0.5),
        (1, 1, -1, 1), (1, -1, -1, 1), (-1, -1, -1, -1), (1, 1, 1, 1), (1, 1, 0, 0), (-1, 1, 0, 0),
        (0.5, -0.5, -0.5, 0.5), (1, 2, -3, 0), (-1, -2, 3, 0), (0.25, 0.25, -0.5, 0.1),
        (1e-160, 0, 0, 1e-160), (1e-170, 2e-170, -3e-170, 4e-170), (1e160, 0, 0, 1e160),
        (3e155, -3e155, 3e155, 3e155), (1e200, 1, 1, 1), (5e-324, 0, 0, 0),
        (inf, 0, 0, 1), (0, 0, 0, inf), (-inf, 0, 0, 0), (nan, 0, 0, 1), (0, 0, 0, nan),
        (0, nan, 0, 0), (inf, inf, 0, 0),
        # w * (1/l) underflows to -0: Spark keeps the sign of x, y, z (no flip).
        (1e10, 0, 0, -1e-320), (1e10, 2e10, 0, -1e-320), (3e5, 0, -4e5, -5e-320),
    ]
    q = np.array(q, dtype=np.float64)
    # 90-degree rotations about +-x, +-y, +-z at many norms, also normalised in float32:
    # their angle byte sits on a tie (127.5), so one ulp in the normalisation flips it.
    eye = np.concatenate([np.eye(3), -np.eye(3)])
    right = np.concatenate([eye, np.ones((6, 1))], axis=1)
    c = np.concatenate([[1.0, 0.5, 2.0, 3.0, 0.1, 0.3, 7.0, 1e-3, 1e3], rng.uniform(0.01, 100.0, 23)])
    right = (right[None] * c[:, None, None]).reshape(-1, 4)
    right32 = (right / np.linalg.norm(right, axis=1, keepdims=True)).astype(np.float32)
    q = np.concatenate([q, right, -right, right32.astype(np.float64)])
    r = rng.normal(size=(600, 4))
    r[:200, 2] = -np.abs(r[:200, 2])                     # lower hemisphere (fold)
    r[100:300, 3] = -np.abs(r[100:300, 3])               # w < 0
    r[300:400, rng.integers(0, 3, size=100)] = 0.0       # a zero component (sign(0))
    r[400:450, :3] *= 1e-6                               # near-identity
    r[450:500, :2] = 0.0                                 # axis along +-z
    r[500:600] *= rng.choice([1e-3, 1e3, 2.0**-40, 2.0**40], size=(100, 1))
    return np.concatenate([q, r, -r[:50], r[:50] * 4.0])


def _random_quats(rng, n) -> np.ndarray:
    """Unnormalised quaternions of any sign, as a network emits them."""
    return rng.normal(size=(n, 4)) * rng.uniform(0.01, 100.0, size=(n, 1))


def _diff(ours: torch.Tensor, ref: np.ndarray, quats: np.ndarray, label: str) -> int:
    assert ours.dtype == torch.uint8 and ours.shape == ref.shape == (len(quats), 3)
    bad = np.argwhere(ours.numpy() != ref)
    for i, j in bad[:10]:
        print(f"{label}: quaternion {quats[i]} byte {j}: ours {ours[i, j]} spark {ref[i, j]}")
    return len(bad)


# ----------------------------------------------------------------------------- tests

def test_rotation_bytes_match_spark(spark):
    rng = np.random.default_rng(1234)
    edges = _quat_edges(rng)
    with np.errstate(over="ignore"):                     # 1e200 -> inf in float32 is intended
        edges32 = edges.astype(np.float32)
    random32 = _random_quats(rng, 16_000).astype(np.float32)
    sets = [  # float32 is what the network gives; Spark reads it as the doubles it stands for
        ("random f32 (torch)", torch.from_numpy(random32), random32),
        ("edge f64 (numpy)", edges, edges),
        ("edge as f32 (torch)", torch.from_numpy(edges32), edges32),
    ]
    compared = bad = 0
    for label, ours_input, quats in sets:
        bad += _diff(rotation_bytes(ours_input), spark.rotation_bytes(quats), quats, label)
        compared += len(quats)
    print(f"\nrotation_bytes vs Spark 2.2.0 encodeQuatOctXy88R8 (Chromium): {compared} quaternions, {bad} bytes differ")
    assert bad == 0


def test_angle_thresholds_match_spark(spark):
    """Every step of pack's angle table, and 4 doubles either side, against Spark."""
    w = _from_bits(_bits(pack.ANGLE_THRESHOLDS)[:, None] + np.arange(-4, 5)).ravel()
    quats = _quats_with_w(w)
    ref = spark.rotation_bytes(quats)
    assert len(set(ref[:, 2].tolist())) == 256, "the windows must straddle every step of the byte"
    assert _diff(rotation_bytes(quats), ref, quats, "threshold windows") == 0


def test_angle_table_is_sane():
    u = np.array(pack.ANGLE_THRESHOLDS)
    assert len(u) == 255 and (np.diff(u) < 0).all()
    np.testing.assert_allclose(u, np.cos((np.arange(1, 256) - 0.5) * math.pi / 510), rtol=1e-12)


def test_rotation_bytes_depend_on_the_rotation_only():
    """Torch and numpy input agree; exact rescalings and −q (the same rotation) give the same bytes."""
    rng = np.random.default_rng(7)
    for dtype in (np.float32, np.float64):
        q = _random_quats(rng, 5_000).astype(dtype)
        q[::7] *= -1                                     # w < 0 somewhere
        ref = rotation_bytes(q)
        assert ref.dtype == torch.uint8 and ref.shape == (5_000, 3)
        assert torch.equal(rotation_bytes(torch.from_numpy(q)), ref)
        nonzero_w = torch.from_numpy(q[:, 3] != 0)
        for variant in (q * 4, q * 2.0**-30, -q):
            assert torch.equal(rotation_bytes(variant)[nonzero_w], ref[nonzero_w])
        unit = q.astype(np.float64) / np.linalg.norm(q.astype(np.float64), axis=1, keepdims=True)
        assert torch.equal(rotation_bytes(unit.astype(dtype)), ref)
    assert rotation_bytes(np.zeros((0, 4))).shape == (0, 3)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    rng = np.random.default_rng(11)
    for q in (_random_quats(rng, 20_000).astype(np.float32), _quat_edges(rng)):
        got = rotation_bytes(torch.from_numpy(q).cuda())
        assert got.is_cuda and torch.equal(got.cpu(), rotation_bytes(q))


if __name__ == "__main__":
    # Print pack.py's threshold table, freshly derived from Spark in Chromium.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, spark_session(tmp) as sp:
        u_angle = derive_thresholds(sp)
    print("ANGLE_THRESHOLDS = _hex_table(\"\"\"")
    for i in range(0, len(u_angle), 4):
        print(" ".join(float(v).hex() for v in u_angle[i:i + 4]))
    print('""")')
