"""The kill matrix: the conformance suite against the sandbox with each named fault (sandbox/faults.py).

A fault is caught when every requirement it is expected to break comes out failed (a MUST: the run
exits 1) or warned (only SHOULDs broken: the run still exits 0). Each fault runs in its own suite
subprocess, selecting only its expected requirements (`--requirement`), two at a time; three faults
also get a whole-suite run, to show that a full run fails on them too. A fault of a run-level
requirement (COV-001) runs the whole suite instead of a selection, which has no verdict on it. The
session prints the matrix and the mutation score and writes them to reports/kill-matrix.md.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.requirements import catalogue
from conformance.requirements.definition import Level
from sandbox.faults import CATALOGUE, ENV_VARIABLE, Fault
from tests.suite_runner import ROOT, SuiteRun, publish, run_suite

pytestmark = pytest.mark.slow  # whole-suite runs in subprocesses: run with --run-slow

WORKERS = 2  # the machine's cores
FAST = ("--assert=plain",)  # no assertion rewriting of schemathesis on every start: same verdicts, ~3 s less
WHOLE_SUITE = ("wrong-role-allowed", "currency-on-offers", "confirm-does-nothing")
REPORT = ROOT / "reports" / "kill-matrix.md"
BAD = {"failed", "warned"}
# what the generated tests (test_generated.py, test_stateful.py) declare: a selection without any of these
# deselects them anyway, so they are not even collected (their collection generates cases: ~2 s a run)
GENERATED = frozenset(r.id for r in catalogue.CATALOGUE if r.generated)
NOT_GENERATED = ("--ignore", "conformance/generated")
# faults of generated requirements that the hand-written checks of those requirements catch as well (the judge
# holds every reply of theirs to the contract): their runs leave the generated tests out, ~10 s each
HAND_WRITTEN_CATCH = frozenset({
    "error-kind-outside-union", "prose-error-bodies", "parts-insert-typed-errors", "bare-string-errors",
    "unprocessable-as-400", "currency-on-offers", "currency-code-deep-in-basket", "procurement-without-currency-code",
    "part-status-outside-enum", "get-answered-200", "non-object-body-read-as-empty",
})
# run-level requirements: a selection has no verdict on them, so a fault breaking one runs the whole suite
RUN_LEVEL = frozenset({"COV-001"})
# suite options a fault's runs need beyond its selection: what a user would pass for such a server
SUITE_ARGS: dict[str, tuple[str, ...]] = {
    # the probe would find tenants that do not isolate and make TENANT-001 not applicable: an explicit tenant
    # is taken as the run's own world, and TENANT-001 then checks it against a fresh one
    "tenants-share-one-world": ("--tenant=kill-matrix-tenant",),
}


@dataclass(frozen=True)
class FaultRun:
    fault: Fault
    whole: bool  # a whole-suite run, not a selection
    run: SuiteRun
    seconds: float

    def observed(self) -> dict[str, str]:
        """Requirement id -> failed | warned, for every requirement this run did not pass."""
        return {r["id"]: r["status"] for r in self.run.summary["requirements"] if r["status"] in BAD}

    def expected_exit(self) -> int:
        return 1 if any(catalogue.get(rid).level is Level.MUST for rid in self.fault.breaks) else 0

    def missed(self) -> list[str]:
        """Expected requirements that did not come out failed (MUST) or warned (SHOULD)."""
        want = {Level.MUST: "failed", Level.SHOULD: "warned"}
        return [rid for rid in self.fault.breaks if self.run.status(rid) != want[catalogue.get(rid).level]]

    @property
    def caught(self) -> bool:
        return not self.missed() and self.run.returncode == self.expected_exit()


def arguments(fault: Fault, whole: bool) -> tuple[str, ...]:
    """The suite's options for one run of `fault`: its selection (none for a whole-suite run), and its own."""
    selection: tuple[str, ...] = ()
    if not (whole or RUN_LEVEL & set(fault.breaks)):
        selection = tuple(f"--requirement={rid}" for rid in fault.breaks)
        if GENERATED.isdisjoint(fault.breaks) or fault.name in HAND_WRITTEN_CATCH:
            selection += NOT_GENERATED
    return (*FAST, *selection, *SUITE_ARGS.get(fault.name, ()))


def _run(fault: Fault, whole: bool, reports: Path) -> FaultRun:
    started = time.perf_counter()
    result = run_suite(reports, *arguments(fault, whole), env={ENV_VARIABLE: fault.name})
    return FaultRun(fault, whole, result, time.perf_counter() - started)


def matrix_markdown(runs: list[FaultRun], wall: float) -> str:
    """Fault x requirement: F/W expected and observed, MISS expected and not observed, f/w observed extra."""
    selections = [r for r in runs if not r.whole]
    columns = [r.id for r in catalogue.CATALOGUE
               if any(r.id in run.fault.breaks or r.id in run.observed() for run in selections)]
    caught = sum(run.caught for run in selections)
    lines = [
        "# Kill matrix",
        "",
        f"Mutation score: **{caught}/{len(selections)}** faults caught "
        f"({len(runs) - len(selections)} whole-suite runs besides); matrix wall time {wall:.0f} s "
        f"with {WORKERS} workers.",
        "",
        "Cells: **F**/**W** expected and failed/warned; MISS expected but not seen; f/w seen besides.",
        "",
        "| fault | caught | exit | s | " + " | ".join(columns) + " |",
        "|---|---|---|---|" + "---|" * len(columns),
    ]
    for run in selections:
        observed = run.observed()
        cells = []
        for rid in columns:
            status = observed.get(rid)
            if rid in run.fault.breaks:
                cells.append(f"**{status[0].upper()}**" if status and rid not in run.missed() else "MISS")
            else:
                cells.append(status[0] if status else "")
        lines.append(f"| {run.fault.name} | {'yes' if run.caught else 'NO'} | {run.run.returncode} | "
                     f"{run.seconds:.0f} | " + " | ".join(cells) + " |")
    lines += ["", "Whole-suite runs:", ""]
    for run in (r for r in runs if r.whole):
        lines.append(f"- {run.fault.name}: exit {run.run.returncode}, {run.seconds:.0f} s, failed/warned: "
                     f"{', '.join(f'{k} ({v})' for k, v in sorted(run.observed().items()))}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def kill_matrix(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[
        dict[tuple[str, bool], FaultRun]]:
    """Every fault's selection run and the whole-suite runs, two at a time; the matrix printed at the end."""
    jobs = [(fault, False) for fault in CATALOGUE.values()] + [(CATALOGUE[n], True) for n in WHOLE_SUITE]
    jobs.sort(key=lambda job: not job[1])  # the long whole-suite runs first, so that the pool ends evenly
    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(_run, fault, whole, tmp_path_factory.mktemp(f"fault-{fault.name}"))
                   for fault, whole in jobs]
        runs = [future.result() for future in futures]
    wall = time.perf_counter() - started
    yield {(run.fault.name, run.whole): run for run in runs}
    text = matrix_markdown(sorted(runs, key=lambda r: list(CATALOGUE).index(r.fault.name)), wall)
    publish(text, REPORT, request.config)


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_fault_is_caught(kill_matrix: dict[tuple[str, bool], FaultRun], name: str) -> None:
    run = kill_matrix[(name, False)]
    assert not run.missed(), f"{name}: not caught on {run.missed()}: {run.run.output[-2500:]}"
    assert run.run.returncode == run.expected_exit(), run.run.output[-2500:]


@pytest.mark.parametrize("name", WHOLE_SUITE)
def test_whole_suite_fails_on_fault(kill_matrix: dict[tuple[str, bool], FaultRun], name: str) -> None:
    run = kill_matrix[(name, True)]
    assert run.run.returncode == 1 and run.run.summary["verdict"] == "fail", run.run.output[-2500:]
    assert all(run.run.status(rid) in BAD for rid in run.fault.breaks), run.observed()


def test_clean_sandbox_passes_every_target(clean_run: SuiteRun) -> None:
    """Without a fault, every requirement some fault targets passes: the faults, not the sandbox, break them."""
    targets = sorted({rid for fault in CATALOGUE.values() for rid in fault.breaks})
    assert clean_run.returncode == 0, clean_run.output[-2500:]
    assert {rid: clean_run.status(rid) for rid in targets} == dict.fromkeys(targets, "passed")
