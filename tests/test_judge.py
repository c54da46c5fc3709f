"""The contract judge: every violation lands on the right requirement, at the right level."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.judge import Judge
from contract.documents import bundled, with_extensions

UUID = "0b000000-0000-4000-8000-000000000001"
JOB = {"id": UUID, "images": [], "repairer_site_id": UUID}
OFFER = {"sellable_id": UUID, "supplier_business_id": UUID, "job_part_ids": [UUID], "unit_price": "10.00"}


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge(with_extensions(bundled()))


def judged(judge: Judge, method: str, status: int, body: Any, content_type: str = "application/json",
           json_request: bool = True) -> list[str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return [f.requirement for f in judge.judge(method, status, content_type, raw, json_request=json_request)]


def test_a_conforming_job_has_no_finding(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 200, JOB) == []


def test_extra_response_fields_are_allowed(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "something_new": [1, 2]}) == []


def test_documented_violation_is_schema_001(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "id": "not-a-uuid"}) == ["SCHEMA-001"]
    assert judged(judge, "repairer.jobs.get", 200, {"images": [], "repairer_site_id": UUID}) == ["SCHEMA-001"]


def test_inferred_violation_is_schema_002(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "vehicle": {"year": "2019"}}) == ["SCHEMA-002"]


def test_a_missing_inferred_property_is_schema_002(judge: Judge) -> None:
    """`required` failures take the provenance of the missing property, not of its parent object."""
    offer = {k: v for k, v in OFFER.items() if k != "unit_price"}
    found = judged(judge, "repairer.jobs.baskets.latest.get", 200, {"offers": [offer], "suppliers": []})
    assert found == ["SCHEMA-002"]


@pytest.mark.parametrize("key", ["currency", "currency_code"])
def test_d52_any_currency_key_anywhere_in_the_basket(judge: Judge, key: str) -> None:
    nested = {"offers": [{**OFFER, "extra": {"deep": {key: "NZD"}}}], "suppliers": []}
    assert judged(judge, "repairer.jobs.baskets.latest.get", 200, nested) == ["BASKET-D52-001"]
    top = {"offers": [{**OFFER, key: "NZD"}], "suppliers": []}
    assert "BASKET-D52-001" in judged(judge, "repairer.jobs.baskets.latest.get", 200, top)


def test_d24_parts_insert_errors_are_bare_strings(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.parts.insert", 404, "not_found") == []
    assert judged(judge, "repairer.jobs.parts.insert", 404, {"type": "not_found"}) == ["ERR-D24-001"]


def test_other_methods_errors_are_type_tagged(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 404, {"type": "not_found"}) == []
    assert judged(judge, "repairer.jobs.get", 404, "not_found") == ["ERR-001"]


def test_error_kind_outside_the_union(judge: Judge) -> None:
    assert judged(judge, "tier1.prepare", 404, {"type": "not_found"}) == ["ERR-001"]


def test_documented_status_is_must_and_inferred_status_is_should(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 400, {"type": "not_found"}) == ["ERR-002"]
    assert judged(judge, "repairer.jobs.insert", 400, {"type": "unprocessable"}) == ["ERR-003"]


def test_server_errors_and_non_json(judge: Judge) -> None:
    assert judged(judge, "businesses.list", 500, {"type": "oops"}) == ["WIRE-001"]
    assert judged(judge, "businesses.list", 200, b"<html>", content_type="text/html") == ["WIRE-002"]
    assert judged(judge, "businesses.list", 200, b"{not json") == ["WIRE-002"]


def test_extension_marker(judge: Judge) -> None:
    body = {"items": []}
    assert judged(judge, "repairer.procurements.invoices.list", 200, body) == ["EXT-001"]
    assert judged(judge, "repairer.procurements.invoices.list", 200, {**body, "x_extension": True}) == []


def test_the_error_union_applies_only_to_json_posts(judge: Judge) -> None:
    """A 405 to a GET or a 415 to text/plain is outside the contract's error unions."""
    assert judged(judge, "repairer.jobs.get", 415, {"type": "unsupported_media_type"}, json_request=False) == []


def test_a_live_spec_without_provenance_is_all_documented() -> None:
    document = bundled()
    stripped = json.loads(json.dumps(document).replace('"x-provenance": "inferred"', '"x-provenance-was": "i"'))
    live = Judge(stripped)
    assert [f.requirement for f in live.judge("repairer.jobs.get", 200, "application/json",
                                              json.dumps({**JOB, "vehicle": {"year": "x"}}).encode())] == ["SCHEMA-001"]


def test_findings_name_the_json_path_they_broke_at(judge: Judge) -> None:
    """The report marks it in the body: a schema violation's value, a D52 key, an error body outside the union."""
    (schema,) = judge.judge("repairer.jobs.get", 200, "application/json",
                            json.dumps({**JOB, "vehicle": {"year": "2019"}}).encode())
    assert schema.path == "$.vehicle.year" and schema.message.startswith("repairer.jobs.get: $.vehicle.year: ")
    basket = {"offers": [{**OFFER, "extra": {"currency": "NZD"}}], "suppliers": []}
    (d52,) = judge.judge("repairer.jobs.baskets.latest.get", 200, "application/json", json.dumps(basket).encode())
    assert d52.path == "$.offers[0].extra.currency"
    (server_error,) = judge.judge("repairer.jobs.get", 500, "application/json", b"{}")
    assert server_error.path == ""
