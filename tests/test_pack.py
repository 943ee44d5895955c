"""splat_core.pack against Spark 2.2.0's own encoder, word for word.

The reference is Spark's JS (``setPackedSplat``, ``utils.encodeSh1Rgb``,
``utils.encodeSh2Rgb``) running in headless Chromium, i.e. with the native Float16Array
that browsers use (round to nearest even). Node 20 has no Float16Array, and Spark's
fallback there truncates, so Node is not a valid reference for the centres.

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
from splat_core.pack import capacity, pack_sh, pack_splats, words_to_bytes

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

    def info(self) -> dict:
        return self.page.evaluate("window.sparkEncoder.info()")

    def pack_splats(self, rows: np.ndarray) -> np.ndarray:
        b64 = base64.b64encode(np.ascontiguousarray(rows, dtype="<f8").tobytes()).decode()
        out = self.page.evaluate("b => window.sparkEncoder.packSplats(b)", b64)
        return np.frombuffer(base64.b64decode(out), dtype="<u4").reshape(-1, 4)

    def pack_sh(self, sh: np.ndarray, sh1_max: float, sh2_max: float | None):
        n, k = sh.shape[:2]
        b64 = base64.b64encode(np.ascontiguousarray(sh, dtype="<f4").tobytes()).decode()
        s1, s2 = self.page.evaluate("([b, k, m1, m2]) => window.sparkEncoder.packSh(b, k, m1, m2)",
                                    [b64, k, sh1_max, sh2_max])
        sh1 = np.frombuffer(base64.b64decode(s1), dtype="<u4").reshape(n, 2)
        sh2 = np.frombuffer(base64.b64decode(s2), dtype="<u4").reshape(n, 4) if k == 8 else None
        return sh1, sh2


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


# ----------------------------------------------------------------------------- thresholds
# pack.py reads the scale and angle bytes off two tables of thresholds instead of calling
# log/acos, whose last bit differs between libms (V8's fdlibm, glibc, SLEEF, CUDA). The
# tables are found here by bisection over doubles, asking Spark's own setPackedSplat in
# Chromium at every step; test_thresholds_match_spark re-checks them, with a margin.

def _quat_with_w(w: float) -> tuple:
    """(a, 0, 0, w) whose computed norm is exactly 1.0, so Spark's normalised w is w itself."""
    a0 = math.sqrt(max(0.0, 1.0 - w * w))
    bits = _bits(a0) + np.array([0, 1, -1, 2, -2, 3, -3, 4, -4])  # a0 and its neighbours
    for a in _from_bits(bits[bits >= 0]):
        if math.sqrt(a * a + w * w) == 1.0:
            return (float(a), 0.0, 0.0, w)
    raise ValueError(f"no unit-norm quaternion with w = {w!r}")


def _probe_rows(scales: np.ndarray, ws: np.ndarray) -> np.ndarray:
    """One splat per value: scale x = scales[i], rotation with normalised w = ws[i]."""
    n = len(scales)
    rows = np.zeros((n, 14))
    rows[:, 3] = scales
    rows[:, 4:6] = 1.0
    rows[:, 6:10] = [_quat_with_w(float(w)) for w in ws]
    return rows


def _spark_codes(spark, scales, ws):
    w3 = spark.pack_splats(_probe_rows(np.asarray(scales, float), np.asarray(ws, float)))[:, 3]
    return (w3 & 0xFF).astype(np.int64), (w3 >> 24).astype(np.int64)


def _bits(x):
    return np.asarray(x, dtype=np.float64).view(np.int64)


def _from_bits(b):
    return np.asarray(b, dtype=np.int64).view(np.float64)


def derive_thresholds(spark):
    """Bisect Spark's encoder: (scale thresholds for codes 2..255, angle thresholds for 1..255).

    Scale: t[j-2] is the smallest double s with code(s) >= j. Angle: u[k-1] is the largest
    w in [0, 1] with byte(w) >= k. Positive doubles are ordered like their bit patterns.
    """
    j = np.arange(2, 256)
    k = np.arange(1, 256)
    s_lo = np.full(254, _bits(pack.SCALE_ZERO))     # code(s_lo) < j
    s_hi = np.full(254, _bits(np.inf))              # code(s_hi) >= j
    w_lo = np.full(255, _bits(0.0))                 # byte(w_lo) >= k
    w_hi = np.full(255, _bits(1.0))                 # byte(w_hi) < k
    while (s_hi - s_lo > 1).any() or (w_hi - w_lo > 1).any():
        s_mid = s_lo + (s_hi - s_lo) // 2              # no int64 overflow
        w_mid = w_lo + (w_hi - w_lo) // 2
        sc, ang = _spark_codes(spark, np.r_[_from_bits(s_mid), np.ones(255)],
                               np.r_[np.ones(254), _from_bits(w_mid)])
        up = sc[:254] >= j
        s_hi, s_lo = np.where(up, s_mid, s_hi), np.where(up, s_lo, s_mid)
        ok = ang[254:] >= k
        w_lo, w_hi = np.where(ok, w_mid, w_lo), np.where(ok, w_hi, w_mid)
    return _from_bits(s_hi), _from_bits(w_lo)


# ----------------------------------------------------------------------------- data

def _nextafter(v, direction):
    return np.nextafter(np.asarray(v, dtype=np.float64), direction)


def _neighbours(vals) -> np.ndarray:
    """Values and their float64 neighbours on both sides."""
    v = np.asarray(vals, dtype=np.float64).ravel()
    return np.concatenate([v, _nextafter(v, np.inf), _nextafter(v, -np.inf)])


def _random_splats(rng, n, dtype=np.float32):
    q = rng.normal(size=(n, 4))
    q *= rng.uniform(0.01, 100.0, size=(n, 1))  # unnormalised
    return dict(
        centers=(rng.normal(size=(n, 3)) * rng.choice([0.1, 3.0, 300.0], size=(n, 1))).astype(dtype),
        scales=np.exp(rng.uniform(-14.0, 10.0, size=(n, 3))).astype(dtype),
        quats=q.astype(dtype),
        opacities=rng.uniform(-0.2, 1.2, size=n).astype(dtype),
        rgb=rng.uniform(-0.3, 1.3, size=(n, 3)).astype(dtype),
    )


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


def _scale_edges() -> np.ndarray:
    ties = np.exp((np.arange(-3, 258) + 0.5) / pack.LN_SCALE_SCALE + pack.LN_SCALE_MIN)
    special = [0.0, -0.0, -1.0, -1e-40, 5e-324, 1e-40, 1e-20, pack.SCALE_ZERO, math.exp(-30),
               1e-13, 1e-12, math.exp(-12), 0.9 * math.exp(-12), 1e-5, 1.0, math.exp(9),
               1.01 * math.exp(9), 1e4, 1e30, 1e308, np.inf, -np.inf, np.nan]
    return np.concatenate([_neighbours(special), _neighbours(ties)])


def _unit_edges() -> np.ndarray:
    """Colour / opacity: out of range, exact JS Math.round ties, NaN and Inf."""
    k = np.arange(-2, 258, dtype=np.float64)
    ties = (k + 0.5) / 255.0
    ties = ties[ties * 255.0 == k + 0.5]                 # exact x.5 after *255 (most are)
    special = [-1.0, -0.0, 0.0, 1.0, 2.0, 1e-300, 0.49999999999999994 / 255,
               0.49999999999999994, np.inf, -np.inf, np.nan]
    return np.concatenate([_neighbours(special), _neighbours(ties), ties.astype(np.float32)])


def _center_edges(rng) -> np.ndarray:
    h = rng.integers(0, 0x7BFF, size=300).astype(np.uint16)
    lo = h.view(np.float16).astype(np.float64)
    hi = (h + 1).astype(np.uint16).view(np.float16).astype(np.float64)
    mids = (lo + hi) / 2                                 # exact float16 ties (exact in f32 too)
    sub = np.arange(0, 60) * 2.0**-25                    # subnormal float16 values and ties
    special = [0.0, -0.0, 1e-8, -1e-8, 5e-324, 65504.0, -65504.0, 65519.99, 65519.999999999,
               65520.0, -65520.0, 70000.0, -70000.0, 1e30, -1e300,
               1 + 2.0**-11 + 2.0**-40, -(1 + 2.0**-11 + 2.0**-40), 1 + 2.0**-11,
               2.0**-25 + 2.0**-60, 3 * 2.0**-25 - 2.0**-70, np.inf, -np.inf, np.nan, -np.nan]
    # float64 neighbours of a tie are the double-rounding traps; float32 ones are not.
    vals = np.concatenate([_neighbours(np.concatenate([mids, -mids, sub, -sub])), special,
                           np.nextafter(mids.astype(np.float32), np.float32(np.inf)).astype(np.float64)])
    return vals


def _edge_splats(rng) -> dict:
    """float64 edge cases, each field's special values spread over otherwise random rows."""
    fields = {
        "centers": (_center_edges(rng), 3), "scales": (_scale_edges(), 3),
        "quats": (_quat_edges(rng), None), "opacities": (_unit_edges(), 1), "rgb": (_unit_edges(), 3),
    }
    blocks = []
    for name, (vals, width) in fields.items():
        n = len(vals)
        base = _random_splats(rng, n, dtype=np.float64)
        if width is None:
            base[name] = vals
        elif width == 1:
            base[name] = vals.copy()
        else:                                            # cycle the value through x, y, z
            col = np.arange(n) % 3
            base[name][np.arange(n), col] = vals
            base[name][np.arange(n)[::2], (col[::2] + 1) % 3] = vals[::2][::-1]
        blocks.append(base)
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


def _rows(d) -> np.ndarray:
    return np.concatenate([d["centers"], d["scales"], d["quats"], d["opacities"][:, None], d["rgb"]],
                          axis=1).astype(np.float64)


def _args(d, to_torch=False):
    a = (d["centers"], d["scales"], d["quats"], d["opacities"], d["rgb"])
    return tuple(torch.from_numpy(x) for x in a) if to_torch else a


def _diff(ours: np.ndarray, ref: np.ndarray, n: int, label: str) -> int:
    assert ours.dtype == np.uint32 and ours.shape[0] == capacity(n)
    assert not ours[n:].any(), f"{label}: padding rows not zero"
    bad = np.argwhere(ours[:n] != ref)
    for i, j in bad[:10]:
        print(f"{label}: splat {i} word {j}: ours {ours[i, j]:#010x} spark {ref[i, j]:#010x}")
    return len(bad)


# ----------------------------------------------------------------------------- tests

def test_spark_harness_is_the_browser_encoder(spark):
    info = spark.info()
    assert info["hasFloat16Array"], info
    assert info["toHalfOnePointFiveUlp"] == 0x3C01, "Spark's toHalf must round to nearest, not truncate"
    assert info["SCALE_ZERO"] == pack.SCALE_ZERO
    assert (info["LN_SCALE_MIN"], info["LN_SCALE_MAX"]) == (pack.LN_SCALE_MIN, pack.LN_SCALE_MAX)
    assert info["SPLAT_TEX_WIDTH"] == pack.SPLAT_TEX_WIDTH


def test_pack_splats_matches_spark(spark):
    rng = np.random.default_rng(1234)
    edges = _edge_splats(rng)
    with np.errstate(over="ignore"):                     # 1e300 -> inf is intended
        edges32 = {k: v.astype(np.float32) for k, v in edges.items()}
    sets = [
        ("random f32 (torch)", _random_splats(rng, 16_000), True),
        ("edge f64 (numpy)", edges, False),
        ("edge as f32 (torch)", edges32, True),
    ]
    splats = words = bad = 0
    for label, d, use_torch in sets:
        n = len(d["opacities"])
        ours = pack_splats(*_args(d, use_torch))
        ours = ours.numpy() if use_torch else ours
        ref = spark.pack_splats(_rows(d))
        bad += _diff(ours, ref, n, label)
        splats, words = splats + n, words + 4 * n
    print(f"\npack_splats vs Spark 2.2.0 setPackedSplat (Chromium): {splats} splats, "
          f"{words} words compared, {bad} differ")
    assert bad == 0
    assert splats >= 20_000


def test_thresholds_match_spark(spark):
    """Every step of pack's scale/angle tables, and 4 doubles either side, against Spark."""
    win = np.arange(-4, 5)
    t = _from_bits(_bits(pack.SCALE_THRESHOLDS)[:, None] + win).ravel()
    u = _from_bits(_bits(pack.ANGLE_THRESHOLDS)[:, None] + win).ravel()
    rows = np.concatenate([_probe_rows(t, np.ones_like(t)), _probe_rows(np.ones_like(u), u)])
    ref = spark.pack_splats(rows)
    ours = pack_splats(rows[:, :3], rows[:, 3:6], rows[:, 6:10], rows[:, 10], rows[:, 11:])
    n = len(rows)
    bad = _diff(ours, ref, n, "threshold windows")
    print(f"\nthreshold windows vs Spark: {n} splats, {4 * n} words compared, {bad} differ")
    assert bad == 0


def test_threshold_tables_are_sane():
    t, u = np.array(pack.SCALE_THRESHOLDS), np.array(pack.ANGLE_THRESHOLDS)
    assert len(t) == 254 and len(u) == 255
    assert (np.diff(t) > 0).all() and (np.diff(u) < 0).all()
    j, k = np.arange(2, 256), np.arange(1, 256)
    np.testing.assert_allclose(t, np.exp((j - 1.5) / pack.LN_SCALE_SCALE + pack.LN_SCALE_MIN), rtol=1e-12)
    np.testing.assert_allclose(u, np.cos((k - 0.5) * math.pi / 510), rtol=1e-12)


def _sh_data(rng, n, k):
    sh = rng.normal(scale=0.3, size=(n, k, 3))
    sh[:, :3] *= 0.025                                   # DA3's degree-1 factor
    sh[:, 3:] *= 0.00625                                 # DA3's degree-2 factor
    sh = sh.astype(np.float32)
    sh[:8] = 0.0
    sh[8, 0, 0], sh[9, 1, 1], sh[10, 2, 2] = np.nan, np.inf, -np.inf
    sh[11, :, :] = -0.0
    return sh


def test_pack_sh_matches_spark(spark):
    rng = np.random.default_rng(99)
    # Exact ties: with sh1Max = 63/64, 63/sh1Max = 64 and v = (j + 0.5)/64 gives s = j + 0.5.
    j = np.arange(-70, 70, dtype=np.float32)
    ties = np.resize(np.concatenate([(j + 0.5) / 64, (j + 0.5) / 127, (j + 0.5) / 63]), (256, 8, 3))
    ties = np.concatenate([ties, np.nextafter(ties, np.float32(1)), np.nextafter(ties, np.float32(-1))])
    cases = [
        ("deg1+2 auto max", _sh_data(rng, 6_000, 8), None, None),
        ("deg1 auto max", _sh_data(rng, 3_000, 3), None, None),
        ("deg1+2 default max", rng.normal(scale=0.6, size=(2_000, 8, 3)).astype(np.float32), 1.0, 1.0),
        ("deg1+2 ties", ties.astype(np.float32), 63 / 64, 1.0),
        ("deg1+2 ties, max 0.5", ties.astype(np.float32), 0.5, 0.5),
        # 63/sh1Max = 1 - 2^-53, so 0.5 -> s = 0.49999999999999994: Math.round gives 0, and
        # floor(s + 0.5) would give 1.
        ("deg1+2 round trap", np.resize(np.float32([0.5, -0.5, 1.5, 0.25]), (64, 8, 3)), 63 + 2.0**-47, 1.0),
    ]
    splats = words = bad = 0
    for label, sh, m1, m2 in cases:
        n, k = sh.shape[:2]
        t = torch.from_numpy(sh)
        s1, s2, got1, got2 = pack_sh(t, m1, m2)
        if m1 is None:
            finite = np.where(np.isfinite(sh[:, :3]), np.abs(sh[:, :3]), 0)
            assert got1 == float(finite.max()) > 0
        assert (got2 is None) == (k == 3)
        ref1, ref2 = spark.pack_sh(sh, got1, got2)
        bad += _diff(s1.numpy(), ref1, n, f"{label} sh1")
        words += 2 * n
        if k == 8:
            assert s2.shape == (capacity(n), 4)
            bad += _diff(s2.numpy(), ref2, n, f"{label} sh2")
            words += 4 * n
        else:
            assert s2 is None
        splats += n
        # numpy input gives the same words and maxes.
        n1, n2, g1, g2 = pack_sh(sh, m1, m2)
        assert isinstance(n1, np.ndarray) and np.array_equal(n1, s1.numpy()) and (g1, g2) == (got1, got2)
        assert (n2 is None) == (k == 3) and (n2 is None or np.array_equal(n2, s2.numpy()))
    print(f"\npack_sh vs Spark 2.2.0 encodeSh1Rgb/encodeSh2Rgb: {splats} splats, {words} words compared, "
          f"{bad} differ")
    assert bad == 0


# ----------------------------------------------------------------------------- pure python

def test_torch_numpy_and_quaternion_invariance():
    rng = np.random.default_rng(7)
    for dtype in (np.float32, np.float64):
        d = _random_splats(rng, 5_000, dtype)
        d["quats"][::7] *= -1                            # w < 0 somewhere
        ref = pack_splats(*_args(d))
        assert isinstance(ref, np.ndarray) and ref.dtype == np.uint32 and ref.shape == (6144, 4)
        t = pack_splats(*_args(d, to_torch=True))
        assert t.dtype == torch.uint32 and t.device.type == "cpu"
        assert np.array_equal(t.numpy(), ref)
        assert not ref[5_000:].any()
        assert words_to_bytes(t, 5_000) == words_to_bytes(ref, 5_000) == ref[:5_000].astype("<u4").tobytes()
        q = d["quats"].astype(np.float64)
        nonzero_w = q[:, 3] != 0
        for variant in (q * 4.0, q * 2.0**-30, -q):      # exact rescalings / same rotation
            v = dict(d, quats=variant.astype(dtype))
            got = pack_splats(*_args(v))
            assert np.array_equal(got[:5_000][nonzero_w], ref[:5_000][nonzero_w])
        unit = dict(d, quats=(q / np.linalg.norm(q, axis=1, keepdims=True)).astype(dtype))
        assert np.array_equal(pack_splats(*_args(unit)), ref)


def test_empty_nan_and_padding():
    z3 = np.zeros((0, 3), np.float32)
    w = pack_splats(z3, z3, np.zeros((0, 4), np.float32), np.zeros(0, np.float32), z3)
    assert w.shape == (0, 4) and w.dtype == np.uint32
    assert words_to_bytes(w, 0) == b""
    s1, s2, m1, m2 = pack_sh(np.zeros((0, 8, 3), np.float32))
    assert s1.shape == (0, 2) and s2.shape == (0, 4) and m1 == m2 == pack.SH_MAX_FLOOR
    s1, s2, m1, m2 = pack_sh(np.zeros((5, 3, 3), np.float32))
    assert s1.shape == (2048, 2) and s2 is None and m2 is None and not s1.any()

    bad = np.full((3, 4), np.nan, np.float32)
    bad[1] = np.inf
    bad[2] = -np.inf
    args = (bad[:, :3], bad[:, :3], bad, bad[:, 0], bad[:, :3])
    a, b = pack_splats(*args), pack_splats(*args)
    assert a.shape == (2048, 4) and np.array_equal(a, b) and not a[3:].any()


def test_padding_rows_are_zero():
    rng = np.random.default_rng(3)
    for n in (1, 2047, 2048, 2049):
        d = _random_splats(rng, n)
        w = pack_splats(*_args(d, to_torch=True))
        assert w.shape == (capacity(n), 4)
        assert not w[n:].numpy().any()
        assert w[:n].numpy().any(axis=1).all()           # real splats are never all-zero here


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    rng = np.random.default_rng(11)
    for d in (_random_splats(rng, 20_000), _edge_splats(rng)):
        ref = pack_splats(*_args(d))
        w = pack_splats(*(x.cuda() for x in _args(d, to_torch=True)))
        assert w.is_cuda and w.dtype == torch.uint32
        n = len(d["opacities"])
        assert words_to_bytes(w, n) == words_to_bytes(ref, n)
    sh = _sh_data(rng, 5_000, 8)
    a, b = pack_sh(sh), pack_sh(torch.from_numpy(sh).cuda())
    assert a[2:] == b[2:]
    assert np.array_equal(a[0], b[0].cpu().numpy()) and np.array_equal(a[1], b[1].cpu().numpy())


if __name__ == "__main__":
    # Print pack.py's threshold tables, freshly derived from Spark in Chromium.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, spark_session(tmp) as sp:
        t_scale, u_angle = derive_thresholds(sp)
    for name, vals in (("SCALE_THRESHOLDS", t_scale), ("ANGLE_THRESHOLDS", u_angle)):
        print(f"{name} = _hex_table(\"\"\"")
        for i in range(0, len(vals), 4):
            print(" ".join(float(v).hex() for v in vals[i:i + 4]))
        print('""")')
