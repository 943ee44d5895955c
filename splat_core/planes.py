"""Splats on their pixel grid → the quantised, predictor-filtered byte planes of wire format 2.

Everything here runs on the splats' device with static shapes and no host synchronisation, so the
live path holds it in its CUDA graph; the host then copies one byte tensor per frame and only the
final compression (zlib, JPEG) runs on the CPU (``compress_frame``). docs/wire-format.md specifies
every code; ``wire.decode_planes`` is its inverse, and the tests check one against the other.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from .pack import rotation_bytes
from .splats import SplatSet
from .wire import COLOR, Camera, Frame, Plane, encode_frame, lossless_planes, sh_degree_of

log = logging.getLogger(__name__)

DEPTH_LEVELS = 65534  # depth codes 1..65535; 0 marks a pixel without a splat
OFFSET_FLOOR = 1e-3  # pixels: the smallest offset range (an all-zero offset plane still has a step)
LOG_SCALE_SPAN_FLOOR = 1e-3  # the smallest log-scale range, for frames whose splats share one size
SH_MAX_FLOOR = 2.0**-20

# zlib level 1 with the RLE strategy: the residual planes are runs of zeros and small codes, which
# Huffman coding of literals and run lengths catches; higher levels cost 3-5× the time for ~10 %.
ZLIB_LEVEL, ZLIB_STRATEGY = 1, zlib.Z_RLE

# zlib and Pillow's encoders release the GIL: a frame's planes compress side by side.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="wire-compress")  # a Gaussians frame's 14 at once

# Header fields, in the order of Quantised.header (float64).
HEADER = ("near", "far", "target_depth", "fx", "fy", "cx", "cy", "offset_range", "log_scale_lo",
          "log_scale_hi", "sh1_max", "sh2_max")


@dataclass
class Quantised:
    planes: torch.Tensor  # (P, H, W) uint8: the delta2d residual byte planes, lossless_planes' order
    color: torch.Tensor  # (H, W, 3) uint8 display colour (for JPEG; also in ``planes`` when lossless)
    header: torch.Tensor  # (len(HEADER),) float64


def quantise(splats: SplatSet, keep: torch.Tensor, intrinsics: torch.Tensor, mode: str,
             lossless_color: bool = False) -> Quantised:
    """The planes of one frame: ``splats`` on their full grid (one per pixel, pixel order), ``keep`` the
    (N,) bool mask of pixels that carry a splat, ``intrinsics`` (3, 3). SH planes come with the
    splats' ``sh_rest``."""
    height, width = splats.height, splats.width
    fx, fy, cx, cy = (intrinsics[0, 0].double(), intrinsics[1, 1].double(), intrinsics[0, 2].double(),
                      intrinsics[1, 2].double())
    z = splats.centers[:, 2].double()
    keep = keep & torch.isfinite(z) & (z > 0)
    count = keep.sum()
    near = z.masked_fill(~keep, math.inf).amin()
    far = z.masked_fill(~keep, -math.inf).amax()
    near, far = torch.where(count > 0, near, 1.0), torch.where(count > 0, far, 1.0)
    inv_far, span = 1 / far, 1 / near - 1 / far
    depth_code = 1 + torch.round((1 / z - inv_far) / span.clamp(min=1e-300) * DEPTH_LEVELS)
    depth_code = torch.where(keep, depth_code.nan_to_num(1.0).clamp(1, DEPTH_LEVELS + 1), 0).long()

    color = (splats.rgb.double() * 255).round().nan_to_num(0.0).clamp(0, 255).to(torch.uint8)
    zero = z.new_zeros(())
    header = {"offset_range": zero, "log_scale_lo": zero, "log_scale_hi": zero, "sh1_max": zero, "sh2_max": zero}
    attributes = [color.long()] if lossless_color else []  # (N, C) integer codes, one entry per plane
    if mode == "gaussians":
        offsets, header["offset_range"] = _offsets(splats, z, keep, fx, fy, cx, cy)
        opacity = (splats.opacities.double() * 255).round().nan_to_num(0.0).clamp(0, 255).long()[:, None]
        scales, header["log_scale_lo"], header["log_scale_hi"] = _log_scales(splats, z, keep, fx)
        attributes += [offsets, opacity, scales, rotation_bytes(splats.quats_xyzw).long()]
    if splats.sh_rest is not None:
        sh, header["sh1_max"], header["sh2_max"] = _sh_codes(splats.sh_rest, keep)
        attributes.append(sh)
    # Pixels without a splat carry zeros in every plane: cheap to compress.
    planes = torch.cat([_byte_planes(depth_code, height, width, bits=16)]
                       + [_byte_planes(torch.where(keep[:, None], codes, 0), height, width, bits=8)
                          for codes in attributes])
    median = _lower_median(z, keep, count)
    numbers = {"near": near, "far": far, "target_depth": median,
               "fx": fx, "fy": fy, "cx": cx, "cy": cy, **header}
    head = torch.stack([numbers[key].double().reshape(()) for key in HEADER])
    return Quantised(planes, color.reshape(height, width, 3), head)


def _offsets(splats, z, keep, fx, fy, cx, cy):
    """DA3's sub-pixel offsets, recovered from the centres: the pixel each centre projects to, minus
    the pixel centre (camera_gaussians puts centre k on the ray through pixel k + its offset)."""
    row = torch.div(splats.pixel, splats.width, rounding_mode="floor").double()
    col = (splats.pixel % splats.width).double()
    centers = splats.centers.double()
    du = fx * centers[:, 0] / z + cx - (col + 0.5)
    dv = fy * centers[:, 1] / z + cy - (row + 0.5)
    offsets = torch.stack([du, dv], dim=1).nan_to_num(0.0, 0.0, 0.0)
    extent = offsets.abs().amax(dim=1).masked_fill(~keep, 0.0).amax().clamp(min=OFFSET_FLOOR)
    return _signed_codes(offsets, extent), extent


def _log_scales(splats, z, keep, fx):
    """ln(σ · fx / z): each standard deviation in units of the pixel footprint, which does not grow with
    depth (so the plane stays smooth), coded over the frame's own range."""
    logs = torch.log(splats.scales.double().clamp(min=1e-30) * (fx / z)[:, None]).nan_to_num(0.0, 0.0, 0.0)
    lo = logs.amin(dim=1).masked_fill(~keep, math.inf).amin()
    hi = logs.amax(dim=1).masked_fill(~keep, -math.inf).amax()
    lo = torch.where(keep.any(), lo, 0.0)
    hi = torch.maximum(torch.where(keep.any(), hi, 0.0), lo + LOG_SCALE_SPAN_FLOOR)
    codes = torch.round((logs - lo) / (hi - lo) * 255).clamp(0, 255).long()
    return codes, lo, hi


def _sh_codes(sh_rest, keep):
    """Signed codes of the SH rest coefficients, (N, 3K) channel 3k + rgb, one range per degree."""
    n, k, _ = sh_rest.shape
    sh = sh_rest.double().nan_to_num(0.0, 0.0, 0.0)
    extents = []
    for part in (sh[:, :3], sh[:, 3:]):
        if part.shape[1] == 0:
            extents.append(torch.zeros((), dtype=torch.float64, device=sh.device))
            continue
        extents.append(part.abs().reshape(n, -1).amax(dim=1).masked_fill(~keep, 0.0).amax().clamp(min=SH_MAX_FLOOR))
    per_coefficient = torch.stack([extents[0] if i < 3 else extents[1] for i in range(k)])
    codes = _signed_codes(sh, per_coefficient[None, :, None]).reshape(n, 3 * k)
    return codes, extents[0], extents[1]


def _signed_codes(values: torch.Tensor, extent) -> torch.Tensor:
    """128 + round(127 · v / extent), clamped to 1..255 (so 128 is exactly zero)."""
    return (128 + torch.round(values / extent * 127)).clamp(1, 255).long()


def _lower_median(z, keep, count):
    """The lower median of the kept depths, as torch.median (1.0 for an empty frame)."""
    depths = z.masked_fill(~keep, math.inf).sort().values
    median = depths.gather(0, ((count - 1) // 2).clamp(min=0).view(1))[0]
    return torch.where(count > 0, median, 1.0)


def _byte_planes(codes: torch.Tensor, height: int, width: int, bits: int) -> torch.Tensor:
    """Integer codes (N,) or (N, C) → delta2d residual byte planes (C · bits/8, H, W) uint8: the mixed
    second difference of each channel mod 2^bits (zeros outside the grid), high byte plane first."""
    x = codes.reshape(height, width, -1).permute(2, 0, 1)
    padded = torch.nn.functional.pad(x, (1, 0, 1, 0))
    residual = (x - padded[:, 1:, :-1] - padded[:, :-1, 1:] + padded[:, :-1, :-1]) & ((1 << bits) - 1)
    if bits == 16:
        residual = torch.stack([residual >> 8, residual & 0xFF], dim=1).flatten(0, 1)
    return residual.to(torch.uint8)


def compress_frame(planes: np.ndarray, color: np.ndarray | None, header: list[float], mode: str,
                   sh_degree: int = 0, lossless_color: bool = False, jpeg_quality: int = 90, frame_id: int = 0,
                   jpeg: bytes | None = None) -> Frame:
    """A frame from ``planes.quantise``'s output copied to the host: ``planes`` (P, H, W) uint8 residual
    byte planes, ``color`` (H, W, 3) uint8 (None when ``jpeg`` holds it already, from ``device_jpeg``),
    ``header`` its floats."""
    values = dict(zip(HEADER, header))
    height, width = planes.shape[1:]
    specs = lossless_planes(mode, sh_degree, lossless_color)
    if len(planes) != sum(spec.byte_planes for spec in specs):
        raise ValueError(f"{len(planes)} byte planes given, the layout of a {mode} frame has another count")
    # The JPEG (the longest job) first, then one zlib stream per byte plane, all side by side: a frame
    # takes about as long as its JPEG.
    if not lossless_color and jpeg is None:
        jpeg = _POOL.submit(_jpeg, color, jpeg_quality)
    streams = [_POOL.submit(_deflate, byte_plane) for byte_plane in planes]
    encoded, start = {}, 0
    for spec in specs:
        data = [future.result() for future in streams[start:start + spec.byte_planes]]
        encoded[spec.name] = Plane("delta2d", spec.channels, spec.bits, data)
        start += spec.byte_planes
    if not lossless_color:
        encoded["color"] = Plane("jpeg", COLOR.channels, COLOR.bits, jpeg if isinstance(jpeg, bytes) else jpeg.result())
    quant = {}
    if mode == "gaussians":
        quant = {"offset_range": values["offset_range"],
                 "log_scale_range": [values["log_scale_lo"], values["log_scale_hi"]]}
    if sh_degree:
        quant["sh_max"] = [values["sh1_max"], values["sh2_max"]]
    camera = Camera(width, height, values["fx"], values["fy"], values["cx"], values["cy"])
    return Frame(mode=mode, camera=camera, depth_range=(values["near"], values["far"]), planes=encoded,
                 target_depth=values["target_depth"], frame_id=frame_id, sh_degree=sh_degree, quant=quant)


def _deflate(byte_plane: np.ndarray) -> bytes:
    compressor = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, 9, ZLIB_STRATEGY)
    return compressor.compress(memoryview(np.ascontiguousarray(byte_plane)).cast("B")) + compressor.flush()


def _jpeg(color: np.ndarray, quality: int) -> bytes:
    out = io.BytesIO()
    # 4:4:4, as nvJPEG writes: chroma subsampling costs 2.4 dB at quality 90 (docs/wire-format.md).
    Image.fromarray(color).save(out, "JPEG", quality=quality, subsampling=0)
    return out.getvalue()


@functools.cache
def _device_jpeg_encoder():
    """torchvision's nvJPEG encoder, or None where torchvision does not load (the pip torchvision beside
    the CPU torch of the development machines does not)."""
    try:
        from torchvision.io import encode_jpeg
    except Exception as err:  # noqa: BLE001 - any failure to load means: encode on the host
        log.info("JPEG planes are encoded on the host (torchvision unavailable: %s)", err)
        return None
    return encode_jpeg


def device_jpeg(color_chw: torch.Tensor, quality: int) -> bytes | None:
    """The colour plane's JPEG made on the GPU by nvJPEG (0.2 ms for 504×378 on an H200, against 2 ms for
    Pillow on its host), from (3, H, W) uint8 on a CUDA device; None elsewhere, and Pillow encodes it."""
    encoder = _device_jpeg_encoder() if color_chw.is_cuda else None
    return None if encoder is None else encoder(color_chw.contiguous(), quality=quality).cpu().numpy().tobytes()


def frame_from_arrays(depth, rgb, camera: Camera, *, mode: str = "points", offset=None, opacity=None,
                      scales=None, quats_xyzw=None, sh_rest=None, color: str = "jpeg", jpeg_quality: int = 90,
                      frame_id: int = 0) -> bytes:
    """A wire frame from host arrays on the grid, through the same quantiser and compressor as the live
    path (for synthetic scenes and tests). ``depth`` (H, W) z, NaN or <= 0 for no splat; ``rgb`` (H, W, 3)
    uint8 or float in [0, 1]; Gaussians also take ``offset`` (H, W, 2) pixels, ``opacity`` (H, W),
    ``scales`` (H, W, 3), ``quats_xyzw`` (H, W, 4); ``sh_rest`` (H, W, K, 3) adds SH planes;
    ``color="lossless"`` sends colour as a delta2d plane."""
    splats, keep, intrinsics = grid_splats(depth, rgb, camera, mode=mode, offset=offset, opacity=opacity,
                                           scales=scales, quats_xyzw=quats_xyzw, sh_rest=sh_rest)
    lossless = color == "lossless"
    quantised = quantise(splats, keep, intrinsics, mode, lossless_color=lossless)
    sh_degree = 0 if sh_rest is None else sh_degree_of(np.shape(sh_rest)[2])
    return encode_frame(compress_frame(quantised.planes.numpy(), quantised.color.numpy(),
                                       quantised.header.tolist(), mode, sh_degree, lossless, jpeg_quality,
                                       frame_id))


def grid_splats(depth, rgb, camera: Camera, *, mode: str = "points", offset=None, opacity=None, scales=None,
                quats_xyzw=None, sh_rest=None) -> tuple[SplatSet, torch.Tensor, torch.Tensor]:
    """``frame_from_arrays``' arrays as CPU tensors: the grid's splats, the mask of pixels with a splat,
    and the (3, 3) intrinsics."""
    height, width = np.shape(depth)
    n = height * width
    f32 = lambda a, *shape: torch.as_tensor(np.asarray(a, np.float32)).reshape(n, *shape)  # noqa: E731
    rgb = np.asarray(rgb)
    z = f32(depth)
    v, u = torch.meshgrid(torch.arange(height) + 0.5, torch.arange(width) + 0.5, indexing="ij")
    shift = f32(offset, 2) if offset is not None else torch.zeros(n, 2)
    x = (u.reshape(n) + shift[:, 0] - camera.cx) / camera.fx * z
    y = (v.reshape(n) + shift[:, 1] - camera.cy) / camera.fy * z
    gaussians = mode == "gaussians"
    splats = SplatSet(
        centers=torch.stack([x, y, z], dim=1),
        scales=f32(scales, 3) if gaussians else torch.ones(n, 3),
        quats_xyzw=f32(quats_xyzw, 4) if gaussians else torch.tensor([0.0, 0, 0, 1]).expand(n, 4),
        opacities=f32(opacity) if gaussians else torch.ones(n),
        rgb=f32(rgb / 255.0 if rgb.dtype == np.uint8 else rgb, 3),
        pixel=torch.arange(n),
        sh_rest=None if sh_rest is None else f32(sh_rest, np.shape(sh_rest)[2], 3),
        height=height,
        width=width,
    )
    intrinsics = torch.tensor([[camera.fx, 0, camera.cx], [0, camera.fy, camera.cy], [0, 0, 1]], dtype=torch.float64)
    return splats, torch.isfinite(z) & (z > 0), intrinsics
