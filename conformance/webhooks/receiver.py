"""The run's loopback webhook receiver: it records every delivery as it arrived (exact bytes, header, time)
and answers as a check asks (fail a path's next delivery, hold a path's answers), so that the checks can
judge a target's deliveries.

Why the standard library's threaded HTTP server: each delivery gets a thread of its own, so holding one
answer (to see that the call it followed did not wait) delays no other, and the suite starts no second
event loop of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from spec import webhooks

MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Received:
    path: str
    body: bytes
    signature: str | None  # the partly-hmac-sha256 header, None without one
    arrived: float  # time.monotonic() when its request line was read
    at: datetime  # the receiver's clock then, for judging the event's timestamp
    status: int  # what the receiver answered


class Receiver:
    """Deliveries to `url(path)`, in arrival order; `fail_next(path)` answers that path's next one 503,
    `hold(path, s)` waits s seconds before answering each of that path's."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._failing: set[str] = set()
        self._holds: dict[str, float] = {}
        self._changed = threading.Condition()
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def fail_next(self, path: str) -> None:
        with self._changed:
            self._failing.add(path)

    def hold(self, path: str, seconds: float) -> None:
        with self._changed:
            self._holds[path] = seconds

    def on(self, path: str) -> list[Received]:
        with self._changed:
            return [r for r in self.received if r.path == path]

    def wait(self, done: Callable[[list[Received]], bool], timeout: float) -> list[Received]:
        """The deliveries so far, once `done(them)` holds or `timeout` seconds have passed."""
        with self._changed:
            self._changed.wait_for(lambda: done(self.received), timeout)
            return list(self.received)

    def record(self, path: str, body: bytes, signature: str | None, arrived: float) -> int:
        with self._changed:
            status = 503 if path in self._failing else 204
            self._failing.discard(path)
            hold = self._holds.get(path, 0.0)
            self.received.append(Received(path, body, signature, arrived, datetime.now(UTC), status))
            self._changed.notify_all()
        time.sleep(hold)
        return status

    @contextmanager
    def serving(self) -> Iterator[Receiver]:
        """Listen on a free loopback port until the block ends."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.monotonic()
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(min(length, MAX_BODY))
                status = receiver.record(self.path.lstrip("/"), body, self.headers.get(webhooks.SIGNATURE_HEADER),
                                         arrived)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # the run's output is its report
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
