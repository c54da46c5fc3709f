"""The pass matrix: the conformance suite against the sandbox in each dialect (sandbox/dialects.py) and with each
production-like switch, where a correct suite gives a MUST-clean verdict every time.

The mirror of the kill matrix (tests/test_faults.py): a fault must be caught, a dialect must pass. A row is
MUST-clean when the run exits 0 and no requirement failed; warnings are allowed, each on a SHOULD. Each row is
one whole-suite run in a subprocess, two at a time, against a sandbox this process serves, built from the row's
RAILS_SANDBOX_* variables (sandbox.seams.options_from_env): the suite's embedded sandbox reads only the faults'
variable, so the row's sandbox is given to the suite as its base URL. A switch row also passes the suite option
a user gives for such a server (README: Running against a server). The session prints the matrix, the score and
each failed requirement's first finding, and writes them to reports/pass-matrix.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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
from tests.suite_runner import ROOT, SuiteRun, publish, run_suite

pytestmark = pytest.mark.slow  # whole-suite runs in subprocesses: run with --run-slow

WORKERS = 2  # the machine's cores
FAST = ("--assert=plain",)  # as in the kill matrix: same verdicts, ~3 s less a run
REPORT = ROOT / "reports" / "pass-matrix.md"
SHOWN = {"failed": "**F**", "warned": "W", "skipped": "s"}


@dataclass(frozen=True)
class Row:
    """One server the suite must pass: the sandbox as the RAILS_SANDBOX_* variables describe it."""

    name: str
    env: dict[str, str]
    suite_args: tuple[str, ...] = ()  # what a user tells the suite about such a server
    what: str = field(default="", compare=False)


SWITCHES = [
    Row("no-tenants", {TENANTS_VARIABLE: "0"}, ("--no-tenant",), "the tenant header is ignored: one shared world"),
    Row("no-extensions", {EXTENSIONS_VARIABLE: "0"}, ("--no-extensions",), "the 3 proposed methods are unknown"),
    Row("unfamiliar-world", {WORLD_VARIABLE: "unfamiliar"}, (), "the demo credentials, none of the documented seed"),
]
ROWS = [
    Row("clean", {}, (), "the clean sandbox: the control"),
    *(Row(name, {DIALECTS_VARIABLE: name}, (), d.description) for name, d in DIALECTS.items()),
    *SWITCHES,
    Row(ALL, {DIALECTS_VARIABLE: ALL, **{k: v for row in SWITCHES for k, v in row.env.items()}},
        tuple(arg for row in SWITCHES for arg in row.suite_args), "every dialect and every switch at once"),
]


@dataclass(frozen=True)
class RowRun:
    row: Row
    run: SuiteRun
    seconds: float

    @property
    def requirements(self) -> list[dict[str, Any]]:
        try:
            return self.run.summary["requirements"]
        except (OSError, json.JSONDecodeError):  # the run ended before it wrote a summary
            return []

    def observed(self) -> dict[str, str]:
        """Requirement id -> failed | warned | skipped, for every requirement this run did not pass."""
        return {r["id"]: r["status"] for r in self.requirements if r["status"] in SHOWN}

    def breaches(self) -> list[dict[str, Any]]:
        """What keeps the verdict from being MUST-clean: failed requirements, and warned ones that are MUSTs."""
        return [r for r in self.requirements
                if r["status"] == "failed" or (r["status"] == "warned" and r["level"] != "SHOULD")]

    @property
    def clean(self) -> bool:
        return self.run.returncode == 0 and bool(self.requirements) and not self.breaches()

    def first_findings(self) -> list[str]:
        """One line per breach: the requirement and its first finding's message."""
        lines = []
        for r in self.breaches():
            message = r["failures"][0]["message"] if r["failures"] else "(no finding recorded)"
            lines.append(f"{r['id']} ({r['status']}): {' '.join(message.split())[:400]}")
        return lines or ([] if self.requirements else [f"no summary (exit {self.run.returncode}): "
                                                        f"{self.run.output[-400:]}"])


def _run(row: Row, reports: Path) -> RowRun:
    started = time.perf_counter()
    with running(create_app(**options_from_env(row.env))) as url:
        result = run_suite(reports, *FAST, "--base-url", url, *row.suite_args)
    return RowRun(row, result, time.perf_counter() - started)


def matrix_markdown(runs: list[RowRun], wall: float) -> str:
    """Row x requirement: F failed, W warned (a SHOULD: allowed), s skipped; then every breach's first finding."""
    columns = [rid for rid in dict.fromkeys(r["id"] for run in runs for r in run.requirements)
               if any(rid in run.observed() for run in runs)]
    clean = sum(run.clean for run in runs)
    lines = [
        "# Pass matrix",
        "",
        f"Score: **{clean}/{len(runs)}** servers given a MUST-clean verdict; wall time {wall:.0f} s with "
        f"{WORKERS} workers.",
        "",
        "Cells: **F** failed (breaks the verdict), W warned (a SHOULD: allowed), s skipped (not judged).",
        "",
        "| server | MUST-clean | exit | s | suite options | " + " | ".join(columns) + " |",
        "|---|---|---|---|---|" + "---|" * len(columns),
    ]
    for run in runs:
        observed = run.observed()
        cells = [SHOWN.get(observed.get(rid, ""), "") for rid in columns]
        lines.append(f"| {run.row.name} | {'yes' if run.clean else 'NO'} | {run.run.returncode} | {run.seconds:.0f} | "
                     f"{' '.join(run.row.suite_args)} | " + " | ".join(cells) + " |")
    lines += ["", "## What breaks each verdict (first finding per requirement)", ""]
    for run in (r for r in runs if not r.clean):
        lines.append(f"- **{run.row.name}** ({run.row.what}):")
        lines += [f"  - {line}" for line in run.first_findings()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def pass_matrix(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[
        dict[str, RowRun]]:
    """Every row's whole-suite run, two at a time; the matrix printed and written at the end."""
    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(_run, row, tmp_path_factory.mktemp(f"pass-{row.name}")) for row in ROWS]
        runs = [future.result() for future in futures]
    text = matrix_markdown(runs, time.perf_counter() - started)
    yield {run.row.name: run for run in runs}
    publish(text, REPORT, request.config)


@pytest.mark.parametrize("name", [row.name for row in ROWS])
def test_server_gets_a_must_clean_verdict(pass_matrix: dict[str, RowRun], name: str) -> None:
    run = pass_matrix[name]
    assert run.clean, f"{name}: " + "; ".join(run.first_findings())
