"""Choosing keyframes from the stream: a frame becomes a keyframe when the picture moved enough since
the last keyframe, judged before any network runs.

The test is on a 32 × 24 grey thumbnail, normalised for brightness: the mean absolute difference to
the last keyframe's thumbnail, in units of the picture's own contrast. A steady camera (the same
picture plus sensor noise) stays well below the threshold; a pan of a few degrees, a step sideways
or something new entering the view passes it. Whether a keyframe then brings new content is fusion's
call (fusion.py): one that adds almost nothing is registered (it still anchors the next windows) but
sends no splats.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .. import frames

THUMB_SIZE = (24, 32)  # (h, w)
MOTION = 0.25  # mean |Δ| in standard deviations of the thumbnail: about a 3-5° pan of a textured room


def thumbnail(image) -> torch.Tensor:
    """The frame's grey 32 × 24 thumbnail, zero mean and unit standard deviation."""
    rgb = frames.to_rgb_uint8(image).permute(2, 0, 1)[None].float()
    grey = F.interpolate(rgb.mean(dim=1, keepdim=True), size=THUMB_SIZE, mode="area")[0, 0]
    return (grey - grey.mean()) / grey.std().clamp(min=1.0)


class KeyframeSelector:
    def __init__(self, motion: float = MOTION):
        self.motion = motion
        self._last: torch.Tensor | None = None

    def motion_since_last(self, image) -> tuple[float, torch.Tensor]:
        thumb = thumbnail(image)
        if self._last is None:
            return float("inf"), thumb
        return float((thumb - self._last).abs().mean()), thumb

    def consider(self, image) -> bool:
        """Whether ``image`` is a keyframe (the first frame always is); a keyframe becomes the reference."""
        moved, thumb = self.motion_since_last(image)
        if moved < self.motion:
            return False
        self._last = thumb
        return True

    def reset(self) -> None:
        self._last = None
