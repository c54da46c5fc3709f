"""The pytest-html 4 hooks: conformance.html opens with the verdict and the requirement view.

Registered by the run's session (which it reads), only when pytest-html is active. pytest-html calls
`pytest_html_results_summary` from its own (trylast) `pytest_sessionfinish`, after the session's;
the fragment is still built from the final RunResults, never from a summary computed earlier. Test
rows gain the conformance status (a warned test is shown as warned, not failed) and the requirements
they verify; a failed or warned test carries its evidence (request, response, curl, replay) as an
HTML extra.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pytest
from pytest_html import extras

from conformance.report import evidence, history, page, summary
from conformance.report.view import Session
from conformance.verdict.results import FAILED, PASSED, SKIPPED, WARNED
from conformance.wire.redact import REDACT

TITLE = "2026-01 Integrations API conformance report"


class HtmlReportHooks:
    def __init__(self, session: Session) -> None:
        self.session = session

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        report.title = TITLE

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        results = self.session.results
        if results is None or not results.tests:
            return
        kept = self.session.option("history")  # this run's summary is the newest there (session.py)
        runs = history.load(kept) if kept else None
        prefix.insert(0, REDACT(page.page(self.session.run_summary(), results.tests, runs)))

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells[1:1] = ["<th>Conformance</th>", "<th>Requirements</th>"]

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        results = self.session.results
        outcome = results.tests.get(report.nodeid) if results else None
        if outcome is None:
            status = FAILED if report.failed else SKIPPED if report.skipped else PASSED
            declared: list[str] = []
        else:
            status, declared = outcome.status, outcome.requirements
        links = " ".join(f'<a href="#req-{escape(rid)}">{escape(rid)}</a>' for rid in declared)
        cells[1:1] = [f'<td class="col-conformance">{page.badge(status, status)}</td>',
                      f'<td class="col-requirements">{links}</td>']

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        """The log pytest-html shows under a row: redacted once more (captured output included)."""
        data[:] = [REDACT(item) for item in data]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """After the session fed RunResults (tryfirst), before pytest-html reads the extras (trylast)."""
        results, target = self.session.results, self.session.target
        if results is None or target is None or report.when != "teardown":
            return
        outcome = results.tests.get(report.nodeid)
        if outcome is None or outcome.status not in (FAILED, WARNED):
            return
        run = summary.identity(target, self.session.config.getoption("hypothesis_seed", None))
        report.extras = [*getattr(report, "extras", []), extras.html(REDACT(evidence.test_block(run, outcome)))]
