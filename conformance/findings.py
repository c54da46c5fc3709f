"""Findings: what a check observed against one requirement, and the record of one test.

Checks do not decide pass or fail themselves: they record findings against requirement ids, and the
requirement's level decides. A MUST finding fails the test; a SHOULD finding marks it warned. Every
test has one `TestRecord` (reached through `current()`), which travels to the controller with the
test's report, so that the verdict also holds under pytest-xdist.
"""

from __future__ import annotations

import contextvars
from dataclasses import asdict, dataclass, field, replace
from typing import Any, NoReturn

import pytest

from conformance import requirements
from conformance.requirements import Level

MAX_EXCHANGES = 20  # evidence handed over per test phase: the exchanges findings cite, then the most recent
RECENT = 50  # exchanges a test keeps at hand for the findings still to come


@dataclass(frozen=True)
class Finding:
    requirement: str
    message: str
    evidence: str = ""  # the exchange that shows it, rendered and redacted
    path: str = ""  # where in the response body it broke, as a JSON path ("$.items[0].status"); "" for no place
    exchange: str = ""  # the id of the recorded exchange that shows it

    @property
    def level(self) -> Level:
        return requirements.get(self.requirement).level


@dataclass
class TestRecord:
    """Everything one test observed: findings, exchanges (as evidence), reached methods."""

    findings: list[Finding] = field(default_factory=list)
    exchanges: list[dict[str, Any]] = field(default_factory=list)  # the most recent, as `Exchange.to_dict()`
    cited: dict[str, dict[str, Any]] = field(default_factory=dict)  # exchange id -> the exchange a finding cites
    renderings: dict[str, str] = field(default_factory=dict)  # a recent exchange's rendering -> its id
    requests: int = 0
    succeeded: set[str] = field(default_factory=set)  # methods that answered 2xx
    reached: set[str] = field(default_factory=set)  # methods that answered at all
    excused: dict[str, str] = field(default_factory=dict)  # method -> why no 2xx can be asked of this target
    not_applicable: str = ""  # why this test cannot apply to this target ("": it applies)
    hints: set[str] = field(default_factory=set)  # options that would let the run check more

    def keep(self, exchange: dict[str, Any], rendering: str) -> None:
        """A recorded exchange, and the evidence text that checks cite it by (`Exchange.render()`)."""
        self.exchanges.append(exchange)
        del self.exchanges[:-RECENT]
        self.renderings.pop(rendering, None)  # the same text again: it is recent again, and cites the latest
        self.renderings[rendering] = exchange["id"]
        for old in list(self.renderings)[:-RECENT]:
            del self.renderings[old]

    def add(self, finding: Finding) -> None:
        """Record `finding` once, tied to the exchange its evidence renders, so a report shows each exchange once
        with every finding that cites it."""
        if any((f.requirement, f.message) == (finding.requirement, finding.message) for f in self.findings):
            return
        exchange_id = finding.exchange or self.renderings.get(finding.evidence, "")
        cited = next((e for e in self.exchanges if e["id"] == exchange_id), None)
        if cited is not None and (exchange_id in self.cited or len(self.cited) < MAX_EXCHANGES):
            self.cited[exchange_id] = cited
            finding = replace(finding, exchange=exchange_id)
        self.findings.append(finding)

    def must_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.level is Level.MUST]

    def to_properties(self) -> dict[str, Any]:
        recent = [e for e in self.exchanges if e["id"] not in self.cited]
        return {
            "findings": [asdict(f) for f in self.findings],
            "exchanges": [*recent, *self.cited.values()][-MAX_EXCHANGES:],
            "requests": self.requests,
            "succeeded": sorted(self.succeeded),
            "reached": sorted(self.reached),
            "excused": dict(self.excused),
            "not_applicable": self.not_applicable,
            "hints": sorted(self.hints),
        }

    def handed_over(self) -> None:
        """A test phase's report took the exchanges and the request count: the next phase starts afresh."""
        self.exchanges.clear()
        self.cited.clear()
        self.renderings.clear()
        self.requests = 0


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

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(f"[{f.requirement}] {f.message}" for f in findings))


def expect(requirement_id: str, condition: object, message: str, evidence: str = "") -> bool:
    """A soft assertion: record a finding when `condition` is false and go on. Returns the condition.
    An id that is not in the catalogue raises at once, whatever the condition."""
    requirements.get(requirement_id)
    if not condition:
        current().add(Finding(requirement_id, message, evidence))
    return bool(condition)


def stop(requirement_id: str, message: str, evidence: str = "") -> NoReturn:
    """A hard assertion: record the finding and end the test (failed for a MUST, warned for a SHOULD)."""
    requirements.get(requirement_id)
    finding = Finding(requirement_id, message, evidence)
    current().add(finding)
    raise ConformanceFailure([finding])


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
