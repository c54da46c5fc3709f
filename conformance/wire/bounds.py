"""Reading one reply within bounds: what a target answers is the suite's input, so no reply may hang the run,
fill its memory or crash its JSON reader.

A reply is read as a stream: its decoded bytes (after gzip or deflate, so a compression bomb counts what it
inflates to) are counted against a cap, and the whole reply, from sending the request to its last byte, has
one deadline, checked between chunks (a reply dripping a byte at a time is cut by it, not by a per-read
timeout). A body nested deeper than any documented reply is not read either: Python's JSON reader and the
schema validator recurse, and 200,000 nested arrays would crash them. A reply not read is `NoAnswer`, with why
and what was read of it.
"""

from __future__ import annotations

import datetime
import re
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

TIMEOUT = 30.0  # seconds for a whole reply: from sending the request to its last byte
MAX_RESPONSE_BYTES = 16 * 2**20  # decoded bytes of one reply; far above any documented reply
MAX_JSON_DEPTH = 64  # levels of nested arrays and objects; the contract's deepest reply has under 10
KEPT_BYTES = 4096  # of a reply not read, the first bytes kept as evidence
CHUNK = 2**16  # decoded bytes inflated at a time

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


@dataclass(frozen=True)
class Bounds:
    """The limits on one reply (`--request-timeout`, `--max-response-bytes`)."""

    timeout: float = TIMEOUT
    max_bytes: int = MAX_RESPONSE_BYTES


class NoAnswer(httpx.HTTPError):
    """A request that got no reply the suite could read: why, and what arrived of it (the evidence)."""

    def __init__(self, reason: str, request: httpx.Request, *, missed_deadline: bool = False,
                 response: httpx.Response | None = None, read: bytes = b"", elapsed_s: float = 0.0) -> None:
        super().__init__(reason)
        self.request = request
        self.reason = reason
        self.missed_deadline = missed_deadline
        self.status = response.status_code if response is not None else 0
        self.content_type = response.headers.get("content-type", "") if response is not None else ""
        self.read = read[:KEPT_BYTES]
        self.elapsed_s = elapsed_s


def nested_deeper(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `body`, read as JSON, nests arrays and objects more than `limit` deep; found without recursion
    (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b"", body)):
        depth += 1 if bracket[0] in b"[{" else -1
        if depth > limit:
            return True
    return False


def inflated(response: httpx.Response) -> Iterator[bytes]:
    """The body's decoded bytes, a bounded piece at a time. gzip and deflate are inflated here, at most CHUNK
    bytes a step (httpx would inflate a whole network read at once: 64 KiB of a bomb is 64 MiB); any other
    encoding, and a body already in memory, is httpx's."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("gzip", "deflate") or response.is_stream_consumed:
        yield from response.iter_bytes()
        return
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
    try:
        for data in response.iter_raw():
            while data and not decoder.eof:
                yield decoder.decompress(data, CHUNK)
                data = decoder.unconsumed_tail
        yield decoder.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(f"{encoding}: {exc}") from None


def read(response: httpx.Response, bounds: Bounds, started: float,
         clock: Callable[[], float] = time.monotonic) -> httpx.Response:
    """The streamed `response` read whole within `bounds` (the deadline counted from `started`), as a
    response with its decoded body in memory; `NoAnswer` when the reply cannot be read within them."""
    body = bytearray()

    def no_answer(reason: str, missed_deadline: bool = False) -> NoAnswer:
        """The error to raise; what was read is freed at once (the traceback keeps this frame alive)."""
        kept = bytes(body[:KEPT_BYTES])
        body.clear()
        return NoAnswer(reason, response.request, missed_deadline=missed_deadline, response=response, read=kept,
                        elapsed_s=clock() - started)

    declared = response.headers.get("content-length", "")
    if "content-encoding" not in response.headers and declared.isdigit() and int(declared) > bounds.max_bytes:
        response.close()
        raise no_answer(f"its reply is larger than {bounds.max_bytes} bytes (--max-response-bytes): it declares "
                        f"{declared}; not read")
    try:
        for chunk in inflated(response):
            if len(body) + len(chunk) > bounds.max_bytes:
                raise no_answer(f"its reply is larger than {bounds.max_bytes} bytes (--max-response-bytes); "
                                "not read past that")
            body += chunk
            if clock() - started > bounds.timeout:
                raise no_answer(f"its reply was not complete within {bounds.timeout:g} s (--request-timeout)", True)
    except httpx.TimeoutException:
        raise no_answer(f"its reply was not complete within {bounds.timeout:g} s (--request-timeout)", True) from None
    except httpx.DecodingError as exc:
        raise no_answer(f"its body could not be decoded ({exc})") from None
    except httpx.TransportError as exc:
        raise no_answer(f"its reply was cut off ({type(exc).__name__}: {exc})") from None
    finally:
        response.close()
    if nested_deeper(body):
        raise no_answer(f"its body nests more than {MAX_JSON_DEPTH} levels deep; not read as JSON")
    # the body is decoded now: the new response carries no Content-Encoding that would decode it again
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding",
                                                                                        "content-length")]
    whole = httpx.Response(response.status_code, headers=headers, content=bytes(body), request=response.request,
                           extensions=response.extensions)
    whole.elapsed = datetime.timedelta(seconds=clock() - started)  # the whole reply's time, as read
    return whole
