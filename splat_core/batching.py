"""Batching requests from concurrent callers into one worker call."""

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
        self._queue: queue.Queue[tuple[Item, Future]] | None = None
        self._pid = None

    def submit(self, item: Item) -> Result:
        """Process ``item`` (batched with any concurrent requests) and return its result."""
        future: Future = Future()
        self._worker_queue().put((item, future))
        return future.result()

    def _worker_queue(self) -> queue.Queue:
        # Started on first use, and again in a forked child (ZeroGPU runs GPU calls in one), where the
        # parent's thread does not exist.
        with self._start_lock:
            if self._pid != os.getpid():
                self._queue, self._pid = queue.Queue(), os.getpid()
                threading.Thread(target=self._work, args=(self._queue,), name=self._name, daemon=True).start()
            return self._queue

    def _work(self, requests: queue.Queue) -> None:
        while True:
            batch = [requests.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(requests.get_nowait())
                except queue.Empty:
                    break
            try:
                results = self._process([item for item, _ in batch])
            except BaseException as err:  # noqa: BLE001 - handed to every caller of the batch
                results = [err] * len(batch)
            for (_, future), result in zip(batch, results):
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)
