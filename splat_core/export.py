"""Export splats as PLY (the standard 3DGS layout) and SPZ, through gsply.

Files keep the OpenCV camera frame of the capture, like 3DGS/COLMAP scenes, so SuperSplat, Spark and
gsply open them the usual way up.
"""

from __future__ import annotations

from pathlib import Path

import gsply
import numpy as np

from .gaussians import SH_C0
from .splats import SplatSet

_EPS = 1e-7


def to_gsdata(splats: SplatSet) -> gsply.GSData:
    """PLY conventions: log scales, unit w-first quaternions, opacity logits, SH DC and rest coefficients.

    The format is stated, not left to gsply's guess from the values (which takes very small log
    scales for linear ones)."""
    host = splats.to_numpy()
    sh_rest = host.get("sh_rest")
    quats = host["quats_xyzw"][:, [3, 0, 1, 2]]
    quats = quats / np.maximum(np.linalg.norm(quats, axis=1, keepdims=True), _EPS)
    opacity = np.clip(host["opacities"], _EPS, 1 - _EPS)
    return gsply.GSData(
        means=host["centers"],
        scales=np.log(np.maximum(host["scales"], np.finfo(np.float32).tiny)),  # any positive scale survives
        quats=quats.astype(np.float32),
        opacities=np.log(opacity / (1 - opacity)).astype(np.float32),
        sh0=((host["rgb"] - 0.5) / SH_C0).astype(np.float32),
        shN=sh_rest,
        _format=gsply.create_ply_format(sh_degree=0 if sh_rest is None else {3: 1, 8: 2, 15: 3}[sh_rest.shape[1]]),
    )


def write_ply(splats: SplatSet, path: str | Path) -> Path:
    path = Path(path)
    gsply.plywrite(path, to_gsdata(splats))
    return path


def write_spz(splats: SplatSet, path: str | Path) -> Path:
    path = Path(path)
    gsply.write_spz(path, to_gsdata(splats))
    return path
