"""Runs the conformance suite in a subprocess, the way a user does, and reads what it wrote: its summary.json
always against the schema, so that every whole-suite test checks the one description of its shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SUMMARY_SCHEMA = json.loads((ROOT / "conformance" / "report" / "summary.schema.json").read_text())
SUMMARY_VALIDATOR = jsonschema.Draft202012Validator(SUMMARY_SCHEMA)


def validated(summary: dict[str, Any]) -> dict[str, Any]:
    """`summary` once the schema accepts it (else jsonschema.ValidationError)."""
    SUMMARY_VALIDATOR.validate(summary)
    return summary


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    output: str  # stdout and stderr together
    reports: Path
    seconds: float = 0.0  # wall time of the run
    peak_rss_mb: float = 0.0  # the suite process's peak resident memory (its own workers' included)

    @property
    def summary(self) -> dict[str, Any]:
        return validated(json.loads((self.reports / "summary.json").read_text()))

    def status(self, requirement_id: str) -> str:
        return next(r["status"] for r in self.summary["requirements"] if r["id"] == requirement_id)

    def failed(self) -> set[str]:
        return {r["id"] for r in self.summary["requirements"] if r["status"] == "failed"}

    def warned(self) -> set[str]:
        return {r["id"] for r in self.summary["requirements"] if r["status"] == "warned"}


def environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the suite's, pytest's and the sandbox's variables, plus `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CONFORMANCE_", "PYTEST_", "RAILS_SANDBOX_"))}
    return {**clean, **(env or {})}


def run_suite(reports: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> SuiteRun:
    """`python -m pytest conformance <args>` from the repository root, reports into `reports`.

    The suite's path is explicit: a run of the project's tests must never collect the project's tests again."""
    command = [sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider",
               f"--reports-dir={reports}", *args]
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment(env), stdout=output, stderr=subprocess.STDOUT)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        peak = PeakMemory(process.pid)
        peak.start()
        process.wait()
        killer.cancel()
        peak.join()
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    seconds = time.monotonic() - started
    if seconds >= timeout:
        raise subprocess.TimeoutExpired(command, timeout, text)
    return SuiteRun(process.returncode, text, reports, seconds, peak.mb)


class PeakMemory(threading.Thread):
    """The largest summed peak resident memory (VmHWM) of a process and its children while it runs, sampled.

    Not the rusage of wait4: Linux carries the parent's resident size over the fork into the child's maxrss,
    so every child of a large test process would report the test process's size."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s, self.mb = pid, every_s, 0.0

    def run(self) -> None:
        while os.path.exists(f"/proc/{self.pid}") and not _zombie(self.pid):
            pids = [self.pid, *_children(self.pid)]
            self.mb = max(self.mb, sum(_hwm_kb(pid) for pid in pids) / 1024)
            time.sleep(self.every_s)


def _status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return ""


def _zombie(pid: int) -> bool:
    return "\nState:\tZ" in _status(pid)


def _hwm_kb(pid: int) -> int:
    line = next((line for line in _status(pid).splitlines() if line.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()]
    except OSError:
        return []


def publish(text: str, path: Path, config: pytest.Config) -> None:
    """Write a matrix of suite runs to `path` and print it past pytest's output capture."""
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    with config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print("\n" + text + f"(written to {path.relative_to(ROOT)})")
