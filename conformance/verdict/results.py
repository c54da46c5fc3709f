"""From test reports to a verdict per requirement, and for the whole run.

Fed by the controller with every test report (so it sees all pytest-xdist workers), it answers:
which requirements passed, failed, warned, were not applicable to this target (with the reason), could
not be verified (with the reason) or were not selected, with what evidence; which methods the run
reached; and the run's verdict, which has to be earned: CONFORMS only when every MUST in scope was
checked and passed; DOES NOT CONFORM when one failed; INCOMPLETE when none failed but some could not be
checked. A check that could not complete (an error, a precondition the target refused, a stop on
another requirement's finding) verifies none of its requirements: they are not verified, never passed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

from conformance.requirements import catalogue
from conformance.requirements.definition import Level, Requirement
from conformance.verdict.findings import MAX_EXCHANGES, Finding, HandOver, WebhookDelivery


class Status(StrEnum):
    """What became of a test, or of a requirement over the whole run."""

    PASSED = "passed"
    FAILED = "failed"
    WARNED = "warned"  # only SHOULD findings: never fails a run
    SKIPPED = "skipped"  # a test skipped; a requirement no test of this selection verifies (-k, --requirement)
    NOT_APPLICABLE = "not_applicable"  # this target cannot be asked it (no extensions, no tenants, ...)
    ERRORED = "errored"  # tests only: the check could not complete
    NOT_VERIFIED = "not_verified"  # requirements only: in scope, but no check of it could complete


PASSED, FAILED, WARNED, SKIPPED = Status.PASSED, Status.FAILED, Status.WARNED, Status.SKIPPED
NOT_APPLICABLE, ERRORED, NOT_VERIFIED = Status.NOT_APPLICABLE, Status.ERRORED, Status.NOT_VERIFIED
Verdict = Literal["pass", "fail", "incomplete"]
VERDICT_WORDS: dict[str, str] = {"pass": "CONFORMS", "fail": "DOES NOT CONFORM", "incomplete": "INCOMPLETE"}
STATUS_OF_LEVEL = {Level.MUST: FAILED, Level.SHOULD: WARNED}
COVERAGE = "COV-001"


@dataclass
class TestOutcome:
    nodeid: str
    requirements: list[str]
    status: Status = PASSED
    findings: list[Finding] = field(default_factory=list)
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    longrepr: str = ""
    duration: float = 0.0
    skip_reason: str = ""
    stopped_by: str = ""  # the requirement whose finding ended the test early ("": it ran to its end)

    def verified(self, requirement: str) -> bool:
        """Whether this test checked `requirement` to the end: it ran through, or stopped on that very one."""
        return self.status in (PASSED, FAILED, WARNED) and self.stopped_by in ("", requirement)

    def why_not(self) -> str:
        """Why this test verified none of its requirements, for a requirement's note."""
        if self.stopped_by:
            return f"blocked: {self.nodeid} stopped on a {self.stopped_by} finding"
        if self.status is ERRORED:
            return f"the check could not complete: {self.nodeid}"
        return f"{self.nodeid}: {self.skip_reason}" if self.skip_reason else f"{self.nodeid} did not run"


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
    def __init__(self, in_scope: list[str], extensions_absent: str = "", *, require_all: bool = False,
                 probe_unfinished: str = "") -> None:
        self.in_scope = in_scope
        self.extensions_absent = extensions_absent  # why the extensions are not checked ("": they are)
        self.require_all = require_all  # --require-all: a MUST not checked for any reason fails the run
        # why the probe could not find out what the target offers ("": it did): what it then assumed away
        # (tenants, extensions) is a guess, so nothing is not applicable on its word
        self.probe_unfinished = probe_unfinished
        self.tests: dict[str, TestOutcome] = {}
        self.succeeded: set[str] = set()
        self.reached: set[str] = set()
        self.excused: dict[str, str] = {}
        self.hints: set[str] = set()  # options that would let the run check more
        self.webhooks: list[WebhookDelivery] = []  # the deliveries the webhook checks saw (conformance/checks)
        self.requests = 0
        self.retries = 0  # sends again after a Retry-After
        self.waited_s = 0.0  # seconds waited for Retry-After and --max-rps, summed over concurrent requests
        self.complete = True  # False when the run was a selection (-k, -m, node ids): no coverage verdict

    def add(self, nodeid: str, when: str, status: Status, phase: HandOver, declared: list[str],
            longrepr: str, duration: float) -> None:
        """One phase's report of one test (setup, call, teardown). Each phase hands over all of the test's
        findings so far: kept once each, by the key the test's record keeps them by."""
        outcome = self.tests.setdefault(nodeid, TestOutcome(nodeid, declared))
        outcome.duration += duration
        outcome.stopped_by = outcome.stopped_by or phase.stopped_by
        self.requests += phase.requests
        self.add_politeness(phase.retries, phase.waited_s)
        self.succeeded.update(phase.succeeded)
        self.reached.update(phase.reached)
        self.excused.update(phase.excused)
        self.hints.update(phase.hints)
        self.webhooks += phase.webhooks
        outcome.exchanges = [*outcome.exchanges, *phase.exchanges][-MAX_EXCHANGES:]
        known = {f.key for f in outcome.findings}
        outcome.findings += [f for f in phase.findings if f.key not in known]
        if phase.not_applicable:
            outcome.status, outcome.skip_reason = NOT_APPLICABLE, phase.not_applicable
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
        out = [self._result(requirement) for requirement in catalogue.CATALOGUE]
        if self.probe_unfinished:
            why = f"the probe could not finish ({self.probe_unfinished}), so not applicable only by a guess"
            out = [replace(r, status=NOT_VERIFIED, note=f"{why}: {r.note}") if r.status is NOT_APPLICABLE else r
                   for r in out]
        return out

    def _result(self, requirement: Requirement) -> RequirementResult:
        rid = requirement.id
        tests = [t for t in self.tests.values() if rid in t.requirements]
        findings = [f.to_dict() for t in self.tests.values() for f in t.findings if f.requirement == rid]
        names = [t.nodeid for t in tests]
        if rid == COVERAGE:
            return self._coverage(requirement)
        if requirement.extension and self.extensions_absent:
            return RequirementResult(requirement, NOT_APPLICABLE, [], names, self.extensions_absent)
        if findings:
            return RequirementResult(requirement, STATUS_OF_LEVEL[requirement.level], findings, names)
        if any(t.verified(rid) for t in tests):
            return RequirementResult(requirement, PASSED, [], names)
        if not tests:
            if not self.complete:
                return RequirementResult(requirement, SKIPPED, [], names, "not selected in this run")
            return RequirementResult(requirement, NOT_VERIFIED, [], names, "no test of this run verifies it")
        if all(t.status is NOT_APPLICABLE for t in tests):
            reasons = "; ".join(sorted({t.skip_reason for t in tests if t.skip_reason}))
            return RequirementResult(requirement, NOT_APPLICABLE, [], names, reasons[:300])
        reasons = "; ".join(dict.fromkeys(t.why_not() for t in tests if t.status is not NOT_APPLICABLE))
        return RequirementResult(requirement, NOT_VERIFIED, [], names, reasons[:300])

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
        """fail: a MUST failed; incomplete: none failed, but a MUST in scope was not verified (with
        --require-all: any MUST not checked, not applicable or not selected included); else pass."""
        results = results if results is not None else self.results()
        if any(r.status == FAILED for r in results):
            return "fail"
        return "incomplete" if self.unchecked(results) else "pass"

    def unchecked(self, results: list[RequirementResult]) -> list[RequirementResult]:
        """The MUSTs that keep the run from conforming although none failed."""
        allowed = (PASSED, FAILED) if self.require_all else (PASSED, FAILED, NOT_APPLICABLE, SKIPPED)
        return [r for r in results if r.requirement.level is Level.MUST and r.status not in allowed]

    def checked_line(self, results: list[RequirementResult]) -> str:
        """`checked 17 of 31 MUSTs`: of the MUSTs this run selected, how many were checked (passed or failed)."""
        musts = [r for r in results if r.requirement.level is Level.MUST and r.status is not SKIPPED]
        checked = sum(1 for r in musts if r.status in (PASSED, FAILED))
        return f"checked {checked} of {len(musts)} MUSTs"

    def level_lines(self, results: list[RequirementResult] | None = None) -> list[str]:
        """`MUST: 41 passed, 0 failed, 3 not applicable, 1 not verified` and `SHOULD: 9 passed, 1 warned`."""
        results = results if results is not None else self.results()
        lines = []
        for level, bad in ((Level.MUST, FAILED), (Level.SHOULD, WARNED)):
            counts = Counter(r.status for r in results if r.requirement.level is level)
            text = f"{level}: {counts[PASSED]} passed, {counts[bad]} {bad}"
            for status, words in ((NOT_APPLICABLE, "not applicable"), (NOT_VERIFIED, "not verified"),
                                  (SKIPPED, "not selected")):
                if counts[status]:
                    text += f", {counts[status]} {words}"
            lines.append(text)
        return lines

    def errored(self) -> list[TestOutcome]:
        """The checks that could not complete."""
        return [t for t in self.tests.values() if t.status is ERRORED]
