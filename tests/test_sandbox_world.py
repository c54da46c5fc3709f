"""The seeded world and its behaviour: lifecycle, upsert, identities, baskets, scope, D52 (NOTES §5-8)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from sandbox.testing import SandboxClient

SITE, SITE2, OTHER_SITE = (f"0b000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))
CT, PD, CAR = (f"0b000000-0000-4000-8000-0000000000{n}" for n in (10, 11, 12))
AA = "0a000000-0000-4000-8000-000000000020"
DEMO_JOB_ID = "0d000000-0000-4000-8000-000000000001"
JOB = {"external": "CCC-2026-04817"}
P1 = {"id": "10000000-0000-4000-8000-000000000001"}
P_OTHER = {"id": "10000000-0000-4000-8000-000000000002"}
BONNET, SELLABLE_BONNET_CT = "0e000000-0000-4000-8000-000000000004", "0f000000-0000-4000-8000-000000000007"


def select(sellable: str, supplier: str, *parts: str, quantity: int = 1) -> dict[str, Any]:
    return {
        "sellable_id": sellable,
        "supplier_business_id": supplier,
        "job_part_ids": list(parts),
        "quantity": quantity,
    }


def new_job(client: SandboxClient, external: str, **fields: Any) -> dict[str, Any]:
    return client.ok("repairer.jobs.insert", {"identity": {"external": external}, "repairer_site_id": SITE, **fields})


def offers_by_part(client: SandboxClient, identity: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for offer in client.ok("repairer.jobs.baskets.latest.get", {"job_identity": identity})["offers"]:
        for part in offer["job_part_ids"]:
            out.setdefault(part, []).append(offer)
    return out


def test_seeded_job(repairer: SandboxClient) -> None:
    job = repairer.ok("repairer.jobs.get", {"identity": JOB})
    assert job["id"] == DEMO_JOB_ID and job["repairer_site_id"] == SITE and job["work_provider_id"] == AA
    assert job["vehicle"] == {"vin": "JTNKHMBX503012345", "make": "Toyota", "model": "Corolla", "year": 2019}
    assert job["job_number"] == "AVN-10482" and job["claim_number"] == "AA-CLM-7730215" and len(job["images"]) == 2
    parts = {p["id"]: p["status"] for p in repairer.ok("repairer.jobs.parts.list", {"job_identity": JOB})["items"]}
    assert parts[BONNET] == "estimated" and list(parts.values()).count("ordered") == 2
    assert [w["id"] for w in repairer.ok("repairer.work-providers.list")["items"]] == [
        AA,
        "0a000000-0000-4000-8000-000000000021",
    ]
    assert [b["id"] for b in repairer.ok("businesses.list")["items"]] == [SITE, SITE2]


def test_seeded_basket_has_several_suppliers_and_no_currency(repairer: SandboxClient) -> None:
    basket = repairer.ok("repairer.jobs.baskets.latest.get", {"job_identity": JOB})
    assert {s["id"] for s in basket["suppliers"]} == {CT, PD, CAR}
    assert {s["name"] for s in basket["suppliers"]} >= {"Christchurch Toyota"}
    bonnet = next(o for o in basket["offers"] if o["sellable_id"] == SELLABLE_BONNET_CT)
    assert (bonnet["supplier_business_id"], bonnet["job_part_ids"], bonnet["unit_price"]) == (CT, [BONNET], "452.17")

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        return {k for v in value for k in keys(v)} if isinstance(value, list) else set()

    assert not keys(basket) & {"currency", "currency_code"}  # D52


def test_job_identity_variants_find_the_same_job(repairer: SandboxClient) -> None:
    identities = [
        {"id": DEMO_JOB_ID},
        {"id": DEMO_JOB_ID.upper()},
        JOB,
        {"site_job_number": {"site_id": SITE, "job_number": "AVN-10482"}},
    ]
    assert {repairer.ok("repairer.jobs.get", {"identity": i})["id"] for i in identities} == {DEMO_JOB_ID}
    for method in ("repairer.jobs.parts.list", "repairer.jobs.baskets.latest.get", "repairer.procurements.list"):
        assert len({str(repairer.ok(method, {"job_identity": i})) for i in identities}) == 1


@pytest.mark.parametrize(
    "identity",
    [
        {"id": "0d000000-0000-4000-8000-000000000099"},
        {"external": "CCC-2026-00000"},
        {"site_job_number": {"site_id": SITE2, "job_number": "AVN-10482"}},
        {"id": "0d000000-0000-4000-8000-000000000002"},  # another organization's job
        {"external": "RPP-2026-00033"},
    ],
)
def test_unknown_or_foreign_job_is_not_found(repairer: SandboxClient, identity: dict[str, Any]) -> None:
    repairer.fails("repairer.jobs.get", {"identity": identity}, 404, "not_found")
    repairer.fails("repairer.jobs.parts.list", {"job_identity": identity}, 404, "not_found")
    repairer.fails(
        "repairer.jobs.parts.insert",
        {"job_identity": identity, "parts": [{"description": "x", "quantity": 1}]},
        404,
        "not_found",
    )  # D24: "not_found"


@pytest.mark.parametrize(
    "identity",
    [
        {},
        {"id": DEMO_JOB_ID, "external": "CCC-2026-04817"},
        {"external": "CCC-2026-04817", "site_job_number": {"site_id": SITE, "job_number": "AVN-10482"}},
    ],
)
def test_none_or_several_selectors_are_bad_request(repairer: SandboxClient, identity: dict[str, Any]) -> None:
    repairer.fails("repairer.jobs.get", {"identity": identity}, 400, "bad_request")
    repairer.fails("repairer.jobs.insert", {"identity": identity, "repairer_site_id": SITE}, 400, "bad_request")
    repairer.fails(
        "repairer.jobs.parts.insert",
        {"job_identity": identity, "parts": [{"description": "x", "quantity": 1}]},
        400,
        "bad_request",
    )


def test_jobs_insert_is_an_upsert(repairer: SandboxClient) -> None:
    first = new_job(
        repairer,
        "UPSERT-1",
        claim_number="C-1",
        job_number="N-1",
        vehicle={"vin": None, "make": "Mazda", "model": "CX-5", "year": 2021},
    )
    second = new_job(repairer, "UPSERT-1", claim_number="C-2", work_provider_id=AA)
    assert first["id"] == second["id"]
    assert (second["claim_number"], second["job_number"], second["work_provider_id"]) == ("C-2", "N-1", AA)
    assert second["vehicle"]["model"] == "CX-5" and second["images"] == []
    by_id = repairer.ok("repairer.jobs.insert", {"identity": {"id": first["id"]}, "repairer_site_id": SITE2})
    assert by_id["id"] == first["id"] and by_id["repairer_site_id"] == SITE2
    by_number = repairer.ok(
        "repairer.jobs.insert",
        {"identity": {"site_job_number": {"site_id": SITE2, "job_number": "N-1"}}, "repairer_site_id": SITE2},
    )
    assert by_number["id"] == first["id"]
    made = repairer.ok(
        "repairer.jobs.insert",
        {"identity": {"site_job_number": {"site_id": SITE, "job_number": "N-77"}}, "repairer_site_id": SITE},
    )
    assert made["id"] != first["id"] and made["job_number"] == "N-77" and made["external_id"] is None
    assert repairer.ok("repairer.jobs.get", {"identity": {"site_job_number": {"site_id": SITE, "job_number": "N-77"}}})


def test_jobs_insert_errors(repairer: SandboxClient) -> None:
    base = {"identity": {"external": "ERR-1"}, "repairer_site_id": SITE}
    repairer.fails(
        "repairer.jobs.insert",
        {**base, "work_provider_id": "0a000000-0000-4000-8000-000000000099"},
        422,
        "work_provider_not_found",
    )
    repairer.fails("repairer.jobs.insert", {**base, "repairer_site_id": OTHER_SITE}, 422, "unprocessable")
    repairer.fails("repairer.jobs.insert", {**base, "repairer_site_id": CT}, 422, "unprocessable")
    repairer.fails(
        "repairer.jobs.insert",
        {**base, "identity": {"id": "0d000000-0000-4000-8000-000000000099"}},
        422,
        "unprocessable",
    )
    repairer.fails("repairer.jobs.insert", {**base, "job_number": "AVN-10482"}, 422, "unprocessable")  # taken
    repairer.fails("repairer.jobs.get", {"identity": {"external": "ERR-1"}}, 404, "not_found")  # nothing created


def test_new_job_basket_follows_its_parts(repairer: SandboxClient) -> None:
    job = new_job(repairer, "BASKET-1")
    identity = {"id": job["id"]}
    assert repairer.ok("repairer.jobs.baskets.latest.get", {"job_identity": identity}) == {
        "offers": [],
        "suppliers": [],
    }
    parts = repairer.ok(
        "repairer.jobs.parts.insert",
        {
            "job_identity": identity,
            "parts": [
                {"description": "Front bumper cover assembly", "quantity": 1},
                {"description": "Fog lamp, right", "quantity": 2, "part_number": "81210-02090"},
            ],
        },
    )["items"]
    assert [p["status"] for p in parts] == ["estimated", "estimated"]
    offers = offers_by_part(repairer, identity)
    assert set(offers) == {p["id"] for p in parts}
    assert all(len({o["supplier_business_id"] for o in group}) >= 2 for group in offers.values())
    # deterministic: another job, same description, same prices
    other = new_job(repairer, "BASKET-2")
    repairer.ok(
        "repairer.jobs.parts.insert",
        {"job_identity": {"id": other["id"]}, "parts": [{"description": "Front bumper cover assembly", "quantity": 1}]},
    )
    prices = [
        sorted(o["unit_price"] for o in group) for group in offers_by_part(repairer, {"id": other["id"]}).values()
    ]
    assert prices[0] == sorted(o["unit_price"] for o in offers[parts[0]["id"]])


def test_parts_insert_unprocessable_is_a_bare_string(repairer: SandboxClient) -> None:
    repairer.fails(
        "repairer.jobs.parts.insert",
        {"job_identity": JOB, "parts": [{"description": "   ", "quantity": 1}]},
        422,
        "unprocessable",
    )


def test_place_confirm_invoice_lifecycle(repairer: SandboxClient, supplier: SandboxClient) -> None:
    job = new_job(repairer, "LIFE-1")
    identity = {"id": job["id"]}
    parts = repairer.ok(
        "repairer.jobs.parts.insert",
        {
            "job_identity": identity,
            "parts": [
                {"description": "Left front guard", "quantity": 1},
                {"description": "Bonnet hinge", "quantity": 2},
                {"description": "Washer bottle", "quantity": 1},
            ],
        },
    )["items"]
    offers = offers_by_part(repairer, identity)
    chosen = [next(o for o in offers[p["id"]] if o["supplier_business_id"] == CT) for p in parts[:2]]
    placed = repairer.ok(
        "repairer.procurements.insert",
        {
            "job_identity": identity,
            "offer_selections": [
                select(o["sellable_id"], CT, o["job_part_ids"][0], quantity=q)
                for o, q in zip(chosen, (1, 2), strict=True)
            ],
        },
    )
    procurement = placed["procurement"]
    assert placed["x_extension"] is True and procurement["currency_code"] == "NZD"
    assert procurement["status"] == "order_requested"
    assert {i["status"] for i in procurement["source_items"]} == {"order_requested"}
    assert procurement["created_at"] <= procurement["updated_at"]
    statuses = [p["status"] for p in repairer.ok("repairer.jobs.parts.list", {"job_identity": identity})["items"]]
    assert statuses == ["ordered", "ordered", "estimated"]
    pid = {"id": procurement["id"]}
    # invoices only after confirmation
    assert repairer.ok("repairer.procurements.invoices.list", {"procurement_identity": pid})["items"] == []
    assert supplier.ok("supplier.procurements.get", {"identity": pid})["status"] == "order_requested"
    confirmed = supplier.ok("supplier.procurements.confirm", {"identity": pid})
    assert confirmed["status"] == "order_confirmed" and confirmed["updated_at"] > procurement["updated_at"]
    assert confirmed["created_at"] == procurement["created_at"]
    again = supplier.ok("supplier.procurements.confirm", {"identity": pid})
    assert again == confirmed  # idempotent
    buyer_view = repairer.ok("repairer.procurements.get", {"identity": pid})
    assert buyer_view["status"] == "order_confirmed" and buyer_view["updated_at"] == confirmed["updated_at"]

    invoices = repairer.ok("repairer.procurements.invoices.list", {"procurement_identity": pid})["items"]
    assert len(invoices) == 1
    invoice = invoices[0]
    assert invoice["currency_code"] == procurement["currency_code"] and invoice["kind"] == "invoice"
    ordered = {
        (i["sellable_id"], i["job_part_id"], i["quantity"], i["unit_price"]) for i in procurement["source_items"]
    }
    assert {
        (ln["sellable_id"], ln["job_part_id"], ln["quantity"], ln["unit_price"]) for ln in invoice["lines"]
    } == ordered
    subtotal = sum(Decimal(ln["line_total"]) for ln in invoice["lines"])
    assert Decimal(invoice["subtotal"]) == subtotal and invoice["shipping_total"] == "0.00"
    assert Decimal(invoice["total"]) == subtotal + Decimal(invoice["tax_total"])
    assert Decimal(invoice["tax_total"]) == (subtotal * Decimal("0.15")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    by_job = repairer.ok("repairer.procurements.invoices.list", {"job_identity": identity})["items"]
    assert by_job == invoices
    got = repairer.ok("repairer.procurements.invoices.get", {"identity": {"id": invoice["id"]}})
    assert got == {"x_extension": True, "invoice": invoice}


def test_seeded_procurement_confirm_gives_1099(repairer: SandboxClient, supplier: SandboxClient) -> None:
    before = supplier.ok("supplier.procurements.get", {"identity": P1})
    assert before["status"] == "order_requested" and before["currency_code"] == "NZD"
    assert repairer.ok("repairer.procurements.invoices.list", {"procurement_identity": P1})["items"] == []
    assert before["buyer_business"]["id"] == SITE and before["buyer_shipping_address"]["country_code"] == "NZ"
    confirmed = supplier.ok("supplier.procurements.confirm", {"identity": P1})
    assert confirmed["status"] == "order_confirmed"
    assert {i["status"] for i in confirmed["source_items"]} == {"order_confirmed"}
    assert before["created_at"] == confirmed["created_at"] < confirmed["updated_at"]
    assert supplier.ok("supplier.procurements.confirm", {"identity": P1}) == confirmed
    [invoice] = repairer.ok("repairer.procurements.invoices.list", {"procurement_identity": P1})["items"]
    assert [ln["unit_price"] for ln in invoice["lines"]] == ["612.40", "343.25"]
    assert (invoice["subtotal"], invoice["shipping_total"], invoice["tax_total"], invoice["total"]) == (
        "955.65",
        "0.00",
        "143.35",
        "1099.00",
    )


def test_procurement_insert_rules(repairer: SandboxClient) -> None:
    def place(*selections: dict[str, Any], job: dict[str, Any] = JOB) -> dict[str, Any]:
        return {"job_identity": job, "offer_selections": list(selections)}

    grille = "0e000000-0000-4000-8000-000000000005"
    unprocessable = [
        place(select(SELLABLE_BONNET_CT, CT, BONNET), select("0f000000-0000-4000-8000-000000000012", PD, grille)),
        place(select("0f000000-0000-4000-8000-000000000099", CT, BONNET)),  # unknown sellable
        place(select(SELLABLE_BONNET_CT, PD, BONNET)),  # sellable named with another supplier
        place(select(SELLABLE_BONNET_CT, CT, "0e000000-0000-4000-8000-000000000099")),  # unknown part
        place(select(SELLABLE_BONNET_CT, CT, grille)),  # part the offer does not cover
        place(select("0f000000-0000-4000-8000-000000000004", CT, "0e000000-0000-4000-8000-000000000002")),  # ordered
        place(select(SELLABLE_BONNET_CT, CT, BONNET), select(SELLABLE_BONNET_CT, CT, BONNET)),  # twice
    ]
    for body in unprocessable:
        repairer.fails("repairer.procurements.insert", body, 422, "unprocessable")
    repairer.fails(
        "repairer.procurements.insert",
        place(select(SELLABLE_BONNET_CT, CT, BONNET), job={"external": "NOPE"}),
        404,
        "not_found",
    )
    repairer.ok("repairer.procurements.insert", place(select(SELLABLE_BONNET_CT, CT, BONNET)))
    repairer.fails(
        "repairer.procurements.insert", place(select(SELLABLE_BONNET_CT, CT, BONNET)), 422, "unprocessable"
    )  # now ordered
    assert len(repairer.ok("repairer.procurements.list", {"job_identity": JOB})["items"]) == 2


def test_scope(repairer: SandboxClient, supplier: SandboxClient) -> None:
    repairer.fails("repairer.procurements.get", {"identity": P_OTHER}, 404, "not_found")  # another org's
    supplier.fails("supplier.procurements.get", {"identity": P_OTHER}, 404, "not_found")  # another supplier's
    supplier.fails("supplier.procurements.confirm", {"identity": P_OTHER}, 404, "not_found")
    repairer.fails("repairer.procurements.invoices.list", {"procurement_identity": P_OTHER}, 404, "not_found")
    repairer.fails(
        "repairer.procurements.invoices.get",
        {"identity": {"id": "20000000-0000-4000-8000-000000000002"}},
        404,
        "not_found",
    )
    repairer.fails(
        "repairer.procurements.invoices.get",
        {"identity": {"id": "20000000-0000-4000-8000-000000000001"}},
        404,
        "not_found",
    )  # not minted until 10...01 is confirmed
    repairer.fails(
        "repairer.procurements.get", {"identity": {"id": "10000000-0000-4000-8000-000000000099"}}, 404, "not_found"
    )
    # a procurement the demo supplier is not part of, in the demo repairer's own job
    placed = repairer.ok(
        "repairer.procurements.insert",
        {
            "job_identity": JOB,
            "offer_selections": [
                select("0f000000-0000-4000-8000-000000000012", PD, "0e000000-0000-4000-8000-000000000005")
            ],
        },
    )
    supplier.fails("supplier.procurements.get", {"identity": {"id": placed["procurement"]["id"]}}, 404, "not_found")
    assert supplier.ok("supplier.procurements.get", {"identity": P1})["id"] == P1["id"]


def test_tier1_prepare_lists_invalid_vins(repairer: SandboxClient) -> None:
    vins = [
        "JTDBR32E730012345",
        "JTDBR32E73001234",
        "JTDBR32E73001234O",
        "jtdbr32e730012345",
        "1HGCM82633A00435I",
        "JTNKHMBX503012345",
    ]
    result = repairer.ok("tier1.prepare", {"identifiers": [{"vin": v} for v in vins]})
    assert [i["vin"] for i in result["invalid_identifiers"]] == vins[1:5]


def test_uploads_prepare(repairer: SandboxClient) -> None:
    ok = repairer.ok("uploads.prepare", {"file_name": "estimate.jpg", "media_type": "image", "type": "job_media"})
    assert "/__sandbox/uploads/" in ok["upload_url"] and ok["public_url"].endswith("/estimate.jpg")
    private = repairer.ok("uploads.prepare", {"file_name": "INV-1.PDF", "media_type": "document", "type": "invoice"})
    assert private["public_url"] is None
    for name, media in (("estimate.pdf", "image"), ("clip", "video"), ("a/b.jpg", "image"), (".jpg", "image")):
        repairer.fails(
            "uploads.prepare", {"file_name": name, "media_type": media, "type": "job_media"}, 422, "unprocessable"
        )
