"""Shared fixtures: the tiny random-weight DA3 model (small backbone + Gaussian head) on the CPU."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def tiny_model():
    import torch

    from splat_core.models import load_model

    torch.manual_seed(0)  # the same random weights in every run
    return load_model("tiny", weights="random", device="cpu")


@pytest.fixture(scope="session")
def webcam_frame():
    """A 640×480 RGB frame with smooth structure (a gradient plus a bright square)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:480, 0:640]
    frame = np.stack([x / 640 * 255, y / 480 * 255, np.full_like(x, 90)], axis=-1)
    frame[150:300, 250:400] = (240, 200, 40)
    return (frame + rng.normal(0, 4, frame.shape)).clip(0, 255).astype(np.uint8)
