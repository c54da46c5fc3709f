"""The HTTP edge's bounds: one deadline for a whole reply, a byte cap after decompression, a JSON depth guard,
a method that keeps missing its deadline no longer asked, a dropped connection sent again once where safe, no
redirect followed; and what the run makes of a reply it did not read (POS-001), of a probe that got no answer,
and of a base URL that is not the API's root. A mock transport answers; time is a fake clock's."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import replace

import httpx
import pytest

from conformance.options import byte_count, seconds
from conformance.run import Run
from conformance.target import Target, TargetUnusable, preflight
from conformance.target.probe import probe
from conformance.verdict import findings
from conformance.verdict.findings import ConformanceFailure
from conformance.wire.bounds import MAX_JSON_DEPTH, Bounds, NoAnswer, nested_deeper
from conformance.wire.transport import MAX_MISSES, Transport
from spec import demo, wire
from tests.test_transport import example_target

BASE = "https://api.example.test"
BASKET = BASE + wire.path(wire.BASKET)
INSERT = BASE + wire.path("repairer.jobs.insert")
Handler = Callable[[httpx.Request], httpx.Response]


class Clock:
    """A fake monotonic clock: what a dripping stream advances."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Drip(httpx.SyncByteStream):
    """A reply body that arrives one byte every `step` seconds of the clock, for ever."""

    def __init__(self, clock: Clock, step: float = 0.2) -> None:
        self.clock, self.step = clock, step

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.clock.now += self.step
            yield b" "


def edge(handler: Handler, bounds: Bounds | None = None, clock: Clock | None = None) -> tuple[Transport,
                                                                                             list[httpx.Request]]:
    """A transport whose server is `handler`; the requests that reached it."""
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.Client(transport=httpx.MockTransport(recording))
    return Transport(bounds, http=http, sleep=lambda _: None, clock=clock or Clock()), seen


def post(transport: Transport, url: str = BASKET) -> httpx.Response:
    return transport.request("POST", url, headers={"Authorization": "Bearer secret"}, content=b"{}")


def test_a_dripping_reply_is_cut_by_the_deadline_of_the_whole_reply() -> None:
    clock = Clock()
    transport, _ = edge(lambda _: httpx.Response(200, stream=Drip(clock)), Bounds(timeout=5), clock)
    with pytest.raises(NoAnswer, match="not complete within 5 s") as caught:
        post(transport)
    assert caught.value.missed_deadline and 5 < clock.now <= 5.2
    assert caught.value.read.strip() == b"" and len(caught.value.read) == 25


def test_the_byte_cap_holds_after_decompression() -> None:
    bomb = gzip.compress(b" " * 2**20)  # 1 KiB on the wire
    transport, _ = edge(lambda _: httpx.Response(200, headers={"Content-Encoding": "gzip"},
                                                 stream=httpx.ByteStream(bomb)), Bounds(max_bytes=2**16))
    with pytest.raises(NoAnswer, match="larger than 65536 bytes"):
        post(transport)


def test_a_reply_within_the_cap_is_read_whole_and_decoded() -> None:
    body = json.dumps({"items": [1, 2]}).encode()
    transport, _ = edge(lambda _: httpx.Response(200, headers={"Content-Encoding": "gzip", "Content-Type":
                                                              "application/json"},
                                                 stream=httpx.ByteStream(gzip.compress(body))))
    response = post(transport)
    assert response.json() == {"items": [1, 2]} and "content-encoding" not in response.headers


def test_a_declared_length_over_the_cap_is_not_read() -> None:
    transport, _ = edge(lambda _: httpx.Response(200, headers={"Content-Length": str(2**20)},
                                                 stream=httpx.ByteStream(b"")), Bounds(max_bytes=2**10))
    with pytest.raises(NoAnswer, match="it declares 1048576; not read"):
        post(transport)


def test_a_body_nested_too_deep_is_not_read() -> None:
    transport, _ = edge(lambda _: httpx.Response(200, content=b"[" * 200_000 + b"]" * 200_000))
    with pytest.raises(NoAnswer, match=f"nests more than {MAX_JSON_DEPTH} levels"):
        post(transport)


def test_the_depth_guard_counts_nesting_not_brackets() -> None:
    deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    assert nested_deeper(deep.encode())
    assert not nested_deeper(json.dumps({"note": deep, "items": [[1]] * 500}).encode())
    assert not nested_deeper(json.dumps({"quoted": "\\\"[[[" * 100}).encode())


def test_a_method_that_keeps_missing_its_deadline_is_no_longer_asked() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    transport, seen = edge(hang)
    for _ in range(MAX_MISSES):
        with pytest.raises(NoAnswer, match="no reply within 30 s"):
            post(transport)
    with pytest.raises(NoAnswer, match=f"not asked: it missed its 30 s deadline {MAX_MISSES} times"):
        post(transport)
    assert len(seen) == MAX_MISSES
    with pytest.raises(NoAnswer, match="no reply within"):
        post(transport, INSERT)  # another method is still asked


def dropped_once(error: type[httpx.TransportError]) -> Handler:
    """A server whose first connection closes before any reply byte; it answers after that."""
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise error("Server disconnected without sending a response.", request=request)
        return httpx.Response(200, json={})

    return handler


def test_a_read_whose_connection_dropped_is_sent_again_once_and_counted() -> None:
    transport, seen = edge(dropped_once(httpx.RemoteProtocolError))
    assert post(transport).status_code == 200
    assert len(seen) == 2 and transport.politeness.take()[0] == 1


def test_a_write_whose_connection_dropped_after_sending_is_not_sent_again() -> None:
    transport, seen = edge(dropped_once(httpx.RemoteProtocolError))
    with pytest.raises(NoAnswer, match="the connection closed before any reply"):
        post(transport, INSERT)
    assert len(seen) == 1


def test_a_write_that_was_never_written_is_sent_again() -> None:
    transport, seen = edge(dropped_once(httpx.ConnectError))
    assert post(transport, INSERT).status_code == 200 and len(seen) == 2


def test_a_redirect_is_not_followed_so_the_credentials_stay_home() -> None:
    transport, seen = edge(lambda _: httpx.Response(307, headers={"Location": "https://elsewhere.test/x"}))
    assert post(transport).status_code == 307
    assert [r.url.host for r in seen] == ["api.example.test"]


def test_a_contract_call_without_an_answer_is_a_pos_001_finding_with_the_request_as_evidence() -> None:
    clock = Clock()
    transport, _ = edge(lambda _: httpx.Response(200, stream=Drip(clock)), Bounds(timeout=1), clock)
    run = Run(example_target(), transport)
    record = findings.start()
    with pytest.raises(ConformanceFailure):
        run.send(wire.BASKET, headers={"Content-Type": "application/json"}, content=b'{"job_identity": {}}')
    [finding] = record.findings
    assert finding.requirement == "POS-001"
    assert finding.message.startswith(f"{wire.BASKET}: no answer: its reply was not complete within 1 s")
    assert f"curl -sS -X POST {BASKET}" in finding.evidence and "-> no reply read: 200" in finding.evidence
    assert record.requests == 0 and not record.reached  # a method that did not answer was not reached


def target_answering(handler: Handler) -> tuple[Target, Transport]:
    return example_target(), edge(handler)[0]


def test_preflight_says_where_the_target_redirects() -> None:
    target, transport = target_answering(
        lambda r: httpx.Response(307, headers={"Location": "https://api.other.test/v2" + r.url.path}))
    with pytest.raises(TargetUnusable, match=r"redirects to https://api.other.test/v2/api/2026-01/repairer.work-"
                                             r"providers.list \(307\): pass --base-url https://api.other.test/v2 "):
        preflight(target, transport)


def test_preflight_says_a_page_that_is_not_json_is_not_the_api_root() -> None:
    target, transport = target_answering(lambda _: httpx.Response(200, html="<html>Sign in</html>"))
    with pytest.raises(TargetUnusable, match=r"does not look like the API root: .* 200 text/html"):
        preflight(target, transport)


def test_preflight_goes_on_when_one_of_its_requests_is_answered() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "work-providers" in request.url.path:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(404, json={"type": "not_found"})

    preflight(*target_answering(handler))


def test_preflight_stops_when_nothing_answers() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(TargetUnusable, match=r"unreachable: nothing answers .*no reply within 30 s"):
        preflight(*target_answering(handler))


def test_a_probe_request_without_an_answer_ends_the_probe_with_why() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    transport, _ = edge(handler)
    tenant, found = probe(transport, BASE, demo.REPAIRER, tenant="fresh", tenant_auto=True, extensions=None)
    assert tenant is None and found.extensions is False
    assert found.unfinished == "businesses.list got no answer: no reply within 30 s (--request-timeout)"


def test_the_bounds_and_an_unfinished_probe_travel_to_the_workers() -> None:
    target = replace(example_target(), bounds=Bounds(timeout=3, max_bytes=10), probe_unfinished="why")
    again = Target.from_data(json.loads(json.dumps(target.to_data())))
    assert again.bounds == Bounds(timeout=3, max_bytes=10) and again.probe_unfinished == "why"


def test_the_options_take_positive_numbers_only() -> None:
    assert seconds("2.5") == 2.5 and byte_count("1024") == 1024
    for bad in ("0", "-1", "x"):
        with pytest.raises(Exception, match="expected a positive"):
            seconds(bad)
    with pytest.raises(Exception, match="whole number of bytes"):
        byte_count("1.5")
