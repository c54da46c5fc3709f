"""Findings: what a check observed against one requirement, and the record of one test.

Checks do not decide pass or fail themselves: they record findings against requirement ids, and the
requirement's level decides. A MUST finding fails the test; a SHOULD finding marks it warned. Every
test has one `TestRecord` (reached through `current()`); each of its reports carries a `HandOver` to the
controller, so that the verdict also holds under pytest-xdist. A test's requests may be answered on
several threads at once (the generated tests' senders), so the record is safe to add to from any of them.
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, NoReturn, Protocol

import pytest

from conformance.requirements import catalogue
from conformance.requirements.definition import Level
from conformance.wire.transport import Politeness


class Exchange(Protocol):
    """What a record needs of a recorded exchange (conformance/wire/exchange.py's, which records itself here: the
    record depends on this shape only, so the two modules do not import each other)."""

    id: str
    status: int

    @property
    def method(self) -> str | None: ...

    def render(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...

MAX_EXCHANGES = 20  # evidence kept per test (each phase's hand-over, and the controller's outcome of the test)
RECENT = 50  # exchanges a test keeps at hand for the findings still to come
Signature = Literal["valid", "invalid", "missing"]  # a webhook delivery's signature, checked with the shared secret
Timestamp = Literal["fresh", "stale", "missing"]  # its event's timestamp, on its arrival


@dataclass(frozen=True)
class Finding:
    requirement: str
    message: str
    evidence: str = ""  # the exchange that shows it, rendered and redacted
    path: str = ""  # where in the response body it broke, as a JSON path ("$.items[0].status"); "" for no place
    exchange: str = ""  # the id of the recorded exchange that shows it
    # what went wrong without the values of one request (e.g. "method: schema path, validator"): one test
    # reports each kind once, however many of its generated requests show it; "" means the message is the kind
    kind: str = ""

    @property
    def level(self) -> Level:
        return catalogue.get(self.requirement).level

    @property
    def key(self) -> tuple[str, str]:
        return self.requirement, self.kind or self.message

    def to_dict(self) -> dict[str, str]:
        """As the report shows it (summary.json's failures): the kind is only for telling findings apart."""
        return {"requirement": self.requirement, "message": self.message, "evidence": self.evidence,
                "path": self.path, "exchange": self.exchange}


@dataclass(frozen=True)
class WebhookDelivery:
    """One delivery a webhook check saw, as the report shows it: which call it followed, when, to whom, what it
    carried (conformance/checks/test_webhooks.py)."""

    trigger: str  # the call it followed
    to: str  # whose subscribed integration: repairer or supplier
    after_call_ms: float  # from sending the call to the delivery's arrival
    call_ms: float  # how long the call took to answer
    event_id: str
    type: str
    signature: Signature
    timestamp: Timestamp
    answered: int  # the status the receiver answered it with


@dataclass(frozen=True)
class HandOver:
    """What the report of one test phase (setup, call, teardown) carries to the controller's verdict. It travels
    as plain data (`to_data`): pytest-xdist sends a report's user_properties over execnet, which takes builtins
    only, never a dataclass."""

    findings: tuple[Finding, ...] = ()  # all of the test's so far, not only this phase's
    exchanges: tuple[dict[str, Any], ...] = ()  # the evidence, rendered and redacted (`Exchange.to_dict`)
    requests: int = 0
    succeeded: tuple[str, ...] = ()
    reached: tuple[str, ...] = ()
    excused: dict[str, str] = field(default_factory=dict)
    not_applicable: str = ""
    stopped_by: str = ""
    hints: tuple[str, ...] = ()
    webhooks: tuple[WebhookDelivery, ...] = ()
    retries: int = 0
    waited_s: float = 0.0

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> HandOver:
        return cls(**{**data, "findings": tuple(Finding(**f) for f in data["findings"]),
                      "webhooks": tuple(WebhookDelivery(**d) for d in data["webhooks"])})


@dataclass
class TestRecord:
    """Everything one test observed: findings, exchanges (as evidence), reached methods, what politeness
    (waiting out rate limits) cost it, and why it could not apply. Exchanges and counts are per phase (setup,
    call, teardown): each report hands them over once (`hand_over`)."""

    findings: list[Finding] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)  # the most recent, rendered only when handed over
    cited: dict[str, Exchange] = field(default_factory=dict)  # exchange id -> the exchange a finding cites
    requests: int = 0
    succeeded: set[str] = field(default_factory=set)  # methods that answered 2xx
    reached: set[str] = field(default_factory=set)  # methods that answered at all
    excused: dict[str, str] = field(default_factory=dict)  # method -> why no 2xx can be asked of this target
    not_applicable: str = ""  # why this test cannot apply to this target ("": it applies)
    stopped_by: str = ""  # the requirement whose finding ended the test before its end (`stop`)
    hints: set[str] = field(default_factory=set)  # options that would let the run check more
    webhooks: list[WebhookDelivery] = field(default_factory=list)  # deliveries a webhook check saw, for the report
    politeness: Politeness = field(default_factory=Politeness)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def saw(self, exchange: Exchange) -> None:
        """One request of this test and its response."""
        with self._lock:
            self.requests += 1
            self.exchanges.append(exchange)
            del self.exchanges[:-RECENT]
            if exchange.method:
                self.reached.add(exchange.method)
                if 200 <= exchange.status < 300:
                    self.succeeded.add(exchange.method)

    def _exchange_of(self, finding: Finding) -> Exchange | None:
        """The recent exchange `finding` cites: by id, or by the rendering a check quoted (newest first)."""
        if finding.exchange:
            return next((e for e in self.exchanges if e.id == finding.exchange), None)
        if finding.evidence:
            return next((e for e in reversed(self.exchanges) if e.render() == finding.evidence), None)
        return None

    def add(self, finding: Finding) -> None:
        """Keep `finding` unless the test already has one of its kind, tied to the exchange that shows it, so a
        report shows each exchange once with every finding that cites it."""
        with self._lock:
            if any(f.key == finding.key for f in self.findings):
                return
            cited = self._exchange_of(finding)
            if cited is not None and (cited.id in self.cited or len(self.cited) < MAX_EXCHANGES):
                self.cited[cited.id] = cited
                finding = replace(finding, exchange=cited.id)
            self.findings.append(finding)

    def must_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.level is Level.MUST]

    def hand_over(self) -> HandOver:
        """What the report of the phase just ended carries to the controller; this phase's exchanges and
        counts are then spent (the findings stay: they are the test's). Exchanges are evidence, which the
        report shows only for a test with findings, so only such a test renders them: those its findings
        cite, then the most recent."""
        with self._lock:
            recent = [e for e in self.exchanges if e.id not in self.cited]
            evidence = [*recent, *self.cited.values()][-MAX_EXCHANGES:] if self.findings else []
            requests = self.requests
            self.exchanges, self.cited, self.requests = [], {}, 0
            found = tuple(self.findings)
            webhooks, self.webhooks = tuple(self.webhooks), []
        retries, waited_s = self.politeness.take()
        return HandOver(
            findings=found, exchanges=tuple(e.to_dict() for e in evidence), requests=requests,
            succeeded=tuple(sorted(self.succeeded)), reached=tuple(sorted(self.reached)), excused=dict(self.excused),
            not_applicable=self.not_applicable, stopped_by=self.stopped_by, hints=tuple(sorted(self.hints)),
            webhooks=webhooks, retries=retries, waited_s=waited_s,
        )


_current: contextvars.ContextVar[TestRecord | None] = contextvars.ContextVar("conformance_record", default=None)


def current() -> TestRecord:
    """The running test's record (a throwaway one outside a test, e.g. in the suite's own unit tests)."""
    record = _current.get()
    if record is None:
        record = TestRecord()
        _current.set(record)
    return record


def start() -> TestRecord:
    record = TestRecord()
    _current.set(record)
    return record


class ConformanceFailure(AssertionError):
    """Raised for MUST findings; its text names each requirement so that the failure reads on its own."""

    def __init__(self, findings: list[Finding], *, stopped: bool = False) -> None:
        self.findings = findings
        self.stopped = stopped  # raised by `stop`, before the test's end (not by `raise_for_must`, after it)
        super().__init__("\n".join(f"[{f.requirement}] {f.message}" for f in findings))


def expect(requirement_id: str, condition: object, message: str, evidence: str = "") -> bool:
    """A soft assertion: record a finding when `condition` is false and go on. Returns the condition.
    An id that is not in the catalogue raises at once, whatever the condition."""
    catalogue.get(requirement_id)
    if not condition:
        current().add(Finding(requirement_id, message, evidence))
    return bool(condition)


def stop(requirement_id: str, message: str, evidence: str = "") -> NoReturn:
    """A hard assertion: record the finding and end the test (failed for a MUST, warned for a SHOULD). What
    the test had still to check is then not verified: the verdict counts its other requirements blocked."""
    catalogue.get(requirement_id)
    finding = Finding(requirement_id, message, evidence)
    current().add(finding)
    raise ConformanceFailure([finding], stopped=True)


def excuse_coverage(method: str, reason: str, hint: str = "") -> None:
    """Say why `method` cannot be driven to a 2xx on this target (e.g. no public method creates a
    procurement), so that the coverage requirement counts it not applicable, with the reason; `hint`: the
    option that would let the run reach it."""
    current().excused[method] = reason
    if hint:
        current().hints.add(hint)


def not_applicable(reason: str, hint: str = "") -> NoReturn:
    """End the test as not applicable to this target (no extensions, no tenants, no procurement to read):
    never a finding, and its requirements say why; `hint`: the option that would let the run check it."""
    record = current()
    record.not_applicable = reason
    if hint:
        record.hints.add(hint)
    pytest.skip(f"not applicable: {reason}")


def raise_for_must(findings: list[Finding]) -> None:
    must = [f for f in findings if f.level is Level.MUST]
    if must:
        raise ConformanceFailure(must)
