"""The HTTP edge's politeness: Retry-After waited out and sent again, a --max-rps bucket, and only the final
response judged. A mock transport answers; sleeping is recorded, never done."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate

import httpx
import pytest

from conformance.run import Run
from conformance.target import PROFILES, Credential, Grant, Target
from conformance.target.spec_source import bundled
from conformance.verdict import findings
from conformance.wire.transport import MAX_RETRIES, MAX_WAIT_S, Politeness, RateLimit, Transport, retry_after
from spec import demo

URL = "https://api.example.test/api/2026-01/businesses.list"
OK = httpx.Response(200, json={"items": []})


def example_target() -> Target:
    """A remote target on the bundled contract (the requests never leave the process: a mock answers)."""
    return Target(base_url="https://api.example.test", tenant="t1", repairer=demo.REPAIRER,
                  supplier=Credential("supplier", "s" * 20, "id-2"), grant=Grant("c", "s", "a"),
                  profile=PROFILES["quick"], extensions=False, spec=bundled(), embedded=False)


def answers(*responses: httpx.Response) -> tuple[Transport, list[float], list[httpx.Request]]:
    """A transport whose server gives `responses` in turn (the last one again and again)."""
    sleeps: list[float] = []
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        response = responses[min(len(seen), len(responses)) - 1]
        # a stream, as from a server: reading it is what times the response (`elapsed`)
        return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(response.content))

    return Transport(http=httpx.Client(transport=httpx.MockTransport(handler)), sleep=sleeps.append), sleeps, seen


def throttled(status: int = 429, after: str | None = "2") -> httpx.Response:
    return httpx.Response(status, headers={"Retry-After": after} if after is not None else {},
                          json={"type": "rate_limited"})


def test_a_429_with_retry_after_is_waited_out_and_sent_again() -> None:
    transport, sleeps, seen = answers(throttled(), OK)
    counts = Politeness()
    response = transport.request("POST", URL, headers={}, content=b"{}", politeness=counts)
    assert response.status_code == 200 and len(seen) == 2 and sleeps == [2.0]
    assert (counts.retries, counts.waited_s) == (1, 2.0)
    assert (transport.politeness.retries, transport.politeness.waited_s) == (0, 0.0)  # counted where it was asked


def test_a_503_with_retry_after_is_retried_and_counts_go_to_the_transport_by_default() -> None:
    transport, sleeps, _ = answers(throttled(503, "1"), throttled(503, "1"), OK)
    assert transport.request("POST", URL, headers={}).status_code == 200
    assert sleeps == [1.0, 1.0] and transport.politeness.retries == 2


@pytest.mark.parametrize("response", [throttled(after=None), throttled(503, after=None), throttled(after="soon"),
                                      httpx.Response(500, headers={"Retry-After": "1"})])
def test_without_a_usable_retry_after_the_answer_is_final(response: httpx.Response) -> None:
    transport, sleeps, seen = answers(response, OK)
    assert transport.request("POST", URL, headers={}).status_code == response.status_code
    assert sleeps == [] and len(seen) == 1


def test_attempts_are_bounded_and_the_last_answer_is_returned() -> None:
    transport, sleeps, seen = answers(throttled(after="1"))
    assert transport.request("POST", URL, headers={}).status_code == 429
    assert len(seen) == MAX_RETRIES + 1 and len(sleeps) == MAX_RETRIES


def test_retry_after_reads_seconds_and_http_dates_and_caps_the_wait() -> None:
    now = time.time()
    assert retry_after(throttled(after="0")) == 0.0
    assert retry_after(throttled(after="1.5")) == 1.5
    assert retry_after(throttled(after="3600")) == MAX_WAIT_S
    assert retry_after(throttled(after=formatdate(now + 10, usegmt=True)), now=now) == pytest.approx(10, abs=1)
    assert retry_after(throttled(after=formatdate(now - 10, usegmt=True)), now=now) == 0.0
    assert retry_after(httpx.Response(200, headers={"Retry-After": "5"})) is None


def test_the_rate_limit_spaces_requests_across_callers() -> None:
    clock, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)

    limit = RateLimit(4, clock=lambda: clock[0], sleep=sleep)
    waits = [limit.acquire() for _ in range(3)]
    assert waits == [0.0, 0.25, 0.5] and slept == [0.25, 0.5]
    clock[0] += 10  # idle long enough: no burst credit beyond one request
    assert limit.acquire() == 0.0 and limit.acquire() == 0.25
    assert RateLimit(None).acquire() == 0.0


@pytest.fixture
def run_on() -> Iterator[Callable[..., Run]]:
    """A Run on the bundled contract whose server gives the responses passed in turn."""
    made: list[Run] = []

    def make(*responses: httpx.Response) -> Run:
        transport, _, _ = answers(*responses)
        made.append(Run(example_target(), transport))
        return made[-1]

    yield make
    for run in made:
        run.close()


def test_only_the_final_response_is_recorded_and_judged(run_on: Callable[..., Run]) -> None:
    """The 429 before it is neither evidence nor a finding (its body is outside the method's error union)."""
    record = findings.start()
    run = run_on(throttled(after="0"), OK)
    sent = run.send("businesses.list", headers={"Content-Type": "application/json"}, content=b"{}")
    assert sent.response.status_code == 200 and sent.findings == []
    assert record.requests == 1 and record.findings == [] and record.politeness.retries == 1
    assert [json.loads(e.response_body) for e in record.exchanges] == [{"items": []}]


def test_a_429_that_is_not_retried_is_recorded_but_is_no_contract_answer(run_on: Callable[..., Run]) -> None:
    """No contract error is retryable (NOTES §4): a rate limiter's answer is evidence, never a finding."""
    record = findings.start()
    run = run_on(throttled(after=None))
    sent = run.send("businesses.list", headers={"Content-Type": "application/json"}, content=b"{}")
    assert sent.response.status_code == 429 and record.requests == 1
    assert sent.findings == []
