"""summary.json: the run's verdict per requirement, for machines, in a stable shape.

Its shape is described in one place, summary.schema.json beside this module (closed: every key `build`
writes, and no other), so that it cannot drift from a second description; the project's tests validate
every summary they build or a run writes against it. Keys are only ever added within a schema_version.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.report.hints import hints
from conformance.requirements.catalogue import EXT, WEBHOOKS
from conformance.target import Target
from conformance.verdict.results import RequirementResult, RunResults
from conformance.wire.redact import REDACT

SCHEMA_VERSION = 1


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def identity(target: Target, seed: object) -> dict[str, Any]:
    """What a run was measured against and how to run it again: target, spec, profile, seed, extensions."""
    return {
        "target": {"base_url": target.base_url, "embedded_sandbox": target.embedded, "tenant": target.tenant,
                   "isolated": target.isolated, "seed_job": target.seed_job,
                   "seed_procurement": target.seed_procurement, "procurements": list(target.procurements),
                   "confirm_procurement": target.confirm_procurement},
        "spec": target.spec.describe(),
        "profile": target.profile.name,
        "seed": seed,
        "extensions": target.extensions,
    }


def build(target: Target, results: RunResults, outcome: list[RequirementResult], seed: object,
          finished_at: float) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "suite": {"name": "integrations-conformance", "version": __version__, "api_version": "2026-01",
                  "schemathesis": version("schemathesis"), "pytest": version("pytest"),
                  "python": platform.python_version()},
        **identity(target, seed),
        "started_at": _iso(target.started_at),
        "finished_at": _iso(finished_at),
        "duration_s": round(finished_at - target.started_at, 2),
        "verdict": results.verdict(outcome),
        "checked": results.checked_line(outcome),
        "require_all": results.require_all,
        "levels": results.level_lines(outcome),
        "requirements": [r.to_dict() for r in outcome],
        "methods": [{"method": m, "extension": m in EXT, "reached": m in results.reached,
                     "succeeded": m in results.succeeded} for m in results.in_scope],
        "requests": results.requests,
        "probe": list(target.probe_notes),
        "served_spec": target.served_spec,
        "hints": hints(target, results),
        "tests": [{"nodeid": t.nodeid, "status": t.status, "requirements": t.requirements,
                   "duration_s": round(t.duration, 3)} for t in results.tests.values()],
        "baseline": None,  # with --baseline, the comparison (report/baseline.py)
        "concurrency": {"in_flight": target.pace.concurrency, "processes": target.pace.processes,
                        "latency_ms": target.pace.latency_ms},
        "politeness": {"max_rps": target.pace.max_rps, "retries": results.retries,
                       "waited_s": round(results.waited_s, 2)},
        "webhooks": {"offered": target.webhooks, "deliveries": [asdict(d) for d in results.webhooks],
                     "verdicts": {r.requirement.id: r.status for r in outcome if r.requirement.area == WEBHOOKS}},
    }


def pace_line(summary: dict[str, Any]) -> str:
    """The run's pace in one line: requests in flight, processes, the rate limit, what waiting and sending again
    cost."""
    concurrency, politeness = summary["concurrency"], summary["politeness"]
    latency = concurrency["latency_ms"]
    sized = f" (sized by a {latency:g} ms round trip)" if latency is not None else ""
    processes = f", {concurrency['processes']} processes" if concurrency["processes"] > 1 else ""
    limit = f"at most {politeness['max_rps']:g} requests/s" if politeness["max_rps"] else "no rate limit"
    in_flight = concurrency["in_flight"]
    return (f"pace: {in_flight} request{'s' if in_flight > 1 else ''} in flight per test{sized}{processes}; "
            f"{limit}; {politeness['retries']} retries after Retry-After or a dropped connection, "
            f"{politeness['waited_s']:g} s waited")


def write(summary: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REDACT(json.dumps(summary, indent=2)) + "\n")
    return path
