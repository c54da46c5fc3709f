"""From test reports to a verdict per requirement, and for the whole run.

Fed by the controller with every test report (so it sees all pytest-xdist workers), it answers:
which requirements passed, failed, warned, were not applicable to this target (with the reason) or
were skipped, with what evidence; which methods the run reached; and whether the run conforms (no
MUST requirement failed). A check that could not complete (an error of the suite, or a reply it
could not read) is reported as errored: it neither passes nor fails a requirement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from conformance import requirements
from conformance.requirements import Level, Requirement


class Status(StrEnum):
    """What became of a test, or of a requirement over the whole run."""

    PASSED = "passed"
    FAILED = "failed"
    WARNED = "warned"  # only SHOULD findings: never fails a run
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not_applicable"  # this target cannot be asked it (no extensions, no tenants, ...)
    ERRORED = "errored"  # tests only: the check could not complete


PASSED, FAILED, WARNED, SKIPPED = Status.PASSED, Status.FAILED, Status.WARNED, Status.SKIPPED
NOT_APPLICABLE, ERRORED = Status.NOT_APPLICABLE, Status.ERRORED
Verdict = Literal["pass", "fail"]
STATUS_OF_LEVEL = {Level.MUST: FAILED, Level.SHOULD: WARNED}
COVERAGE = "COV-001"


@dataclass
class TestOutcome:
    nodeid: str
    requirements: list[str]
    status: Status = PASSED
    findings: list[dict[str, Any]] = field(default_factory=list)
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    longrepr: str = ""
    duration: float = 0.0
    skip_reason: str = ""


@dataclass
class RequirementResult:
    requirement: Requirement
    status: Status
    findings: list[dict[str, Any]]
    tests: list[str]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        r = self.requirement
        return {"id": r.id, "level": str(r.level), "provenance": str(r.provenance), "area": r.area,
                "title": r.rule, "methods": list(r.methods), "extension": r.extension, "status": self.status,
                "tests": self.tests, "failures": self.findings, "note": self.note,
                "source": [s.to_dict() for s in r.sources]}


class RunResults:
    def __init__(self, in_scope: list[str], extensions_absent: str = "") -> None:
        self.in_scope = in_scope
        self.extensions_absent = extensions_absent  # why the extensions are not checked ("": they are)
        self.tests: dict[str, TestOutcome] = {}
        self.succeeded: set[str] = set()
        self.reached: set[str] = set()
        self.excused: dict[str, str] = {}
        self.hints: set[str] = set()  # options that would let the run check more
        self.requests = 0
        self.retries = 0  # sends again after a Retry-After
        self.waited_s = 0.0  # seconds waited for Retry-After and --max-rps, summed over concurrent requests
        self.complete = True  # False when the run was a selection (-k, -m, node ids): no coverage verdict

    def add(self, nodeid: str, when: str, status: Status, properties: dict[str, Any], declared: list[str],
            longrepr: str, duration: float) -> None:
        """One phase's report of one test (setup, call, teardown), as plain data."""
        outcome = self.tests.setdefault(nodeid, TestOutcome(nodeid, declared))
        outcome.duration += duration
        self.requests += properties.get("requests", 0)
        self.add_politeness(properties.get("retries", 0), properties.get("waited_s", 0.0))
        self.succeeded.update(properties.get("succeeded", []))
        self.reached.update(properties.get("reached", []))
        self.excused.update(properties.get("excused", {}))
        self.hints.update(properties.get("hints", []))
        outcome.exchanges = (outcome.exchanges + properties.get("exchanges", []))[-20:]
        known = {(f["requirement"], f["message"]) for f in outcome.findings}
        outcome.findings += [f for f in properties.get("findings", []) if (f["requirement"], f["message"]) not in known]
        if properties.get("not_applicable"):
            outcome.status, outcome.skip_reason = NOT_APPLICABLE, properties["not_applicable"]
        elif status == SKIPPED and when != "teardown":
            outcome.status, outcome.skip_reason = SKIPPED, longrepr
        elif status == ERRORED and outcome.status not in (FAILED, WARNED):
            outcome.status = ERRORED
        elif status in (FAILED, WARNED) and outcome.status != FAILED:
            outcome.status = status
        if longrepr and status in (FAILED, WARNED, ERRORED):
            outcome.longrepr = longrepr

    def add_politeness(self, retries: int, waited_s: float) -> None:
        self.retries += retries
        self.waited_s += waited_s

    def missing_methods(self) -> list[str]:
        """Methods in scope with no 2xx in the run and no stated reason why none was possible."""
        return [m for m in self.in_scope if m not in self.succeeded and m not in self.excused]

    def results(self) -> list[RequirementResult]:
        out = []
        for requirement in requirements.CATALOGUE:
            out.append(self._result(requirement))
        return out

    def _result(self, requirement: Requirement) -> RequirementResult:
        rid = requirement.id
        tests = [t for t in self.tests.values() if rid in t.requirements]
        findings = [f for t in self.tests.values() for f in t.findings if f["requirement"] == rid]
        names = [t.nodeid for t in tests]
        if rid == COVERAGE:
            return self._coverage(requirement)
        if requirement.extension and self.extensions_absent:
            return RequirementResult(requirement, NOT_APPLICABLE, [], names, self.extensions_absent)
        if findings:
            return RequirementResult(requirement, STATUS_OF_LEVEL[requirement.level], findings, names)
        if any(t.status in (PASSED, FAILED, WARNED) for t in tests):
            return RequirementResult(requirement, PASSED, [], names)
        reasons = "; ".join(sorted({t.skip_reason for t in tests if t.skip_reason}))[:300]
        if tests and all(t.status is NOT_APPLICABLE for t in tests):
            return RequirementResult(requirement, NOT_APPLICABLE, [], names, reasons)
        errored = [t.nodeid for t in tests if t.status is ERRORED]
        if errored:
            reasons = f"the check could not complete ({', '.join(errored[:3])}); {reasons}".rstrip("; ")
        return RequirementResult(requirement, SKIPPED, [], names, reasons or "no test ran it")

    def _coverage(self, requirement: Requirement) -> RequirementResult:
        if not self.complete:
            return RequirementResult(requirement, SKIPPED, [], [], "partial run (-k, -m or node ids)")
        missing = self.missing_methods()
        excused = "; ".join(f"{m}: not applicable ({why})" for m, why in sorted(self.excused.items())
                            if m not in self.succeeded)
        if not missing:
            return RequirementResult(requirement, PASSED, [], [], excused)
        findings = [{"requirement": COVERAGE, "message": f"{m}: no 2xx response during the whole run"
                     + ("" if m in self.reached else " (never answered at all)"), "evidence": ""} for m in missing]
        return RequirementResult(requirement, STATUS_OF_LEVEL[requirement.level], findings, [], excused)

    def verdict(self, results: list[RequirementResult] | None = None) -> Verdict:
        results = results if results is not None else self.results()
        return "fail" if any(r.status == FAILED for r in results) else "pass"

    def level_lines(self, results: list[RequirementResult] | None = None) -> list[str]:
        """`MUST: 41 passed, 0 failed, 3 not applicable, 2 skipped` and `SHOULD: 9 passed, 1 warned`."""
        results = results if results is not None else self.results()
        lines = []
        for level, bad in ((Level.MUST, FAILED), (Level.SHOULD, WARNED)):
            counts = Counter(r.status for r in results if r.requirement.level is level)
            text = f"{level}: {counts[PASSED]} passed, {counts[bad]} {bad}"
            if counts[NOT_APPLICABLE]:
                text += f", {counts[NOT_APPLICABLE]} not applicable"
            if counts[SKIPPED]:
                text += f", {counts[SKIPPED]} skipped"
            lines.append(text)
        return lines

    def errored(self) -> list[TestOutcome]:
        """The checks that could not complete."""
        return [t for t in self.tests.values() if t.status is ERRORED]
