"""The pytest plugin: options, the target, per-test findings, and the verdict per requirement.

Flow: the controller resolves the target at session start (starting the embedded sandbox when no
base URL is given) and refuses to run when the target is unusable; workers receive it as data. Each
test records findings against requirement ids; the requirement's level turns them into a failed or a
warned test. The controller gathers every report into `RunResults`, which decides the verdict,
prints one line per level, and feeds the reports.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance import findings, options, requirements, run, spec
from conformance.redact import REDACT
from conformance.report import baseline, summary
from conformance.requirements import Level
from conformance.target import (
    PROFILES,
    Credential,
    Grant,
    Target,
    TargetUnusable,
    fresh_tenant,
    preflight,
)
from conformance.verdict import FAILED, PASSED, SKIPPED, WARNED, RunResults

SUITE_DIR = Path(__file__).resolve().parent
PROPERTIES_KEY = "conformance"
REQUIREMENTS_KEY = "conformance.requirements"
STATUS_KEY = "conformance.status"
TARGET_KEY = pytest.StashKey[Target]()
RESULTS_KEY = pytest.StashKey[RunResults]()
RECORD_KEY = pytest.StashKey[findings.TestRecord]()
OUTCOME_KEY = pytest.StashKey[list]()
SUMMARY_KEY = pytest.StashKey[dict]()
BASELINE_KEY = pytest.StashKey[dict]()  # requirement id -> status of the --baseline run
FINISHED_KEY = pytest.StashKey[float]()
pytest_plugins = ["conformance.report.htmlreport"]  # the pytest-html hooks


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


_config: pytest.Config | None = None  # for hooks that are not handed it (pytest_runtest_logreport)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config
    config.addinivalue_line("markers", "requirement(*ids): catalogue requirements this test verifies")
    if hasattr(config, "workerinput"):
        return
    if config.inipath is None and Path(config.invocation_params.dir).resolve() == SUITE_DIR.parent:
        # pytest reads paths before it knows plugin options: `--reports-dir /tmp/x` made /tmp/x the rootdir,
        # so pyproject.toml (testpaths) was not read and every test of the repository would be collected
        raise pytest.UsageError(
            f"pytest took an option's value for a path (rootdir became {config.rootpath}). Write path-valued "
            "options with '=' (--reports-dir=DIR, --baseline=FILE) or name the suite: pytest conformance ...")
    if not runs_conformance(config):
        return
    # a conformance run is reproducible: one seed for every generated test, reported and replayable
    if config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = str(secrets.randbelow(2**32))
    reports = Path(options.value(config, "reports_dir") or "reports")
    if not getattr(config.option, "xmlpath", "unset"):
        config.option.xmlpath = str(reports / "junit.xml")
    if not getattr(config.option, "htmlpath", None):
        config.option.htmlpath = str(reports / "conformance.html")
        config.option.self_contained_html = True
    if options.value(config, "baseline"):
        try:
            config.stash[BASELINE_KEY] = baseline.load(options.value(config, "baseline"))
        except baseline.BaselineError as exc:
            raise pytest.UsageError(str(exc)) from None


# -- is this a conformance run? ------------------------------------------------------------------


def runs_conformance(config: pytest.Config) -> bool:
    """True when the invocation collects the conformance suite (`pytest`, `pytest conformance/...`)."""
    args = config.args or [str(config.rootpath)]
    for arg in args:
        path = (Path(config.invocation_params.dir) / arg.split("::", 1)[0]).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents or path in SUITE_DIR.parents:
            return True
    return False


def is_partial(config: pytest.Config) -> bool:
    """A selection of the suite: no run-level (coverage) verdict is possible."""
    if (config.getoption("keyword") or config.getoption("markexpr") or config.getoption("lf", False)
            or config.getoption("conformance_requirements")):
        return True
    whole = {SUITE_DIR, *SUITE_DIR.parents}
    return any((Path(config.invocation_params.dir) / a.split("::", 1)[0]).resolve() not in whole or "::" in a
               for a in config.args)


# -- the target ----------------------------------------------------------------------------------


def _build_target(config: pytest.Config, base_url: str, embedded: bool) -> Target:
    value = lambda name: options.value(config, name)  # noqa: E731
    profile = value("profile") or "quick"
    if profile not in PROFILES:
        raise pytest.UsageError(f"--profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    tenant = None if config.getoption("conformance_no_tenant") else (value("tenant") or fresh_tenant())
    try:
        source = spec.resolve(value("spec") or "auto", base_url)
    except (OSError, ValueError) as exc:
        raise pytest.UsageError(f"--spec {value('spec')!r} could not be loaded: {exc}") from None
    return Target(
        base_url=base_url.rstrip("/"), tenant=tenant,
        repairer=Credential("repairer", value("repairer_key") or "", value("repairer_integration_id") or ""),
        supplier=Credential("supplier", value("supplier_key") or "", value("supplier_integration_id") or ""),
        grant=Grant(value("client_id") or "", value("client_secret") or "", value("access_code") or ""),
        profile=PROFILES[profile], extensions=bool(config.getoption("conformance_extensions")),
        spec=source, embedded=embedded,
    )


def _start_embedded_sandbox(config: pytest.Config) -> str:
    """No base URL: serve the bundled sandbox on a free loopback port for the length of the run."""
    from sandbox import create_app
    from sandbox.faults import ENV_VARIABLE, names_from_env
    from sandbox.server import running

    faults = names_from_env(os.environ.get(ENV_VARIABLE))
    stack = contextlib.ExitStack()
    url = stack.enter_context(running(create_app(faults=faults)))
    config.add_cleanup(stack.close)
    return url


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        if "conformance_target" in workerinput:
            target = Target.from_data(workerinput["conformance_target"])
            target.register_secrets()
            config.stash[TARGET_KEY] = target
            config.stash[RESULTS_KEY] = RunResults(run.activate(target).in_scope(), target.extensions)
        return
    if not runs_conformance(config):
        return
    base_url = config.getoption("base_url")
    embedded = not base_url
    if embedded:
        base_url = _start_embedded_sandbox(config)
        config.option.base_url = base_url
    target = _build_target(config, base_url, embedded)
    target.register_secrets()
    try:
        preflight(target)
    except TargetUnusable as exc:
        pytest.exit(REDACT(str(exc)), returncode=pytest.ExitCode.USAGE_ERROR)
    config.stash[TARGET_KEY] = target
    results = RunResults(run.activate(target).in_scope(), target.extensions)
    results.complete = not is_partial(config)
    config.stash[RESULTS_KEY] = results


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: hand the resolved target to each worker."""
    target = node.config.stash.get(TARGET_KEY, None)
    if target is not None:
        node.workerinput["conformance_target"] = target.to_data()


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    target = config.stash.get(TARGET_KEY, None)
    if target is None:
        return None
    where = "embedded sandbox " if target.embedded else ""
    return [
        f"conformance target: {where}{target.base_url} (tenant: {target.tenant or 'none'})",
        f"conformance spec: {target.spec.origin} {target.spec.location} sha256={target.spec.sha256[:16]}...",
        f"conformance profile: {target.profile.name}; extensions: {'on' if target.extensions else 'off'}",
    ]


# -- collection ----------------------------------------------------------------------------------


def declared_requirements(item: pytest.Item) -> list[str]:
    return [rid for mark in item.iter_markers("requirement") for rid in mark.args]


def selects(wanted: list[str], declared: list[str]) -> bool:
    """`--requirement`: an exact id, or an area prefix such as AUTH or BASKET-D52."""
    return any(rid == w or rid.startswith(w.rstrip("-") + "-") for w in wanted for rid in declared)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    target = config.stash.get(TARGET_KEY, None)
    wanted = config.getoption("conformance_requirements")
    if wanted:
        unknown = [w for w in wanted if not any(selects([w], [r.id]) for r in requirements.CATALOGUE)]
        if unknown:
            raise pytest.UsageError(f"--requirement: no requirement matches {', '.join(unknown)}")
        dropped = [i for i in items if SUITE_DIR in Path(str(i.path)).parents
                   and not selects(wanted, declared_requirements(i))]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [i for i in items if i not in dropped]
    for item in items:
        if SUITE_DIR not in Path(str(item.path)).parents:
            continue
        declared = declared_requirements(item)
        if not declared:
            raise pytest.UsageError(f"{item.nodeid} declares no requirement (@pytest.mark.requirement)")
        reqs = [requirements.get(rid) for rid in declared]
        if target is None:
            continue
        if all(r.extension for r in reqs) and not target.extensions:
            item.add_marker(pytest.mark.skip(reason="extensions are off (--no-extensions)"))


# -- running a test ------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    item.stash[RECORD_KEY] = findings.start()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    result = yield
    if RECORD_KEY in item.stash:
        findings.raise_for_must(item.stash[RECORD_KEY].findings)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    record = item.stash.get(RECORD_KEY, None)
    if record is None:
        return report
    declared = declared_requirements(item)
    explained = record.must_findings() or (call.excinfo is not None
                                           and call.excinfo.errisinstance(findings.ConformanceFailure))
    if report.failed and call.excinfo is not None and not explained:
        # a failure no check explained (an assert, an exception): it counts against every declared requirement.
        # One that follows MUST findings is their consequence (e.g. Hypothesis failing to replay a chain
        # against a server whose state moved on), not a breach of every rule the test verifies.
        first_line = REDACT(call.excinfo.exconly().splitlines()[0])[:300]
        for rid in declared:
            record.add(findings.Finding(rid, f"{item.name}: {first_line}"))
    if report.failed and record.findings and not record.must_findings():
        report.outcome = "passed"  # only SHOULD rules broke: a warning, never a failure
        report.user_properties.append((STATUS_KEY, WARNED))
    elif report.passed and report.when == "call" and record.findings:
        report.user_properties.append((STATUS_KEY, WARNED))
    if report.longrepr is not None and not report.passed:
        if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason), a shape JUnit relies on
            path, line, reason = report.longrepr
            report.longrepr = (path, line, REDACT(reason))
        else:
            report.longrepr = REDACT(str(report.longrepr))
    report.sections = [(title, REDACT(text)) for title, text in report.sections]
    report.user_properties.append((REQUIREMENTS_KEY, declared))
    report.user_properties.append((PROPERTIES_KEY, record.to_properties()))
    record.exchanges.clear()
    record.requests = 0
    return report


def _properties(report: pytest.TestReport) -> dict[str, Any]:
    return dict(report.user_properties)


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    if _properties(report).get(STATUS_KEY) == WARNED and report.when == "call":
        return WARNED, "W", "WARNED"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Feed the controller's RunResults; the bulky record then leaves the report (JUnit keeps the ids)."""
    props = _properties(report)
    config = _config
    if config is None or PROPERTIES_KEY not in props or hasattr(config, "workerinput"):
        return
    results = config.stash.get(RESULTS_KEY, None)
    if results is None:
        return
    status = props.get(STATUS_KEY) or (FAILED if report.failed else SKIPPED if report.skipped else PASSED)
    reason = ""
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2])
    elif report.longrepr is not None and status != PASSED:
        reason = str(report.longrepr)
    results.add(report.nodeid, report.when, status, props[PROPERTIES_KEY], props.get(REQUIREMENTS_KEY, []),
                reason, report.duration)
    report.user_properties = [(k, v) for k, v in report.user_properties if k != PROPERTIES_KEY]


# -- the verdict ---------------------------------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    results = config.stash.get(RESULTS_KEY, None)
    if results is None or hasattr(config, "workerinput") or not results.tests:
        return
    outcome = results.results()
    if any(r.status == FAILED and r.requirement.level is Level.MUST for r in outcome) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    config.stash[OUTCOME_KEY] = outcome
    reports = Path(options.value(config, "reports_dir") or "reports")
    summary.write(run_summary(config), reports / "summary.json")


def run_summary(config: pytest.Config) -> dict[str, Any]:
    """summary.json's data from the final RunResults (also what the HTML report shows), with the baseline."""
    results = config.stash[RESULTS_KEY]
    outcome = results.results()
    finished_at = config.stash.setdefault(FINISHED_KEY, time.time())
    data = summary.build(config.stash[TARGET_KEY], results, outcome, config.getoption("hypothesis_seed", None),
                         finished_at)
    if BASELINE_KEY in config.stash:
        comparison = baseline.compare(options.value(config, "baseline") or "", config.stash[BASELINE_KEY],
                                      data["requirements"])
        data["baseline"] = comparison.to_dict()
    config.stash[SUMMARY_KEY] = data
    return data


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> Generator[None]:
    """Outermost, so the verdict comes after every other summary and ends with one line per level."""
    result = yield
    results = config.stash.get(RESULTS_KEY, None)
    outcome = config.stash.get(OUTCOME_KEY, None)
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
    for method, why in sorted(results.excused.items()):
        if method not in results.succeeded:
            tr.write_line(f"not driven to a 2xx: {method} ({why})")
    verdict = results.verdict(outcome)
    tr.write_line(f"verdict: {'CONFORMS' if verdict == 'pass' else 'DOES NOT CONFORM'}",
                  green=verdict == "pass", red=verdict != "pass", bold=True)
    comparison = config.stash.get(SUMMARY_KEY, {}).get("baseline")
    if comparison:
        for line in baseline.Comparison(**comparison).lines():
            tr.write_line(line)
    for line in results.level_lines(outcome):
        tr.write_line(line)
    return result
