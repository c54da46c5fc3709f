"""One conformance run inside pytest: the target, per-test findings, and the verdict per requirement.

Flow: the controller resolves the target at session start (starting the embedded sandbox when no
base URL is given) and refuses to run when the target is unusable; pytest-xdist workers receive it
as data. Each test records findings against requirement ids; the requirement's level turns them into
a failed or a warned test. The controller gathers every report into `RunResults`, which decides the
verdict, prints one line per level, and feeds the reports.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance import findings, options, requirements, run, source
from conformance.bounds import Bounds
from conformance.pace import planned
from conformance.probe import probe
from conformance.redact import REDACT
from conformance.report import baseline, history, summary
from conformance.served import fetch as fetch_served
from conformance.target import PROFILES, Credential, Grant, Target, TargetUnusable, fresh_tenant, preflight
from conformance.transport import Transport
from conformance.verdict import ERRORED, FAILED, PASSED, SKIPPED, VERDICT_WORDS, WARNED, RunResults, Status

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
            declared += requirements.generated_for([method] if method else in_scope)
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
        self.outcome: list[Any] | None = None  # the final RequirementResults, once the session finished
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

    def _configured_target(self, base_url: str, landmarks: dict[str, str], transport: Transport) -> Target:
        """The target as the options give it, before the probe (no tenant, no extensions yet); `landmarks`: the
        embedded sandbox's foreign job and procurement ({} for a target the user named), where no option names
        them."""
        value = self.option
        if value("profile") not in PROFILES:
            raise pytest.UsageError(f"--profile must be one of {', '.join(PROFILES)}, not {value('profile')!r}")
        try:
            spec = source.resolve(value("spec"), transport)
        except (OSError, ValueError, httpx.HTTPError) as exc:
            raise pytest.UsageError(f"--spec {value('spec')!r} could not be loaded: {exc}") from None
        return Target(
            base_url=base_url.rstrip("/"), tenant=None,
            repairer=Credential("repairer", value("repairer_key"), value("repairer_integration_id")),
            supplier=Credential("supplier", value("supplier_key"), value("supplier_integration_id")),
            grant=Grant(value("client_id"), value("client_secret"), value("access_code")),
            profile=PROFILES[value("profile")], extensions=False, spec=spec, embedded=self.base_url is None,
            procurements=tuple(value("procurements")), confirm_procurement=value("confirm_procurement"),
            foreign_job=value("foreign_job") or landmarks.get("foreign_job"),
            foreign_procurement=value("foreign_procurement") or landmarks.get("foreign_procurement"),
            webhook_secret=value("webhook_secret") or "",
        )

    def _probed_target(self, target: Target, transport: Transport) -> Target:
        """What the options leave open (tenants, extensions) decided by probing the target; and its served spec."""
        value = self.option
        tenant_option, extensions_option = value("tenant"), value("extensions")
        tenant_auto = not value("no_tenant") and tenant_option == "auto"
        tenant = None if value("no_tenant") else fresh_tenant() if tenant_auto else tenant_option
        tenant, found = probe(transport, target.base_url, target.repairer, tenant=tenant, tenant_auto=tenant_auto,
                              extensions=extensions_option)
        notes = found.notes
        if not tenant_auto:
            notes.insert(0, "tenants: none (--no-tenant)" if tenant is None else
                         f"tenants: {tenant} (--tenant), taken as this run's own world")
        extensions = bool(found.extensions if extensions_option is None else extensions_option)
        absent = "" if extensions else ("extensions are off (--no-extensions)" if extensions_option is False else
                                        "the target does not offer the 3 proposed methods (probed)")
        if extensions_option is not None:
            notes.append(f"extensions: {'on (--extensions)' if extensions else 'off (--no-extensions)'}")
        served = fetch_served(transport, target.base_url)
        return replace(target, tenant=tenant, isolated=tenant is not None and found.isolated is not False,
                       extensions=extensions, extensions_absent=absent, seed_job=found.seed_job,
                       seed_procurement=found.seed_procurement, webhooks=found.webhooks, probe_notes=tuple(notes),
                       probe_unfinished=found.unfinished,
                       served_spec=served.to_dict() if served else None)

    def _start_embedded_sandbox(self) -> tuple[str, dict[str, str]]:
        """No base URL: serve the bundled sandbox (as the RAILS_SANDBOX_* variables describe it) on a free
        loopback port for the length of the run, signing webhooks with the run's --webhook-secret (one secret,
        both sides). Its URL, and its other repairer organization's job and procurement for the scope checks
        (as the --foreign-job and --foreign-procurement options would name them)."""
        from sandbox import create_app
        from sandbox.seams import options_from_env
        from sandbox.server import running

        try:
            app = create_app(**{**options_from_env(os.environ), "webhook_secret": self.option("webhook_secret")})
        except ValueError as exc:
            raise pytest.UsageError(f"the embedded sandbox: {exc}") from None
        stack = contextlib.ExitStack()
        url = stack.enter_context(running(app))
        self.config.add_cleanup(stack.close)
        landmarks = app.state.seed.landmarks
        return url, {"foreign_job": landmarks.foreign_job_id, "foreign_procurement": landmarks.foreign_procurement_id}

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
        base_url, landmarks = self.base_url, {}
        if base_url is None:
            base_url, landmarks = self._start_embedded_sandbox()
        pace = planned(self.config)
        bounds = Bounds(self.option("request_timeout"), self.option("max_response_bytes"))
        transport = Transport(bounds, max_rps=pace.max_rps_per_process)
        target = replace(self._configured_target(base_url, landmarks, transport), pace=pace, bounds=bounds)
        target.register_secrets()
        try:
            preflight(target, transport)
            target = self._probed_target(target, transport)
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
            unknown = [w for w in wanted if not any(selects([w], [r.id]) for r in requirements.CATALOGUE)]
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
            reqs = [requirements.get(rid) for rid in declared]
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

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config
                                ) -> Generator[None]:
        """Outermost, so the verdict comes after every other summary and ends with one line per level."""
        result = yield
        results, outcome = self.results, self.outcome
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
        if self.summary:
            tr.write_line(summary.pace_line(self.summary))
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
        comparison = (self.summary or {}).get("baseline")
        if comparison:
            for line in baseline.Comparison(**comparison).lines():
                tr.write_line(line)
        for hint in (self.summary or {}).get("hints", []):
            tr.write_line(f"hint: {hint}", yellow=True)
        for line in results.level_lines(outcome):
            tr.write_line(line)
        return result
