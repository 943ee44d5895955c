import threading
import time

import numpy as np
import pytest
import torch

from splat_core import frames
from splat_core.batching import Batcher
from splat_core.budget import Budget
from splat_core.engine import Engine
from splat_core.pipeline import DETAILS, reconstruct, reconstruct_many
from splat_core.wire import decode_frame


def test_batcher_groups_concurrent_requests_and_isolates_failures():
    seen = []

    def process(items):
        seen.append(list(items))
        time.sleep(0.3)  # while this batch runs, the other callers queue up
        return [ValueError(f"bad {i}") if i == 3 else i * 10 for i in items]

    batcher = Batcher(process, max_batch=4)
    results = {}

    def call(i):
        try:
            results[i] = batcher.submit(i)
        except ValueError as err:
            results[i] = str(err)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {i: ("bad 3" if i == 3 else i * 10) for i in range(9)}
    assert max(len(batch) for batch in seen) > 1 and all(len(batch) <= 4 for batch in seen)
    assert sorted(i for batch in seen for i in batch) == list(range(9))


def test_batcher_hands_a_crash_to_every_caller_and_keeps_working():
    calls = iter([RuntimeError("boom"), None])

    def process(items):
        error = next(calls)
        if error:
            raise error
        return items

    batcher = Batcher(process)
    with pytest.raises(RuntimeError, match="boom"):
        batcher.submit(1)
    assert batcher.submit(2) == 2


def test_a_batch_gives_the_same_splats_as_single_frames(tiny_model, webcam_frame):
    small = webcam_frame[::2, ::2].copy()  # another size: batched separately
    images = [webcam_frame, small, webcam_frame[::-1].copy()]
    together = reconstruct_many(tiny_model, images, "gaussians", budgets=[Budget(min_opacity=0.0)] * 3)
    for image, batched in zip(images, together):
        alone = reconstruct(tiny_model, image, "gaussians", budget=Budget(min_opacity=0.0))
        assert len(batched.splats) == len(alone.splats)
        assert torch.allclose(batched.splats.centers, alone.splats.centers, rtol=1e-4, atol=1e-5)
        assert vars(batched.camera) == pytest.approx(vars(alone.camera), rel=1e-5)  # batched kernels round differently


def test_engine_serves_concurrent_sessions_and_reports_bad_frames_alone(tiny_model, webcam_frame):
    engine = Engine("tiny", "tiny", "random", "cpu")
    engine._models["tiny"] = tiny_model  # the already-loaded fixture; loading is tested elsewhere
    inputs = [webcam_frame, np.zeros((4, 4, 2), np.uint8), webcam_frame[:240, :320].copy()]
    results = [None] * len(inputs)

    def session(i):
        try:
            results[i] = decode_frame(engine.live(inputs[i], "points", "low"))
        except ValueError as err:
            results[i] = err

    threads = [threading.Thread(target=session, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert isinstance(results[1], ValueError) and "channels" in str(results[1])
    low = frames.processing_size(640, 480, DETAILS["low"].process_res)  # 320×240 has the same grid
    assert [(results[i].camera.width, results[i].camera.height) for i in (0, 2)] == [low, low]
    assert results[0].frame_id != results[2].frame_id


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (graphs)")
def test_a_live_batch_between_a_captures_turns_leaves_the_capture_alone(webcam_frame, monkeypatch):
    """An HQ capture takes two GPU turns and live batches run in between. On CUDA they replay graphs of
    the same memory pool as the capture's, which may overwrite the capture's network outputs: the
    capture must own them. The live graph is captured first, so the HQ graph may reuse its memory."""
    from splat_core import engine as engine_module
    from splat_core.pipeline import live_frames

    torch.manual_seed(0)
    engine = Engine("tiny", "tiny", "random", "cuda")
    other = np.ascontiguousarray(webcam_frame[::-1])
    engine.live(other, "gaussians")
    alone = engine.capture(webcam_frame)
    real_finish = engine_module.finish

    def finish_after_a_live_batch(*args, **kwargs):
        live_frames(engine.model("gaussians"), [other], "gaussians", [0])  # a live graph replays
        return real_finish(*args, **kwargs)

    monkeypatch.setattr(engine_module, "finish", finish_after_a_live_batch)
    interleaved = engine.capture(webcam_frame)
    for name in ("centers", "scales", "quats_xyzw", "opacities", "rgb", "sh_rest"):
        assert torch.equal(getattr(interleaved.splats, name), getattr(alone.splats, name)), name
