"""The pass matrix: the conformance suite against servers that conform, where a correct suite gives a MUST-clean
verdict every time: the sandbox in each dialect (sandbox/dialects.py) and with each production-like switch, and
a clean-room server written from the documents alone (tests/independent_server), the strongest evidence that
the suite judges by the documents and does not overfit our sandbox.

The mirror of the kill matrix (tests/test_faults.py): a fault must be caught, a dialect must pass. A row is
MUST-clean when the run exits 0 and no requirement failed; warnings are allowed, each on a SHOULD. Each row is
one whole-suite run in a subprocess, two at a time, against a server this process serves (a sandbox built from
the row's RAILS_SANDBOX_* variables, sandbox.seams.options_from_env, or the independent server with its flags),
given to the suite as its base URL. A row passes the suite no options but what a user of such a server knows
and the probe cannot find out (issue 13: the default command must be enough): the production rows are given
one of the server's own procurements to read and one to confirm, and must then reach the procurement methods;
without them they must say what was not applicable and hint at `--procurement`. The session prints the matrix,
the score and each failed requirement's first finding, and writes them to reports/pass-matrix.md.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from sandbox import create_app
from sandbox.dialects import ALL
from sandbox.dialects import CATALOGUE as DIALECTS
from sandbox.seams import (
    DIALECTS_VARIABLE,
    EXTENSIONS_VARIABLE,
    TENANTS_VARIABLE,
    WORLD_VARIABLE,
    options_from_env,
)
from sandbox.server import running
from tests.independent_server import serve_in_thread
from tests.suite_runner import ROOT, SuiteRun, publish, run_suite

pytestmark = pytest.mark.slow  # whole-suite runs in subprocesses: run with --run-slow

WORKERS = 2  # the machine's cores
FAST = ("--assert=plain",)  # as in the kill matrix: same verdicts, ~3 s less a run
REPORT = ROOT / "reports" / "pass-matrix.md"
SHOWN = {"failed": "**F**", "warned": "W", "skipped": "s"}
PROCUREMENT_METHODS = ("repairer.procurements.get", "repairer.procurements.list", "supplier.procurements.confirm",
                       "supplier.procurements.get")


@dataclass(frozen=True)
class Served:
    """A row's server while it runs: its URL, and procurements of its own world (None: it has none)."""

    url: str
    procurement: str | None  # one to read: --procurement
    requested: str | None  # an order_requested one the run may confirm: --confirm-procurement


@contextmanager
def sandbox(env: Mapping[str, str]) -> Iterator[Served]:
    """The sandbox as the RAILS_SANDBOX_* variables `env` describe it; its procurements are its seed's landmarks."""
    app = create_app(**options_from_env(env))
    landmarks = app.state.seed.landmarks
    with running(app) as url:
        yield Served(url, landmarks.confirmed_procurement_id or landmarks.requested_procurement_id,
                     landmarks.requested_procurement_id)


@contextmanager
def independent(**flags: bool) -> Iterator[Served]:
    """The independent server with its flags (no_tenants, no_extensions, own_data)."""
    handle = serve_in_thread(**flags)
    ids = handle.procurement_ids
    try:
        yield Served(handle.url, next(iter(ids["order_confirmed"] + ids["order_requested"]), None),
                     next(iter(ids["order_requested"]), None))
    finally:
        handle.stop()


def defaults(served: Served) -> tuple[str, ...]:
    """No option: the probe finds out tenants, extensions and the seed."""
    return ()


def procurements(served: Served) -> tuple[str, ...]:
    """What a user of a server with data of its own tells the suite: a procurement to read, one to confirm."""
    assert served.procurement and served.requested, "the server has no procurement to give the suite"
    return ("--procurement", served.procurement, "--confirm-procurement", served.requested)


@dataclass(frozen=True)
class Row:
    """One server the suite must pass, and what the suite is told about it."""

    name: str
    serve: Callable[[], AbstractContextManager[Served]]
    what: str
    args: Callable[[Served], tuple[str, ...]] = defaults
    shows: tuple[Callable[[RowRun], str | None], ...] = ()  # each: what the run fails to show, or None


def not_applicable_shown(run: RowRun) -> str | None:
    """What a production server cannot be asked is not applicable, with its reason, and a hint names
    --procurement."""
    unexplained = [r["id"] for r in run.requirements if r["status"] == "not_applicable" and not r["note"]]
    if not any(r["status"] == "not_applicable" for r in run.requirements) or unexplained:
        return f"no not-applicable requirement with its reason (without one: {unexplained})"
    if not any(re.search(r"(^|\s)--procurement\b", hint) for hint in run.summary.get("hints", [])):
        return f"no hint names --procurement: {run.summary.get('hints')}"
    return None


def procurement_methods_succeeded(run: RowRun) -> str | None:
    """Given procurements of its own, the run reaches the procurement methods: a 2xx from each."""
    succeeded = {m["method"] for m in run.summary.get("methods", []) if m["succeeded"]}
    missing = [m for m in PROCUREMENT_METHODS if m not in succeeded]
    return f"no 2xx from {', '.join(missing)}" if missing else None


SWITCHES = {
    "no-tenants": ({TENANTS_VARIABLE: "0"}, "the tenant header is ignored: one shared world"),
    "no-extensions": ({EXTENSIONS_VARIABLE: "0"}, "the 3 proposed methods are unknown"),
    "unfamiliar-world": ({WORLD_VARIABLE: "unfamiliar"}, "the demo credentials, none of the documented seed"),
}
PRODUCTION = {k: v for env, _ in SWITCHES.values() for k, v in env.items()}  # every switch: a production server
OWN_DATA = {"no_tenants": True, "no_extensions": True, "own_data": True}
ROWS = [
    Row("clean", partial(sandbox, {}), "the clean sandbox: the control"),
    *(Row(name, partial(sandbox, {DIALECTS_VARIABLE: name}), d.description) for name, d in DIALECTS.items()),
    *(Row(name, partial(sandbox, env), what) for name, (env, what) in SWITCHES.items()),
    Row(ALL, partial(sandbox, {DIALECTS_VARIABLE: ALL, **PRODUCTION}), "every dialect and every switch at once"),
    Row("production", partial(sandbox, PRODUCTION), "no tenants, no extensions, an unfamiliar world",
        shows=(not_applicable_shown,)),
    Row("production --procurement", partial(sandbox, PRODUCTION),
        "the same, given its procurements: one to read, one order_requested to confirm", procurements,
        (procurement_methods_succeeded,)),
    Row("independent", independent, "the independent server as it starts: tenants, extensions, the documented seed"),
    Row("independent-production", partial(independent, **OWN_DATA),
        "the independent server with no tenants, no extensions and its own data", shows=(not_applicable_shown,)),
    Row("independent-production --procurement", partial(independent, **OWN_DATA),
        "the same, given its own procurements", procurements, (procurement_methods_succeeded,)),
]


@dataclass(frozen=True)
class RowRun:
    row: Row
    args: tuple[str, ...]  # the suite options the row passed
    run: SuiteRun
    seconds: float

    @property
    def summary(self) -> dict[str, Any]:
        try:
            return self.run.summary
        except (OSError, json.JSONDecodeError):  # the run ended before it wrote a summary
            return {}

    @property
    def requirements(self) -> list[dict[str, Any]]:
        return self.summary.get("requirements", [])

    def observed(self) -> dict[str, str]:
        """Requirement id -> failed | warned | skipped, for every requirement this run did not pass."""
        return {r["id"]: r["status"] for r in self.requirements if r["status"] in SHOWN}

    def breaches(self) -> list[dict[str, Any]]:
        """What keeps the verdict from being MUST-clean: failed requirements, and warned ones that are MUSTs or
        rest on a documented fact (a conforming server differs from the sandbox only where the sandbox's documents
        are silent, so every warning it gets must name a rule inferred, or taken from upstream: NOTES §1's framework
        behaviour is the vendor's, not the sandbox's word)."""
        return [r for r in self.requirements
                if r["status"] == "failed"
                or (r["status"] == "warned" and (r["level"] != "SHOULD" or r["provenance"] == "documented"))]

    @property
    def clean(self) -> bool:
        return self.run.returncode == 0 and bool(self.requirements) and not self.breaches()

    def unshown(self) -> list[str]:
        """What the row must show and this run does not (nothing to show without a summary)."""
        return [problem for shows in self.row.shows if self.summary and (problem := shows(self))]

    @property
    def passed(self) -> bool:
        return self.clean and not self.unshown()

    def first_findings(self) -> list[str]:
        """One line per breach: the requirement and its first finding's message; then what the run fails to show."""
        lines = []
        for r in self.breaches():
            message = r["failures"][0]["message"] if r["failures"] else "(no finding recorded)"
            lines.append(f"{r['id']} ({r['status']}): {' '.join(message.split())[:400]}")
        lines += [f"does not show: {problem}" for problem in self.unshown()]
        return lines or ([] if self.requirements else [f"no summary (exit {self.run.returncode}): "
                                                        f"{self.run.output[-400:]}"])


def _run(row: Row, reports: Path) -> RowRun:
    started = time.perf_counter()
    with row.serve() as served:
        args = row.args(served)
        result = run_suite(reports, *FAST, "--base-url", served.url, *args)
    return RowRun(row, args, result, time.perf_counter() - started)


def shown_args(args: tuple[str, ...]) -> str:
    """The options as the matrix shows them: ids cut to their first 8 characters."""
    return " ".join(re.sub(r"^([0-9a-f]{8})-[0-9a-f-]{27}$", r"\1…", arg) for arg in args)


def matrix_markdown(runs: list[RowRun], wall: float) -> str:
    """Row x requirement: F failed, W warned (a SHOULD: allowed), s skipped; then every breach's first finding."""
    columns = [rid for rid in dict.fromkeys(r["id"] for run in runs for r in run.requirements)
               if any(rid in run.observed() for run in runs)]
    passed = sum(run.passed for run in runs)
    lines = [
        "# Pass matrix",
        "",
        f"Score: **{passed}/{len(runs)}** servers given a MUST-clean verdict (and showing what their row must "
        f"show); wall time {wall:.0f} s with {WORKERS} workers.",
        "",
        "Cells: **F** failed (breaks the verdict), W warned (a SHOULD: allowed), s skipped (not judged). Shows: "
        "what the row must show beyond the verdict (the not-applicable reasons and a `--procurement` hint; a 2xx "
        "from each procurement method), - where it must show nothing more.",
        "",
        "| server | MUST-clean | shows | exit | s | suite options | " + " | ".join(columns) + " |",
        "|---|---|---|---|---|---|" + "---|" * len(columns),
    ]
    for run in runs:
        observed = run.observed()
        cells = [SHOWN.get(observed.get(rid, ""), "") for rid in columns]
        shows = "NO" if run.unshown() else "yes" if run.row.shows else "-"
        lines.append(f"| {run.row.name} | {'yes' if run.clean else 'NO'} | {shows} | {run.run.returncode} | "
                     f"{run.seconds:.0f} | {shown_args(run.args) or '(defaults)'} | " + " | ".join(cells) + " |")
    lines += ["", "## What breaks each verdict (first finding per requirement)", ""]
    for run in (r for r in runs if not r.passed):
        lines.append(f"- **{run.row.name}** ({run.row.what}):")
        lines += [f"  - {line}" for line in run.first_findings()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def pass_matrix(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[
        dict[str, RowRun]]:
    """Every row's whole-suite run, two at a time; the matrix printed and written at the end."""
    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(_run, row, tmp_path_factory.mktemp("pass-" + re.sub(r"\W+", "-", row.name)))
                   for row in ROWS]
        runs = [future.result() for future in futures]
    text = matrix_markdown(runs, time.perf_counter() - started)
    yield {run.row.name: run for run in runs}
    publish(text, REPORT, request.config)


@pytest.mark.parametrize("name", [row.name for row in ROWS])
def test_server_gets_a_must_clean_verdict(pass_matrix: dict[str, RowRun], name: str) -> None:
    run = pass_matrix[name]
    assert run.passed, f"{name}: " + "; ".join(run.first_findings())
