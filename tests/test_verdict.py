"""Findings -> requirement statuses -> the run's verdict."""

from __future__ import annotations

from typing import Any

import execnet

from conformance.requirements.catalogue import CATALOGUE
from conformance.requirements.definition import Level
from conformance.verdict.findings import MAX_EXCHANGES, Finding, HandOver, WebhookDelivery
from conformance.verdict.results import (
    ERRORED,
    FAILED,
    NOT_APPLICABLE,
    NOT_VERIFIED,
    PASSED,
    SKIPPED,
    WARNED,
    RunResults,
)

EVERY_METHOD = ["businesses.list", "tier1.prepare"]
MUSTS = [r.id for r in CATALOGUE if r.level is Level.MUST]


def props(findings: list[tuple[str, str]] = (), succeeded: list[str] = (), **extra: Any) -> HandOver:  # type: ignore[assignment]
    return HandOver(findings=tuple(Finding(r, m) for r, m in findings), requests=1, succeeded=tuple(succeeded),
                    reached=tuple(succeeded), **extra)


def statuses(results: RunResults) -> dict[str, str]:
    return {r.requirement.id: r.status for r in results.results()}


def test_a_hand_over_crosses_the_xdist_wire_as_it_left() -> None:
    """pytest-xdist sends a report's user_properties through execnet, which refuses a dataclass."""
    phase = HandOver(findings=(Finding("SCHEMA-001", "x: 1 is not a string", "evidence", "$.x", "ex-1", "x: type"),),
                     exchanges=({"id": "ex-1", "status": 200},), requests=3, succeeded=("businesses.list",),
                     reached=("businesses.list",), excused={"tier1.prepare": "why"}, not_applicable="",
                     stopped_by="SCHEMA-001", hints=("pass --tenant",),
                     webhooks=(WebhookDelivery("repairer.jobs.insert", "repairer", 4.5, 3.1, "ev-1", "job.inserted",
                                               "valid", "fresh", 204),), retries=2, waited_s=1.5)
    assert HandOver.from_data(execnet.loads(execnet.dumps(phase.to_data()))) == phase


def test_both_ends_keep_a_finding_once_by_its_kind_and_the_same_evidence_limit() -> None:
    """Each phase hands over all of the test's findings so far: the verdict keeps one per key, as the record does."""
    results = RunResults(EVERY_METHOD)
    first = Finding("SCHEMA-001", "x: 1 is not a string", kind="x: type")
    again = Finding("SCHEMA-001", "x: 2 is not a string", kind="x: type")  # the same kind, another request's value
    other = Finding("SCHEMA-001", "x: 1 is not a string", kind="x: format")  # the same message, another kind
    many = tuple({"id": f"ex-{n}"} for n in range(MAX_EXCHANGES + 5))
    results.add("t1", "call", FAILED, HandOver(findings=(first, other), exchanges=many), ["SCHEMA-001"], "", 0.1)
    results.add("t1", "teardown", PASSED, HandOver(findings=(again, other), exchanges=many), ["SCHEMA-001"], "", 0.0)
    assert results.tests["t1"].findings == [first, other]
    assert results.tests["t1"].exchanges == list(many[-MAX_EXCHANGES:])


def test_a_must_finding_fails_its_requirement_and_the_run() -> None:
    results = RunResults(EVERY_METHOD)
    results.add("t1", "call", FAILED, props([("ERR-D24-001", "object error")], EVERY_METHOD), ["ERR-D24-001"], "", 0.1)
    assert statuses(results)["ERR-D24-001"] == FAILED
    assert results.verdict() == "fail"


def every_must_verified(**options: Any) -> RunResults:
    """A whole run in which one test verified every MUST and every method answered."""
    results = RunResults(EVERY_METHOD, **options)
    results.add("musts", "call", PASSED, props(succeeded=EVERY_METHOD), MUSTS, "", 0.1)
    return results


def test_a_should_finding_warns_and_the_run_still_conforms() -> None:
    results = every_must_verified()
    results.add("t1", "call", WARNED, props([("LIFE-005", "late")], EVERY_METHOD), ["LIFE-005"], "", 0.1)
    assert statuses(results)["LIFE-005"] == WARNED
    assert results.verdict() == "pass"
    assert results.level_lines()[1].startswith("SHOULD: ") and "1 warned" in results.level_lines()[1]


def test_a_requirement_no_test_ran_is_not_verified_and_the_run_incomplete() -> None:
    results = RunResults(EVERY_METHOD)
    results.add("t1", "setup", SKIPPED, props(), ["LIFE-001"], "no site", 0.0)
    assert statuses(results)["LIFE-001"] == NOT_VERIFIED
    assert statuses(results)["AUTH-001"] == NOT_VERIFIED
    assert results.verdict() == "incomplete"
    assert results.checked_line(results.results()) == f"checked 0 of {len(MUSTS)} MUSTs"


def test_every_must_checked_and_passed_conforms_and_says_how_many() -> None:
    results = every_must_verified()
    assert results.verdict() == "pass"
    assert results.checked_line(results.results()) == f"checked {len(MUSTS)} of {len(MUSTS)} MUSTs"


def test_a_selection_judges_only_what_it_selected() -> None:
    results = RunResults(EVERY_METHOD)
    results.complete = False
    results.add("t1", "call", PASSED, props(succeeded=EVERY_METHOD), ["IDENT-001"], "", 0.1)
    assert statuses(results)["IDENT-001"] == PASSED and statuses(results)["AUTH-001"] == SKIPPED
    assert results.verdict() == "pass" and results.checked_line(results.results()) == "checked 1 of 1 MUSTs"
    assert "not selected" in results.level_lines()[0]


def test_a_check_blocked_by_a_refused_valid_request_verifies_none_of_its_requirements() -> None:
    """A test stopped on a POS-001 finding (its set-up's valid request was refused) fails POS-001, and the
    requirements it declares are not verified, never passed."""
    results = every_must_verified()
    results.tests["musts"].requirements = [m for m in MUSTS if m not in ("LIFE-001", "POS-001")]
    results.add("t1", "call", FAILED, props([("POS-001", "repairer.jobs.insert refused a valid job")],
                                            stopped_by="POS-001"), ["LIFE-001"], "", 0.1)
    result = next(r for r in results.results() if r.requirement.id == "LIFE-001")
    assert result.status == NOT_VERIFIED and "blocked: t1 stopped on a POS-001 finding" in result.note
    assert statuses(results)["POS-001"] == FAILED and results.verdict() == "fail"


def test_a_should_stop_leaves_the_musts_of_its_test_not_verified() -> None:
    results = every_must_verified()
    results.tests["musts"].requirements = [m for m in MUSTS if m != "LIFE-003"]
    results.add("t1", "call", WARNED, props([("LIFE-005", "no time")], stopped_by="LIFE-005"),
                ["LIFE-003", "LIFE-005"], "", 0.1)
    assert statuses(results)["LIFE-005"] == WARNED and statuses(results)["LIFE-003"] == NOT_VERIFIED
    assert results.verdict() == "incomplete"
    assert [r.requirement.id for r in results.unchecked(results.results())] == ["LIFE-003"]


def test_require_all_counts_a_must_not_applicable_as_not_checked() -> None:
    relaxed, strict = every_must_verified(), every_must_verified(require_all=True)
    for results in (relaxed, strict):
        results.tests["musts"].requirements = [m for m in MUSTS if m != "SCOPE-001"]
        results.add("t1", "call", SKIPPED, props(not_applicable="no foreign job"), ["SCOPE-001"], "", 0.0)
    assert relaxed.verdict() == "pass" and strict.verdict() == "incomplete"
    assert statuses(strict)["SCOPE-001"] == NOT_APPLICABLE


def test_a_passing_test_passes_its_requirements() -> None:
    results = RunResults(EVERY_METHOD)
    results.add("t1", "call", PASSED, props(succeeded=EVERY_METHOD), ["IDENT-001"], "", 0.1)
    assert statuses(results)["IDENT-001"] == PASSED


def test_a_requirement_whose_tests_cannot_apply_is_not_applicable_with_the_reason() -> None:
    results = every_must_verified()
    results.add("t1", "call", SKIPPED, props(not_applicable="no tenants here"), ["TENANT-001"], "", 0.0)
    result = next(r for r in results.results() if r.requirement.id == "TENANT-001")
    assert result.status == NOT_APPLICABLE and result.note == "no tenants here"
    assert "1 not applicable" in results.level_lines()[1]
    assert results.verdict() == "pass"


def test_a_check_that_could_not_complete_is_no_finding() -> None:
    results = RunResults(EVERY_METHOD)
    results.add("t1", "call", ERRORED, props(), ["LIFE-001"], "KeyError: 'status'", 0.1)
    result = next(r for r in results.results() if r.requirement.id == "LIFE-001")
    assert result.status == NOT_VERIFIED and "could not complete" in result.note
    assert [t.nodeid for t in results.errored()] == ["t1"] and results.verdict() == "incomplete"


def test_coverage_warns_when_a_method_never_succeeded() -> None:
    results = every_must_verified()
    results.tests["musts"].requirements = MUSTS  # every MUST verified, and only businesses.list answered 2xx
    results.succeeded = {"businesses.list"}
    result = next(r for r in results.results() if r.requirement.id == "COV-001")
    assert result.status == WARNED and "tier1.prepare" in result.findings[0]["message"]
    assert results.verdict() == "pass"


def test_coverage_is_not_judged_on_a_partial_run() -> None:
    results = RunResults(EVERY_METHOD)
    results.complete = False
    assert statuses(results)["COV-001"] == SKIPPED


def test_extension_requirements_are_not_applicable_when_the_extensions_are_not_checked() -> None:
    results = RunResults(EVERY_METHOD, extensions_absent="the target does not offer them")
    results.add("t1", "call", FAILED, props([("EXT-001", "x")]), ["EXT-001"], "", 0.1)
    result = next(r for r in results.results() if r.requirement.id == "EXT-001")
    assert result.status == NOT_APPLICABLE and result.note == "the target does not offer them"


def test_coverage_counts_a_method_with_a_stated_reason_as_not_applicable() -> None:
    results = RunResults(EVERY_METHOD)
    excused = props(succeeded=["businesses.list"], excused={"tier1.prepare": "no way to reach it"})
    results.add("t1", "call", SKIPPED, excused, ["AUTH-005"], "spent", 0.1)
    result = next(r for r in results.results() if r.requirement.id == "COV-001")
    assert result.status == PASSED and "tier1.prepare: not applicable (no way to reach it)" in result.note


def test_what_an_unfinished_probe_assumed_away_is_not_verified_not_not_applicable() -> None:
    results = every_must_verified(extensions_absent="the target does not offer the 3 proposed methods (probed)",
                                  probe_unfinished="repairer.jobs.get got no answer: no reply within 30 s")
    result = next(r for r in results.results() if r.requirement.id == "EXT-002")
    assert result.status == NOT_VERIFIED and "the probe could not finish" in result.note
    assert results.verdict() == "incomplete"
