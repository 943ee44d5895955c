"""Clip files (docs/clip-format.md): a recording of wire frames with their times, one self-describing
file. ``ClipWriter`` streams frames into one; ``Clip`` opens one by reading only its header, its
trailer and its index, and reads each frame when asked, so memory stays bounded whatever the file's
size. ``frontend/shared/clip.ts`` is the browser's reader and writer of the same layout."""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import msgpack

from .splat_viewer import read_frame_header

FORMAT = "gradio-splat-clip"
VERSION = 1
MAGIC = b"\x89CLIP\r\n\x1a"  # a high byte and a line ending, as PNG's, to catch text-mode transfers
END_MAGIC = b"clip"
WIRE_VERSION = 2
EXTENSION = ".splatclip"
PREAMBLE = struct.Struct("<8sII")  # magic, version, header length
RECORD = struct.Struct("<II")  # frame length, time (ms since the clip's first frame)
TRAILER = struct.Struct("<QI4s")  # index offset, index length, end magic
# Limits checked before anything they size is read.
MAX_HEADER_BYTES = 64 * 2**10
MAX_INDEX_BYTES = 16 * 2**20
MAX_FRAMES = 1_000_000
MAX_FRAME_BYTES = 64 * 2**20


class ClipError(ValueError):
    """A file that is not a clip this reader can play; the message says why, for the user."""


class ClipWriter:
    """Writes a clip to ``file`` (binary, writable) frame by frame; ``close`` writes its index."""

    def __init__(self, file: BinaryIO, source: str = ""):
        header = msgpack.packb({"format": FORMAT, "wire_version": WIRE_VERSION, "created": time.time(),
                                "source": source}, use_bin_type=True)
        self._file = file
        self._offset = file.write(PREAMBLE.pack(MAGIC, VERSION, len(header))) + file.write(header)
        self._offsets: list[int] = []
        self._times: list[int] = []
        self._ids: list[int] = []

    def add(self, frame: bytes, time_ms: float) -> None:
        """Appends one wire frame (checked: a clip holds nothing else) shown ``time_ms`` after the first."""
        if len(frame) > MAX_FRAME_BYTES:
            raise ClipError(f"a frame of {len(frame):,} bytes is over the clip's limit of {MAX_FRAME_BYTES:,}")
        frame_id = read_frame_header(frame).get("frame_id", 0)
        time_ms = round(time_ms)
        if self._times and time_ms < self._times[-1]:
            raise ClipError(f"frame times must not go back: {time_ms} ms after {self._times[-1]} ms")
        self._offsets.append(self._offset)
        self._times.append(time_ms)
        self._ids.append(frame_id)
        self._offset += self._file.write(RECORD.pack(len(frame), time_ms)) + self._file.write(frame)

    def close(self, duration_ms: float | None = None) -> None:
        """Writes the index and the trailer; ``duration_ms`` defaults to the last frame's time."""
        last = self._times[-1] if self._times else 0
        index = msgpack.packb({"frames": len(self._times), "duration_ms": max(last, round(duration_ms or 0)),
                               "offsets": self._offsets, "times_ms": self._times, "frame_ids": self._ids},
                              use_bin_type=True)
        self._file.write(index)
        self._file.write(TRAILER.pack(self._offset, len(index), END_MAGIC))
        self._file.flush()


def write_clip(path: str | Path, frames: Iterable[tuple[float, bytes]], source: str = "",
               duration_ms: float | None = None) -> Path:
    """A clip of ``(time_ms, wire frame)`` pairs at ``path``."""
    path = Path(path)
    with open(path, "wb") as file:
        writer = ClipWriter(file, source)
        for time_ms, frame in frames:
            writer.add(frame, time_ms)
        writer.close(duration_ms)
    return path


class Clip:
    """An open clip file. ``len(clip)`` frames; ``times_ms``, ``frame_ids``, ``duration_ms`` and
    ``header`` come from its index and header; ``frame(i)`` reads frame i's bytes from the file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file = open(self.path, "rb")
        try:
            self._read_layout()
        except BaseException:
            self._file.close()
            raise

    def __len__(self) -> int:
        return len(self.times_ms)

    def frame(self, i: int) -> bytes:
        """Frame i's wire frame bytes; raises ClipError if its record disagrees with the index."""
        start = self.offsets[i]
        length = self._ends[i] - start - RECORD.size
        self._file.seek(start)
        record = self._file.read(RECORD.size + length)
        if len(record) != RECORD.size + length:
            raise ClipError(f"{self.path.name}: frame {i} is cut short")
        if RECORD.unpack_from(record) != (length, self.times_ms[i]):
            raise ClipError(f"{self.path.name}: frame {i}'s record does not match the index (damaged clip)")
        return record[RECORD.size:]

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        """``(time_ms, frame)`` for every frame, read one at a time."""
        for i in range(len(self)):
            yield self.times_ms[i], self.frame(i)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Clip:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read_layout(self) -> None:
        name = self.path.name
        size = os.fstat(self._file.fileno()).st_size
        preamble = self._file.read(PREAMBLE.size)
        if len(preamble) < PREAMBLE.size or not preamble.startswith(MAGIC):
            raise ClipError(f"{name} is not a clip (a {EXTENSION} file)")
        _, version, header_length = PREAMBLE.unpack(preamble)
        if version != VERSION:
            raise ClipError(f"{name} is a clip of version {version}; this app reads version {VERSION}")
        if header_length > MAX_HEADER_BYTES or PREAMBLE.size + header_length + TRAILER.size > size:
            raise ClipError(f"{name} is truncated or damaged: its header claims {header_length:,} bytes")
        self.header = _unpack_map(self._file.read(header_length), f"{name}'s header")
        if self.header.get("format") != FORMAT or self.header.get("wire_version") != WIRE_VERSION:
            raise ClipError(f"{name} holds {self.header.get('format')!r} frames of wire version "
                            f"{self.header.get('wire_version')!r}; this app reads wire version {WIRE_VERSION}")
        first = PREAMBLE.size + header_length
        self._file.seek(size - TRAILER.size)
        index_offset, index_length, end = TRAILER.unpack(self._file.read(TRAILER.size))
        if end != END_MAGIC:
            raise ClipError(f"{name} is truncated: it does not end with a clip index (was the download cut short?)")
        if index_length > MAX_INDEX_BYTES or index_offset < first or index_offset + index_length + TRAILER.size != size:
            raise ClipError(f"{name} is damaged: its trailer puts a {index_length:,}-byte index at {index_offset:,} "
                            f"in a file of {size:,} bytes")
        self._file.seek(index_offset)
        index = _unpack_map(self._file.read(index_length), f"{name}'s index")
        self.offsets, self.times_ms, self.frame_ids = (index.get(k) for k in ("offsets", "times_ms", "frame_ids"))
        count, self.duration_ms = index.get("frames"), index.get("duration_ms")
        columns = (self.offsets, self.times_ms, self.frame_ids)
        if (not isinstance(count, int) or not 0 <= count <= MAX_FRAMES
                or not all(isinstance(c, list) and len(c) == count and all(isinstance(v, int) for v in c)
                           for c in columns) or not isinstance(self.duration_ms, int)):
            raise ClipError(f"{name}'s index is damaged: it must list the offset, time and id of each frame")
        # Records are contiguous from the header's end to the index: each frame's length follows.
        self._ends = [*self.offsets[1:], index_offset]
        if count and self.offsets[0] != first:
            raise ClipError(f"{name}'s index is damaged: its first frame is not after the header")
        for i, (start, end) in enumerate(zip(self.offsets, self._ends)):
            if not RECORD.size <= end - start <= RECORD.size + MAX_FRAME_BYTES:
                raise ClipError(f"{name}'s index is damaged: frame {i} would be {end - start - RECORD.size:,} bytes")
        if any(b < a for a, b in zip(self.times_ms, self.times_ms[1:])) or (count and self.times_ms[0] < 0) \
                or self.duration_ms < (self.times_ms[-1] if count else 0):
            raise ClipError(f"{name}'s index is damaged: frame times must start at 0 or later and never go back")


def _unpack_map(data: bytes, what: str) -> dict:
    try:
        value = msgpack.unpackb(data, raw=False)
    except Exception as err:
        raise ClipError(f"{what} is damaged: not msgpack") from err
    if not isinstance(value, dict):
        raise ClipError(f"{what} is damaged: not a map")
    return value


def check_clip(path: str | Path) -> Clip:
    """Opens ``path`` and checks its layout and its first frame (the wire version inside); the caller
    closes it."""
    clip = Clip(path)
    try:
        if not len(clip):
            raise ClipError(f"{clip.path.name} holds no frames")
        read_frame_header(clip.frame(0))
    except ClipError:
        clip.close()
        raise
    except ValueError as err:
        clip.close()
        raise ClipError(f"{clip.path.name}: its first frame is unreadable: {err}") from err
    return clip
