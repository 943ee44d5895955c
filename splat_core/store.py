"""Export files (PLY, SPZ, API outputs) in one bounded folder: each removed ``ttl`` seconds after it was
written, the oldest removed first whenever the total passes ``max_bytes``, and everything on ``close``.

An HQ capture's PLY is about 50 MB, so without a bound every capture and API call adds to the disk until
a public server dies of it (issue 13). Age is what a user sees ("the download link lasts ten minutes");
the size cap protects the disk against a burst of calls within that time.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from . import host_memory

log = logging.getLogger(__name__)


class ExportStore:
    """Files under one fresh folder inside ``parent`` (for the app, Gradio's cache folder, so that
    Gradio serves them where they are instead of copying them). Thread-safe; a daemon thread sweeps
    expired files every ``sweep_every`` seconds (by default a tenth of the TTL, at most a minute, so that
    a file outlives its TTL by little), so an idle server clears them too."""

    def __init__(self, parent: str | Path, ttl: float = 600.0, max_bytes: int = 2 * 2**30,
                 sweep_every: float | None = None, clock: Callable[[], float] = time.monotonic):
        if ttl <= 0 or max_bytes <= 0:
            raise ValueError("ttl and max_bytes must be positive.")
        Path(parent).mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="exports-", dir=parent))
        self.ttl, self.max_bytes, self._clock = ttl, max_bytes, clock
        self._files: OrderedDict[Path, tuple[float, int]] = OrderedDict()  # oldest first: (written, bytes)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.sweep_every = sweep_every or min(60.0, ttl / 10)
        self._sweeper = threading.Thread(target=self._sweep_until_closed, name="export-sweeper", daemon=True)
        self._sweeper.start()

    def save(self, name: str, write: Callable[[Path], object]) -> Path:
        """``write(path)`` the file ``name`` in a folder of its own (so names need not be unique, and its
        URL holds 122 random bits); returns the path. Older files go if the total passes the cap."""
        with self._lock:
            if self._closed.is_set():
                raise RuntimeError("The server is stopping: no more exports.")
            folder = self.root / uuid.uuid4().hex
            folder.mkdir()
        path = folder / name
        try:
            write(path)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            host_memory.release_freed()  # an export's buffers (tens of MB) leave free memory behind
        with self._lock:
            if self._closed.is_set():  # closed while writing: the folder is already gone or going
                shutil.rmtree(folder, ignore_errors=True)
                raise RuntimeError("The server is stopping: no more exports.")
            self._files[path] = (self._clock(), path.stat().st_size)
            self._sweep()
        return path

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return sum(size for _, size in self._files.values())

    def __contains__(self, path: str | Path) -> bool:
        with self._lock:
            return Path(path) in self._files

    def sweep(self) -> None:
        """Remove expired files now (the sweeper thread does this on its own)."""
        with self._lock:
            self._sweep()

    def close(self) -> None:
        """Remove every file and the folder; later saves raise. Idempotent."""
        with self._lock:
            self._closed.set()
            self._files.clear()
            shutil.rmtree(self.root, ignore_errors=True)

    def _sweep(self) -> None:
        now = self._clock()
        total = sum(size for _, size in self._files.values())
        newest = next(reversed(self._files), None)
        for path, (written, size) in list(self._files.items()):  # oldest first
            expired = now - written > self.ttl
            # The newest file is always served until it expires, even if it alone passes the cap (the
            # sweeper thread once removed a lone 45 MB PLY before its caller could download it).
            if not expired and (total <= self.max_bytes or path == newest):
                break
            del self._files[path]
            total -= size
            shutil.rmtree(path.parent, ignore_errors=True)
            log.info("export %s removed (%s)", path.name, "expired" if expired else "size cap")

    def _sweep_until_closed(self) -> None:
        while not self._closed.wait(self.sweep_every):
            self.sweep()
