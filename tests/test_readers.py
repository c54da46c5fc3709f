"""The workflow's readers and what makes a contract call: a reply is read where the documents leave its shape
open, never taken for empty, and a field whose name is inferred is found without assuming the name."""

from __future__ import annotations

from conformance.checks import workflow
from conformance.wire.exchange import Exchange

INVOICE = {"id": "i-1", "kind": "invoice", "procurement_id": "p-1", "lines": []}
CREDIT_NOTE = {"id": "c-1", "kind": "credit_note", "procurement_id": "p-1", "lines": []}


def test_a_reply_holding_two_lists_lists_both() -> None:
    assert workflow.items_of({"items": [INVOICE], "credit_notes": [CREDIT_NOTE]}) == [INVOICE]
    both = {"x_extension": True, "invoices": [INVOICE], "credit_notes": [CREDIT_NOTE]}
    assert workflow.items_of(both) == [INVOICE, CREDIT_NOTE]
    assert workflow.items_of({"x_extension": True, "invoices": [], "credit_notes": [CREDIT_NOTE]}) == [CREDIT_NOTE]
    assert workflow.items_of({"x_extension": True, "invoices": [INVOICE], "note": "x", "ids": ["a"]}) == [INVOICE]


def test_a_part_status_is_found_under_any_name() -> None:
    assert workflow.part_status({"id": "a", "status": "ordered", "state": "estimated"}) == "ordered"
    assert workflow.part_status({"id": "a", "status": "on_order"}) == "on_order"  # judged as it is
    assert workflow.part_status({"id": "a", "part_status": "ordered", "description": "Bonnet"}) == "ordered"
    assert workflow.part_status({"id": "a", "description": "Bonnet"}) is None
    assert workflow.part_status({"id": "a", "was": "estimated", "now": "ordered"}) is None  # which one: unreadable


def test_an_entity_s_own_id_is_id_or_else_each_id_field() -> None:
    assert workflow.own_ids(INVOICE) == {"id": "i-1"}
    renamed = {"invoice_id": "i-1", "procurement_id": "p-1", "job_part_ids": ["x"], "total": "1.00"}
    assert workflow.own_ids(renamed) == {"invoice_id": "i-1", "procurement_id": "p-1"}
    assert workflow.own_ids({"number": "INV-1"}) == {}


def test_the_entity_carrying_an_id_is_found_flat_or_under_any_wrapper() -> None:
    assert workflow.carrying({"x_extension": True, "invoice": INVOICE}, "id", "i-1") == INVOICE
    assert workflow.carrying({"x_extension": True, "document": INVOICE}, "id", "i-1") == INVOICE
    assert workflow.carrying({**INVOICE, "x_extension": True}, "id", "i-1") == INVOICE  # the wrapper's marker goes
    assert workflow.carrying({"x_extension": True, "invoice": INVOICE}, "id", "c-1") is None


def exchange(headers: dict[str, str], verb: str = "POST") -> Exchange:
    return Exchange(verb, "http://127.0.0.1:1/api/2026-01/businesses.list", headers, "{}", 200, "application/json",
                    "{}", 1.0)


def test_a_contract_call_is_a_post_sent_as_application_json() -> None:
    """A call without a Content-Type is read as JSON only upstream (NOTES §1): WIRE-010 judges its answer."""
    assert exchange({"Content-Type": "application/json"}).is_json_post
    assert exchange({"content-type": "application/json; charset=utf-8"}).is_json_post
    assert not exchange({}).is_json_post
    assert not exchange({"Content-Type": "text/plain"}).is_json_post
    assert not exchange({"Content-Type": "application/json"}, verb="GET").is_json_post
