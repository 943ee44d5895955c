"""Batching requests from concurrent callers into one worker call, and a lock granted in turn."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batcher(Generic[Item, Result]):
    """Runs ``process(items) -> results`` on one worker thread for whatever requests are waiting.

    A request never waits for company: the worker takes everything queued at the moment it becomes
    free (up to ``max_batch``), so a lone stream pays no extra latency and concurrent streams share
    network passes. ``process`` returns one result per item; an exception instance in its place is
    raised to that item's caller only.
    """

    def __init__(self, process: Callable[[list[Item]], list[Result | BaseException]], max_batch: int = 4,
                 name: str = "batcher"):
        self._process, self._max_batch, self._name = process, max_batch, name
        self._start_lock = threading.Lock()
        self._queue: queue.Queue[tuple[Item, Future] | None] | None = None
        self._pid = self._worker = None
        self._closed = False

    def submit(self, item: Item) -> Result:
        """Process ``item`` (batched with any concurrent requests) and return its result."""
        future: Future = Future()
        with self._start_lock:
            if self._closed:
                raise RuntimeError("The server is stopping: no more frames.")
            self._worker_queue().put((item, future))
        return future.result()

    def close(self, timeout: float | None = None) -> bool:
        """Take no more requests; the worker finishes the batch in flight and exits. True if it has exited
        within ``timeout`` seconds."""
        with self._start_lock:
            worker = self._worker if self._pid == os.getpid() else None  # none yet in this process
            if worker is not None and not self._closed:
                self._queue.put(None)  # after every request already queued
            self._closed = True
        if worker is not None:
            worker.join(timeout)
        return worker is None or not worker.is_alive()

    def _worker_queue(self) -> queue.Queue:
        # Started on first use, and again in a forked child (ZeroGPU runs GPU calls in one), where the
        # parent's thread does not exist. Called with _start_lock held.
        if self._pid != os.getpid():
            self._queue, self._pid = queue.Queue(), os.getpid()
            self._worker = threading.Thread(target=self._work, args=(self._queue,), name=self._name, daemon=True)
            self._worker.start()
        return self._queue

    def _work(self, requests: queue.Queue) -> None:
        stopping = False
        while not stopping:
            batch = [requests.get()]
            while batch[-1] is not None and len(batch) < self._max_batch:
                try:
                    batch.append(requests.get_nowait())
                except queue.Empty:
                    break
            if batch[-1] is None:  # close(): nothing is queued after it
                stopping = True
                batch.pop()
                if not batch:
                    return
            try:
                results = self._process([item for item, _ in batch])
            except BaseException as err:  # noqa: BLE001 - handed to every caller of the batch
                results = [err] * len(batch)
            for (_, future), result in zip(batch, results):
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)


class FairLock:
    """A lock granted in the order it was asked for. ``threading.Lock`` is not fair: a thread that
    releases it and asks again at once usually gets it back, so an HQ capture's stages would run back
    to back while the live batches waiting for the GPU starve."""

    def __init__(self):
        self._turns = threading.Condition()
        self._next_ticket = self._serving = 0

    def acquire(self) -> None:
        with self._turns:
            ticket, self._next_ticket = self._next_ticket, self._next_ticket + 1
            self._turns.wait_for(lambda: self._serving == ticket)

    def release(self) -> None:
        with self._turns:
            self._serving += 1
            self._turns.notify_all()

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
