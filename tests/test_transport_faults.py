"""The transport-fault matrix, the kill matrix's twin for the transport: the whole suite against a hostile HTTP
front (tests/hostile_server.py) that hangs, drips, floods, bombs, nests, resets, redirects or serves a portal.

What a target answers is the suite's own input, so every row asserts that the run stays bounded: it ends with
the exit code and the one message the row calls for, within BOUND_S, within BOUND_MB of peak memory, never with
an internal error, and never CONFORMS when a method's replies could not be read or never came. Rows run two at
a time; where the point is the mechanism a row passes a short `--request-timeout`, so that it takes seconds; the row
where everything hangs runs at the defaults, to show the bound holds at them. The session prints the matrix
and writes it to reports/transport-matrix.md.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.wire.transport import READS
from tests.hostile_server import BASKET
from tests.suite_runner import ROOT, SuiteRun, publish, run_suite

pytestmark = pytest.mark.slow  # whole-suite runs in subprocesses: run with --run-slow

WORKERS = 2  # the machine's cores
BOUND_S = 150.0  # every row ends within this, at the defaults too
BOUND_MB = 400.0  # peak resident memory of the suite process
SHORT = ("--request-timeout=3",)  # rows about the deadline's mechanism: seconds, not minutes
REPORT = ROOT / "reports" / "transport-matrix.md"
NOT_READ = f"POS-001.*\n.*{re.escape(BASKET)}: no answer: "


@dataclass(frozen=True)
class Row:
    mode: str  # tests/hostile_server.py's
    what: str  # the target's behaviour, as the table says it
    exits: frozenset[int]
    says: str  # a regular expression the run's output matches: the one message
    args: tuple[str, ...] = ()
    method: str = BASKET  # the method a one-method mode misbehaves for

    @property
    def name(self) -> str:
        return self.mode if self.method == BASKET else f"{self.mode}-{self.method}"


ROWS = (
    Row("hang", "one method never answers", frozenset({1}), NOT_READ + "(no reply within 3 s|not asked)", SHORT),
    # the issue's own case, at the defaults: the probe reads repairer.jobs.get too, so it cannot finish either
    Row("hang", "repairer.jobs.get never answers (at the defaults)", frozenset({1}),
        "POS-001.*\n.*repairer.jobs.get: no answer: (no reply within 30 s|not asked)", method="repairer.jobs.get"),
    Row("hang-all", "everything hangs (at the defaults)", frozenset({4}), "unreachable: nothing answers"),
    Row("drip", "one method's reply arrives one byte every 200 ms", frozenset({1}),
        NOT_READ + "(its reply was not complete within 3 s|not asked)", SHORT),
    Row("huge", "one method answers a valid 300 MB JSON array", frozenset({1}),
        NOT_READ + "its reply is larger than 16777216 bytes"),
    Row("bomb", "one method answers a gzip body that inflates to 1 GiB", frozenset({1}),
        NOT_READ + "its reply is larger than 16777216 bytes"),
    Row("deep", "one method answers 200,000 nested arrays", frozenset({1}), NOT_READ + "its body nests more than 64"),
    Row("utf8", "one method answers JSON that is not UTF-8", frozenset({1}),
        f"WIRE-002.*\n.*{re.escape(BASKET)}: answered 200 with a body that is not valid JSON"),
    Row("reset", "one request in ten has its connection closed before any reply", frozenset({0, 1}),
        "pace: .*; [1-9][0-9]* retries after Retry-After or a dropped connection"),
    Row("redirect", "every call redirected (307) to another origin", frozenset({4}),
        "redirects to http://127.0.0.1:[0-9]+/api/2026-01/.*: pass --base-url http://127.0.0.1:[0-9]+ "),
    Row("html", "every call answered 200 text/html", frozenset({4}), "does not look like the API root"),
)


@dataclass(frozen=True)
class RowRun:
    row: Row
    run: SuiteRun
    elsewhere: str  # what reached the redirect's other origin


@contextmanager
def hostile(row: Row, log: Path) -> Iterator[str]:
    """A hostile front in the row's mode, in a process of its own (its memory is not the suite's); its base URL."""
    command = [sys.executable, "-m", "tests.hostile_server", row.mode, "--method", row.method, "--log", str(log)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=10)


def _run(row: Row, directory: Path) -> RowRun:
    log = directory / "elsewhere.log"
    log.touch()
    with hostile(row, log) as url:
        result = run_suite(directory / "reports", "--base-url", url, *row.args, timeout=2 * BOUND_S)
    return RowRun(row, result, log.read_text())


def matrix_markdown(runs: list[RowRun], wall: float) -> str:
    lines = ["# Transport-fault matrix", "",
             f"The whole quick suite against tests/hostile_server.py, {WORKERS} rows at a time; matrix wall time "
             f"{wall:.0f} s. Bounds: {BOUND_S:g} s, {BOUND_MB:g} MB peak RSS.", "",
             "| target behaviour | options | exit | s | peak RSS MB | message |", "|---|---|---|---|---|---|"]
    for done in runs:
        found = [*re.finditer(done.row.says, done.run.output)]  # the last: the verdict's, not a traceback's
        message = found[-1][0].splitlines()[-1].strip()[:110] if found else "NOT FOUND"
        lines.append(f"| {done.row.what} | {' '.join(done.row.args) or 'defaults'} | {done.run.returncode} | "
                     f"{done.run.seconds:.0f} | {done.run.peak_rss_mb:.0f} | `{message}` |")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def transport_matrix(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, RowRun]:
    """Every row, two at a time, the longest first; the matrix printed and written at the end."""
    rows = sorted(ROWS, key=lambda row: "at the defaults" not in row.what)  # the longest first
    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = list(pool.map(lambda row: _run(row, tmp_path_factory.mktemp(f"transport-{row.name}")), rows))
    publish(matrix_markdown(runs, time.perf_counter() - started), REPORT, request.config)
    return {done.row.name: done for done in runs}


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_the_run_stays_bounded(row: Row, transport_matrix: dict[str, RowRun]) -> None:
    done = transport_matrix[row.name]
    output = done.run.output
    assert done.run.returncode in row.exits, output[-3000:]
    assert re.search(row.says, output), output[-3000:]
    assert done.run.seconds < BOUND_S
    assert done.run.peak_rss_mb < BOUND_MB
    assert "INTERNALERROR" not in output and "RecursionError" not in output, output[-3000:]
    if done.run.returncode == 1:
        assert "verdict: DOES NOT CONFORM" in output


def test_a_redirect_is_never_followed(transport_matrix: dict[str, RowRun]) -> None:
    """Nothing, and so no credential, reaches the origin every call is redirected to."""
    assert transport_matrix["redirect"].elsewhere == ""


def test_one_reset_in_ten_is_sent_again_not_unreachable(transport_matrix: dict[str, RowRun]) -> None:
    """A verdict, not exit 4: the reads whose connection was reset were sent again and answered (no read is
    reported unanswered); only a write reset after it was sent is, as it is not sent again."""
    summary = transport_matrix["reset"].run.summary
    assert summary["verdict"] in ("pass", "fail") and summary["politeness"]["retries"] > 0
    unanswered = [f["message"] for r in summary["requirements"] if r["id"] == "POS-001" for f in r["failures"]]
    assert not [m for m in unanswered if m.split(":", 1)[0].rsplit(".", 1)[-1] in READS], unanswered
