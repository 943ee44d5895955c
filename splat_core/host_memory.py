"""Host memory: what the server's threads free goes back to the system.

Two glibc settings (mallopt(3), malloc_trim(3)); elsewhere (another C library) both do nothing.

- ``fix_mmap_threshold``: every buffer of 1 MB or more becomes its own mapping, returned when freed. By
  default glibc raises the threshold to the size of each such buffer freed (up to 32 MB), after which an
  HQ capture's 5–30 MB arrays come from the heap arenas of the server's many threads, which keep them.
- ``release_freed``: hands the free pages inside the arenas back. Smaller buffers still leave free
  memory there after a capture; in a server process 12 tiny captures left 38 MB, and one trim took RSS
  back below where it started (docs/benchmarks.md, "Soak").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
MMAP_THRESHOLD = 2**20


@functools.cache
def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def fix_mmap_threshold() -> bool:
    """Buffers of ``MMAP_THRESHOLD`` bytes or more are mapped on their own; True where it applied."""
    mallopt = getattr(_libc(), "mallopt", None)
    return mallopt is not None and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1


def release_freed() -> None:
    """Free memory inside malloc's arenas goes back to the system (after a burst of large work)."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
