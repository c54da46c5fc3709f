"""One conformance run inside pytest: the target, per-test findings, and the verdict per requirement.

Flow: the controller resolves the target at session start (starting the embedded sandbox when no
base URL is given) and refuses to run when the target is unusable; pytest-xdist workers receive it
as data. Each test records findings against requirement ids; the requirement's level turns them into
a failed or a warned test. The controller gathers every report into `RunResults`, which decides the
verdict, prints one line per level, and feeds the reports.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conformance import options, run
from conformance.report import baseline, history, summary
from conformance.report.terminal import TerminalVerdict
from conformance.requirements import catalogue
from conformance.target import Target, TargetUnusable, preflight, resolve
from conformance.verdict import findings
from conformance.verdict.results import ERRORED, FAILED, PASSED, SKIPPED, WARNED, RequirementResult, RunResults, Status
from conformance.wire.bounds import Bounds
from conformance.wire.pace import planned
from conformance.wire.redact import REDACT
from conformance.wire.transport import Transport

SUITE_DIR = Path(__file__).resolve().parent
RECORD_KEY = pytest.StashKey[findings.TestRecord]()
INCOMPLETE = 6  # the exit code of a run in which no MUST failed but some could not be checked (README)
EXIT_CODES = {"pass": pytest.ExitCode.OK, "fail": pytest.ExitCode.TESTS_FAILED, "incomplete": INCOMPLETE}
# what a test report carries to the controller (pytest-xdist sends user_properties along)
RECORD_PROPERTY, REQUIREMENTS_PROPERTY, STATUS_PROPERTY = "conformance", "conformance.requirements", \
    "conformance.status"


def declared_requirements(item: pytest.Item, in_scope: list[str] | None) -> list[str]:
    """The requirements a test verifies: its marker's ids; with `generated=True`, the catalogue's generated
    requirements that apply to the methods it sends to (its `method` parameter, else every method in scope)."""
    declared = []
    for mark in item.iter_markers("requirement"):
        declared += mark.args
        if mark.kwargs.get("generated") and in_scope is not None:
            callspec = getattr(item, "callspec", None)
            method = callspec.params.get("method") if callspec is not None else None
            declared += catalogue.generated_for([method] if method else in_scope)
    return declared


def selects(wanted: list[str], declared: list[str]) -> bool:
    """`--requirement`: an exact id, or an area prefix such as AUTH or BASKET-D52."""
    return any(rid == w or rid.startswith(w.rstrip("-") + "-") for w in wanted for rid in declared)


def in_suite(item: pytest.Item) -> bool:
    return SUITE_DIR in Path(str(item.path)).parents


def argument_path(config: pytest.Config, arg: str) -> Path:
    """The file or directory a collection argument names: a path from the invocation directory, or, with
    --pyargs, a dotted name within this package (`conformance`, `conformance.checks.test_auth::test_x`), as
    an installed suite is named from any directory."""
    name = arg.split("::", 1)[0]
    if config.getoption("pyargs", False) and name.split(".", 1)[0] == SUITE_DIR.name:
        path = SUITE_DIR.joinpath(*name.split(".")[1:])
        return path if path.is_dir() else path.with_suffix(".py")
    return (Path(config.invocation_params.dir) / name).resolve()


class ConformanceSession:
    """The run's state and its pytest hooks, registered with the plugin manager by `conformance.plugin`."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.worker = hasattr(config, "workerinput")
        self.base_url = options.base_url(config)  # None: the embedded sandbox
        self.target: Target | None = None
        self.results: RunResults | None = None
        self.outcome: list[RequirementResult] | None = None  # the final results, once the session finished
        self.summary: dict[str, Any] | None = None
        self.baseline: dict[str, str] | None = None  # requirement id -> status of the --baseline run
        self.finished_at: float | None = None
        # why the target cannot be checked, when the run stopped on it (pytest's exit code 4, as for a usage error)
        self.unusable: str | None = None
        if not self.worker:
            self._configure_controller()

    def option(self, name: str) -> Any:
        return options.value(self.config, name)

    def in_scope(self) -> list[str] | None:
        """The methods this process's run checks (None before the session started it)."""
        running = self.config.stash.get(run.RUN_KEY, None)
        return running.in_scope() if running is not None else None

    @property
    def reports_dir(self) -> Path:
        return Path(self.option("reports_dir"))

    def _configure_controller(self) -> None:
        config = self.config
        # a conformance run is reproducible: one seed for every generated test, reported and replayable
        if config.getoption("hypothesis_seed", None) is None:
            config.option.hypothesis_seed = str(secrets.randbelow(2**32))
        if not getattr(config.option, "xmlpath", "unset"):
            config.option.xmlpath = str(self.reports_dir / "junit.xml")
        if not getattr(config.option, "htmlpath", None):
            config.option.htmlpath = str(self.reports_dir / "conformance.html")
            config.option.self_contained_html = True
        if self.option("baseline"):
            try:
                self.baseline = baseline.load(self.option("baseline"))
            except baseline.BaselineError as exc:
                raise pytest.UsageError(str(exc)) from None
        config.pluginmanager.register(TerminalVerdict(self), "conformance-terminal")
        if config.pluginmanager.hasplugin("html"):
            from conformance.report.html_hooks import HtmlReportHooks

            config.pluginmanager.register(HtmlReportHooks(self), "conformance-html")

    def is_partial(self) -> bool:
        """A selection of the suite: no run-level (coverage) verdict is possible."""
        config = self.config
        if (config.getoption("keyword") or config.getoption("markexpr") or config.getoption("lf", False)
                or self.option("requirements")):
            return True
        whole = {SUITE_DIR, *SUITE_DIR.parents}
        return any(argument_path(config, a) not in whole or "::" in a for a in config.args)

    # -- the target ------------------------------------------------------------------------------

    def _activate(self, target: Target, transport: Transport | None = None) -> None:
        target.register_secrets()
        self.target = target
        started = run.Run.at_pace(target, transport)
        self.config.stash[run.RUN_KEY] = started
        self.config.add_cleanup(started.close)
        self.results = RunResults(started.in_scope(), target.extensions_absent,
                                  require_all=bool(self.option("require_all")),
                                  probe_unfinished=target.probe_unfinished)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.worker:
            data = self.config.workerinput.get("conformance_target")  # type: ignore[attr-defined]
            if data is not None:
                self._activate(Target.from_data(data))
            return
        base_url, landmarks = self.base_url, None
        if base_url is None:
            base_url, landmarks = resolve.start_embedded_sandbox(self.config)
        pace = planned(self.config)
        bounds = Bounds(self.option("request_timeout"), self.option("max_response_bytes"))
        transport = Transport(bounds, max_rps=pace.max_rps_per_process)
        target = replace(resolve.configured_target(self.config, base_url, transport, landmarks), pace=pace,
                         bounds=bounds)
        target.register_secrets()
        try:
            preflight(target, transport)
            target = resolve.probed_target(self.config, target, transport)
        except TargetUnusable as exc:
            self.unusable = REDACT(str(exc))
            pytest.exit(self.unusable, returncode=pytest.ExitCode.USAGE_ERROR)
        self._activate(target, transport)
        assert self.results is not None
        self.results.add_politeness(*transport.politeness.take())  # what the preflight's requests waited
        self.results.complete = not self.is_partial()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """pytest-xdist: hand the resolved target to each worker."""
        if self.target is not None:
            node.workerinput["conformance_target"] = self.target.to_data()

    def pytest_report_header(self, config: pytest.Config) -> list[str] | None:
        target = self.target
        if target is None:
            return None
        where = "embedded sandbox " if target.embedded else ""
        served = target.served_spec
        return [
            f"conformance target: {where}{target.base_url} (tenant: {target.tenant or 'none'})",
            f"conformance spec: {target.spec.origin} {target.spec.location} sha256={target.spec.sha256[:16]}..."
            + (f"; the target serves {served['location']}: {len(served['differences'])} difference(s)"
               if served else ""),
            f"conformance profile: {target.profile.name}; extensions: {'on' if target.extensions else 'off'}",
            *(f"conformance probe: {note}" for note in target.probe_notes),
        ]

    # -- collection ------------------------------------------------------------------------------

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        wanted = self.option("requirements")
        if wanted:
            unknown = [w for w in wanted if not any(selects([w], [r.id]) for r in catalogue.CATALOGUE)]
            if unknown:
                raise pytest.UsageError(f"--requirement: no requirement matches {', '.join(unknown)}")
            in_scope = self.in_scope()
            dropped = [i for i in items if in_suite(i) and not selects(wanted, declared_requirements(i, in_scope))]
            if dropped:
                config.hook.pytest_deselected(items=dropped)
                items[:] = [i for i in items if i not in dropped]
        for item in (i for i in items if in_suite(i)):
            declared = declared_requirements(item, self.in_scope())
            if not declared:
                raise pytest.UsageError(f"{item.nodeid} declares no requirement (@pytest.mark.requirement)")
            reqs = [catalogue.get(rid) for rid in declared]
            if self.target is not None and all(r.extension for r in reqs) and not self.target.extensions:
                item.add_marker(pytest.mark.skip(reason="extensions are off (--no-extensions)"))

    # -- running a test --------------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None
                                ) -> Generator[None, object, object]:
        item.stash[RECORD_KEY] = findings.start()
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, object, object]:
        result = yield
        if RECORD_KEY in item.stash:
            findings.raise_for_must(item.stash[RECORD_KEY].findings)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, Any, Any]:
        report: pytest.TestReport = yield
        record = item.stash.get(RECORD_KEY, None)
        if record is None:
            return report
        declared = declared_requirements(item, self.in_scope())
        failure = call.excinfo.value if call.excinfo is not None else None
        explained = record.must_findings() or isinstance(failure, findings.ConformanceFailure)
        if isinstance(failure, findings.ConformanceFailure) and failure.stopped and not record.stopped_by:
            # a stop ended it early (a fixture's too, which pytest raises again for every test that shares it)
            record.stopped_by = failure.findings[0].requirement
        if report.failed and call.excinfo is not None and not explained:
            # a failure no check explained (an exception, a reply the check could not read): the check could not
            # complete. That is no finding against the requirements it verifies; the report shows the error.
            report.user_properties.append((STATUS_PROPERTY, ERRORED.value))
        elif report.failed and record.findings and not record.must_findings():
            report.outcome = "passed"  # only SHOULD rules broke: a warning, never a failure
            report.user_properties.append((STATUS_PROPERTY, WARNED.value))
        elif report.passed and report.when == "call" and record.findings:
            report.user_properties.append((STATUS_PROPERTY, WARNED.value))
        if report.longrepr is not None and not report.passed:
            if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason), a shape JUnit relies on
                path, line, reason = report.longrepr
                report.longrepr = (path, line, REDACT(reason))
            else:
                report.longrepr = REDACT(str(report.longrepr))
        report.sections = [(title, REDACT(text)) for title, text in report.sections]
        report.user_properties.append((REQUIREMENTS_PROPERTY, declared))
        report.user_properties.append((RECORD_PROPERTY, record.hand_over().to_data()))
        return report

    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config
                                 ) -> tuple[str, str, str] | None:
        # a collection error's CollectReport has no user_properties
        status = dict(getattr(report, "user_properties", ())).get(STATUS_PROPERTY)
        if status == WARNED and report.when == "call":
            return WARNED, "W", "WARNED"
        if status == ERRORED:
            return ERRORED, "E", "ERRORED (could not complete)"
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Feed the controller's RunResults; the bulky record then leaves the report (JUnit keeps the ids)."""
        props = dict(report.user_properties)
        if self.worker or self.results is None or RECORD_PROPERTY not in props:
            return
        status = Status(props.get(STATUS_PROPERTY) or (FAILED if report.failed else SKIPPED if report.skipped
                                                       else PASSED))
        reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2])
        elif report.longrepr is not None and status != PASSED:
            reason = str(report.longrepr)
        self.results.add(report.nodeid, report.when, status, findings.HandOver.from_data(props[RECORD_PROPERTY]),
                         props.get(REQUIREMENTS_PROPERTY, []), reason, report.duration)
        report.user_properties = [(k, v) for k, v in report.user_properties if k != RECORD_PROPERTY]

    # -- the verdict -----------------------------------------------------------------------------

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.worker or self.results is None or not self.results.tests:
            return
        self.outcome = self.results.results()
        verdict = self.results.verdict(self.outcome)
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):  # an interruption keeps its code
            strict = verdict == "incomplete" and self.results.require_all
            session.exitstatus = pytest.ExitCode.TESTS_FAILED if strict else EXIT_CODES[verdict]
        written = summary.write(self.run_summary(), self.reports_dir / "summary.json")
        if self.option("history"):
            history.record(self.option("history"), json.loads(written.read_text()))  # as written: redacted

    def run_summary(self) -> dict[str, Any]:
        """summary.json's data from the final RunResults (also what the HTML report shows), with the baseline."""
        assert self.results is not None and self.target is not None
        if self.finished_at is None:
            self.finished_at = time.time()
        data = summary.build(self.target, self.results, self.results.results(),
                             self.config.getoption("hypothesis_seed", None), self.finished_at)
        if self.baseline is not None:
            comparison = baseline.compare(self.option("baseline"), self.baseline, data["requirements"])
            data["baseline"] = comparison.to_dict()
        self.summary = data
        return data
