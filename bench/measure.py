"""The measurements: the suite, schemathesis's own CLI, the raw httpx ceiling, fault detection, and the
suite beside `st run` against a sandbox made remote (bench/proxy.py adds latency to every response).

Why each starts its own sandbox: every figure then starts from the same empty server (no tenant worlds
left over from an earlier measurement), and the server's request counter counts that tool alone.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from processes import ROOT, Timed, clean_env, run_timed, sandbox, scratch

from conformance.generated.cases import SETTINGS
from conformance.target import PROFILES
from sandbox.__main__ import parse_args as sandbox_args
from sandbox.app import WORLDS
from spec import demo, documents
from spec.wire import API_PREFIX, TENANT_HEADER

SUITE_TIMEOUT = 900.0
HYPOTHESIS_CACHES = Path(tempfile.gettempdir()) / "bench-hypothesis-caches"  # shared by every run (processes.scratch)
REPAIRER_HEADERS = demo.REPAIRER.headers()
# a line of pytest's -q progress: one letter per test ("W" is the suite's warned), then "[ NN%]"
PROGRESS_LINE = re.compile(rb"^[.FEsxXW]+ *(\[ *\d+%\])?$", re.MULTILINE)
# The other repairer organization's job and procurement in the world the bench's sandbox serves, passed as a
# user who knows them passes them (the README's CI recipe): without them the scope checks have nothing to ask.
LANDMARKS = WORLDS[sandbox_args([]).world].landmarks
SCOPE_OPTIONS = ("--foreign-job", LANDMARKS.foreign_job_id, "--foreign-procurement", LANDMARKS.foreign_procurement_id)


def suite_command(base_url: str, reports: Path, seed: int, *extra: str) -> list[str]:
    """The quick profile against `base_url`, exactly as a user runs it (plus a fixed seed, for comparability, and
    the sandbox's other organization, for the scope checks)."""
    return [sys.executable, "-m", "pytest", str(ROOT / "conformance"), "-q", "-p", "no:cacheprovider",
            "--base-url", base_url, f"--reports-dir={reports}", "--hypothesis-seed", str(seed), *SCOPE_OPTIONS, *extra]


@dataclass
class SuiteRun:
    """One conformance run: wall time, what summary.json says, what the server counted."""

    label: str
    timed: Timed
    summary: dict[str, Any] | None
    server_requests: int | None

    @property
    def requests(self) -> int | None:
        return self.summary["requests"] if self.summary else None

    @property
    def duration_s(self) -> float | None:
        return self.summary["duration_s"] if self.summary else None

    @property
    def outcome(self) -> str:
        """How the run reacted: "fail" (a MUST finding), "unusable" (exit 4), "warned" (SHOULD findings only),
        "timeout", "error" (no summary), or "pass"."""
        if self.timed.returncode is None:
            return "timeout"
        if self.timed.returncode == 4:
            return "unusable"
        if not self.summary:
            return "error"
        if self.summary["verdict"] == "fail":
            return "fail"
        return "warned" if self.requirements_with("warned") else "pass"

    @property
    def detected(self) -> bool:
        return self.outcome != "pass"

    def requirements_with(self, status: str) -> list[str]:
        if not self.summary:
            return []
        return [r["id"] for r in self.summary["requirements"] if r["status"] == status]

    @property
    def first_finding_s(self) -> float | None:
        """When the first failed or warned test's letter (F, E, W) appeared in the progress output."""
        for line in PROGRESS_LINE.finditer(self.timed.raw):
            letter = re.search(rb"[FEW]", line.group(0))
            if letter:
                return self.timed.time_at(line.start() + letter.start())
        return None


def run_suite(label: str, seed: int, faults: Sequence[str] = (), *extra: str, latency_ms: float = 0.0) -> SuiteRun:
    """Start a sandbox with `faults`, `latency_ms` away, run the suite against it from a scratch directory
    (the quick profile, unless `extra` says otherwise).

    The scratch working directory gives every run an empty Hypothesis example database, so no run
    replays what an earlier one found.
    """
    with scratch("bench-suite-", HYPOTHESIS_CACHES) as directory, sandbox(faults, latency_ms) as server:
        reports = directory / "reports"
        timed = run_timed(suite_command(server.base_url, reports, seed, *extra), cwd=directory, env=clean_env(),
                          timeout=SUITE_TIMEOUT)
        summary_path = reports / "summary.json"
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
        return SuiteRun(label, timed, summary, server.requests())


@dataclass
class CliRun:
    """One `st run`: wall time, requests counted at the server, HAR entries as a cross-check."""

    command: list[str]
    timed: Timed
    server_requests: int
    har_entries: int | None
    workers: int = 1


def st_executable() -> str:
    for name in ("st", "schemathesis"):
        candidate = Path(sys.executable).with_name(name)
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("schemathesis's CLI (st) is not installed next to this Python")


def run_schemathesis_cli(seed: int, *, workers: int = 1, profile: str = "quick", latency_ms: float = 0.0) -> CliRun:
    """`st run` on the contract the suite checks (the target's spec plus the extensions), with the examples
    per operation of the suite's `profile`, `workers` at once, against a sandbox `latency_ms` away.

    Comparable settings: the same examples per operation as the profile (-n), positive and negative
    (-m all), every check (-c all), the suite's own schemathesis.toml, the demo repairer and a fresh
    tenant (st run takes one set of headers for all operations, so the supplier methods are called as
    the repairer).
    """
    with scratch("bench-st-", HYPOTHESIS_CACHES) as directory, sandbox(latency_ms=latency_ms) as server:
        document = documents.with_extensions(documents.bundled())
        spec_path = directory / "openapi.json"
        spec_path.write_text(json.dumps(document))
        har = directory / "st.har.json"
        headers = {**REPAIRER_HEADERS, TENANT_HEADER: f"bench-st-{int(time.time())}"}
        command = [st_executable(), "--config-file", str(SETTINGS), "run",
                   str(spec_path), "--url", server.base_url, "--max-examples", str(PROFILES[profile].max_examples),
                   "--mode", "all", "--checks", "all", "--workers", str(workers), "--seed", str(seed), "--no-color",
                   *[arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")],
                   "--report", "har", "--report-har-path", str(har)]
        before = server.requests()
        timed = run_timed(command, cwd=directory, env=clean_env(), timeout=SUITE_TIMEOUT)
        counted = server.requests() - before
        if not counted:  # no figure at all: st run refused its command line or its configuration
            raise RuntimeError(f"st run sent no request (exit {timed.returncode}):\n{timed.output[-2000:]}")
        entries = len(json.loads(har.read_text())["log"]["entries"]) if har.exists() else None
        shown = [arg if not arg.startswith("Authorization") else "Authorization: Bearer $KEY" for arg in command]
        return CliRun(shown, timed, counted, entries, workers)


@dataclass
class LoopRun:
    """The ceiling: back-to-back keep-alive POSTs of a cheap method from one httpx.Client."""

    requests: int
    seconds: float
    non_2xx: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def run_httpx_loop(count: int, time_limit: float, method: str = "businesses.list") -> LoopRun:
    """`count` POSTs (after 50 warm-up ones), stopping early at `time_limit` seconds."""
    with sandbox() as server, httpx.Client(base_url=server.base_url, timeout=10) as client:
        url = f"{API_PREFIX}{method}"
        headers = {**REPAIRER_HEADERS, TENANT_HEADER: "bench-loop", "Content-Type": "application/json"}
        for _ in range(50):
            client.post(url, content=b"{}", headers=headers)
        sent = non_2xx = 0
        start = time.perf_counter()
        while sent < count and time.perf_counter() - start < time_limit:
            non_2xx += not client.post(url, content=b"{}", headers=headers).is_success
            sent += 1
        return LoopRun(sent, time.perf_counter() - start, non_2xx)


CLEAN = "(none: clean control)"


def registered_faults() -> list[str]:
    """The sandbox's fault names, read from its registry (sandbox/faults.py) at run time; [] when it has none.

    Why tolerant of the registry's shape: it was written alongside the bench; a names() function, or a
    CATALOGUE / FAULTS / REGISTRY mapping (name -> fault) or sequence, are all accepted.
    """
    try:
        registry = importlib.import_module("sandbox.faults")
    except ModuleNotFoundError:
        return []
    for attr in ("names", "fault_names", "all_names"):
        if callable(getattr(registry, attr, None)):
            return [str(name) for name in getattr(registry, attr)()]
    for attr in ("CATALOGUE", "FAULTS", "REGISTRY", "ALL", "NAMES"):
        if (found := getattr(registry, attr, None)) is not None:
            return [name if isinstance(name, str) else str(getattr(name, "name", name)) for name in found]
    return []


def expected_breaks(fault: str) -> tuple[str, ...]:
    """The requirement ids the registry says `fault` breaks (empty when it does not say)."""
    with contextlib.suppress(ModuleNotFoundError):
        catalogue = getattr(importlib.import_module("sandbox.faults"), "CATALOGUE", {})
        if isinstance(catalogue, dict) and fault in catalogue:
            return tuple(getattr(catalogue[fault], "breaks", ()))
    return ()


@dataclass
class FaultRuns:
    """Every fault's run, plus a clean control run under the same concurrency."""

    control: SuiteRun | None
    runs: list[SuiteRun] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)  # the time budget ran out before they started


def run_faults(faults: Sequence[str], seed: int, *, parallel: int, budget_s: float,
               progress: Callable[[str], None]) -> FaultRuns:
    """Each fault alone in its own sandbox, `parallel` at a time, with a clean control in the same pool.

    Jobs that have not started when `budget_s` is spent are skipped and listed, never run.
    """
    if not faults:
        return FaultRuns(None)
    deadline = time.monotonic() + budget_s

    def job(label: str, enabled: Sequence[str]) -> SuiteRun | None:
        if time.monotonic() > deadline:
            return None
        result = run_suite(label, seed, enabled)
        progress(f"  {label}: {result.outcome} in {result.timed.wall_s:.1f} s")
        return result

    labels = [CLEAN, *faults]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        results = list(pool.map(lambda label: job(label, [] if label == CLEAN else [label]), labels))
    done = dict(zip(labels, results, strict=True))
    return FaultRuns(done[CLEAN], [r for f in faults if (r := done[f])], [f for f in faults if done[f] is None])



@dataclass
class Cell:
    """One run of the suite or of `st run`, with one profile, `latency_ms` away."""

    profile: str
    latency_ms: float
    default: bool  # the suite at its own choice of concurrency, or st run with as many workers
    run: SuiteRun | CliRun

    @property
    def tool(self) -> str:
        return "suite" if isinstance(self.run, SuiteRun) else "st run"

    @property
    def in_flight(self) -> int:
        """Requests at once: the suite's concurrency (summary.json), st run's --workers."""
        if isinstance(self.run, CliRun):
            return self.run.workers
        return int(((self.run.summary or {}).get("concurrency") or {}).get("in_flight", 1))

    @property
    def processes(self) -> int:
        if isinstance(self.run, CliRun):
            return 1
        return int(((self.run.summary or {}).get("concurrency") or {}).get("processes", 1))

    @property
    def timed(self) -> Timed:
        return self.run.timed

    @property
    def server_requests(self) -> int:
        return self.run.server_requests or 0

    @property
    def per_second(self) -> float:
        return self.server_requests / self.timed.wall_s

    def describe(self) -> str:
        return (f"{self.tool} {self.profile} {self.latency_ms:g} ms, {self.in_flight} in flight: "
                f"{self.server_requests} requests in {self.timed.wall_s:.1f} s")


def latency_cells(profile: str, latency_ms: float, seed: int, progress: Callable[[str], None]) -> list[Cell]:
    """At one latency: the suite at its default concurrency and at 1, and `st run` with as many workers as
    each (one run each when the default is 1)."""

    def measured(cell: Cell) -> Cell:
        progress(f"  {cell.describe()}")
        return cell

    def suite(*extra: str) -> Cell:
        run = run_suite(f"{profile} {latency_ms:g} ms", seed, (), "--profile", profile, *extra, latency_ms=latency_ms)
        return measured(Cell(profile, latency_ms, not extra, run))

    def cli(workers: int, default: bool) -> Cell:
        return measured(Cell(profile, latency_ms, default,
                             run_schemathesis_cli(seed, workers=workers, profile=profile, latency_ms=latency_ms)))

    cells = [suite()]
    default = cells[0].in_flight
    if default != 1:
        cells.append(suite("--concurrency", "1"))
    cells.append(cli(default, True))
    if default != 1:
        cells.append(cli(1, False))
    return cells
