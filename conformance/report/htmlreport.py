"""The pytest-html 4 hooks: conformance.html opens with the verdict and the requirement view.

pytest-html calls `pytest_html_results_summary` from its own (trylast) `pytest_sessionfinish`,
after the plugin's; the fragment is still built from the final RunResults (`run_summary`), never
from a summary computed earlier. Test rows gain the conformance status (a warned test is shown as
warned, not failed) and the requirements they verify; a failed or warned test carries its
evidence (request, response, curl, replay) as an HTML extra.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pytest
from pytest_html import extras

from conformance import plugin
from conformance.redact import REDACT
from conformance.report import evidence, html, summary
from conformance.verdict import FAILED, PASSED, SKIPPED, WARNED, RunResults

TITLE = "2026-01 Integrations API conformance report"


def _results(config: pytest.Config) -> RunResults | None:
    if hasattr(config, "workerinput") or plugin.TARGET_KEY not in config.stash:
        return None
    return config.stash.get(plugin.RESULTS_KEY, None)


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report: Any) -> None:
    report.title = TITLE


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str],
                                session: pytest.Session) -> None:
    results = _results(session.config)
    if results is None or not results.tests:
        return
    prefix.insert(0, REDACT(html.page(plugin.run_summary(session.config), results.tests)))


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_header(cells: list[str]) -> None:
    cells[1:1] = ["<th>Conformance</th>", "<th>Requirements</th>"]


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    results = _results(plugin._config) if plugin._config else None
    outcome = results.tests.get(report.nodeid) if results else None
    if outcome is None:
        status = FAILED if report.failed else SKIPPED if report.skipped else PASSED
        declared: list[str] = []
    else:
        status, declared = outcome.status, outcome.requirements
    links = " ".join(f'<a href="#req-{escape(rid)}">{escape(rid)}</a>' for rid in declared)
    cells[1:1] = [f'<td class="col-conformance">{html.badge(status, status)}</td>',
                  f'<td class="col-requirements">{links}</td>']


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_html(report: pytest.TestReport, data: list[str]) -> None:
    """The log pytest-html shows under a row: redacted once more (captured output included)."""
    data[:] = [REDACT(item) for item in data]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """After the plugin fed RunResults (tryfirst), before pytest-html reads the extras (trylast)."""
    config = plugin._config
    results = _results(config) if config else None
    if results is None or report.when != "teardown" or config is None:
        return
    outcome = results.tests.get(report.nodeid)
    if outcome is None or outcome.status not in (FAILED, WARNED):
        return
    run = summary.identity(config.stash[plugin.TARGET_KEY], config.getoption("hypothesis_seed", None))
    report.extras = [*getattr(report, "extras", []), extras.html(REDACT(evidence.test_block(run, outcome)))]
