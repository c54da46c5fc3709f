"""Requests in flight at once: a test's independent requests, and the generated tests' cases, sent by a
pool of `concurrency` threads while the test's own thread goes on.

Why: against a remote target every request waits a round trip, and the suite's own work (Hypothesis
generating the next case, the judge reading the last reply) can go on meanwhile. A generated test
hands each case to `submit` and goes on generating; a hand-written check sends its independent requests
with `map`. Either way the test ends only when every request it started is answered and judged
(`draining`, around each test call), so its findings, evidence and counts are still its own: each task
runs in a copy of the submitting thread's context, where `findings.current()` is the test's record.
With concurrency 1 nothing is deferred: each request is sent at once on the test's thread.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
QUEUED_PER_THREAD = 2  # cases generated ahead of the senders, per thread: generation and I/O stay in step

_pending: contextvars.ContextVar[list[Future[Any]] | None] = contextvars.ContextVar("conformance_pending",
                                                                                     default=None)


class Pipeline:
    """The process's senders: `concurrency` threads, started on first use."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = max(1, concurrency)
        self._pool: ThreadPoolExecutor | None = None
        self._slots = threading.BoundedSemaphore(QUEUED_PER_THREAD * self.concurrency)
        self._lock = threading.Lock()

    @property
    def pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="conformance-send")
            return self._pool

    def submit(self, task: Callable[..., object], *args: Any) -> None:
        """Run `task(*args)` in the background, to be waited for when the running test's call ends; at once
        when concurrency is 1 or no test call is draining. Blocks while the senders are far enough behind."""
        pending = _pending.get()
        if self.concurrency == 1 or pending is None:
            task(*args)
            return
        self._slots.acquire()
        future = self.pool.submit(contextvars.copy_context().run, task, *args)
        future.add_done_callback(lambda _: self._slots.release())
        pending.append(future)

    def map(self, task: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
        """`[task(item) for item in items]`, up to `concurrency` at once; results in order, the first error raised."""
        items = list(items)
        if self.concurrency == 1 or len(items) < 2:
            return [task(item) for item in items]
        futures = [self.pool.submit(contextvars.copy_context().run, task, item) for item in items]
        return [future.result() for future in futures]

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


@contextlib.contextmanager
def draining() -> Iterator[None]:
    """Around a test call: whatever it `submit`s is answered before the call ends. The first error of a
    background task is raised then, unless the call itself already failed."""
    pending: list[Future[Any]] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        wait(pending)
    for future in pending:
        future.result()
