"""Every curl example of api-reference.txt works, in the order given there, against a fresh world."""

from __future__ import annotations

from decimal import Decimal

from sandbox.testing import REPAIRER, SUPPLIER, SandboxClient

JOB = {"external": "CCC-2026-04817"}
PROCUREMENT = {"id": "10000000-0000-4000-8000-000000000001"}
GRANT = {"access_code": "ac_demo_valid_15m", "client_id": "partly_client_demo", "client_secret": "secret_demo_8f3a"}

# (method, identity, body) exactly as in api-reference.txt, in its order; None: no credentials.
EXAMPLES = [
    ("businesses.list", REPAIRER, {}),
    ("integrations.insert", None, GRANT),
    ("repairer.jobs.baskets.latest.get", REPAIRER, {"job_identity": JOB}),
    ("repairer.jobs.get", REPAIRER, {"identity": JOB}),
    (
        "repairer.jobs.insert",
        REPAIRER,
        {
            "identity": JOB,
            "repairer_site_id": "0b000000-0000-4000-8000-000000000001",
            "work_provider_id": "0a000000-0000-4000-8000-000000000020",
        },
    ),
    (
        "repairer.jobs.parts.insert",
        REPAIRER,
        {"job_identity": JOB, "parts": [{"description": "Front bumper cover assembly", "quantity": 1}]},
    ),
    ("repairer.jobs.parts.list", REPAIRER, {"job_identity": JOB}),
    ("repairer.procurements.get", REPAIRER, {"identity": PROCUREMENT}),
    ("repairer.procurements.list", REPAIRER, {"job_identity": JOB}),
    ("repairer.work-providers.list", REPAIRER, {}),
    ("supplier.procurements.confirm", SUPPLIER, {"identity": PROCUREMENT}),
    ("supplier.procurements.get", SUPPLIER, {"identity": PROCUREMENT}),
    ("tier1.prepare", REPAIRER, {"identifiers": [{"vin": "JTDBR32E730012345"}]}),
    ("uploads.prepare", REPAIRER, {"file_name": "estimate.jpg", "media_type": "image", "type": "job_media"}),
    (
        "repairer.procurements.insert",
        REPAIRER,
        {
            "job_identity": JOB,
            "offer_selections": [
                {
                    "sellable_id": "0f000000-0000-4000-8000-000000000007",
                    "supplier_business_id": "0b000000-0000-4000-8000-000000000010",
                    "job_part_ids": ["0e000000-0000-4000-8000-000000000004"],
                    "quantity": 1,
                }
            ],
        },
    ),
    ("repairer.procurements.invoices.list", REPAIRER, {"procurement_identity": PROCUREMENT}),
    ("repairer.procurements.invoices.get", REPAIRER, None),  # id from invoices.list
]


def test_reference_examples_in_order(repairer: SandboxClient) -> None:
    results: dict[str, dict] = {}
    for method, identity, body in EXAMPLES:
        if body is None:
            body = {"identity": {"id": results["repairer.procurements.invoices.list"]["items"][0]["id"]}}
        results[method] = repairer.as_(identity or {}).ok(method, body)

    assert results["repairer.jobs.get"]["id"] == results["repairer.jobs.insert"]["id"]
    added = [p for p in results["repairer.jobs.parts.insert"]["items"] if p["description"].startswith("Front bumper c")]
    assert [p["status"] for p in added] == ["estimated"]
    assert results["supplier.procurements.confirm"]["status"] == "order_confirmed"
    assert results["tier1.prepare"] == {"invalid_identifiers": []}
    placed = results["repairer.procurements.insert"]
    assert placed["x_extension"] is True and placed["procurement"]["status"] == "order_requested"
    invoice = results["repairer.procurements.invoices.get"]["invoice"]
    assert invoice["id"] == "20000000-0000-4000-8000-000000000001"
    assert (invoice["currency_code"], invoice["total"]) == ("NZD", "1099.00")
    assert Decimal(invoice["subtotal"]) + Decimal(invoice["shipping_total"]) + Decimal(invoice["tax_total"]) == (
        Decimal(invoice["total"])
    )
