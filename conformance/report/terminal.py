"""The verdict at the end of the terminal output: each failed or warned requirement with its first findings,
the run's pace, what could not be checked and why, the verdict line, the baseline's changes, the hints, one
line per level. Registered by the run's session (which it reads) in the controller.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from conformance.report import baseline, summary
from conformance.report.view import Session
from conformance.verdict.results import FAILED, VERDICT_WORDS, WARNED
from conformance.wire.redact import REDACT


class TerminalVerdict:
    def __init__(self, session: Session) -> None:
        self.session = session

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config
                                ) -> Generator[None]:
        """Outermost, so the verdict comes after every other summary and ends with one line per level."""
        result = yield
        results, outcome = self.session.results, self.session.outcome
        if results is None or outcome is None:
            return result
        tr = terminalreporter
        tr.section("conformance verdict")
        for requirement_result in outcome:
            if requirement_result.status in (FAILED, WARNED):
                r = requirement_result.requirement
                tr.write_line(f"{requirement_result.status.upper():7} {r.id} [{r.level}, {r.provenance}] {r.rule}")
                for finding in requirement_result.findings[:3]:
                    tr.write_line(f"          - {REDACT(finding['message']).splitlines()[0][:200]}")
                if len(requirement_result.findings) > 3:
                    tr.write_line(f"          ... and {len(requirement_result.findings) - 3} more")
        reached = len(results.succeeded.intersection(results.in_scope))
        tr.write_line(f"requests sent: {results.requests}; methods with a 2xx: {reached}/{len(results.in_scope)}")
        if self.session.summary:
            tr.write_line(summary.pace_line(self.session.summary))
        for method, why in sorted(results.excused.items()):
            if method not in results.succeeded:
                tr.write_line(f"not applicable: {method} ({why})")
        for errored in results.errored():
            tr.write_line(f"could not complete: {errored.nodeid}: {errored.longrepr.splitlines()[-1][:200]}"
                          if errored.longrepr else f"could not complete: {errored.nodeid}")
        for unchecked in results.unchecked(outcome):
            r = unchecked.requirement
            why = unchecked.note or str(unchecked.status).replace("_", " ")
            tr.write_line(f"NOT CHECKED {r.id} [{r.level}]: {why[:200]}", yellow=True)
        verdict = results.verdict(outcome)
        strict = " (--require-all: a MUST not checked fails the run)" if results.require_all and verdict != "pass" \
            else ""
        tr.write_line(f"verdict: {VERDICT_WORDS[verdict]}, {results.checked_line(outcome)}{strict}",
                      green=verdict == "pass", red=verdict == "fail", yellow=verdict == "incomplete", bold=True)
        comparison = (self.session.summary or {}).get("baseline")
        if comparison:
            for line in baseline.Comparison(**comparison).lines():
                tr.write_line(line)
        for hint in (self.session.summary or {}).get("hints", []):
            tr.write_line(f"hint: {hint}", yellow=True)
        for line in results.level_lines(outcome):
            tr.write_line(line)
        return result
