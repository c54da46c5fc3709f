"""What the user could do next: one line each, at the end of the terminal output and in the report.

Drawn from what the run found: a check or a method that was not applicable names the option that would
let the run check it, a served spec that differs says how to judge by it instead, and checks that could
not complete say so.
"""

from __future__ import annotations

from conformance.target import Target
from conformance.verdict.results import RunResults


def hints(target: Target, results: RunResults) -> list[str]:
    found = dict.fromkeys(sorted(results.hints))
    if target.served_spec and target.served_spec["differences"]:
        found[f"the target's /openapi.json differs from the contract in {len(target.served_spec['differences'])} "
              "places (SPEC-001, listed in the report); to judge by it instead, pass --spec URL"] = None
    if errored := results.errored():
        found[f"{len(errored)} check(s) could not complete (errored, not failed): see the report"] = None
    return list(found)
