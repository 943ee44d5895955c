"""splat_core.host_memory against glibc itself, in fresh processes (a test process's heap is not clean)."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")

PROBE = r"""
import ctypes, sys
from splat_core import host_memory

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]

def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])

def touched(size):
    block = libc.malloc(size)
    ctypes.memset(block, 1, size)
    return block

if sys.argv[1] == "fix":
    assert host_memory.fix_mmap_threshold()
if sys.argv[2] == "large":  # an 8 MB buffer, freed, then another (glibc's threshold has risen by then)
    libc.free(touched(8 << 20))
    before = rss_kb()
    libc.free(touched(8 << 20))
    print(rss_kb() - before)
else:  # 1600 blocks of 64 KB freed but every tenth: free pages amid the heap
    blocks = [touched(64 << 10) for _ in range(1600)]
    before = rss_kb()
    for i, block in enumerate(blocks):
        if i % 10:
            libc.free(block)
    freed = rss_kb()
    host_memory.release_freed()
    print(before - freed, before - rss_kb())  # KB handed back after the frees, then after the release
"""


def probe(*args: str) -> list[int]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True).stdout
    return [int(value) for value in out.split()]


def test_a_freed_large_buffer_goes_back_to_the_system_only_with_the_fixed_threshold():
    assert probe("default", "large")[0] > 6 * 1024  # kept: glibc raised its threshold past 8 MB
    assert probe("fix", "large")[0] < 1024


def test_release_freed_hands_back_free_pages_amid_the_heap():
    back_after_free, back_after_release = probe("fix", "small")
    assert back_after_free < 10 * 1024  # of 90 MB freed, nearly all still resident
    assert back_after_release > 60 * 1024
