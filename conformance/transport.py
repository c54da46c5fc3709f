"""The suite's one HTTP edge: every request the suite sends, hand-written or generated, goes out here.

One keep-alive httpx client with one timeout, and one header builder. The edge is also where the suite
is polite to a real deployment: a `--max-rps` token bucket shared by every thread of the process, and a
429 or 503 that carries `Retry-After` is waited out and sent again (a bounded number of times, each wait
capped), so that a rate limit is never mistaken for the server's answer. What the suite does with the
final reply (record it as evidence, judge it, add the findings) is `Run.send`, built on this.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

from spec.wire import TENANT_HEADER, Credential

TIMEOUT = 15.0  # seconds per request: connect, read, write and pool wait alike
RETRY_STATUSES = frozenset({429, 503})  # with Retry-After: "not now", not an answer
MAX_RETRIES = 4  # sends after the first, per request
MAX_WAIT_S = 60.0  # the longest one Retry-After is waited


def request_headers(credential: Credential | None, tenant: str | None) -> dict[str, str]:
    """What every contract call carries: JSON, the role's two auth headers, the sandbox tenant."""
    headers = {"Content-Type": "application/json"}
    if tenant:
        headers[TENANT_HEADER] = tenant
    if credential:
        headers.update(credential.headers())
    return headers


def merge_headers(base: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    """`base` with `changes` applied case-insensitively; a header changed to None is removed."""
    merged = dict(base)
    for name, value in changes.items():
        merged = {k: v for k, v in merged.items() if k.lower() != name.lower()}
        if value is not None:
            merged[name] = value
    return merged


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """The seconds a 429 or 503 asks the client to wait (Retry-After as delay-seconds or an HTTP-date),
    capped at MAX_WAIT_S; None for any other response, or one without a readable Retry-After."""
    value = response.headers.get("retry-after", "").strip()
    if response.status_code not in RETRY_STATUSES or not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_WAIT_S)


@dataclass
class Politeness:
    """How much waiting politeness cost: retries after a Retry-After, and seconds waited (for Retry-After,
    and for the --max-rps bucket), summed over concurrent requests. Safe to add to from any thread."""

    retries: int = 0
    waited_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, retries: int = 0, waited_s: float = 0.0) -> None:
        with self._lock:
            self.retries += retries
            self.waited_s += waited_s

    def take(self) -> tuple[int, float]:
        """The counts so far, reset to zero."""
        with self._lock:
            counts = (self.retries, self.waited_s)
            self.retries, self.waited_s = 0, 0.0
            return counts


class RateLimit:
    """A token bucket of `per_second` requests (a burst of one), shared by every thread; None: no limit."""

    def __init__(self, per_second: float | None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / per_second if per_second else 0.0
        self.clock, self.sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for this request's turn; the seconds waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self.clock()
            turn = max(now, self._next)
            self._next = turn + self.interval
        if turn > now:
            self.sleep(turn - now)
        return turn - now


class Transport:
    """The connection pool every request of one process shares, and its politeness."""

    def __init__(self, timeout: float = TIMEOUT, *, max_rps: float | None = None,
                 http: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.http = http or httpx.Client(timeout=timeout)
        self.limit = RateLimit(max_rps, sleep=sleep)
        self.sleep = sleep
        self.politeness = Politeness()  # what requests outside a test's record cost (the preflight's)

    def request(self, verb: str, url: str, *, headers: dict[str, str], content: bytes = b"",
                params: dict[str, str] | None = None, politeness: Politeness | None = None) -> httpx.Response:
        """Send once, and again after each Retry-After (at most MAX_RETRIES times); the final response.
        What the waiting cost is added to `politeness` (the running test's), else to the transport's own."""
        counts = politeness if politeness is not None else self.politeness
        retries = 0
        while True:
            counts.add(waited_s=self.limit.acquire())
            response = self.http.request(verb, url, headers=headers, content=content, params=params)
            delay = retry_after(response)
            if delay is None or retries == MAX_RETRIES:
                return response
            self.sleep(delay)
            retries += 1
            counts.add(retries=1, waited_s=delay)

    def close(self) -> None:
        self.http.close()
