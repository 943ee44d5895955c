"""Clip files (docs/clip-format.md) in Python: gradio_splat.clip writes them and reads them back frame by
frame; a truncated or corrupt clip, one of another version, or one whose header or index lies about
sizes is refused with a message that says so, having read no more than its header, trailer and index."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import msgpack
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "custom_components" / "gradio_splat" / "backend"))

from gradio_splat import clip as clips  # noqa: E402
from gradio_splat.clip import Clip, ClipError, check_clip, write_clip  # noqa: E402
from splat_core.planes import frame_from_arrays  # noqa: E402
from splat_core.wire import Camera, decode_frame  # noqa: E402


def wire_frame(frame_id: int, width: int = 24, height: int = 18) -> bytes:
    rng = np.random.default_rng(frame_id)
    return frame_from_arrays(rng.uniform(1, 3, (height, width)), rng.integers(0, 256, (height, width, 3), np.uint8),
                             Camera(width, height, 20.0, 20.0, width / 2, height / 2), frame_id=frame_id)


@pytest.fixture(scope="module")
def frames() -> list[tuple[int, bytes]]:
    return [(round(i * 66.7), wire_frame(100 + i)) for i in range(12)]


@pytest.fixture
def clip_path(tmp_path, frames) -> Path:
    return write_clip(tmp_path / "a.splatclip", frames, source="test", duration_ms=800)


def test_a_clip_reads_back_frame_for_frame(clip_path, frames):
    with Clip(clip_path) as clip:
        assert len(clip) == len(frames)
        assert clip.times_ms == [t for t, _ in frames]
        assert clip.frame_ids == [decode_frame(f).frame_id for _, f in frames] == list(range(100, 112))
        assert clip.duration_ms == 800
        assert clip.header["format"] == "gradio-splat-clip" and clip.header["wire_version"] == 2
        assert clip.header["source"] == "test"
        assert list(clip) == frames  # byte for byte, in order
        assert clip.frame(7) == frames[7][1]  # any frame, in any order


def test_overhead_is_under_one_percent_of_the_frames(tmp_path):
    # Frames of the lowest live detail (168×126): the smallest a live stream sends, where the clip's
    # per-frame bytes weigh most.
    frames = [(i * 33, wire_frame(i, 168, 126)) for i in range(60)]
    path = write_clip(tmp_path / "b.splatclip", frames)
    payload = sum(len(f) for _, f in frames)
    overhead = path.stat().st_size - payload
    print(f"\nclip overhead: {overhead} bytes over {payload:,} ({100 * overhead / payload:.3f} %), "
          f"{overhead / len(frames):.1f} bytes a frame")
    assert overhead / payload < 0.01


def test_the_writer_takes_only_wire_frames_in_time_order(tmp_path):
    with open(tmp_path / "c.splatclip", "wb") as file:
        writer = clips.ClipWriter(file)
        with pytest.raises(ValueError, match="not a msgpack wire frame"):
            writer.add(b"not a frame", 0)
        writer.add(wire_frame(1), 50)
        with pytest.raises(ClipError, match="must not go back"):
            writer.add(wire_frame(2), 10)


def rewrite(path: Path, change) -> Path:
    data = bytearray(path.read_bytes())
    out = path.with_name("changed.splatclip")
    out.write_bytes(bytes(change(data)))
    return out


def trailer(data) -> tuple[int, int]:
    offset, length, _ = clips.TRAILER.unpack_from(data, len(data) - clips.TRAILER.size)
    return offset, length


def with_index(data: bytearray, **changes) -> bytearray:
    """The clip with its index's keys changed, index and trailer rewritten."""
    offset, length = trailer(data)
    index = {**msgpack.unpackb(bytes(data[offset:offset + length])), **changes}
    packed = msgpack.packb(index)
    return data[:offset] + packed + clips.TRAILER.pack(offset, len(packed), clips.END_MAGIC)


def with_header(data: bytearray, version=clips.VERSION, length=None) -> bytearray:
    magic, _, header_length = clips.PREAMBLE.unpack_from(data)
    return clips.PREAMBLE.pack(magic, version, header_length if length is None else length) + data[clips.PREAMBLE.size:]


BAD_CLIPS = {
    "empty file": (lambda d: b"", r"is not a clip"),
    "a wire frame, not a clip": (lambda d: wire_frame(1), r"is not a clip \(a \.splatclip file\)"),
    "unknown version": (lambda d: with_header(d, version=7), r"clip of version 7; this app reads version 1"),
    "header longer than the file": (lambda d: with_header(d, length=2**31), r"truncated or damaged: its header claims"),
    "cut in half": (lambda d: d[:len(d) // 2], r"truncated: it does not end with a clip index"),
    "last byte missing": (lambda d: d[:-1], r"truncated: it does not end with a clip index"),
    "trailer points past the end": (
        lambda d: d[:-16] + clips.TRAILER.pack(len(d) * 2, 40, clips.END_MAGIC), r"damaged: its trailer puts"),
    "index claims 2 GB": (
        lambda d: d[:-16] + clips.TRAILER.pack(trailer(d)[0], 2**31, clips.END_MAGIC),
        r"damaged: its trailer puts"),
    "index is garbage": (
        lambda d: d[:trailer(d)[0]] + b"\xc1" * trailer(d)[1] + d[-16:], r"index is damaged: not msgpack"),
    "index counts more frames than it lists": (lambda d: with_index(d, frames=13), r"index is damaged: it must list"),
    "a frame offset that overlaps the next": (
        lambda d: with_index(d, offsets=[o + (5 if i == 3 else 0)
                                          for i, o in enumerate(msgpack.unpackb(bytes(d[trailer(d)[0]:-16]))["offsets"])]),
        r"record does not match the index"),
    "a frame of 3 GB": (
        lambda d: with_index(d, offsets=[*msgpack.unpackb(bytes(d[trailer(d)[0]:-16]))["offsets"][:-1], 3 * 2**30]),
        r"index is damaged: frame 10 would be"),
    "times going back": (lambda d: with_index(d, times_ms=[0, 50, 10, *range(100, 1000, 100)]), r"never go back"),
    "a record whose length lies": (
        lambda d: d[:clips.PREAMBLE.size + clips.PREAMBLE.unpack_from(d)[2]]
        + struct.pack("<I", 2**31) + d[clips.PREAMBLE.size + clips.PREAMBLE.unpack_from(d)[2] + 4:],
        r"frame 0's record does not match the index"),
}


@pytest.mark.parametrize("case", BAD_CLIPS)
def test_bad_clips_are_refused_with_a_clear_message(clip_path, case):
    change, message = BAD_CLIPS[case]
    path = rewrite(clip_path, change)
    with pytest.raises(ClipError, match=message) as error:
        with check_clip(path) as clip:
            list(clip)  # a lie in a frame's record shows when that frame is read
    print(f"\n{case}: {error.value}")


def test_a_clip_with_a_frame_of_another_wire_version_is_refused(tmp_path):
    frame = msgpack.unpackb(wire_frame(1))
    frame["version"] = 3
    path = tmp_path / "v3.splatclip"
    with open(path, "wb") as file:
        writer = clips.ClipWriter(file)
        # Written past the writer's own check, as another program might.
        writer._offsets.append(writer._offset)
        writer._times.append(0)
        writer._ids.append(1)
        data = msgpack.packb(frame)
        writer._offset += file.write(clips.RECORD.pack(len(data), 0)) + file.write(data)
        writer.close()
    with pytest.raises(ClipError, match=r"first frame is unreadable: SplatViewer reads wire version 2, got 3"):
        check_clip(path)
