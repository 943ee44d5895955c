"""Server memory across HQ captures, and whether it is Python's (issue 13).

    python bench/capture_memory.py [--captures 40] [--default-allocator]

The app (tiny model, random weights, CPU) serves in this process; a gradio_client calls `/reconstruct`
(an HQ capture and a PLY export) ``--captures`` times after two warm-up calls. Printed: the process's
resident memory before and after (once the exports expired), how much of the growth tracemalloc
sees (Python objects and numpy buffers), and the resident memory after one ``malloc_trim``: if that
gives it back, the growth was free memory kept in malloc's arenas, not a leak.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

import app  # noqa: E402
from bench.bench_pipeline import webcam_like_frame  # noqa: E402
from bench.soak import resident_mb  # noqa: E402
from splat_core import host_memory  # noqa: E402
from splat_core.engine import Engine  # noqa: E402
from splat_core.store import ExportStore  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--captures", type=int, default=40)
    parser.add_argument("--default-allocator", action="store_true", help="leave glibc's mmap threshold as it is")
    parser.add_argument("--port", type=int, default=7931)
    args = parser.parse_args()
    from gradio.utils import get_upload_folder
    from gradio_client import Client, handle_file

    if not args.default_allocator:
        host_memory.fix_mmap_threshold()
    engine = Engine("tiny", "tiny", "random", "cpu")
    demo = app.build_app(engine, "lowest", ExportStore(Path(get_upload_folder()), ttl=5, max_bytes=2**30))
    demo.queue().launch(server_port=args.port, prevent_thread_lock=True, ssr_mode=False)
    photo = Path(tempfile.mkdtemp()) / "photo.jpg"
    Image.fromarray(webcam_like_frame()).resize((320, 240)).save(photo)
    client = Client(f"http://127.0.0.1:{args.port}/", verbose=False)
    for _ in range(2):
        client.predict(handle_file(str(photo)), api_name="/reconstruct")
    gc.collect()
    tracemalloc.start()
    traced_before, before = tracemalloc.get_traced_memory()[0], resident_mb(os.getpid())
    for _ in range(args.captures):
        client.predict(handle_file(str(photo)), api_name="/reconstruct")
    time.sleep(6)  # the exports expire (ttl 5 s)
    gc.collect()
    traced, after = tracemalloc.get_traced_memory()[0] - traced_before, resident_mb(os.getpid())
    host_memory.release_freed()
    print(f"{args.captures} captures: resident {before:.0f} → {after:.0f} MB; traced by tracemalloc "
          f"{traced / 2**20:+.1f} MB; after malloc_trim {resident_mb(os.getpid()):.0f} MB", flush=True)
    os._exit(0)  # the server's threads need no orderly stop here


if __name__ == "__main__":
    main()
