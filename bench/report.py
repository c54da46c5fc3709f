"""The bench's markdown: every figure next to its ratio to a baseline measured in the same run."""

from __future__ import annotations

import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import schemathesis
from measure import Cell, CliRun, FaultRuns, LoopRun, SuiteRun, expected_breaks, st_executable, suite_command
from processes import ROOT


@dataclass
class Results:
    loop: LoopRun
    cli: CliRun
    suite: SuiteRun
    faults: FaultRuns
    faults_source: str  # where the fault list came from
    seed: int
    quick: bool
    parallel: int
    cells: list[Cell]  # the suite and st run at each latency (bench/proxy.py)


def ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}" if value is not None and base else "n/a"


def num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def shown(command: Sequence[str]) -> str:
    """A command as a reader would type it: no absolute paths, scratch directories as <tmp>."""
    text = shlex.join(command).replace(sys.executable, "python").replace(st_executable(), "st")
    text = text.replace(f"{ROOT}/", "").replace(f"{ROOT}", ".")
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    return re.sub(r"/tmp/bench-[^/ ']+", "<tmp>", text)


def machine() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "sandbox", "conformance"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores (nproc), load average (1, 5, 15 min) at the end {load}, "
            f"{platform.machine()}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, schemathesis {schemathesis.__version__}, "
            f"suite at commit {commit.stdout.strip() or 'unknown'}"
            + (" plus uncommitted changes in sandbox/ or conformance/" if dirty else ""))


def headline(r: Results) -> list[str]:
    """The few ratios worth quoting."""
    ceiling = r.loop.per_second
    suite_rps = (r.suite.server_requests or 0) / r.suite.timed.wall_s
    cli_rps = r.cli.server_requests / r.cli.timed.wall_s
    lines = [
        *targets(r),
        f"on loopback the suite (quick profile) sends {ratio(suite_rps, ceiling)} of the raw httpx ceiling's "
        f"requests/s ({num(suite_rps)} vs {num(ceiling)}); `st run` sends {ratio(cli_rps, ceiling)} ({num(cli_rps)})",
        f"the suite's wall time is {ratio(r.suite.timed.wall_s, r.cli.timed.wall_s)} x `st run`'s "
        f"({num(r.suite.timed.wall_s)} s vs {num(r.cli.timed.wall_s)} s) for "
        f"{ratio(r.suite.server_requests, r.cli.server_requests)} x its requests",
    ]
    runs, control = r.faults.runs, r.faults.control
    if runs and control:
        outcomes = [run.outcome for run in runs]
        base = control.timed.wall_s
        wall = statistics.median(run.timed.wall_s for run in runs)
        firsts = [f for run in runs if (f := run.first_finding_s) is not None]
        first = statistics.median(firsts) if firsts else None
        lines.append(f"faults detected: {sum(run.detected for run in runs)}/{len(runs)} ({outcomes.count('fail')} "
                     f"fail the run on a MUST, {outcomes.count('warned')} warned on a SHOULD only, "
                     f"{outcomes.count('unusable')} unusable target); a verdict after {ratio(wall, base)} x the clean "
                     f"run's wall time (median), the first finding after {ratio(first, base)} x (median)")
    return lines


def throughput_table(r: Results) -> list[str]:
    ceiling = r.loop.per_second
    st_wall = r.cli.timed.wall_s
    rows = [
        ("raw httpx keep-alive loop (`businesses.list`), the ceiling", r.loop.seconds, r.loop.requests),
        ("schemathesis CLI `st run`", st_wall, r.cli.server_requests),
        ("conformance suite, quick profile", r.suite.timed.wall_s, r.suite.server_requests),
    ]
    lines = ["| what | wall time (s) | requests (server-counted) | requests/s | ÷ httpx ceiling | wall ÷ `st run` |",
             "|---|---:|---:|---:|---:|---:|"]
    for label, wall, count in rows:
        rps = (count or 0) / wall
        lines.append(f"| {label} | {num(wall)} | {count:,} | {num(rps)} | {ratio(rps, ceiling)} | "
                     f"{ratio(wall, st_wall) if 'loop' not in label else '-'} |")
    suite_rps = (r.suite.requests or 0) / (r.suite.duration_s or 1)
    verdict = r.suite.summary["verdict"] if r.suite.summary else "no summary"
    har = r.cli.har_entries if r.cli.har_entries is not None else "n/a"
    lines += ["", f"The suite's own figures (summary.json): {r.suite.requests:,} requests in "
              f"{num(r.suite.duration_s)} s of session time = {num(suite_rps)} requests/s "
              f"({ratio(suite_rps, ceiling)} of the ceiling); the rest of its wall time is interpreter start, "
              f"collection and report writing. Verdict against the clean sandbox: {verdict}. "
              f"`st run` recorded {har} HAR entries (exit code {r.cli.timed.returncode})."]
    return lines


def find(cells: list[Cell], tool: str, profile: str, latency_ms: float, *, default: bool | None = None,
         in_flight: int | None = None) -> Cell | None:
    return next((c for c in cells if (c.tool, c.profile, c.latency_ms) == (tool, profile, latency_ms)
                 and (default is None or c.default == default) and (in_flight is None or c.in_flight == in_flight)),
                None)


def peer(cells: list[Cell], cell: Cell) -> Cell | None:
    """The other tool's run with the same profile, latency and requests in flight."""
    other = "st run" if cell.tool == "suite" else "suite"
    return find(cells, other, cell.profile, cell.latency_ms, in_flight=cell.in_flight)


def latency_table(r: Results) -> list[str]:
    lines = ["| profile | latency (ms) | tool | requests in flight | processes | wall time (s) | ÷ same at 0 ms | "
             "requests (server-counted) | requests/s | suite ÷ `st run` (requests/s, same in flight) | "
             "peak RSS (MB) | CPU (s) |", "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in r.cells:
        base = find(r.cells, c.tool, c.profile, 0.0, in_flight=c.in_flight) or (
            find(r.cells, c.tool, c.profile, 0.0, default=True) if c.default else None)
        other = peer(r.cells, c)
        versus = "-" if c.tool != "suite" or other is None else ratio(c.per_second, other.per_second)
        label = f"{c.tool} (default)" if c.tool == "suite" and c.default else c.tool
        lines.append(f"| {c.profile} | {c.latency_ms:g} | {label} | {c.in_flight} | {c.processes} | "
                     f"{num(c.timed.wall_s)} | {ratio(c.timed.wall_s, base.timed.wall_s) if base else '-'} | "
                     f"{c.server_requests:,} | {num(c.per_second)} | {versus} | {num(c.timed.peak_rss_mb, 0)} | "
                     f"{num(c.timed.cpu_s)} |")
    return lines


def targets(r: Results) -> list[str]:
    """The issue's done-when figures, each from this run, each with its target."""
    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines = []
    fast, slow = (find(r.cells, "suite", "quick", ms, default=True) for ms in (0.0, 50.0))
    if fast and slow:
        wall = slow.timed.wall_s
        times = wall / fast.timed.wall_s
        lines.append(f"quick profile at 50 ms: {num(wall)} s = {times:.2f} x the same run at 0 ms "
                     f"({num(fast.timed.wall_s)} s): <= 2 x {mark(times <= 2)}, <= 20 s {mark(wall <= 20)}")
    nightly = find(r.cells, "suite", "nightly", 50.0, default=True)
    if nightly:
        lines.append(f"nightly profile at 50 ms: {num(nightly.timed.wall_s)} s ({nightly.server_requests:,} requests): "
                     f"<= 240 s {mark(nightly.timed.wall_s <= 240)}")
    # at the suite's own concurrency: at 1 in flight away from loopback both tools wait out one round trip
    # per request, and neither can send more than 1/latency requests a second
    for c in (c for c in r.cells if c.tool == "suite" and c.default and c.latency_ms in (0.0, 50.0)):
        other = peer(r.cells, c)
        if other:
            times = c.per_second / other.per_second
            lines.append(f"{c.profile} at {c.latency_ms:g} ms, {c.in_flight} in flight: the suite sends "
                         f"{times:.2f} x `st run`'s requests/s ({num(c.per_second)} vs {num(other.per_second)}): "
                         f">= 1.5 x {mark(times >= 1.5)}")
    return lines


def fault_table(r: Results) -> list[str]:
    control = r.faults.control
    if control is None:
        return [f"No fault was timed: {r.faults_source}."]
    base = control.timed.wall_s
    lines = [f"Faults from {r.faults_source}; run {r.parallel} at a time, each in its own sandbox, with a clean "
             "control run in the same pool (so every ratio compares runs under the same load).", "",
             "| fault | outcome | exit | wall time (s) | ÷ clean | first finding (s) | ÷ clean wall | "
             "requirements failed (warned) | expected (registry) |", "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for run in [control, *r.faults.runs]:
        found = ", ".join([*run.requirements_with("failed"), *[f"({w})" for w in run.requirements_with("warned")]])
        expected = ", ".join(expected_breaks(run.label)) or "-"
        outcome = run.outcome if run is control or run.detected else "**not detected**"
        lines.append(f"| {run.label} | {outcome} | {run.timed.returncode} | {num(run.timed.wall_s)} | "
                     f"{ratio(run.timed.wall_s, base)} | {num(run.first_finding_s)} | "
                     f"{ratio(run.first_finding_s, base)} | {found or '-'} | {expected} |")
    if r.faults.not_run:
        lines += ["", f"Not run (time budget spent): {', '.join(r.faults.not_run)}."]
    return lines


TRANSPORT_MATRIX = ROOT / "reports" / "transport-matrix.md"  # written by tests/test_transport_faults.py


def transport_section() -> list[str]:
    """The transport-fault matrix as its last test run wrote it: it runs the suite against a hostile server for
    minutes a row, so the bench carries it over instead of measuring it again."""
    if not TRANSPORT_MATRIX.is_file():
        return ["Not measured: run `pytest tests/test_transport_faults.py --run-slow` before `bench/run.py`."]
    body = TRANSPORT_MATRIX.read_text().split("\n", 1)[1].strip()  # without its own title
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(TRANSPORT_MATRIX.stat().st_mtime))
    return [f"From `pytest tests/test_transport_faults.py --run-slow` (reports/transport-matrix.md, written {stamp} "
            "on this machine); each row asserts its exit code, its message, at most 150 s and at most 400 MB of "
            "peak RSS of the suite process.", "", body]


def markdown(r: Results) -> str:
    suite_cmd = shown(suite_command("http://127.0.0.1:PORT", ROOT / "<tmp>/reports", r.seed))
    parts = [
        "# Benchmarks", "",
        "Written by `python bench/run.py" + (" --quick" if r.quick else "") + "`; every figure comes from one run "
        "on one machine, and every ratio is to a baseline measured in that same run.", "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: {machine()}",
        f"- seed: {r.seed} (the suite's `--hypothesis-seed`, `st run --seed`)", "",
        "## Headline", "", *[f"- {line}" for line in headline(r)], "",
        "## Against a remote target", "",
        "The sandbox behind `bench/proxy.py`, which holds every response `latency` ms (a round trip to a distant "
        "deployment). The suite at its default concurrency (sized by the round trip it measures) and at 1, each "
        "beside `st run` with as many workers as the suite has requests in flight (the headline's first lines "
        "compare them, at the suite's default concurrency: at 1 in flight both tools wait out one round trip per "
        "request, so neither can send more than 1/latency requests a second).", "", *latency_table(r), "",
        "## Throughput (loopback)", "", *throughput_table(r), "",
        "## Time to detect each injected fault", "", *fault_table(r), "",
        "## Transport-fault matrix", "", *transport_section(), "",
        "## How each figure was measured", "",
        "- **Sandbox**: every measurement starts its own sandbox subprocess on a free loopback port: "
        "`python bench/counting_sandbox.py --port PORT [--fault NAME]`, which is `python -m sandbox` (same "
        "arguments, same `create_app`, same uvicorn serving) wrapped in an ASGI middleware that counts every "
        "HTTP request it receives. *Requests* in the throughput table are that count, the same way for all tools.",
        f"- **Suite**: `{suite_cmd}`, from a scratch working directory (an empty Hypothesis example database, "
        "no replay of earlier runs). Wall time: process start to exit. Every tool starts as on a user's second "
        "run: one unmeasured warm-up run of the suite and of `st run` first, Python's bytecode cache on "
        "(PYTHONDONTWRITEBYTECODE unset), and Hypothesis's caches (`.hypothesis/unicode_data` and `constants`, "
        "about 2 s of CPU and 170 MB when missing, in every process that uses Hypothesis) shared by all runs.",
        f"- **`st run`**: `{shown(r.cli.command)}`, from a scratch directory. Requests: the server's count during "
        "the run (the HAR entries are shown as a cross-check). st run takes one header set for all operations, "
        "so it calls the supplier methods as the repairer, where the suite uses each method's role; the suite also "
        "runs its hand-written checks, which st has no counterpart for.",
        f"- **httpx ceiling**: one `httpx.Client` (keep-alive) in the bench process, 50 warm-up POSTs, then up to "
        f"{r.loop.requests:,} back-to-back POSTs of `businesses.list` (`{{}}`) as the demo repairer in one tenant, "
        f"bounded by count and time; {r.loop.non_2xx} answered other than 2xx.",
        "- **Latency**: `counting_sandbox.py --latency-ms L` puts the sandbox behind `bench/proxy.py`, an ASGI "
        "middleware that awaits L ms before every response (concurrent requests wait side by side, as on a "
        "network). The suite runs as above plus `--profile P` (and `--concurrency 1` for the row at 1); `st run` "
        "as above with `--workers N` and the profile's `--max-examples`. *÷ same at 0 ms*: the same tool, profile "
        "and concurrency on loopback. *CPU*: user + system seconds of the command and every child it waited for "
        "(wait4). *Peak RSS*: every 100 ms the resident set sizes of every process in the command's session "
        "(a pytest-xdist run's workers included) are summed from /proc; the largest sum.",
        "- **Faults**: for each fault, the suite command above against a sandbox started with `--fault NAME`. "
        "*outcome*: `fail` (a MUST finding fails the run), `unusable` (exit 4), `warned` (only SHOULD findings: "
        "by design these never fail a run), `pass` (not detected). *first finding*: when the first `F`, `E` or `W` "
        "appeared in pytest's progress output (streamed unbuffered, timestamped as it arrived); the run itself "
        "goes on to the end (no `-x`), so *wall time* is the time to the full verdict.",
        "",
    ]
    return "\n".join(parts)
