"""The suite against a target that behaves like a remote deployment (bench/proxy.py in front of the sandbox):
the same verdict at every concurrency, a rate limit waited out, and findings that never stop generation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.proxy import Remote
from sandbox import create_app
from sandbox.server import running
from tests.suite_runner import SuiteRun, run_suite

pytestmark = pytest.mark.slow  # whole-suite runs in subprocesses: run with --run-slow

SEED = "2026"


def statuses(run: SuiteRun) -> dict[str, str]:
    return {r["id"]: r["status"] for r in run.summary["requirements"]}


@pytest.fixture
def remote() -> Iterator[tuple[Remote, str]]:
    """The sandbox 5 ms away: requests that are in flight together really overlap."""
    proxy = Remote(create_app(), latency_s=0.005)
    with running(proxy) as url:
        yield proxy, url


def test_the_verdict_does_not_depend_on_the_concurrency(remote: tuple[Remote, str], tmp_path: Path) -> None:
    _, url = remote
    one = run_suite(tmp_path / "one", "--base-url", url, "--concurrency", "1", "--hypothesis-seed", SEED)
    many = run_suite(tmp_path / "many", "--base-url", url, "--concurrency", "8", "--hypothesis-seed", SEED)
    assert one.returncode == 0 and many.returncode == 0, many.output[-3000:]
    assert one.summary["concurrency"]["in_flight"] == 1 and one.summary["concurrency"]["processes"] == 1
    assert many.summary["concurrency"]["in_flight"] == 8 and many.summary["concurrency"]["processes"] == 2
    assert statuses(many) == statuses(one)


def test_a_rate_limited_server_still_conforms(tmp_path: Path) -> None:
    """One request in ten is answered 429 with Retry-After: 1; each is waited out and sent again, none is a
    finding, and summary.json counts every retry."""
    proxy = Remote(create_app(), throttle_every=10, retry_after="1")
    with running(proxy) as url:
        run = run_suite(tmp_path, "--base-url", url, "--concurrency", "8", "--hypothesis-seed", SEED)
    assert run.returncode == 0, run.output[-3000:]
    assert run.failed() == set() and run.warned() == set()
    politeness = run.summary["politeness"]
    assert politeness["retries"] == proxy.throttled > 100
    assert politeness["waited_s"] == pytest.approx(proxy.throttled, abs=1)
    assert f"{proxy.throttled} retries after Retry-After" in run.output


def test_findings_never_stop_generation(tmp_path: Path) -> None:
    """Against a server whose every job lacks `images` (SCHEMA-001 on each reply of repairer.jobs.insert), the
    generated test still sends its whole budget, counted at the server, and reports that finding once."""
    test = "test_generated and repairer.jobs.insert"  # the generated test of that method alone
    sent = {}
    for label, faults in (("clean", ()), ("faulty", ("job-images-dropped",))):
        proxy = Remote(create_app(faults=faults))
        with running(proxy) as url:
            run = run_suite(tmp_path / label, "-k", test, "--base-url", url, "--concurrency", "1",
                            "--hypothesis-seed", SEED)
        sent[label] = proxy.requests
        if label == "faulty":
            assert run.returncode == 1, run.output[-3000:]
            failures = next(r for r in run.summary["requirements"] if r["id"] == "SCHEMA-001")["failures"]
            assert len(failures) == 1 and "images" in failures[0]["message"], failures
    assert sent["faulty"] == sent["clean"] > 50
