"""The suite's one HTTP edge: every request the suite sends, hand-written or generated, goes out here.

One keep-alive httpx client, one header builder, and every reply read within bounds (bounds.py: a deadline
for the whole reply, a byte cap, a JSON depth guard). A method that keeps missing its deadline stops being
asked (MAX_MISSES): the run stays bounded however many requests a check would send it. A request whose
connection closed before any reply byte (a reset, a keep-alive connection the server had just closed) is
sent again once on a fresh connection where that is safe: a read, or a request that was never written.
The edge is also where the suite is polite to a real deployment: a `--max-rps` token bucket shared by
every thread of the process, and a 429 or 503 that carries `Retry-After` is waited out and sent again (a
bounded number of times, each wait capped), so that a rate limit is never mistaken for the server's
answer. What the suite does with the final reply (record it as evidence, judge it, add the findings) is
`Run.send`, built on this.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

from conformance.wire.bounds import Bounds, NoAnswer, read
from spec.wire import TENANT_HEADER, Credential, method_of

MAX_MISSES = 3  # deadlines a method may miss before its remaining requests are not sent
READS = ("get", "list")  # the last word of a method that only reads: sending it again changes nothing
# the connection closed before any reply byte: sending again on a fresh connection may get the answer
DROPPED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.RemoteProtocolError, httpx.ReadError,
           httpx.WriteError)
NEVER_WRITTEN = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
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


def resendable(method: str, error: httpx.TransportError) -> bool:
    """Whether a request whose connection closed before any reply byte may be sent again: it was never
    written, or it only reads."""
    return isinstance(error, NEVER_WRITTEN) or method.rsplit(".", 1)[-1] in READS


class Misses:
    """The deadlines each method missed in this process; safe to add to from any thread."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, method: str) -> None:
        with self._lock:
            self._counts[method] = self._counts.get(method, 0) + 1

    def given_up(self, method: str) -> bool:
        with self._lock:
            return self._counts.get(method, 0) >= MAX_MISSES


class Transport:
    """The connection pool every request of one process shares, its bounds and its politeness."""

    def __init__(self, bounds: Bounds | None = None, *, max_rps: float | None = None,
                 http: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bounds = bounds or Bounds()
        self.http = http or httpx.Client(timeout=self.bounds.timeout)
        self.limit = RateLimit(max_rps, sleep=sleep)
        self.sleep, self.clock = sleep, clock
        self.misses = Misses()
        self.politeness = Politeness()  # what requests outside a test's record cost (the preflight's)

    def request(self, verb: str, url: str, *, headers: dict[str, str], content: bytes = b"",
                params: dict[str, str] | None = None, politeness: Politeness | None = None) -> httpx.Response:
        """Send once, and again after each Retry-After (at most MAX_RETRIES times) or once after a connection
        dropped before any reply; the final response, read whole. `NoAnswer` when no reply could be read.
        What the waiting cost is added to `politeness` (the running test's), else to the transport's own."""
        counts = politeness if politeness is not None else self.politeness
        request = self.http.build_request(verb, url, headers=headers, content=content, params=params)
        retries, resent = 0, False
        while True:
            counts.add(waited_s=self.limit.acquire())
            try:
                response = self.exchange(request)
            except NoAnswer as missing:
                cause = missing.__cause__
                if resent or not isinstance(cause, DROPPED) or not resendable(self.method(request), cause):
                    raise
                resent = True
                counts.add(retries=1)
                continue
            delay = retry_after(response)
            if delay is None or retries == MAX_RETRIES:
                return response
            self.sleep(delay)
            retries += 1
            counts.add(retries=1, waited_s=delay)

    @staticmethod
    def method(request: httpx.Request) -> str:
        """The contract method a request calls, else its path (e.g. /openapi.json)."""
        return method_of(str(request.url)) or request.url.path

    def exchange(self, request: httpx.Request) -> httpx.Response:
        """Send `request` once and read its reply within the bounds; a missed deadline counts against the
        method, which is not asked again once it missed MAX_MISSES."""
        method, timeout = self.method(request), self.bounds.timeout
        if self.misses.given_up(method):
            raise NoAnswer(f"not asked: it missed its {timeout:g} s deadline {MAX_MISSES} times in this run", request)
        started = self.clock()
        try:
            try:
                response = self.http.send(request, stream=True)
            except httpx.TimeoutException as exc:
                if isinstance(exc, NEVER_WRITTEN):
                    raise NoAnswer(f"no connection within {timeout:g} s ({type(exc).__name__})", request) from exc
                raise NoAnswer(f"no reply within {timeout:g} s (--request-timeout)", request, missed_deadline=True,
                               elapsed_s=self.clock() - started) from exc
            except httpx.TransportError as exc:
                raise NoAnswer(f"the connection closed before any reply ({type(exc).__name__}: {exc})",
                               request) from exc
            return read(response, self.bounds, started, self.clock)
        except NoAnswer as missing:
            if missing.missed_deadline:
                self.misses.add(method)
            raise

    def close(self) -> None:
        self.http.close()
