"""SplatViewer demo: a synthetic scene streamed at 10 frames a second, no model needed.

Run from anywhere: python custom_components/gradio_splat/demo/app.py
"""

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# The app imports the component from source, as the Space does (research/gradio.md §4.1).
sys.path[:0] = [str(ROOT / "custom_components" / "gradio_splat" / "backend"), str(ROOT)]

import gradio as gr  # noqa: E402
from gradio_splat import SplatViewer  # noqa: E402

from synthetic_scene import blob_frame  # noqa: E402

# OpenCV axes: +x red (right), +y green (down), +z blue (away from the camera).
AXES = [((0.6, 0.0, 2.0), (1, 0, 0)), ((0.0, 0.6, 2.0), (0, 1, 0)), ((0.0, 0.0, 2.6), (0, 0, 1))]


def next_frame(frame_id: int) -> tuple[bytes, int]:
    angle = frame_id * 0.15
    orbiter = ((0.4 * math.cos(angle), -0.4 + 0.1 * math.sin(angle), 2.0 + 0.4 * math.sin(angle)), (1, 1, 1))
    return blob_frame([*AXES, orbiter], frame_id=frame_id), frame_id + 1


with gr.Blocks(title="gradio_splat demo") as demo:
    gr.Markdown("Drag to orbit, right-drag to pan, scroll to zoom. Red is +x, green +y (down), blue +z.")
    viewer = SplatViewer(label="Splats", height=480, show_stats=True)
    frame_id = gr.State(0)
    gr.Timer(0.1).tick(next_frame, frame_id, [viewer, frame_id], show_progress="hidden")

if __name__ == "__main__":
    demo.launch(ssr_mode=False)
