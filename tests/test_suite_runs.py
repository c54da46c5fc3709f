"""The suite as a user runs it: a clean verdict on the sandbox, clear stops on an unusable target."""

from __future__ import annotations

import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conformance.requirements.catalogue import WEBHOOKS
from sandbox import create_app
from sandbox.seams import TENANTS_VARIABLE
from sandbox.server import running
from tests.independent_server import serve_in_thread
from tests.suite_runner import ROOT, SuiteRun, environment, run_suite

USAGE_ERROR = 4


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_sandbox_conforms(clean_run: SuiteRun) -> None:
    summary = clean_run.summary
    assert clean_run.returncode == 0, clean_run.output[-3000:]
    assert summary["verdict"] == "pass"
    assert clean_run.failed() == set() and clean_run.warned() == set(), clean_run.output[-3000:]
    must = [r for r in summary["requirements"] if r["level"] == "MUST"]
    assert all(r["status"] == "passed" for r in must), [r["id"] for r in must if r["status"] != "passed"]
    assert all(m["succeeded"] for m in summary["methods"]) and len(summary["methods"]) == 17
    assert summary["checked"] == f"checked {len(must)} of {len(must)} MUSTs"
    assert f"verdict: CONFORMS, checked {len(must)} of {len(must)} MUSTs" in clean_run.output


def test_the_run_ends_with_one_line_per_level(clean_run: SuiteRun) -> None:
    lines = [line for line in clean_run.output.splitlines() if line.startswith(("MUST:", "SHOULD:"))]
    assert [line.split(":")[0] for line in lines] == ["MUST", "SHOULD"]


def test_an_unreachable_target_is_one_clear_message(tmp_path: Path) -> None:
    result = run_suite(tmp_path, "--base-url", f"http://127.0.0.1:{closed_port()}")
    assert result.returncode == USAGE_ERROR
    assert "unreachable" in result.output and "FAILED" not in result.output
    assert not (tmp_path / "summary.json").exists()


def test_rejected_credentials_are_one_clear_message(tmp_path: Path) -> None:
    result = run_suite(tmp_path, env={"CONFORMANCE_REPAIRER_KEY": "partly_" + "0" * 32})
    assert result.returncode == USAGE_ERROR
    assert "rejected the repairer credentials" in result.output and "FAILED" not in result.output
    assert "0" * 32 not in result.output  # the rejected key is itself a secret


def test_the_base_url_ini_value_names_the_target(tmp_path: Path) -> None:
    """pytest-base-url's ini value is a base URL like --base-url: the run checks that server (and sizes its pace
    by it), never an embedded sandbox beside it."""
    with running(create_app()) as url:
        result = run_suite(tmp_path, "-o", f"base_url={url}", "-k", "test_generated and businesses.list")
    assert result.returncode == 0, result.output[-2000:]
    target = result.summary["target"]
    assert target["base_url"] == url and target["embedded_sandbox"] is False


def test_a_selection_is_not_judged_on_coverage(tmp_path: Path) -> None:
    result = run_suite(tmp_path, "-k", "test_generated and businesses.list")
    assert result.returncode == 0, result.output[-2000:]
    assert result.status("COV-001") == "skipped"


def test_a_server_refusing_valid_work_does_not_conform(tmp_path: Path) -> None:
    """repairer.jobs.insert refusing everything: POS-001 fails, and the checks that needed a job of the run's own
    are blocked (not verified), never skipped into a pass; --require-all says the same with exit 1."""
    env = {"RAILS_SANDBOX_FAULTS": "refuses-repairer-jobs-insert"}
    result = run_suite(tmp_path, "--require-all", env=env)
    assert result.returncode == 1 and result.summary["verdict"] == "fail", result.output[-3000:]
    assert result.status("POS-001") == "failed" and result.status("LIFE-001") == "not_verified"
    note = next(r["note"] for r in result.summary["requirements"] if r["id"] == "LIFE-001")
    assert "blocked" in note and "POS-001" in note
    assert "NOT CHECKED LIFE-001 [MUST]: blocked" in result.output


def test_a_must_not_verified_makes_the_run_incomplete(tmp_path: Path) -> None:
    """A check that cannot complete (no offers to place an order from) verifies nothing: no MUST failed, so the
    verdict is INCOMPLETE (exit 6), and --require-all turns it into a failure (exit 1)."""
    env = {"RAILS_SANDBOX_FAULTS": "new-parts-get-no-offers"}  # nothing to place an order from
    relaxed = run_suite(tmp_path / "relaxed", "--requirement=LIFE-002", env=env)
    assert relaxed.returncode == 6 and relaxed.summary["verdict"] == "incomplete", relaxed.output[-3000:]
    assert relaxed.status("LIFE-002") == "not_verified" and "verdict: INCOMPLETE" in relaxed.output
    strict = run_suite(tmp_path / "strict", "--requirement=LIFE-002", "--require-all", env=env)
    assert strict.returncode == 1 and strict.summary["verdict"] == "incomplete", strict.output[-3000:]


@pytest.mark.slow
def test_parallel_run_gives_the_same_verdict(clean_run: SuiteRun, tmp_path: Path) -> None:
    parallel = run_suite(tmp_path, "-n", "2", "--hypothesis-seed", str(clean_run.summary["seed"]))
    assert parallel.returncode == clean_run.returncode
    statuses = {r["id"]: r["status"] for r in parallel.summary["requirements"]}
    assert statuses == {r["id"]: r["status"] for r in clean_run.summary["requirements"]}


@pytest.mark.slow
def test_two_runs_at_once_against_one_sandbox(tmp_path: Path) -> None:
    """Two users, one server: each run in its own tenant, both conform, neither disturbs the other."""
    with running(create_app()) as url, ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda name: run_suite(tmp_path / name, "--base-url", url), ["a", "b"]))
    for result in runs:
        assert result.returncode == 0, result.output[-2000:]
        assert result.summary["verdict"] == "pass"
    assert runs[0].summary["target"]["tenant"] != runs[1].summary["target"]["tenant"]


def test_path_options_may_be_written_with_a_space(clean_run: SuiteRun, tmp_path: Path) -> None:
    """`pytest --reports-dir /elsewhere --baseline /elsewhere/summary.json`: pytest reads paths before it knows the
    suite's options; the run must still be the suite's, rooted in the repository, writing where it was told,
    in pytest-xdist's workers too (they start with the same words, once the reports directory exists)."""
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--requirement=AUTH-004", "-n", "2",
               "--reports-dir", str(reports), "--baseline", str(clean_run.reports / "summary.json")]
    done = subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"rootdir: {ROOT}" in done.stdout and " 1 passed" in done.stdout.splitlines()[-1], done.stdout[-2000:]
    assert SuiteRun(0, "", reports).summary["baseline"]["path"] == str(clean_run.reports / "summary.json")


def test_webhooks_are_not_applicable_without_the_dev_endpoint_or_a_world_of_the_runs_own(tmp_path: Path) -> None:
    """The independent server serves no webhooks; a sandbox whose tenant header is ignored gives the run no world
    of its own to subscribe in. Either way every WEBHOOK requirement is not applicable, with why and a hint."""
    handle = serve_in_thread()
    try:
        no_endpoint = run_suite(tmp_path / "independent", "--requirement=WEBHOOK", "--base-url", handle.url)
    finally:
        handle.stop()
    shared = run_suite(tmp_path / "shared", "--requirement=WEBHOOK", env={TENANTS_VARIABLE: "0"})
    for result, why, hint in ((no_endpoint, "no dev webhook endpoint", "POST /__webhooks/subscribe"),
                              (shared, "no world of the run's own", "--tenant NAME")):
        assert result.returncode == 0, result.output[-3000:]
        rows = [r for r in result.summary["requirements"] if r["area"] == WEBHOOKS]
        assert len(rows) == 7 and all(r["status"] == "not_applicable" and why in r["note"] for r in rows), rows
        assert result.summary["webhooks"]["deliveries"] == [] and any(hint in h for h in result.summary["hints"])


def test_the_sandbox_webhooks_are_judged_and_reported(clean_run: SuiteRun) -> None:
    hooks = clean_run.summary["webhooks"]
    assert hooks["offered"] and hooks["verdicts"] == dict.fromkeys(hooks["verdicts"], "passed")
    assert len(hooks["verdicts"]) == 7
    seen = {(d["trigger"], d["to"]) for d in hooks["deliveries"]}
    assert {("repairer.jobs.insert", "repairer"), ("supplier.procurements.confirm", "repairer"),
            ("supplier.procurements.confirm", "supplier")} <= seen
    assert all(d["signature"] == "valid" and d["timestamp"] == "fresh" for d in hooks["deliveries"])
    assert [d["answered"] for d in hooks["deliveries"] if "refused once" in d["trigger"]] == [503, 204]
    assert 'id="webhooks"' in (clean_run.reports / "conformance.html").read_text()
