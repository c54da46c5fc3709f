"""How hard a run presses the target: how many requests it keeps in flight at once (`--concurrency`), in
how many processes, and how many it sends a second at most (`--max-rps`).

Why the default concurrency is sized by the target's round trip: against a remote target the suite would
otherwise spend most of its time waiting for replies, one after another. Enough requests in flight keep
the suite's own work (generating cases, judging replies) busy while it waits: one, plus as many as fit in
a round trip at the suite's own cost per request. On loopback that is 1 (nothing to wait for), and it is
always 1 for the embedded sandbox, which runs in the suite's own interpreter.

Why processes as well as threads: a process's threads overlap the requests of one test (a generated
test's cases, a check's independent requests), but the hand-written checks are many short tests, each a
few requests long, one after another; pytest-xdist workers run them side by side. A worker costs a few
seconds of CPU to start and its own memory, so the run uses one per PER_PROCESS requests in flight, at
most MAX_PROCESSES, and only when the user chose no `-n` of their own. The concurrency and the rate are
shared out among the workers.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass

import httpx
import pytest

from conformance import options
from conformance.transport import Transport, request_headers
from contract import wire

MAX_CONCURRENCY = 16
SUITE_COST_S = 0.005  # the suite's own work per request (generation, judging, evidence), measured on 2 cores
PER_PROCESS = 4  # requests in flight per pytest-xdist worker, when the run chooses the workers itself
MAX_PROCESSES = 4
PROBES = 3  # round trips timed (the first also opens the connection): their median is the latency
LATENCY_S = pytest.StashKey[float | None]()
CONCURRENCY = pytest.StashKey[int]()


@dataclass(frozen=True)
class Pace:
    concurrency: int = 1  # requests in flight at once, in the whole run
    max_rps: float | None = None  # requests a second at most, in the whole run (None: no limit)
    processes: int = 1  # the pytest-xdist workers that share them (1: the run is one process)
    latency_ms: float | None = None  # the round trip that sized the concurrency (None: given by --concurrency)

    @property
    def concurrency_per_process(self) -> int:
        return max(1, math.ceil(self.concurrency / self.processes))

    @property
    def max_rps_per_process(self) -> float | None:
        return self.max_rps / self.processes if self.max_rps else None


def sized(latency_s: float | None) -> int:
    """The default concurrency for a target with this round trip (None: the embedded sandbox, or unknown)."""
    if latency_s is None:
        return 1
    return max(1, min(MAX_CONCURRENCY, 1 + round(latency_s / SUITE_COST_S)))


def processes_for(concurrency: int) -> int:
    return max(1, min(MAX_PROCESSES, concurrency // PER_PROCESS))


def probe(base_url: str, max_rps: float | None) -> float | None:
    """The target's round trip in seconds: the median of a few harmless requests (an unauthenticated
    businesses.list, which changes nothing), through the suite's own HTTP edge; None when unreachable."""
    transport = Transport(timeout=5.0, max_rps=max_rps)
    url = base_url.rstrip("/") + wire.path("businesses.list")
    times = []
    try:
        for _ in range(PROBES):
            start = time.perf_counter()
            transport.request("POST", url, headers=request_headers(None, None), content=b"{}")
            times.append(time.perf_counter() - start)
    except httpx.HTTPError:
        return None
    finally:
        transport.close()
    return statistics.median(times)


def plan(config: pytest.Config) -> None:
    """In the controller, before pytest-xdist starts: size the concurrency (probing a remote target when it
    is `auto`) and, when the user gave no `-n`, the pytest-xdist workers that carry it."""
    concurrency = options.value(config, "concurrency")
    base_url = config.getoption("base_url", None) or config.getini("base_url")
    if concurrency is None:
        latency = probe(base_url, options.value(config, "max_rps")) if base_url else None
        config.stash[LATENCY_S] = latency
        concurrency = sized(latency)
    config.stash[CONCURRENCY] = concurrency
    chosen = getattr(config.option, "numprocesses", "unavailable")  # the attribute exists with pytest-xdist
    if chosen is None and not config.getoption("usepdb") and processes_for(concurrency) > 1:
        workers = processes_for(concurrency)  # what `-n workers` means: --dist load --tx workers*popen
        config.option.numprocesses, config.option.dist, config.option.tx = workers, "load", ["popen"] * workers


def planned(config: pytest.Config) -> Pace:
    """The run's pace, as `plan` decided it."""
    latency = config.stash.get(LATENCY_S, None)
    return Pace(concurrency=config.stash.get(CONCURRENCY, 1), max_rps=options.value(config, "max_rps"),
                processes=getattr(config.option, "numprocesses", None) or 1,
                latency_ms=None if latency is None else round(latency * 1000, 1))
