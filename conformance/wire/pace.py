"""How hard a run presses the target: how many requests a test keeps in flight at once (`--concurrency`),
in how many processes the tests run, and how many requests the run sends a second at most (`--max-rps`).

Why the default concurrency is sized by the target's round trip: against a remote target the suite would
otherwise spend most of its time waiting for replies, one after another. Enough requests in flight keep
the suite's own work (Hypothesis generating the next case, the judge reading the last reply) busy while
it waits: one, plus as many as fit in a round trip at the suite's own cost per request. On loopback that
is 1 (nothing to wait for), and it is always 1 for the embedded sandbox, which runs in the suite's own
interpreter (its work is the suite's work).

Why processes as well: a process's threads overlap the requests of one test (a generated test's cases, a
check's independent requests), but the hand-written checks are many short tests, each a round trip or a
few long, one after another; pytest-xdist workers run them side by side, and spread the generated
tests' CPU over the cores. A worker costs a few seconds of CPU to start and its own memory, so the run
starts one for every PER_PROCESS of concurrency (about one per 20 ms of round trip), at most
MAX_PROCESSES, and only when the user gave no `-n` of their own. The rate limit is shared out among them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from conformance import options
from conformance.wire.bounds import Bounds
from conformance.wire.transport import Transport, request_headers
from spec import wire

MAX_CONCURRENCY = 16
SUITE_COST_S = 0.005  # the suite's own work per request (generation, judging, evidence), measured on 2 cores
PER_PROCESS = 4  # of concurrency, per pytest-xdist worker the run starts itself
MAX_PROCESSES = 4
ROUND_TRIP_TIMEOUT_S = 5.0  # a round trip longer than this is no latency to size by: the target is not answering
ROUND_TRIPS = 3  # round trips timed (the first also opens the connection): the shortest is the latency
# the longest tests (node id prefixes), longest first: the stateful chains, the generated tests, the lifecycle
# walks, the one request that uploads 2 MiB
LONGEST = ("conformance/generated/test_stateful.py", "conformance/generated/test_generated.py",
           "conformance/checks/test_lifecycle.py", "conformance/checks/test_wire.py::test_large_body_is_a_client_error")
# How pytest-xdist hands out the tests, longest first: one or two at a time to whichever worker is free (the
# longest-first greedy schedule). By default `load` sends each worker a run of consecutive tests at the
# start, which would give one worker every long test.
MAX_SCHEDULE_CHUNK = 1
LATENCY_S = pytest.StashKey[float | None]()
CONCURRENCY = pytest.StashKey[int]()


@dataclass(frozen=True)
class Pace:
    concurrency: int = 1  # requests a test keeps in flight at once
    max_rps: float | None = None  # requests a second at most, in the whole run (None: no limit)
    processes: int = 1  # the pytest-xdist workers running the tests (1: the run is one process)
    latency_ms: float | None = None  # the round trip that sized the concurrency (None: given by --concurrency)

    @property
    def max_rps_per_process(self) -> float | None:
        return self.max_rps / self.processes if self.max_rps else None


def sized(latency_s: float | None) -> int:
    """The default concurrency for a target with this round trip (None: the embedded sandbox, or unknown)."""
    if latency_s is None:
        return 1
    return max(1, min(MAX_CONCURRENCY, 1 + round(latency_s / SUITE_COST_S)))


def processes_for(concurrency: int) -> int:
    return min(MAX_PROCESSES, math.ceil(concurrency / PER_PROCESS))


def longest_first(items: list[pytest.Item]) -> None:
    """Under pytest-xdist: the LONGEST tests first, then the other checks (each group in its order), so that no
    long test is left for last while the other workers idle."""
    def rank(item: pytest.Item) -> int:
        return next((n for n, prefix in enumerate(LONGEST) if item.nodeid.startswith(prefix)), len(LONGEST))

    items.sort(key=rank)


def round_trip(base_url: str, max_rps: float | None) -> float | None:
    """The target's round trip in seconds: the shortest of a few harmless requests (an unauthenticated
    businesses.list, which changes nothing) through the suite's own HTTP edge (a busy machine only ever
    adds to a round trip); None when unreachable."""
    transport = Transport(Bounds(timeout=ROUND_TRIP_TIMEOUT_S), max_rps=max_rps)
    url = base_url.rstrip("/") + wire.path("businesses.list")
    times = []
    try:
        for _ in range(ROUND_TRIPS):
            start = time.perf_counter()
            transport.request("POST", url, headers=request_headers(None, None), content=b"{}")
            times.append(time.perf_counter() - start)
    except httpx.HTTPError:
        return None
    finally:
        transport.close()
    return min(times)


def plan(config: pytest.Config, base_url: str | None) -> None:
    """In the controller, before pytest-xdist starts: size the concurrency (probing the target at `base_url`
    when it is `auto`; None, the embedded sandbox, is never probed) and, when the user gave no `-n`, the
    pytest-xdist workers."""
    concurrency = options.value(config, "concurrency")
    if concurrency is None:
        latency = round_trip(base_url, options.value(config, "max_rps")) if base_url else None
        config.stash[LATENCY_S] = latency
        concurrency = sized(latency)
    config.stash[CONCURRENCY] = concurrency
    schedule(config.option, concurrency)


def schedule(option: Any, concurrency: int) -> None:
    """pytest-xdist's options (`config.option`): the workers `concurrency` calls for when the user gave no `-n`,
    and the tests handed out one at a time (longest first) unless the user chose a --maxschedchunk."""
    chosen = getattr(option, "numprocesses", "unavailable")  # the attribute exists with pytest-xdist
    if chosen == "unavailable":
        return
    if chosen is None and not option.usepdb and processes_for(concurrency) > 1:
        workers = processes_for(concurrency)  # what `-n workers` means: --dist load --tx workers*popen
        option.numprocesses, option.dist, option.tx = workers, "load", ["popen"] * workers
    if option.maxschedchunk is None:
        option.maxschedchunk = MAX_SCHEDULE_CHUNK


def planned(config: pytest.Config) -> Pace:
    """The run's pace, as `plan` decided it."""
    latency = config.stash.get(LATENCY_S, None)
    return Pace(concurrency=config.stash.get(CONCURRENCY, 1), max_rps=options.value(config, "max_rps"),
                processes=getattr(config.option, "numprocesses", None) or 1,
                latency_ms=None if latency is None else round(latency * 1000, 1))
