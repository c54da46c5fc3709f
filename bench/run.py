"""Benchmark the conformance suite: `python bench/run.py [--quick] [--out docs/benchmarks.md]`.

Measures in one run on one machine, each against a fresh loopback sandbox: the raw httpx keep-alive
ceiling, schemathesis's own CLI (`st run`), the suite's quick profile, and the time to detect each fault
in the sandbox's fault registry. Prints a markdown report and writes it to --out. Every process it
starts is stopped before it returns (context managers and try/finally in processes.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from measure import registered_faults, run_faults, run_httpx_loop, run_schemathesis_cli, run_suite
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


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    args = parse_args()
    faults, source = choose_faults(args)
    loop_requests = args.loop_requests or (1000 if args.quick else 3000)
    budget = args.fault_budget or (300.0 if args.quick else 1800.0)

    say(f"httpx keep-alive loop ({loop_requests} requests) ...")
    loop = run_httpx_loop(loop_requests, time_limit=60.0)
    say(f"  {loop.per_second:.0f} requests/s")
    say("schemathesis CLI (st run) ...")
    cli = run_schemathesis_cli(args.seed)
    say(f"  {cli.server_requests} requests in {cli.timed.wall_s:.1f} s (exit {cli.timed.returncode})")
    say("conformance suite, quick profile ...")
    suite = run_suite("clean", args.seed)
    say(f"  {suite.server_requests} requests in {suite.timed.wall_s:.1f} s (exit {suite.timed.returncode})")
    say(f"faults: {len(faults)} from {source} ...")
    fault_runs = run_faults(faults, args.seed, parallel=args.parallel, budget_s=budget, progress=say)

    results = Results(loop, cli, suite, fault_runs, source, args.seed, args.quick, args.parallel)
    text = markdown(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    say("\n".join(["", *headline(results), f"written to {args.out}"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
