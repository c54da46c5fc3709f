"""A spec the target serves (SPEC-001): compared with the contract at the start of the run, never obeyed."""

from __future__ import annotations

import pytest

from conformance.run import Run
from conformance.verdict.findings import expect, not_applicable


@pytest.mark.requirement("SPEC-001")
def test_a_served_spec_agrees_with_the_contract(run: Run) -> None:
    """Each way the target's /openapi.json differs from the contract (methods, required fields, response fields
    and types, error kinds) is a warning; the report lists them all."""
    served = run.target.served_spec
    if served is None:
        not_applicable("the target serves no /openapi.json")
    for difference in served["differences"]:
        expect("SPEC-001", False, f"{served['location']}: {difference}")
