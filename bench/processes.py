"""Processes the bench starts: a counting sandbox per measurement, and timed, bounded commands.

Why every process gets its own session and a hard deadline: the bench must leave nothing running and
must end in bounded time, even when a tool hangs or a fault makes the sandbox misbehave. The session is
also what the memory figure measures: the peak, over samples every RSS_SAMPLE_S, of the summed resident
set sizes of every process in it (a pytest-xdist run's workers included), read from /proc.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
COUNTING_SANDBOX = BENCH / "counting_sandbox.py"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the suite's or the sandbox's own settings, so only the command line counts, and
    with Python's bytecode cache on (as by default; a user's second run reads it)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CONFORMANCE_", "PYTEST_", "RAILS_SANDBOX_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


HYPOTHESIS_CACHES = ("unicode_data", "constants")  # in .hypothesis/, beside (not part of) the example database


@contextlib.contextmanager
def scratch(prefix: str, caches: Path) -> Iterator[Path]:
    """A scratch working directory: an empty Hypothesis example database, so no run replays another's cases,
    but Hypothesis's caches (its unicode tables, the constants it reads from source) shared through `caches`,
    so that after one warm-up run every run finds them as a user's second run in a project does."""
    with tempfile.TemporaryDirectory(prefix=prefix) as directory:
        (Path(directory) / ".hypothesis").mkdir()
        for cache in HYPOTHESIS_CACHES:
            (caches / cache).mkdir(parents=True, exist_ok=True)
            (Path(directory) / ".hypothesis" / cache).symlink_to(caches / cache, target_is_directory=True)
        yield Path(directory)


def stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Terminate a process we started (its own session), then kill it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


@dataclass
class Sandbox:
    """A counting sandbox subprocess on a free loopback port."""

    base_url: str
    process: subprocess.Popen[bytes]

    def requests(self) -> int:
        """How many HTTP requests it has received so far."""
        return int(httpx.get(f"{self.base_url}/__bench/requests", timeout=5).json()["requests"])


@contextlib.contextmanager
def sandbox(faults: Sequence[str] = (), latency_ms: float = 0.0, startup_timeout: float = 20.0) -> Iterator[Sandbox]:
    """Start the sandbox with `faults`, `latency_ms` away (bench/proxy.py), wait until it answers its health
    check, stop it on exit."""
    port = free_port()
    command = [sys.executable, str(COUNTING_SANDBOX), "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--latency-ms", str(latency_ms),
               *[arg for fault in faults for arg in ("--fault", fault)]]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=clean_env(), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base_url, process, startup_timeout, log)
            yield Sandbox(base_url, process)
        finally:
            stop(process)


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float, log: IO[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"sandbox exited ({process.returncode}): {log.read().decode()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/__sandbox/health", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"sandbox at {base_url} did not answer within {timeout} s")


@dataclass
class Timed:
    """A finished command: exit code, wall time, CPU time, peak memory, and its output with the time each
    chunk arrived."""

    returncode: int | None  # None: killed at the deadline
    wall_s: float
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    cpu_s: float | None = None  # user + system, of the command and every child it waited for
    peak_rss_mb: float | None = None  # the peak of its session's summed RSS (see the module docstring)

    @property
    def raw(self) -> bytes:
        return b"".join(chunk for _, chunk in self.chunks)

    @property
    def output(self) -> str:
        return self.raw.decode(errors="replace")

    def time_at(self, offset: int) -> float:
        """When the output byte at `offset` arrived (seconds since start)."""
        seen = 0
        for at, chunk in self.chunks:
            seen += len(chunk)
            if offset < seen:
                return at
        return self.wall_s


RSS_SAMPLE_S = 0.1
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def session_rss_bytes(session: int) -> int:
    """The summed resident set size of every process in `session` (from /proc/PID/stat: session, rss)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # fields after "(comm)": state ppid pgrp session ... (rss is the 22nd)
            total += int(fields[21]) * PAGE_BYTES
    return total


def run_timed(command: Sequence[str], *, cwd: Path, env: dict[str, str], timeout: float) -> Timed:
    """Run `command` to completion or `timeout`, timestamping its combined output as it streams, sampling
    its session's memory, and taking its CPU time from the kernel when it is reaped (wait4)."""
    start = time.monotonic()
    process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    assert process.stdout is not None
    chunks: list[tuple[float, bytes]] = []
    peak = 0
    returncode: int | None = None
    cpu: float | None = None

    def read(wait: float) -> bool:
        """Take what output has arrived within `wait` seconds; False once the output is closed."""
        if not selector.select(timeout=wait):
            return True
        data = os.read(process.stdout.fileno(), 65536)
        if data:
            chunks.append((time.monotonic() - start, data))
        return bool(data)

    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            output_open = True
            while (left := start + timeout - time.monotonic()) > 0:
                peak = max(peak, session_rss_bytes(process.pid))
                if output_open:
                    output_open = read(min(left, RSS_SAMPLE_S))
                else:
                    time.sleep(min(left, RSS_SAMPLE_S))
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    process.returncode = returncode = os.waitstatus_to_exitcode(status)
                    cpu = usage.ru_utime + usage.ru_stime
                    while output_open and selector.select(timeout=0):
                        output_open = read(0)
                    break
    finally:
        stop(process)
        process.stdout.close()
    return Timed(returncode, time.monotonic() - start, chunks, cpu, peak / 2**20 if peak else None)
