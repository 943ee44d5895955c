"""Spark 2.2's rotation bytes: ``rotation_bytes`` gives, for each quaternion, the three bytes that
Spark's ``encodeQuatOctXy88R8`` gives (the folded-octahedral axis x, y and the angle; ``PackedSplats``
bytes 10, 11, 15), byte for byte. The wire format's ``rotation`` plane carries them
(docs/wire-format.md); ``tests/test_pack.py`` checks them against Spark 2.2.0's own encoder in
headless Chromium.

How exactness is obtained: Spark computes with JS numbers (IEEE float64, no fused multiply-add), so
every quantity below is computed in float64 with the *same* sequence of IEEE operations (same operand
order, ``x * (1 / l)`` where three.js does that), each op a separate torch kernel so nothing gets
fused. ``sqrt`` must be correctly rounded like JS's: torch's CPU float64 sqrt is not, so the CPU path
uses numpy's. Rounding is JS ``Math.round`` (nearest, ties towards +inf).

The angle byte, which Spark derives through ``Math.acos``, is read off a table of thresholds instead
(``torch.searchsorted``): the last bit of acos differs between libms (V8's fdlibm port, glibc, SLEEF,
CUDA's libdevice), and a rotation of exactly 90 degrees sits on a rounding tie (byte 127.5). The byte
is monotonic in w, so the 255 points where Spark's byte steps decide every input exactly. The table
was found by bisection over doubles against Spark 2.2.0 in Chromium, and the test re-checks each step
and its neighbours against Spark. So the bytes depend on no libm: the same on every CPU and GPU.

NaN / Inf inputs never raise and give deterministic bytes, Spark's: fields that become NaN encode 0,
as JS's ``NaN | 0 == 0``.
"""

from __future__ import annotations

import numpy as np
import torch

F64 = torch.float64


def _tensor(a) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a)) if isinstance(a, np.ndarray) else torch.as_tensor(a)


def _sqrt(x: torch.Tensor) -> torch.Tensor:
    """Correctly rounded float64 sqrt, as JS Math.sqrt.

    torch's CPU float64 sqrt is not: its vectorised code is 1 ulp off for about 1.3% of
    random inputs (torch 2.11 and 2.13; sqrt(2) among them on an AVX-512 host), which flips
    the angle byte of 90-degree rotations. numpy's sqrt and CUDA's are correctly rounded.
    """
    if x.device.type == "cpu":
        return torch.from_numpy(np.sqrt(x.contiguous().numpy()))
    return torch.sqrt(x)


def rotation_bytes(quats_xyzw) -> torch.Tensor:
    """Spark 2.2's rotation bytes of each quaternion (x, y, z, w; any norm, any sign; torch on any
    device, or numpy): (N, 3) uint8 on its device, the folded-octahedral axis x, y and the angle,
    exactly as ``encodeQuatOctXy88R8`` gives them."""
    q = _tensor(quats_xyzw).to(F64)
    k = _consts(q.device)
    # --- encodeQuatOctXy88R8, src/utils.ts:1123-1163 -------------------------------
    # THREE.Quaternion.normalize (three r180 src/math/Quaternion.js:631-665):
    # l = sqrt(x*x + y*y + z*z + w*w), left to right; l === 0 -> identity; else *= 1/l.
    qq = q * q
    l = _sqrt(((qq[:, 0] + qq[:, 1]) + qq[:, 2]) + qq[:, 3])
    qn = torch.where((l == 0)[:, None], k["identity"], q * torch.reciprocal(l)[:, None])
    qn = torch.where(qn[:, 3:4] < 0, -qn, qn)      # minimal representation, w >= 0
    # Angle byte round(2 acos(w) * 255/pi) = number of thresholds >= w (it does not
    # increase with w). w > 1 (acos NaN in JS, byte 0) counts none; NaN w is sent there.
    # searchsorted wants contiguous values (it copies and warns otherwise).
    angle = 255 - torch.searchsorted(k["angle"], torch.nan_to_num(qn[:, 3], nan=2.0).contiguous())
    xyz = qn[:, :3]
    xx = xyz * xyz
    xyz_norm = _sqrt((xx[:, 0] + xx[:, 1]) + xx[:, 2])
    # Vector3.divideScalar(s) is multiplyScalar(1 / s) (three r180 Vector3.js:559-563);
    # near-zero rotation: axis (1, 0, 0).
    axis = torch.where((xyz_norm < 1e-6)[:, None], k["x_axis"], xyz * torch.reciprocal(xyz_norm)[:, None])
    ab = axis.abs()
    p = axis[:, :2] / ((ab[:, 0] + ab[:, 1]) + ab[:, 2])[:, None]
    # Fold the lower hemisphere: p_x' = (1-|p_y|)*sign(p_x), p_y' = (1-|p_x|)*sign(p_y),
    # with sign(v) = (v >= 0 ? 1 : -1): copysign on v + 0.0 (which turns -0 into +0) is
    # that same product, zeros' signs included. NaN only arises with both p NaN.
    folded = torch.copysign(1.0 - p.flip(-1).abs(), p + 0.0)
    p = torch.where(axis[:, 2:3] < 0, folded, p)
    # Math.round(u * 255) with u = p * 0.5 + 0.5 in [0, 1]: floor(x + 0.5) equals Math.round here
    # (they differ only at 0.49999999999999994, and no double v gives v * 255 == that).
    # JS turns NaN into 0 when it ORs the byte in ("NaN | 0 === 0").
    uv = torch.floor((p * 0.5 + 0.5) * 255.0 + 0.5).nan_to_num_(nan=0.0).clamp_(0.0, 255.0)
    return torch.cat([uv, angle[:, None].to(uv.dtype)], dim=1).to(torch.uint8)


def _hex_table(text: str) -> tuple:
    return tuple(float.fromhex(v) for v in text.split())


# Found by bisection over doubles against Spark 2.2.0 in Chromium (tests/test_pack.py's
# derive_thresholds; ``PYTHONPATH=. python tests/test_pack.py`` prints it). ANGLE_THRESHOLDS[k - 1]:
# the largest normalised w whose angle byte is >= k (k = 1..255); they sit near cos((k - 0.5) π/510).
ANGLE_THRESHOLDS = _hex_table("""
0x1.ffff60d871ebdp-1 0x1.fffa679e52f74p-1 0x1.fff07536734b9p-1 0x1.ffe189b98f44bp-1
0x1.ffcda54cc11fcp-1 0x1.ffb4c821809edp-1 0x1.ff96f275a28dbp-1 0x1.ff74249358283p-1
0x1.ff4c5ed12e61dp-1 0x1.ff1fa1920d0e6p-1 0x1.feeded4535ec1p-1 0x1.feb74266438edp-1
0x1.fe7ba17d282ccp-1 0x1.fe3b0b1e2c4c8p-1 0x1.fdf57fe9ed541p-1 0x1.fdab008d5bf99p-1
0x1.fd5b8dc1ba953p-1 0x1.fd07284c9b546p-1 0x1.fcadd0ffde4ecp-1 0x1.fc4f88b9af7bfp-1
0x1.fbec5064848b3p-1 0x1.fb8428f71a9c6p-1 0x1.fb17137473da4p-1 0x1.faa510ebd4f69p-1
0x1.fa2e2278c2875p-1 0x1.f9b24942fe45bp-1 0x1.f931867e842ecp-1 0x1.f8abdb6b87856p-1
0x1.f82149566fb61p-1 0x1.f791d197d51c5p-1 0x1.f6fd75947da9ap-1 0x1.f66436bd596e6p-1
0x1.f5c6168f7f047p-1 0x1.f523169427db2p-1 0x1.f47b3860ac65cp-1 0x1.f3ce7d96802b7p-1
0x1.f31ce7e32db8fp-1 0x1.f266790052749p-1 0x1.f1ab32b39a540p-1 0x1.f0eb16cebb741p-1
0x1.f026272f71929p-1 0x1.ef5c65bf796a5p-1 0x1.ee8dd4748bf14p-1 0x1.edba75505978ep-1
0x1.ece24a6084b09p-1 0x1.ec0555be9d8abp-1 0x1.eb2399901c03bp-1 0x1.ea3d18065acb9p-1
0x1.e951d35e91d23p-1 0x1.e861cde1d0b59p-1 0x1.e76d09e4f9131p-1 0x1.e67389c8b8bb1p-1
0x1.e5754ff983c74p-1 0x1.e4725eef8e93bp-1 0x1.e36ab92ec79aep-1 0x1.e25e6146d1340p-1
0x1.e14d59d2fb351p-1 0x1.e037a57a3c76ep-1 0x1.df1d46ef2c3d0p-1 0x1.ddfe40effb805p-1
0x1.dcda96466e1c9p-1 0x1.dbb249c7d3e1ep-1 0x1.da855e550188ap-1 0x1.d953d6da49893p-1
0x1.d81db64f74d75p-1 0x1.d6e2ffb7bb804p-1 0x1.d5a3b621bd2d4p-1 0x1.d45fdca779893p-1
0x1.d317766e488a2p-1 0x1.d1ca86a6d29eap-1 0x1.d079108d08beap-1 0x1.cf2317681c60fp-1
0x1.cdc89e8a77543p-1 0x1.cc69a951b37bdp-1 0x1.cb063b269271dp-1 0x1.c99e577cf50c3p-1
0x1.c83201d3d2c6cp-1 0x1.c6c13db531121p-1 0x1.c54c0eb61a85cp-1 0x1.c3d2787695f87p-1
0x1.c2547ea19d7bcp-1 0x1.c0d224ed153d7p-1 0x1.bf4b6f19c24cfp-1 0x1.bdc060f341469p-1
0x1.bc30fe4ffce2cp-1 0x1.ba9d4b11246b9p-1 0x1.b9054b22a2169p-1 0x1.b769027b11445p-1
0x1.b5c8751bb4a54p-1 0x1.b423a7106c443p-1 0x1.b27a9c6fab764p-1 0x1.b0cd595a6eb09p-1
0x1.af1be1fc3143ep-1 0x1.ad663a8ae2fdcp-1 0x1.abac6746ddb02p-1 0x1.a9ee6c7ada9edp-1
0x1.a82c4e7be7d34p-1 0x1.a66611a95d565p-1 0x1.a49bba6cd250fp-1 0x1.a2cd4d3a12132p-1
0x1.a0face8f11015p-1 0x1.9f2442f3e168dp-1 0x1.9d49aefaa83afp-1 0x1.9b6b173f91af5p-1
0x1.99888068c5cc8p-1 0x1.97a1ef265cd8fp-1 0x1.95b7683253b24p-1 0x1.93c8f050800c5p-1
0x1.91d68c4e8497cp-1 0x1.8fe04103c5105p-1 0x1.8de613515a327p-1 0x1.8be8082205996p-1
0x1.89e6246a2584bp-1 0x1.87e06d27a8861p-1 0x1.85d6e7620117ap-1 0x1.83c9982a191a1p-1
0x1.81b8849a453bdp-1 0x1.7fa3b1d638482p-1 0x1.7d8b250af65f6p-1 0x1.7b6ee36ec8182p-1
0x1.794ef2412d88dp-1 0x1.772b56cad13b2p-1 0x1.7504165d7b07dp-1 0x1.72d9365402dc8p-1
0x1.70aabc12436a9p-1 0x1.6e78ad050cbfdp-1 0x1.6c430ea216c8cp-1 0x1.6a09e667f3bccp-1
0x1.67cd39de02747p-1 0x1.658d0e9460a98p-1 0x1.63496a23dd21bp-1 0x1.6102522de9c37p-1
0x1.5eb7cc5c8d95ap-1 0x1.5c69de6256a92p-1 0x1.5a188dfa4bee4p-1 0x1.57c3e0e7def46p-1
0x1.556bdcf6dd949p-1 0x1.531087fb63885p-1 0x1.50b1e7d1cbea3p-1 0x1.4e50025ea2a36p-1
0x1.4beadd8e95c42p-1 0x1.49827f5666c7dp-1 0x1.4716edb2dbc59p-1 0x1.44a82ea8b08c7p-1
0x1.4236484487abdp-1 0x1.3fc1409adb68ap-1 0x1.3d491dc7ee9e4p-1 0x1.3acde5efbd8d0p-1
0x1.384f9f3dee949p-1 0x1.35ce4fe5c2dc2p-1 0x1.3349fe2206e6fp-1 0x1.30c2b03503166p-1
0x1.2e386c686c19ap-1 0x1.2bab390d534a7p-1 0x1.291b1c7c16f82p-1 0x1.26881d14529fdp-1
0x1.23f2413ccf135p-1 0x1.21598f63728d6p-1 0x1.1ebe0dfd30b53p-1 0x1.1c1fc385fa8f6p-1
0x1.197eb680ae5e9p-1 0x1.16daed770771dp-1 0x1.14346ef98de2bp-1 0x1.118b419f8641fp-1
0x1.0edf6c06e133dp-1 0x1.0c30f4d42afb7p-1 0x1.097fe2b27af63p-1 0x1.06cc3c536305fp-1
0x1.0416086edeeccp-1 0x1.015d4dc34396ap-1 0x1.fd44262a5caa5p-2 0x1.f7c8be5ee814fp-2
0x1.f24871c6208b2p-2 0x1.ecc34e0e289d3p-2 0x1.e73960f12c48dp-2 0x1.e1aab8353ed64p-2
0x1.dc1761ac3897bp-2 0x1.d67f6b33948b3p-2 0x1.d0e2e2b44de03p-2 0x1.cb41d622bd5fdp-2
0x1.c59c537e76b96p-2 0x1.bff268d225b34p-2 0x1.ba4424336b3edp-2 0x1.b49193c2ba728p-2
0x1.aedac5ab35689p-2 0x1.a91fc8228a030p-2 0x1.a360a968ce959p-2 0x1.9d9d77c85e75bp-2
0x1.97d64195b670ep-2 0x1.920b152f512a2p-2 0x1.8c3c00fd835e4p-2 0x1.86691372580fdp-2
0x1.80925b096c9a9p-2 0x1.7ab7e647ccb0bp-2 0x1.74d9c3bbce3d7p-2 0x1.6ef801fced33cp-2
0x1.6912afaba744bp-2 0x1.6329db71577fbp-2 0x1.5d3d940011dc9p-2 0x1.574de8127eb07p-2
0x1.515ae66bb60c8p-2 0x1.4b649dd71b089p-2 0x1.456b1d2836f86p-2 0x1.3f6e733a948d3p-2
0x1.396eaef19ae2dp-2 0x1.336bdf38687a6p-2 0x1.2d661301ae1fbp-2 0x1.275d594789be0p-2
0x1.2151c10b61212p-2 0x1.1b435955bca4ep-2 0x1.1532313621d24p-2 0x1.0f1e57c2edebep-2
0x1.0907dc1930691p-2 0x1.02eecd5c85607p-2 0x1.f9a6756ddfc37p-3 0x1.ed6a66b16880ep-3
0x1.e1298cf0649d0p-3 0x1.d4e406a37f0eep-3 0x1.c899f24f025c2p-3 0x1.bc4b6e828cb2fp-3
0x1.aff899d8c3ebfp-3 0x1.a3a192f7096edp-3 0x1.9746788d2dfc8p-3 0x1.8ae76955255f9p-3
0x1.7e848412ba034p-3 0x1.721de79340720p-3 0x1.65b3b2ad4abc6p-3 0x1.594604405bc93p-3
0x1.4cd4fb349a8edp-3 0x1.4060b67a85373p-3 0x1.33e9550aa4310p-3 0x1.276ef5e53d288p-3
0x1.1af1b81205f15p-3 0x1.0e71ba9fd75bep-3 0x1.01ef1ca45ff98p-3 0x1.ead3fa77ad9e3p-4
0x1.d1c4f7115befep-4 0x1.b8b16d668a722p-4 0x1.9f999bd3390b4p-4 0x1.867dc0be0ceaep-4
0x1.6d5e1a97b55c7p-4 0x1.543ae7da5080ap-4 0x1.3b146708cfeecp-4 0x1.21ead6ae5d447p-4
0x1.08be755dbe980p-4 0x1.df1f036175c0fp-5 0x1.acbc748efc910p-5 0x1.7a55bb8ffce36p-5
0x1.47eb55babd531p-5 0x1.157dc06ea8237p-5 0x1.c61af22626f3bp-6 0x1.6135fa2c13072p-6
0x1.f89b27ac422cfp-7 0x1.2ec57427cc00fp-7 0x1.93b33ed8771f4p-9
""")

_CONSTS: dict = {}


def _consts(dev: torch.device) -> dict:
    """Small constant tensors on dev, made once (no host-to-device copy per call)."""
    k = _CONSTS.get(dev)
    if k is None:
        k = _CONSTS[dev] = {
            "angle": torch.tensor(ANGLE_THRESHOLDS[::-1], dtype=F64, device=dev),  # ascending
            "identity": torch.tensor((0.0, 0.0, 0.0, 1.0), dtype=F64, device=dev),
            "x_axis": torch.tensor((1.0, 0.0, 0.0), dtype=F64, device=dev),
        }
    return k
