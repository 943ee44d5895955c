"""Frames of a video file, sampled for the pipeline."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def sample_frames(path: str, fps: float = 5.0, max_frames: int = 150) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (time in seconds, RGB frame) about ``fps`` times a second of video, at most ``max_frames``.

    Raises ``ValueError`` when the file cannot be read as a video.
    """
    import cv2  # OpenCV comes with depth-anything-3; imported here so the pipeline does not need it

    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise ValueError(f"Cannot read {path} as a video.")
    try:
        source_fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
        step = max(1, round(source_fps / fps))
        index = yielded = 0
        while yielded < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            if index % step == 0:
                yield index / source_fps, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                yielded += 1
            index += 1
        if index == 0:
            raise ValueError(f"{path} holds no readable video frames.")
    finally:
        capture.release()
