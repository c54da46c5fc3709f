"""Findings -> requirement statuses -> the run's verdict."""

from __future__ import annotations

from typing import Any

from conformance.requirements import CATALOGUE
from conformance.verdict import FAILED, PASSED, SKIPPED, WARNED, RunResults

EVERY_METHOD = ["businesses.list", "tier1.prepare"]


def props(findings: list[tuple[str, str]] = (), succeeded: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {"findings": [{"requirement": r, "message": m, "evidence": ""} for r, m in findings],
            "exchanges": [], "requests": 1, "succeeded": list(succeeded), "reached": list(succeeded)}


def statuses(results: RunResults) -> dict[str, str]:
    return {r.requirement.id: r.status for r in results.results()}


def test_a_must_finding_fails_its_requirement_and_the_run() -> None:
    results = RunResults(EVERY_METHOD, extensions=True)
    results.add("t1", "call", FAILED, props([("ERR-D24-001", "object error")], EVERY_METHOD), ["ERR-D24-001"], "", 0.1)
    assert statuses(results)["ERR-D24-001"] == FAILED
    assert results.verdict() == "fail"


def test_a_should_finding_warns_and_the_run_still_conforms() -> None:
    results = RunResults(EVERY_METHOD, extensions=True)
    results.add("t1", "call", WARNED, props([("LIFE-005", "late")], EVERY_METHOD), ["LIFE-005"], "", 0.1)
    assert statuses(results)["LIFE-005"] == WARNED
    assert results.verdict() == "pass"
    assert results.level_lines()[1].startswith("SHOULD: ") and "1 warned" in results.level_lines()[1]


def test_a_requirement_no_test_ran_is_skipped_not_passed() -> None:
    results = RunResults(EVERY_METHOD, extensions=True)
    results.add("t1", "setup", SKIPPED, props(), ["TENANT-001"], "no tenant", 0.0)
    assert statuses(results)["TENANT-001"] == SKIPPED
    assert statuses(results)["AUTH-001"] == SKIPPED


def test_a_passing_test_passes_its_requirements() -> None:
    results = RunResults(EVERY_METHOD, extensions=True)
    results.add("t1", "call", PASSED, props(succeeded=EVERY_METHOD), ["IDENT-001"], "", 0.1)
    assert statuses(results)["IDENT-001"] == PASSED


def test_coverage_fails_when_a_method_never_succeeded() -> None:
    results = RunResults(EVERY_METHOD, extensions=True)
    results.add("t1", "call", PASSED, props(succeeded=["businesses.list"]), ["IDENT-001"], "", 0.1)
    result = next(r for r in results.results() if r.requirement.id == "COV-001")
    assert result.status == FAILED and "tier1.prepare" in result.findings[0]["message"]
    assert results.verdict() == "fail"


def test_coverage_is_not_judged_on_a_partial_run() -> None:
    results = RunResults(EVERY_METHOD, extensions=True)
    results.complete = False
    assert statuses(results)["COV-001"] == SKIPPED


def test_extension_requirements_are_skipped_when_extensions_are_off() -> None:
    results = RunResults(EVERY_METHOD, extensions=False)
    results.add("t1", "call", FAILED, props([("EXT-001", "x")]), ["EXT-001"], "", 0.1)
    assert statuses(results)["EXT-001"] == SKIPPED


def test_catalogue_ids_are_unique_and_inferred_rules_are_should() -> None:
    ids = [r.id for r in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert all(r.level == "SHOULD" for r in CATALOGUE if r.provenance == "inferred")


def test_coverage_accepts_a_stated_reason_instead_of_a_2xx() -> None:
    results = RunResults(EVERY_METHOD, extensions=True)
    excused = {**props(succeeded=["businesses.list"]), "excused": {"tier1.prepare": "code spent"}}
    results.add("t1", "call", SKIPPED, excused, ["AUTH-005"], "spent", 0.1)
    result = next(r for r in results.results() if r.requirement.id == "COV-001")
    assert result.status == PASSED and "tier1.prepare" in result.note and "code spent" in result.note
