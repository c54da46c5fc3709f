"""The contract judge: every violation lands on the right requirement, at the right level."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.verdict.judge import Judge
from spec.documents import bundled, with_extensions

UUID = "0b000000-0000-4000-8000-000000000001"
JOB = {"id": UUID, "images": [], "repairer_site_id": UUID}
OFFER = {"sellable_id": UUID, "supplier_business_id": UUID, "job_part_ids": [UUID], "unit_price": "10.00"}
PROCUREMENT = {"created_at": "x", "updated_at": "x", "currency_code": "NZD", "id": UUID, "job_id": UUID,
               "reference": None, "total_shipping_price": None, "vehicle": {}, "source_items": [],
               "supplier_business": {"id": UUID, "name": "x"}, "supplier_organization": {"id": UUID, "name": "x"}}


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge(with_extensions(bundled()))


def judged(judge: Judge, method: str, status: int, body: Any, content_type: str = "application/json",
           contract_call: bool = True) -> list[str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return [f.requirement for f in judge.judge(method, status, content_type, raw, contract_call=contract_call)]


def test_a_conforming_job_has_no_finding(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 200, JOB) == []


def test_extra_response_fields_are_allowed(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "something_new": [1, 2]}) == []


def test_documented_violation_is_schema_001(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "id": "not-a-uuid"}) == ["SCHEMA-001"]
    assert judged(judge, "repairer.jobs.get", 200, {"images": [], "repairer_site_id": UUID}) == ["SCHEMA-001"]


def test_inferred_violation_is_schema_002(judge: Judge) -> None:
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "vehicle": {"year": "2019"}}) == ["SCHEMA-002"]


def test_a_listed_field_missing_or_of_another_listed_type_is_schema_001(judge: Judge) -> None:
    """SCHEMA-001's rule: every field the Response line lists without `?`, each of its listed type."""
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "images": {}}) == ["SCHEMA-001"], "X[] is an array"
    assert judged(judge, "uploads.prepare", 200, {"upload_url": "https://u"}) == ["SCHEMA-001"], "public_url: oneOf"
    assert judged(judge, "repairer.procurements.get", 200, {**PROCUREMENT, "id": "x"}) == ["SCHEMA-001"]
    without_reference = {k: v for k, v in PROCUREMENT.items() if k != "reference"}
    assert judged(judge, "repairer.procurements.get", 200, without_reference) == ["SCHEMA-001"]


def test_a_documented_type_listed_elsewhere_is_documented_inside_a_list(judge: Judge) -> None:
    """procurements.list's `items: procurements.v1.buyer.Procurement[]`: the reference lists that type's fields."""
    item = {k: v for k, v in PROCUREMENT.items() if k != "id"}
    assert judged(judge, "repairer.procurements.list", 200, {"items": [item]}) == ["SCHEMA-001"]


def test_the_inner_type_of_a_oneof_field_is_schema_002(judge: Judge) -> None:
    """`claim_number?: oneOf` documents the field, may be null (upstream), else T: and T is stated nowhere."""
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "claim_number": False}) == ["SCHEMA-002"]
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "work_provider_id": "WP-1"}) == ["SCHEMA-002"]
    assert judged(judge, "uploads.prepare", 200, {"public_url": 5, "upload_url": "https://u"}) == ["SCHEMA-002"]
    assert judged(judge, "repairer.procurements.get", 200, {**PROCUREMENT, "currency_code": "nzd"}) == [
        "SCHEMA-002"]
    assert judged(judge, "repairer.procurements.get", 200, {**PROCUREMENT, "reference": 7}) == ["SCHEMA-002"]


def test_the_items_of_a_type_the_reference_only_names_are_schema_002(judge: Judge) -> None:
    """`images: ImageV1[]`: the array is documented, ImageV1 (named, never listed) is inferred."""
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "images": ["https://x/i.jpg"]}) == ["SCHEMA-002"]
    assert judged(judge, "repairer.jobs.get", 200, {**JOB, "images": [{"id": UUID}]}) == ["SCHEMA-002"]
    assert judged(judge, "tier1.prepare", 200, {"invalid_identifiers": ["JTDBR32E730012345"]}) == ["SCHEMA-002"]
    source_item = {"id": UUID, "job_part_id": UUID, "quantity": 1, "unit_price": "1.00"}  # no status
    found = judged(judge, "repairer.procurements.get", 200, {**PROCUREMENT, "source_items": [source_item]})
    assert found == ["SCHEMA-002"]


def test_a_part_status_outside_the_documented_enum_is_schema_002(judge: Judge) -> None:
    """PartStatusV1 is documented, but no source names the field that carries it on a part (PartV1.status)."""
    part = {"id": UUID, "description": "Bumper", "quantity": 1, "status": "estimated"}
    assert judged(judge, "repairer.jobs.parts.list", 200, {"items": [part]}) == []
    assert judged(judge, "repairer.jobs.parts.list", 200, {"items": [{**part, "status": "on_order"}]}) == [
        "SCHEMA-002"]


def test_extension_responses_are_documented_only_in_x_extension(judge: Judge) -> None:
    """A "local schema" carrying x_extension: true: the wrappers and the invoice's shape are inferred."""
    assert judged(judge, "repairer.procurements.invoices.list", 200, {"x_extension": True}) == ["SCHEMA-002"]
    assert judged(judge, "repairer.procurements.insert", 200, {"x_extension": True}) == ["SCHEMA-002"]
    found = judged(judge, "repairer.procurements.invoices.get", 200, {"x_extension": True, "invoice": {"id": "x"}})
    assert found and set(found) == {"SCHEMA-002"}


def test_a_named_type_referenced_by_a_documented_field_is_inferred_in_its_type(judge: Judge) -> None:
    assert judged(judge, "repairer.procurements.get", 200, {**PROCUREMENT, "vehicle": "Toyota Corolla"}) == [
        "SCHEMA-002"]


def test_a_shared_documented_type_inside_an_extension_wrapper_is_inferred(judge: Judge) -> None:
    body = {"x_extension": True, "procurement": {**PROCUREMENT, "id": "x"}}
    assert judged(judge, "repairer.procurements.insert", 200, body) == ["SCHEMA-002"]


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
    assert judged(judge, "businesses.list", 500, {"type": "oops"}) == ["WIRE-001", "ERR-001"]
    assert judged(judge, "businesses.list", 500, {"type": "bad_request"}) == ["WIRE-001", "ERR-002"]
    assert judged(judge, "businesses.list", 200, b"<html>", content_type="text/html") == ["WIRE-002"]
    assert judged(judge, "businesses.list", 200, b"{not json") == ["WIRE-002"]


def test_a_json_body_sent_under_another_label_is_wire_002_and_still_judged(judge: Judge) -> None:
    """NOTES §1: bodies are JSON "(`application/json`)": problem+json or a vendor +json is another label; the body,
    being JSON, is held to the method's union all the same. A charset parameter is not mentioned: any is fine."""
    assert judged(judge, "businesses.list", 401, {"type": "unauthorized"}, "application/problem+json") == ["WIRE-002"]
    assert judged(judge, "businesses.list", 200, {"items": {}}, "application/vnd.x+json") == ["WIRE-002", "SCHEMA-001"]
    assert judged(judge, "businesses.list", 200, {"items": []}, "application/json; charset=utf-8") == []


def test_no_body_carries_none_of_the_documented_fields(judge: Judge) -> None:
    """A 204 has no body, so no body that is not JSON (WIRE-002), and none of the listed fields (SCHEMA-001) or
    x_extension (EXT-001); any other status with an empty body is also not JSON."""
    assert judged(judge, "businesses.list", 204, b"", "") == ["SCHEMA-001"]
    assert judged(judge, "repairer.procurements.invoices.get", 204, b"", "") == ["SCHEMA-001", "EXT-001"]
    assert judged(judge, "businesses.list", 200, b"") == ["WIRE-002", "SCHEMA-001"]
    assert judged(judge, "businesses.list", 401, b"") == ["WIRE-002", "ERR-001"]


def test_extension_marker(judge: Judge) -> None:
    body = {"items": []}
    assert judged(judge, "repairer.procurements.invoices.list", 200, body) == ["EXT-001"]
    assert judged(judge, "repairer.procurements.invoices.list", 200, {**body, "x_extension": True}) == []


def test_only_contract_calls_are_judged(judge: Judge) -> None:
    """Other verbs, other media types and unknown method names are outside the contract: a framework's or a
    gateway's text/plain 405, 404 or 501 is judged by their own SHOULD checks, not by the wire rules."""
    assert judged(judge, "repairer.jobs.get", 415, {"type": "unsupported_media_type"}, contract_call=False) == []
    assert judged(judge, "repairer.jobs.get", 405, b"Method Not Allowed", "text/plain", contract_call=False) == []
    assert judged(judge, "repairer.jobs.get", 501, b"<html>", "text/html", contract_call=False) == []
    assert judged(judge, "repairer.jobs.nope", 404, b"Not Found", "text/plain") == []
    assert judged(judge, "repairer.jobs.get", 502, b"Bad Gateway", "text/plain") == ["WIRE-001", "WIRE-002"]
    assert judged(judge, "repairer.jobs.get", 429, b"slow down", "text/plain") == []  # no contract answer


def test_a_live_spec_without_provenance_is_all_documented() -> None:
    document = bundled()
    stripped = json.loads(json.dumps(document).replace('"x-provenance": "inferred"', '"x-provenance-was": "i"'))
    live = Judge(stripped)
    assert [f.requirement for f in live.judge("repairer.jobs.get", 200, "application/json",
                                              json.dumps({**JOB, "vehicle": {"year": "x"}}).encode())] == ["SCHEMA-001"]


def test_a_property_own_label_wins_over_its_ref_target(judge: Judge) -> None:
    """Procurement.status is an inferred property whose $ref target (the status enum) is documented."""
    assert judged(judge, "repairer.procurements.get", 200, PROCUREMENT) == []
    assert judged(judge, "repairer.procurements.get", 200, {**PROCUREMENT, "status": "placed"}) == ["SCHEMA-002"]


def test_findings_name_the_json_path_they_broke_at(judge: Judge) -> None:
    """The report marks it in the body: a schema violation's value, a D52 key, an error body outside the union."""
    (schema,) = judge.judge("repairer.jobs.get", 200, "application/json",
                            json.dumps({**JOB, "vehicle": {"year": "2019"}}).encode())
    assert schema.path == "$.vehicle.year" and schema.message.startswith("repairer.jobs.get: $.vehicle.year: ")
    basket = {"offers": [{**OFFER, "extra": {"currency": "NZD"}}], "suppliers": []}
    (d52,) = judge.judge("repairer.jobs.baskets.latest.get", 200, "application/json", json.dumps(basket).encode())
    assert d52.path == "$.offers[0].extra.currency"
    server_error = judge.judge("repairer.jobs.get", 500, "application/json", b"{}")[0]
    assert server_error.requirement == "WIRE-001" and server_error.path == ""
