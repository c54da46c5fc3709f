"""Benchmark the conformance suite: `python bench/run.py [--quick] [--out docs/benchmarks.md]`.

Measures in one run on one machine, each against a fresh sandbox: the raw httpx keep-alive ceiling; the
suite beside schemathesis's own CLI (`st run`) on loopback and at each --latencies (the quick profile) and
--nightly-latency (the nightly profile), the suite at its default concurrency and at 1, `st run` with as
many workers; and the time to detect each fault in the sandbox's fault registry. Prints a markdown report
and writes it to --out. Every process it starts is stopped before it returns (context managers and
try/finally in processes.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from measure import (
    CliRun,
    SuiteRun,
    latency_cells,
    registered_faults,
    run_faults,
    run_httpx_loop,
    run_schemathesis_cli,
    run_suite,
)
from processes import ROOT
from report import Results, headline, markdown

QUICK_FAULTS = 6


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"a shorter run: {QUICK_FAULTS} faults spread over the registry, a shorter httpx loop")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--seed", type=int, default=2026, help="the suite's --hypothesis-seed and st run's --seed")
    parser.add_argument("--faults", help="comma-separated fault names (default: the sandbox's registry)")
    parser.add_argument("--fault-budget", type=float, help="seconds after which no further fault run starts "
                        "(default 1800, --quick 300)")
    parser.add_argument("--parallel", type=int, default=2, choices=(1, 2), help="fault runs at a time (2 cores)")
    parser.add_argument("--loop-requests", type=int, help="httpx loop length (default 3000, --quick 1000)")
    parser.add_argument("--latencies", help="milliseconds added to every response, comma-separated, for the quick "
                        "profile (0 is always measured; default 0,50,200, --quick 0,50)")
    parser.add_argument("--nightly-latency", type=float, help="the nightly profile's latency in ms (default 50; "
                        "--quick and a negative value: not measured)")
    parser.add_argument("--no-faults", action="store_true", help="time no fault")
    return parser.parse_args()


def choose_faults(args: argparse.Namespace) -> tuple[list[str], str]:
    """The faults to time, and a phrase saying where they came from."""
    if args.faults:
        return [f for f in args.faults.split(",") if f], "--faults"
    faults = registered_faults()
    if not faults:
        return [], "the sandbox has no fault registry (sandbox/faults.py) or it lists no fault"
    if args.quick and len(faults) > QUICK_FAULTS:
        step = len(faults) / QUICK_FAULTS
        picked = [faults[int(i * step)] for i in range(QUICK_FAULTS)]
        return picked, f"sandbox/faults.py ({QUICK_FAULTS} of its {len(faults)}, spread over the registry: --quick)"
    return faults, f"sandbox/faults.py (all {len(faults)})"


def latencies(args: argparse.Namespace) -> list[tuple[str, float]]:
    """(profile, milliseconds) to measure, loopback first."""
    quick = [float(ms) for ms in (args.latencies or ("0,50" if args.quick else "0,50,200")).split(",") if ms]
    nightly = args.nightly_latency if args.nightly_latency is not None else (-1.0 if args.quick else 50.0)
    return ([("quick", ms) for ms in sorted({0.0, *quick})]
            + ([("nightly", nightly)] if nightly >= 0 else []))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    args = parse_args()
    faults, source = ([], "--no-faults") if args.no_faults else choose_faults(args)
    loop_requests = args.loop_requests or (1000 if args.quick else 3000)
    budget = args.fault_budget or (300.0 if args.quick else 1800.0)

    say(f"httpx keep-alive loop ({loop_requests} requests) ...")
    loop = run_httpx_loop(loop_requests, time_limit=60.0)
    say(f"  {loop.per_second:.0f} requests/s")
    say("warm-up: one unmeasured run of the suite and of st run (bytecode and Hypothesis caches) ...")
    run_suite("warm-up", args.seed)
    run_schemathesis_cli(args.seed)
    cells = []
    for profile, latency in latencies(args):
        say(f"the suite and st run, {profile} profile, {latency:g} ms added to every response ...")
        cells += latency_cells(profile, latency, args.seed, say)
    # on loopback, the throughput table's runs: the suite at its default concurrency, st run with one worker
    suite = next(c.run for c in cells if isinstance(c.run, SuiteRun) and c.latency_ms == 0 and c.default)
    cli = next(c.run for c in cells if isinstance(c.run, CliRun) and c.latency_ms == 0 and c.in_flight == 1)
    say(f"faults: {len(faults)} from {source} ...")
    fault_runs = run_faults(faults, args.seed, parallel=args.parallel, budget_s=budget, progress=say)

    results = Results(loop, cli, suite, fault_runs, source, args.seed, args.quick, args.parallel, cells)
    text = markdown(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    say("\n".join(["", *headline(results), f"written to {args.out}"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
