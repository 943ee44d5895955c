"""A SparkJS Gaussian-splat viewer for Gradio 6 that takes a new frame many times a second."""

from .splat_viewer import FrameCache, SplatData, SplatViewer

__all__ = ["FrameCache", "SplatData", "SplatViewer"]
