"""The dialects (sandbox/dialects.py): the catalogue's shape, unknown names refused, and each dialect doing over
HTTP what its row says while the documented behaviour around it stays. Whether the suite passes each one is
tests/test_pass_matrix.py's business."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

from sandbox import create_app
from sandbox.__main__ import parse_args
from sandbox.dialects import ALL, CATALOGUE, Dialect, UnknownDialect
from sandbox.faults import CATALOGUE as FAULTS
from sandbox.seams import Seam
from sandbox.server import running
from sandbox.testing import SUPPLIER, SandboxClient, new_tenant
from spec import demo

SANDBOX = Path(__file__).resolve().parent.parent / "sandbox"
README = SANDBOX.parent / "README.md"
JOB = {"external": demo.JOB_EXTERNAL_ID}
PROCUREMENT = {"identity": {"id": demo.PROCUREMENT_ID}}
SITE_2 = "0b000000-0000-4000-8000-000000000002"
INVOICES = {"procurement_identity": PROCUREMENT["identity"]}
GRANT = asdict(demo.GRANT)
PART = {"description": "Front bumper cover assembly", "quantity": 1}
PLACE = {"job_identity": JOB, "offer_selections": [{"sellable_id": demo.SELLABLE_ID, "supplier_business_id":
                                                    demo.SUPPLIER_BUSINESS_ID, "job_part_ids": [demo.JOB_PART_ID],
                                                    "quantity": 1}]}


@contextmanager
def sandbox(*dialects: str, **options: Any) -> Iterator[SandboxClient]:
    """The demo repairer in a fresh tenant of a sandbox with `dialects` switched on."""
    with running(create_app(dialects=dialects, **options)) as url:
        yield SandboxClient(url, tenant=new_tenant())


def test_the_catalogue_names_a_silent_place_for_every_dialect() -> None:
    assert len(CATALOGUE) >= 12 and ALL not in CATALOGUE and not set(CATALOGUE) & set(FAULTS)
    for name, row in CATALOGUE.items():
        assert isinstance(row, Dialect) and name == row.name and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name), name
        assert row.description and "\n" not in row.description, name
        assert row.silent and ("NOTES" in row.silent or "reference" in row.silent or "not mentioned" in row.silent)
        assert (row.apply is None) == (row.seam is Seam.DOMAIN), name


def test_the_readme_lists_every_dialect_as_in_the_catalogue() -> None:
    rows = ["| dialect | what it does | where the documents are silent |", "|---|---|---|"]
    rows += [f"| `{row.name}` | {row.description} | {row.silent} |" for row in CATALOGUE.values()]
    table = README.read_text().split("<!-- dialects-table -->", 1)[1].split("<!-- /dialects-table -->", 1)[0]
    assert table.strip() == "\n".join(rows), "README dialect table is stale; replace it with:\n" + "\n".join(rows)


def test_every_domain_dialect_is_asked_for_by_a_handler() -> None:
    code = "\n".join(p.read_text() for p in SANDBOX.rglob("*.py") if p.name != "dialects.py")
    for row in (r for r in CATALOGUE.values() if r.seam is Seam.DOMAIN):
        assert f'dialects.active("{row.name}")' in code, row.name


def test_unknown_dialect_names_are_refused_and_all_is_every_dialect(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UnknownDialect, match="no-such-dialect"):
        create_app(dialects=["json-charset", "no-such-dialect"])
    with pytest.raises(SystemExit):
        parse_args(["--dialect", "no-such-dialect"])
    assert "unknown dialect no-such-dialect" in capsys.readouterr().err
    assert parse_args(["--dialect", ALL, "--dialect", "json-charset"]).dialect == [ALL, "json-charset"]
    assert create_app(dialects=[ALL]).state.dialects.names == frozenset(CATALOGUE)
    assert not create_app().state.dialects


# -- the 2xx bodies --------------------------------------------------------------------------------


def test_parts_insert_new_only() -> None:
    with sandbox("parts-insert-new-only") as client:
        inserted = client.ok("repairer.jobs.parts.insert", {"job_identity": JOB, "parts": [PART, PART]})["items"]
        assert [p["description"] for p in inserted] == [PART["description"]] * 2
        assert len({p["id"] for p in inserted}) == 2 and {p["status"] for p in inserted} == {"estimated"}
        listed = client.ok("repairer.jobs.parts.list", {"job_identity": JOB})["items"]
        assert len(listed) == 7 and {p["id"] for p in inserted} < {p["id"] for p in listed}


def test_absent_optionals_leave_out_nulls_the_schema_does_not_require() -> None:
    with sandbox("absent-optionals") as client:
        job = client.ok("repairer.jobs.insert", {"identity": {"external": "A-1"}, "repairer_site_id": demo.SITE_ID})
        assert set(job) == {"id", "external_id", "repairer_site_id", "images"}
        offers = client.ok("repairer.jobs.baskets.latest.get", {"job_identity": JOB})["offers"]
        assert any("part_number" not in o and "brand" not in o for o in offers)
        assert None not in [value for o in offers for value in o.values()]
        upload = client.ok("uploads.prepare", {"file_name": "a.pdf", "media_type": "document", "type": "invoice"})
        assert upload["public_url"] is None  # listed without ?: required, and nullable
        address = client.as_(SUPPLIER).ok("supplier.procurements.get", PROCUREMENT)["buyer_shipping_address"]
        assert "line2" not in address and address["line1"]


def test_status_top_level_only() -> None:
    with sandbox("status-top-level-only") as client:
        procurement = client.request("repairer.procurements.get", PROCUREMENT, check=False).json()
        assert procurement["status"] == "order_requested"
        assert procurement["source_items"] and all("status" not in item for item in procurement["source_items"])


def test_part_status_named_differently() -> None:
    with sandbox("part-status-named-differently") as client:
        parts = client.request("repairer.jobs.parts.list", {"job_identity": JOB}, check=False).json()["items"]
        assert parts and all("status" not in p for p in parts)
        assert {p["id"]: p["part_status"] for p in parts}[demo.JOB_PART_ID] == "estimated"
        client.ok("repairer.procurements.insert", PLACE)
        parts = client.request("repairer.jobs.parts.list", {"job_identity": JOB}, check=False).json()["items"]
        assert {p["id"]: p["part_status"] for p in parts}[demo.JOB_PART_ID] == "ordered"


def confirmed_invoices(client: SandboxClient) -> dict[str, Any]:
    """The seeded procurement confirmed by its supplier; then its invoices.list reply."""
    client.as_(SUPPLIER).ok("supplier.procurements.confirm", PROCUREMENT)
    return client.request("repairer.procurements.invoices.list", INVOICES, check=False).json()


def test_invoice_id_named_differently() -> None:
    with sandbox("invoice-id-named-differently") as client:
        [listed] = confirmed_invoices(client)["items"]
        assert "id" not in listed and listed["procurement_id"] == demo.PROCUREMENT_ID
        got = client.request("repairer.procurements.invoices.get", {"identity": {"id": listed["invoice_id"]}},
                             check=False).json()
        assert got == {"x_extension": True, "invoice": listed}


def test_invoices_and_credit_notes_apart() -> None:
    with sandbox("invoices-and-credit-notes-apart") as client:
        listed = confirmed_invoices(client)
        assert set(listed) == {"x_extension", "invoices", "credit_notes"} and listed["credit_notes"] == []
        assert [i["kind"] for i in listed["invoices"]] == ["invoice"]


def test_local_extension_shapes() -> None:
    with sandbox("local-extension-shapes") as client:
        placed = client.request("repairer.procurements.insert", PLACE, check=False).json()
        assert placed["x_extension"] is True and placed["status"] == "order_requested" and "procurement" not in placed
        client.as_(SUPPLIER).ok("supplier.procurements.confirm", {"identity": {"id": placed["id"]}})
        listed = client.request("repairer.procurements.invoices.list", {"procurement_identity": {"id": placed["id"]}},
                                check=False).json()
        assert set(listed) == {"x_extension", "invoices"} and len(listed["invoices"]) == 1
        first = {"identity": {"id": listed["invoices"][0]["id"]}}
        invoice = client.request("repairer.procurements.invoices.get", first, check=False).json()
        assert invoice == {**listed["invoices"][0], "x_extension": True}


def test_money_as_numbers() -> None:
    with sandbox("money-as-numbers") as client:
        offers = client.request("repairer.jobs.baskets.latest.get", {"job_identity": JOB}, check=False).json()["offers"]
        assert 452.17 in [o["unit_price"] for o in offers]
        supplier = client.as_(SUPPLIER)
        confirmed = supplier.request("supplier.procurements.confirm", PROCUREMENT, check=False).json()
        assert confirmed["total_shipping_price"] == 0 and {i["unit_price"] for i in confirmed["source_items"]} == {
            612.40, 343.25}
        invoice = client.request("repairer.procurements.invoices.list", INVOICES, check=False).json()["items"][0]
        assert (invoice["subtotal"], invoice["tax_total"], invoice["total"]) == (955.65, 143.35, 1099.0)


def test_quantities_as_strings() -> None:
    with sandbox("quantities-as-strings") as client:
        parts = client.request("repairer.jobs.parts.list", {"job_identity": JOB}, check=False).json()["items"]
        assert parts and all(isinstance(p["quantity"], str) and p["quantity"].isdigit() for p in parts)
        procurement = client.request("repairer.procurements.get", PROCUREMENT, check=False).json()
        assert {i["quantity"] for i in procurement["source_items"]} == {"1"}


def test_offset_timestamps() -> None:
    with sandbox("offset-timestamps") as client:
        procurement = client.ok("repairer.procurements.get", PROCUREMENT)
        for key in ("created_at", "updated_at"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+13:00", procurement[key]), procurement[key]
        assert datetime.fromisoformat(procurement["created_at"]) <= datetime.fromisoformat(procurement["updated_at"])


def test_reverse_orders() -> None:
    with sandbox("reverse-orders") as client:
        assert [b["id"] for b in client.ok("businesses.list")["items"]] == [SITE_2, demo.SITE_ID]
        providers = client.ok("repairer.work-providers.list")["items"]
        assert providers[-1]["id"] == demo.WORK_PROVIDER_ID
        parts = client.ok("repairer.jobs.parts.list", {"job_identity": JOB})["items"]
        assert parts[0]["description"] == "Upper radiator grille"


def test_extra_fields_everywhere_but_no_currency_in_a_basket() -> None:
    with sandbox("extra-fields") as client:
        basket = client.ok("repairer.jobs.baskets.latest.get", {"job_identity": JOB})
        assert basket["request_id"].startswith("req_")
        assert all(o["revision"] == 1 for o in basket["offers"] + basket["suppliers"])
        assert "currency" not in json.dumps(basket)
        error = client.request("repairer.jobs.get", {"identity": {"external": "nothing"}}).json()
        assert error["type"] == "not_found" and error["revision"] == 1
        unknown = {"job_identity": {"external": "no"}, "parts": [PART]}  # D24: a bare string has no room for more
        assert client.request("repairer.jobs.parts.insert", unknown).json() == "not_found"


def test_install_grants_supplier() -> None:
    with sandbox("install-grants-supplier") as client:
        minted = client.as_({}).ok("integrations.insert", GRANT)
        supplier = client.as_({"Authorization": f"Bearer {minted['api_key']}",
                               "Partly-Integration-ID": minted["integration_id"]})
        assert supplier.ok("supplier.procurements.get", PROCUREMENT)["id"] == demo.PROCUREMENT_ID
        supplier.fails("repairer.jobs.get", {"identity": JOB}, 403, "forbidden")
        client.as_({}).fails("integrations.insert", GRANT, 401, "invalid_access_code")


def test_install_pairs_per_world() -> None:
    """Each fresh world's first install mints the same pair, which authenticates in its world only until the other
    world mints it too; the code is still single-use."""
    with running(create_app(dialects=["install-pairs-per-world"])) as url:
        worlds = [SandboxClient(url, tenant=new_tenant(), headers={}) for _ in range(2)]
        pairs = [(minted["api_key"], minted["integration_id"])
                 for minted in (world.ok("integrations.insert", GRANT) for world in worlds)]
        assert pairs[0] == pairs[1] and re.fullmatch(r"partly_[0-9a-f]{32}", pairs[0][0])
        assert uuid.UUID(pairs[0][1]).version == 4 and pairs[0][0] != demo.REPAIRER.api_key
        for world in worlds:
            headers = {"Authorization": f"Bearer {pairs[0][0]}", "Partly-Integration-ID": pairs[0][1]}
            assert world.as_(headers).ok("businesses.list")["items"]
            world.fails("integrations.insert", GRANT, 401, "invalid_access_code")


# -- requests --------------------------------------------------------------------------------------


def test_site_job_number_named_differently() -> None:
    with sandbox("site-job-number-named-differently") as client:
        by_name = {"site_and_job_number": {"repairer_site_id": demo.SITE_ID, "job_number": "AVN-10482"}}
        job = client.ok("repairer.jobs.get", {"identity": by_name})
        assert job["external_id"] == demo.JOB_EXTERNAL_ID
        assert client.ok("repairer.jobs.get", {"identity": {"id": job["id"]}}) == job
        assert client.ok("repairer.jobs.parts.list", {"job_identity": by_name})["items"]
        bundled_name = {"site_job_number": {"site_id": demo.SITE_ID, "job_number": "AVN-10482"}}
        client.fails("repairer.jobs.get", {"identity": bundled_name}, 400, "bad_request")
        client.fails("repairer.jobs.get", {"identity": {**by_name, **JOB}}, 400, "bad_request")  # ambiguous
        inner = {"site_and_job_number": {"site_id": demo.SITE_ID, "job_number": "AVN-10482"}}
        client.fails("repairer.jobs.get", {"identity": inner}, 400, "bad_request")


@pytest.mark.parametrize(("method", "body", "status", "kind"), [
    ("repairer.jobs.parts.insert", {"job_identity": JOB, "parts": [{"description": 5, "quantity": 1}]}, 422,
     "unprocessable"),
    ("repairer.jobs.parts.insert", {"job_identity": JOB}, 422, "unprocessable"),
    ("repairer.jobs.parts.insert", {"parts": [PART]}, 400, "bad_request"),  # the selector is missing
    ("repairer.jobs.parts.insert", {}, 400, "bad_request"),
    ("repairer.jobs.parts.insert", {"job_identity": {**JOB, "id": demo.PROCUREMENT_ID}, "parts": [PART]}, 400,
     "bad_request"),  # ambiguous
    ("repairer.jobs.insert", {"identity": JOB}, 422, "unprocessable"),
    ("repairer.jobs.insert", {"identity": JOB, "repairer_site_id": 5}, 422, "unprocessable"),
    ("repairer.jobs.insert", {"repairer_site_id": demo.SITE_ID}, 400, "bad_request"),
    ("uploads.prepare", {}, 422, "unprocessable"),
    ("uploads.prepare", {"file_name": "a.jpg", "media_type": "image", "type": 7}, 422, "unprocessable"),
    ("repairer.jobs.get", {"identity": 5}, 400, "bad_request"),  # no unprocessable in its union
    ("tier1.prepare", {}, 400, "bad_request"),
])
def test_unprocessable_for_invalid(method: str, body: dict[str, Any], status: int, kind: str) -> None:
    with sandbox("unprocessable-for-invalid") as client:
        client.fails(method, body, status, kind)
        response = client.request(method, content=b"{", headers={"Content-Type": "application/json"})
        assert response.status_code == 400  # a body that does not parse is still 400 (NOTES §1)


def test_selections_checked_first() -> None:
    with sandbox("selections-checked-first") as client:
        for body in ({"offer_selections": []}, {"job_identity": JOB}, {"job_identity": {**JOB, "id": demo.JOB_PART_ID},
                                                                       "offer_selections": []}):
            client.fails("repairer.procurements.insert", body, 422, "unprocessable")
        selections = {"offer_selections": PLACE["offer_selections"]}  # the identity checked next, as ever
        client.fails("repairer.procurements.insert", selections, 400, "bad_request")
        assert client.ok("repairer.procurements.insert", PLACE)["procurement"]["job_id"]


def test_procurement_resolved_first() -> None:
    with sandbox("procurement-resolved-first") as client:
        unknown = {"procurement_identity": {"id": str(uuid.uuid4())}}
        client.fails("repairer.procurements.invoices.list", {**unknown, "job_identity": JOB}, 404, "not_found")
        client.fails("repairer.procurements.invoices.list", unknown, 404, "not_found")
        client.fails("repairer.procurements.invoices.list", {**INVOICES, "job_identity": JOB}, 400, "bad_request")
        assert client.ok("repairer.procurements.invoices.list", INVOICES)["items"] == []


# -- the domain and statuses -----------------------------------------------------------------------


def test_confirm_again_refused_changes_nothing() -> None:
    with sandbox("confirm-again-refused") as client:
        supplier = client.as_(SUPPLIER)
        confirmed = supplier.ok("supplier.procurements.confirm", PROCUREMENT)
        response = supplier.fails("supplier.procurements.confirm", PROCUREMENT, 400, "bad_request")
        assert response.json()["reason"] == "already_confirmed"
        assert supplier.ok("supplier.procurements.get", PROCUREMENT) == confirmed
        assert len(client.ok("repairer.procurements.invoices.list", INVOICES)["items"]) == 1


def test_inferred_statuses() -> None:
    with sandbox("inferred-statuses") as client:
        client.fails("repairer.jobs.insert", {"identity": JOB, "repairer_site_id": demo.SITE_ID,
                                              "work_provider_id": demo.PROCUREMENT_ID}, 404, "work_provider_not_found")
        client.as_({}).fails("integrations.insert", {**GRANT, "access_code": "ac_nope"}, 400, "invalid_access_code")
        client.fails("uploads.prepare", {"file_name": "a.exe", "media_type": "image", "type": "job_media"}, 400,
                     "unprocessable")
        client.fails("repairer.jobs.get", {"identity": {"external": "none"}}, 404, "not_found")  # documented: kept


# -- what a framework or a gateway answers ---------------------------------------------------------


def is_text(response: Any, status: int, text: str) -> bool:
    return (response.status_code, response.text, response.headers["content-type"]) == (
        status, text, "text/plain; charset=utf-8")


def test_transport_errors_plain() -> None:
    with sandbox("transport-errors-plain", max_body=1000) as client:
        response = client.request("businesses.list", content=b"{}", headers={"Content-Type": "text/plain"},
                                  check=False)
        assert is_text(response, 415, HTTPStatus(415).phrase)
        response = client.request("businesses.list", content=b" " * 2000, check=False)
        assert is_text(response, 413, HTTPStatus(413).phrase)
        assert client.request("businesses.list", content=b"{", check=False).status_code == 400


def test_content_type_required() -> None:
    with sandbox("content-type-required") as client:
        for content in (b"", b"{}"):
            response = client.request("businesses.list", content=content, headers={"Content-Type": None}, check=False)
            assert is_text(response, 415, HTTPStatus(415).phrase)
        assert client.ok("businesses.list", {})["items"]
        assert client.request("businesses.list", content=b"", headers={"Content-Type": "application/json"}).is_success


def test_framework_errors() -> None:
    with sandbox("framework-errors") as client:
        response = client.request("businesses.list", verb="GET")
        assert is_text(response, 405, "Method Not Allowed") and response.headers["allow"] == "POST"
        assert is_text(client.request("no.such.method", {}, check=False), 404, "Not Found")
        client.as_({}).fails("businesses.list", {}, 401, "unauthorized")  # coded errors stay coded


def test_gateway_verbs() -> None:
    with sandbox("gateway-verbs") as client:
        for verb, status, text in (("QUERY", 405, "Method Not Allowed"), ("OPTIONS", 405, "Method Not Allowed"),
                                   ("TRACE", 501, "Not Implemented")):
            assert is_text(client.request("businesses.list", verb=verb), status, text), verb
            assert is_text(client.request("no.such.method", verb=verb), status, text), verb
        response = client.request("businesses.list", verb="GET")
        assert (response.status_code, response.json()["type"]) == (405, "bad_request")


def test_json_charset() -> None:
    with sandbox("json-charset") as client:
        response = client.request("businesses.list", {})
        assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_all_dialects_compose_along_the_happy_path() -> None:
    """Every dialect at once: the buyer loop still works end to end, in the dialects' own words."""
    with sandbox(ALL) as client:
        site = client.ok("businesses.list", check=False)["items"][-1]["id"]
        identity = {"site_and_job_number": {"repairer_site_id": site, "job_number": "ALL-1"}}
        job = client.ok("repairer.jobs.insert", {"identity": identity, "repairer_site_id": site}, check=False)
        assert "claim_number" not in job and job["revision"] == 1
        parts = client.ok("repairer.jobs.parts.insert", {"job_identity": identity, "parts": [PART]}, check=False)
        offers = client.ok("repairer.jobs.baskets.latest.get", {"job_identity": {"id": job["id"]}},
                           check=False)["offers"]
        offer = next(o for o in offers if o["supplier_business_id"] == demo.SUPPLIER_BUSINESS_ID)
        assert isinstance(offer["unit_price"], float)
        selection = {key: offer[key] for key in ("sellable_id", "supplier_business_id", "job_part_ids")}
        placed = client.ok("repairer.procurements.insert", {"job_identity": identity, "offer_selections": [
            {**selection, "quantity": 1}]}, check=False)
        assert placed["source_items"][0]["job_part_id"] == parts["items"][0]["id"]
        assert placed["x_extension"] is True and "status" not in placed["source_items"][0]
        supplier = client.as_(SUPPLIER)
        supplier.ok("supplier.procurements.confirm", {"identity": {"id": placed["id"]}}, check=False)
        supplier.fails("supplier.procurements.confirm", {"identity": {"id": placed["id"]}}, 400, "bad_request",
                       check=False)
        invoices = client.ok("repairer.procurements.invoices.list", {"job_identity": identity}, check=False)
        assert [line["unit_price"] for line in invoices["invoices"][0]["lines"]] == [offer["unit_price"]]
        response = client.request("businesses.list", verb="TRACE")
        assert response.status_code == 501
