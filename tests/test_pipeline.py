"""Requests in flight at once: the senders keep each test's findings its own, and the pace is sized sensibly."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from conformance.verdict import findings
from conformance.verdict.findings import Finding
from conformance.wire import pace
from conformance.wire.pipeline import Pipeline, draining


def test_background_work_is_done_in_the_tests_record_before_the_call_ends() -> None:
    record = findings.start()
    pipeline = Pipeline(4)
    threads: set[str] = set()

    def work(n: int) -> None:
        time.sleep(0.01)
        threads.add(threading.current_thread().name)
        findings.current().add(Finding("WIRE-001", f"answered 500 ({n})", kind="m: answered 500"))
        findings.current().add(Finding("WIRE-002", f"not JSON ({n})"))

    with draining():
        for n in range(20):
            pipeline.submit(work, n)
    pipeline.close()
    assert len(threads) > 1 and not any(name == threading.current_thread().name for name in threads)
    assert sum(f.requirement == "WIRE-001" for f in record.findings) == 1  # one kind, reported once
    assert sum(f.requirement == "WIRE-002" for f in record.findings) == 20  # no kind: each message counts


def test_a_background_error_fails_the_call_after_the_rest_is_done() -> None:
    pipeline = Pipeline(2)
    done: list[int] = []

    def work(n: int) -> None:
        if n == 0:
            raise ConnectionError("refused")
        time.sleep(0.01)
        done.append(n)

    with pytest.raises(ConnectionError), draining():
        for n in range(5):
            pipeline.submit(work, n)
    pipeline.close()
    assert sorted(done) == [1, 2, 3, 4]


def test_concurrency_one_sends_at_once_on_the_tests_thread() -> None:
    pipeline = Pipeline(1)
    order: list[str] = []
    with draining():
        pipeline.submit(lambda: order.append(threading.current_thread().name))
        order.append("after")
    assert order == [threading.current_thread().name, "after"]
    assert pipeline.map(lambda n: n * 2, [1, 2, 3]) == [2, 4, 6]


def test_map_keeps_the_order_of_its_items() -> None:
    pipeline = Pipeline(4)
    assert pipeline.map(lambda n: (time.sleep(0.01 * (5 - n)), n)[1], range(5)) == [0, 1, 2, 3, 4]
    pipeline.close()


@pytest.mark.parametrize(("latency", "concurrency", "processes"), [
    (None, 1, 1),  # the embedded sandbox, or an unreachable target
    (0.002, 1, 1),  # loopback: nothing to wait for
    (0.02, 5, 2),
    (0.05, 11, 3),
    (0.2, pace.MAX_CONCURRENCY, pace.MAX_PROCESSES),
])
def test_the_default_concurrency_grows_with_the_round_trip(latency: float | None, concurrency: int,
                                                          processes: int) -> None:
    assert pace.sized(latency) == concurrency
    assert pace.processes_for(concurrency) == processes


def test_the_rate_is_shared_out_among_processes() -> None:
    assert pace.Pace(concurrency=11, max_rps=10.0, processes=3).max_rps_per_process == pytest.approx(10 / 3)
    assert pace.Pace().max_rps_per_process is None


def xdist_options(**given: object) -> SimpleNamespace:
    """pytest-xdist's options as the command line leaves them (nothing given: no -n, no --maxschedchunk)."""
    return SimpleNamespace(**{"numprocesses": None, "dist": "no", "tx": [], "maxschedchunk": None,
                              "usepdb": False, **given})


def test_a_remote_target_gets_workers_handed_one_test_at_a_time() -> None:
    option = xdist_options()
    pace.schedule(option, 11)
    assert (option.numprocesses, option.dist, option.tx) == (3, "load", ["popen"] * 3)
    assert option.maxschedchunk == pace.MAX_SCHEDULE_CHUNK


def test_the_users_own_xdist_options_are_kept() -> None:
    option = xdist_options(numprocesses=2, maxschedchunk=8)
    pace.schedule(option, 16)
    assert (option.numprocesses, option.tx, option.maxschedchunk) == (2, [], 8)
    loopback = xdist_options()
    pace.schedule(loopback, 1)
    assert (loopback.numprocesses, loopback.dist) == (None, "no")
    without_xdist = SimpleNamespace(usepdb=False)
    pace.schedule(without_xdist, 16)
    assert vars(without_xdist) == {"usepdb": False}


def test_the_longest_tests_are_handed_out_first() -> None:
    ids = ["conformance/checks/test_auth.py::test_a",
           "conformance/checks/test_wire.py::test_large_body_is_a_client_error",
           "conformance/generated/test_generated.py::test_b",
           "conformance/checks/test_lifecycle.py::test_c",
           "conformance/generated/test_stateful.py::test_linked_chains",
           "conformance/generated/test_generated.py::test_a"]
    items = [SimpleNamespace(nodeid=nodeid) for nodeid in ids]
    pace.longest_first(items)  # type: ignore[arg-type]
    assert [item.nodeid for item in items] == [ids[4], ids[2], ids[5], ids[3], ids[1], ids[0]]
