"""Pack Gaussian splats into SparkJS 2.2's native ``PackedSplats`` words (and SH arrays).

This is the only splat packer in the project. It is byte-exact against Spark 2.2.0's own
JS encoder (``setPackedSplat``, ``utils.encodeSh1Rgb``, ``utils.encodeSh2Rgb``) as run by
a browser; ``tests/test_pack.py`` checks that word for word in headless Chromium.

Layout: see docs/wire-format.md ("packed") and /shared/research/spark.md section 2.
Source references are to the TypeScript sources shipped (in the source map) with
``@sparkjsdev/spark`` 2.2.0: ``src/utils.ts`` and ``src/defines.ts``.

How exactness is obtained: Spark computes with JS numbers (IEEE float64, no fused
multiply-add), so every quantity below is computed in float64 with the *same* sequence
of IEEE operations (same operand order, ``x * (1 / l)`` where three.js does that, and so
on). float32 compute is not enough (about 3 bytes in 10^6 came out ±1 in earlier research).
Rounding is JS ``Math.round`` (nearest, ties towards +inf), done as
``floor(x) + (x - floor(x) >= 0.5)``, which is exact for all doubles (``floor(x + 0.5)``
is not, e.g. for 0.49999999999999994).

Remaining caveat: ``Math.log``/``Math.acos`` (V8: fdlibm) and torch's ``log``/``acos``
(SLEEF or glibc on CPU, libdevice on CUDA) may differ by one ulp for some inputs; that
changes a byte only when the scaled value lies within ~1e-16 (relative) of a rounding tie.
The test includes inputs placed on those ties. On an H100 (torch 2.11+cu130), CUDA output
matched Spark's Chromium words for all 28,464 test splats, although CUDA's float64 acos
differed from the CPU's by an ulp for 17% of inputs: a flip needs a value on a tie.
Timing there for 190,512 splats: pack_splats 0.86 ms, plus 0.37 ms for words_to_bytes.

NaN / Inf inputs never raise and give deterministic words. They reproduce what Spark's
encoder does, because the same IEEE operations run and JS's ``NaN | 0 == 0`` is mirrored:
colour/opacity/quaternion fields that become NaN encode 0, +Inf colour or opacity is 255,
a NaN, negative or zero scale encodes 0 (flat axis), +Inf scale 255. A NaN centre
coordinate encodes as the float16 NaN 0x7e00 with its sign bit (payload dropped, as
Chromium's ``Float16Array`` does);
±Inf and |x| >= 65520 encode as ±Inf, as float16 conversion does.

Output dtype: ``torch.uint32`` for torch input (same device), ``numpy.uint32`` for numpy
input. ``words_to_bytes`` turns either into wire bytes.
"""

from __future__ import annotations

import math

import numpy as np
import torch

# src/defines.ts:6-12 (LN_SCALE_MIN, LN_SCALE_MAX, SCALE_ZERO = Math.exp(-30)).
LN_SCALE_MIN = -12.0
LN_SCALE_MAX = 9.0
# V8's Math.exp(-30) as read back from Chromium 156 (tests/test_pack.py re-checks it
# against Spark's own ``defines.SCALE_ZERO``); it equals CPython's math.exp(-30).
SCALE_ZERO = float.fromhex("0x1.a56e0c2ac7f75p-44")
# src/utils.ts:508 (lnScaleScale) and :1159 (255 / Math.PI): JS evaluates these in double,
# exactly like Python does.
LN_SCALE_SCALE = 254.0 / (LN_SCALE_MAX - LN_SCALE_MIN)
ANGLE_SCALE = 255.0 / math.pi
# Capacity granule: SPLAT_TEX_WIDTH = 2048 (src/defines.ts:25). PackedSplats floors
# maxSplats to a multiple of it (src/PackedSplats.ts:206-229), so buffers must be padded.
SPLAT_TEX_WIDTH = 2048
# Floor for a data-chosen SH max (2^-20, exact in float32): avoids dividing by zero when
# all coefficients are 0, and is far below anything visible.
SH_MAX_FLOOR = 2.0**-20

F64 = torch.float64


def capacity(n: int) -> int:
    """Padded splat count: ceil(n / 2048) * 2048 (0 for 0)."""
    return -(-n // SPLAT_TEX_WIDTH) * SPLAT_TEX_WIDTH


def _tensor(a, device=None) -> torch.Tensor:
    t = torch.from_numpy(np.ascontiguousarray(a)) if isinstance(a, np.ndarray) else torch.as_tensor(a)
    return t if device is None else t.to(device)


def _js_round(x: torch.Tensor) -> torch.Tensor:
    """JS Math.round in float64: nearest integer, ties towards +inf. NaN stays NaN."""
    f = torch.floor(x)
    return f + ((x - f) >= 0.5)


def _f64_to_half_bits(x: torch.Tensor) -> torch.Tensor:
    """float64 -> IEEE binary16 bits (int64), single round-to-nearest-even.

    torch's double->half cast goes through float32 and so rounds twice (1 + 2^-11 + 2^-40
    becomes 1.0 instead of 1.0009765625); a browser's Float16Array rounds once. Only float64
    input needs this; float32 input is converted with ``.half()`` (one rounding).
    """
    b = x.contiguous().view(torch.int64)
    sign = (b >> 48) & 0x8000                      # bit 63 -> bit 15
    a = b & 0x7FFF_FFFF_FFFF_FFFF
    e = (a >> 52) - 1008                           # half's biased exponent (1023 - 15)
    m = (a & 0x000F_FFFF_FFFF_FFFF) | (1 << 52)    # significand with the implicit bit
    # Normal halves keep 10 of 52 fraction bits (shift 42); subnormals shift further.
    # Cap at 62 (any larger shift gives 0 too) to stay clear of int64 overflow.
    shift = torch.clamp(1 - e, 0, 20) + 42
    v = (torch.clamp(e - 1, min=0) << 10) + (m >> shift)  # a mantissa carry bumps exponent
    half = torch.ones_like(m) << (shift - 1)
    rem = m & ((half << 1) - 1)
    v = v + ((rem > half) | ((rem == half) & ((v & 1) == 1)))  # nearest, ties to even
    v = torch.where(e >= 31, 0x7C00, v)            # overflow and Inf
    v = torch.where(a > 0x7FF0_0000_0000_0000, 0x7E00, v)  # NaN: payload dropped, as V8 does
    return v | sign


def _centers_to_half_bytes(c: torch.Tensor) -> torch.Tensor:
    """(N,3) centres -> (N,6) uint8: three little-endian float16 values."""
    if c.dtype in (torch.float32, torch.float16, torch.bfloat16):
        c = c.to(torch.float32)
        bits = c.half().contiguous().view(torch.int16)  # exact value -> one RNE rounding
        # NaN -> 0x7e00 | sign, as Chromium's Float16Array (and torch on CPU) give; CUDA's
        # float->half conversion gives 0x7fff instead.
        nan_bits = torch.where(torch.signbit(c), -0x200, 0x7E00)  # int16 0xfe00 / 0x7e00
        bits = torch.where(torch.isnan(c), nan_bits, bits).to(torch.int16)
        return bits.view(torch.uint8).reshape(-1, 6)
    bits = _f64_to_half_bits(c.to(F64)).to(torch.int16)  # low 16 bits
    return bits.view(torch.uint8).reshape(-1, 6)


def pack_splats(centers, scales, quats_xyzw, opacities, rgb):
    """Encode N splats as Spark 2.2 ``PackedSplats`` words (default SplatEncoding).

    Args (torch tensors on any one device, or numpy arrays):
        centers (N,3), scales (N,3) linear standard deviations, quats_xyzw (N,4) in
        x,y,z,w order (any norm, any sign), opacities (N,) after the sigmoid, rgb (N,3)
        display colour. Out-of-range opacity/colour is clamped, as Spark does.
    Returns: uint32 words of shape (capacity(N), 4); rows N.. are zero (inactive splats).
        torch.uint32 on the input's device for torch input; numpy.uint32 for numpy input.
    """
    is_numpy = isinstance(centers, np.ndarray)
    c = _tensor(centers)
    dev = c.device
    s = _tensor(scales, dev).to(F64)
    q = _tensor(quats_xyzw, dev).to(F64)
    o = _tensor(opacities, dev).to(F64).reshape(-1, 1)
    col = _tensor(rgb, dev).to(F64)
    n = c.shape[0]
    out = torch.zeros((capacity(n), 16), dtype=torch.uint8, device=dev)
    if n:
        out[:n] = _pack_bytes(c, s, q, o, col)
    words = out.view(torch.uint32)
    return words.numpy() if is_numpy else words


def _pack_bytes(c, s, q, o, col) -> torch.Tensor:
    n = c.shape[0]
    # --- Rotation: encodeQuatOctXy88R8, src/utils.ts:1123-1163 ---------------------
    # THREE.Quaternion.normalize (three r180 src/math/Quaternion.js:631-665):
    # l = sqrt(x*x + y*y + z*z + w*w), left to right; l === 0 -> identity; else *= 1/l.
    qq = q * q
    l = torch.sqrt(((qq[:, 0] + qq[:, 1]) + qq[:, 2]) + qq[:, 3])
    zero = l == 0
    qn = q * (1.0 / l)[:, None]
    qn.masked_fill_(zero[:, None], 0.0)
    qn[:, 3].masked_fill_(zero, 1.0)
    qn = torch.where(qn[:, 3:4] < 0, -qn, qn)      # minimal representation, w >= 0
    theta = 2.0 * torch.acos(qn[:, 3])
    xx = qn[:, :3] * qn[:, :3]
    xyz_norm = torch.sqrt((xx[:, 0] + xx[:, 1]) + xx[:, 2])
    # Vector3.divideScalar(s) is multiplyScalar(1 / s) (three r180 Vector3.js:559-563).
    axis = qn[:, :3] * (1.0 / xyz_norm)[:, None]
    small = xyz_norm < 1e-6                        # near-zero rotation: axis (1,0,0)
    axis.masked_fill_(small[:, None], 0.0)
    axis[:, 0].masked_fill_(small, 1.0)
    ab = axis.abs()
    p = axis[:, :2] / ((ab[:, 0] + ab[:, 1]) + ab[:, 2])[:, None]
    # Fold the lower hemisphere: p_x' = (1-|p_y|)*sign(p_x), p_y' = (1-|p_x|)*sign(p_y),
    # where sign(v) = (v >= 0 ? 1 : -1), so sign(+-0) = +1 (and sign(NaN) = -1).
    folded = (1.0 - p.flip(-1).abs()) * torch.where(p >= 0, 1.0, -1.0)
    p = torch.where(axis[:, 2:3] < 0, folded, p)
    uv = (p * 0.5 + 0.5) * 255.0

    # --- Scales: src/utils.ts:506-538 ----------------------------------------------
    lq = (torch.log(s) - LN_SCALE_MIN) * LN_SCALE_SCALE

    # All byte fields, in byte order after the centres: R G B A | U V sx sy sz angle.
    x = torch.cat([col * 255.0, o * 255.0, uv, lq, (theta * ANGLE_SCALE)[:, None]], dim=1)
    y = _js_round(x)
    # JS turns NaN into 0 when it ORs the byte in ("NaN | 0 === 0"); clamps per Spark.
    y = torch.nan_to_num_(y, nan=0.0).clamp_(0.0, 255.0)
    y[:, 6:9].clamp_(max=254.0).add_(1.0)         # scale: clamp(round(q) + 1, 1, 255)
    codes = y.to(torch.uint8)
    # Spark: scale < SCALE_ZERO (and NaN, via the clamp branch yielding NaN) -> 0.
    codes[:, 6:9] *= s >= SCALE_ZERO
    # Bytes 0-3 RGBA, 4-9 centres (float16), 10-15 U V sx sy sz angle (utils.ts:546-550).
    return torch.cat([codes[:, :4], _centers_to_half_bytes(c), codes[:, 4:]], dim=1).reshape(n, 16)


def _data_max(a: torch.Tensor) -> torch.Tensor:
    """max |a| over finite values, floored at SH_MAX_FLOOR (0-d float64 on a's device).

    a holds float32 values, so the result is one too: exact on the wire as float32 or 64.
    """
    if a.numel() == 0:
        return torch.tensor(SH_MAX_FLOOR, dtype=F64, device=a.device)
    m = torch.nan_to_num(a.abs(), nan=0.0, posinf=0.0).amax()
    return m.clamp(min=SH_MAX_FLOOR)


def pack_sh(sh_rest, sh1_max=None, sh2_max=None):
    """Encode SH degree 1 (and 2) the way Spark's encodeSh1Rgb / encodeSh2Rgb do.

    sh_rest: (N, K, 3), K = 3 (degree 1) or 8 (degrees 1 and 2), 3DGS "rest" coefficients
    ordered coefficient-major then RGB (Spark's order, src/utils.ts:1380-1451). Spark takes
    them as a Float32Array, so they are rounded to float32 first.
    sh1_max / sh2_max: quantisation ranges (Spark's splatEncoding.sh1Max / sh2Max). None ->
    max |coefficient| of that degree (finite values only, at least SH_MAX_FLOOR), so DA3's
    tiny SH (degree 1 x 0.025, degree 2 x 0.00625) use the full code range.
    Returns (sh1 words (cap, 2), sh2 words (cap, 4) or None, sh1_max, sh2_max or None);
    words as in pack_splats, maxes as Python floats (the values the viewer must pass to
    Spark). A data-chosen max costs one device sync.
    """
    is_numpy = isinstance(sh_rest, np.ndarray)
    v = _tensor(sh_rest)
    n, k = v.shape[0], v.shape[1]
    if k not in (3, 8) or v.shape[2] != 3:
        raise ValueError(f"sh_rest must be (N, 3, 3) or (N, 8, 3), got {tuple(v.shape)}")
    v = v.reshape(n, k * 3).to(torch.float32).to(F64)
    cap, dev = capacity(n), v.device
    maxes = [sh1_max, sh2_max if k == 8 else None]
    auto = {}
    for i, sl in ((0, slice(0, 9)), (1, slice(9, 24))):
        if i == 1 and k == 3:
            continue
        if maxes[i] is None:
            auto[i] = maxes[i] = _data_max(v[:, sl])
        else:
            maxes[i] = float(maxes[i])

    # sh1: 9 x sint7, LSB-first at bit 7i over 2 words (src/utils.ts:1382-1411):
    # s = v * (63 / sh1Max); code = round(clamp(s, -63, 63)) & 0x7f.
    s = v[:, :9] * (63.0 / maxes[0])
    c1 = torch.nan_to_num_(_js_round(s.clamp(-63.0, 63.0)), nan=0.0).to(torch.int64) & 0x7F
    # Fields are disjoint, so a sum is an OR; 63 bits fit in int64, and its little-endian
    # bytes are exactly the two words.
    bits = (c1 << torch.arange(0, 63, 7, device=dev)).sum(dim=1)
    sh1 = torch.zeros((cap, 8), dtype=torch.uint8, device=dev)
    sh1[:n] = bits.view(torch.uint8).reshape(n, 8)

    sh2 = None
    if k == 8:
        # sh2: 15 x sint8, byte i, byte 15 = 0 (src/utils.ts:1362-1378, 1415-1451):
        # b = v * (1 / sh2Max); code = round(clamp(b * 127, -127, 127)).
        b = (v[:, 9:24] * (1.0 / maxes[1])) * 127.0
        c2 = torch.nan_to_num_(_js_round(b.clamp(-127.0, 127.0)), nan=0.0).to(torch.int64)
        sh2 = torch.zeros((cap, 16), dtype=torch.uint8, device=dev)
        sh2[:n, :15] = c2.to(torch.uint8)          # int64 -> uint8 wraps: two's complement
        sh2 = sh2.view(torch.uint32)
    sh1 = sh1.view(torch.uint32)

    if auto:  # one sync for both data-chosen maxes
        vals = torch.stack([auto[i] for i in sorted(auto)]).tolist()
        for i, val in zip(sorted(auto), vals):
            maxes[i] = val
    if is_numpy:
        sh1 = sh1.numpy()
        sh2 = None if sh2 is None else sh2.numpy()
    return sh1, sh2, maxes[0], maxes[1]


def words_to_bytes(words, n: int) -> bytes:
    """First n rows of packed words (torch on any device, or numpy) as little-endian bytes.

    Copies only those n rows to the host, once. From CUDA the copy goes through a pinned
    buffer of torch's caching host allocator: on an H100 host that took 0.37 ms for 190k
    splats where ``.cpu().numpy().tobytes()`` took 3.2 ms (fresh pageable pages each call).
    """
    w = words[:n]
    if isinstance(w, torch.Tensor):
        if w.is_cuda:
            buf = torch.empty(w.shape, dtype=w.dtype, pin_memory=True)
            buf.copy_(w)
            w = buf
        w = w.cpu().numpy()
    return np.ascontiguousarray(w).view(np.uint32).astype("<u4", copy=False).tobytes()
