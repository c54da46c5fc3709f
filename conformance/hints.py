"""What the user could do next: one line each, at the end of the terminal output and in the report.

Drawn from what the run found rather than written per check: a requirement or a method that was not
applicable says which option would let the run check it ("pass --procurement ID ..."), a served spec that
differs says how to judge by it instead, and a check that could not complete says so.
"""

from __future__ import annotations

from conformance.target import Target
from conformance.verdict import NOT_APPLICABLE, RequirementResult, RunResults


def hints(target: Target, results: RunResults, outcome: list[RequirementResult]) -> list[str]:
    reasons = [r.note for r in outcome if r.status is NOT_APPLICABLE]
    reasons += [why for method, why in results.excused.items() if method not in results.succeeded]
    found = dict.fromkeys(reason for reason in reasons if " --" in reason)
    if target.served_spec and target.served_spec["differences"]:
        found[f"the target's /openapi.json differs from the contract in {len(target.served_spec['differences'])} "
              "places (SPEC-001, listed in the report); to judge by it instead, pass --spec URL"] = None
    if errored := results.errored():
        found[f"{len(errored)} check(s) could not complete (errored, not failed): see the report"] = None
    return list(found)
