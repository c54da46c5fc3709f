"""D52 (NOTES §5): baskets carry no currency; procurements and their invoices carry one and the same.

The contract judge already records BASKET-D52-001 on every basket reply; these checks make sure the
baskets that matter are fetched (the seeded job's, and a new job's with parts) and that the currency
lives where D52 puts it.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance import workflow
from conformance.client import ApiClient, Reply
from conformance.findings import expect
from conformance.run import Run
from conformance.workflow import SEEDED_JOB, NewJob, require_ok, seeded_only


def expect_currency_code(procurement: dict[str, Any], reply: Reply) -> None:
    """D52: the procurement carries currency_code, a 3-letter code or null."""
    where = f"procurement {procurement.get('id')}"
    if expect("BASKET-D52-002", "currency_code" in procurement, f"{where} carries no currency_code",
              reply.exchange.render()):
        code = procurement["currency_code"]
        expect("BASKET-D52-002", code is None or (isinstance(code, str) and workflow.CURRENCY_CODE.match(code)),
               f"{where}: currency_code {code!r} is neither a 3-letter code nor null", reply.exchange.render())


def expect_invoices_share_currency(invoices: list[Any], currencies: set[Any], reply: Reply) -> None:
    """D52: each invoice carries its procurement's currency_code (one of `currencies`, those of the
    procurements it can belong to; which field names an invoice's procurement is inferred, so unused)."""
    for invoice in (i for i in invoices if isinstance(i, dict)):
        expect("BASKET-D52-002", invoice.get("currency_code", "absent") in currencies,
               f"invoice {invoice.get('id')} currency_code {invoice.get('currency_code', 'absent')!r} is not its "
               f"procurement's ({', '.join(sorted(map(repr, currencies)))})", reply.exchange.render())


@pytest.mark.requirement("BASKET-D52-001")
def test_seeded_basket_has_no_currency(run: Run, repairer: ApiClient) -> None:
    """The seeded job's basket (offers from several suppliers) has no currency key anywhere (judged per reply)."""
    seeded_only(run, repairer)
    require_ok(workflow.basket_of(repairer, SEEDED_JOB), "BASKET-D52-001", "the seeded job's basket")


@pytest.mark.requirement("BASKET-D52-001", "LIFE-010")
def test_new_job_basket_has_offers_and_no_currency(repairer: ApiClient, new_job: NewJob) -> None:
    """A new job with parts gets a basket with offers for each part, and no currency key in it."""
    job = new_job(parts=[dict(p) for p in workflow.PARTS])
    reply = workflow.basket_of(repairer, workflow.by_id(job["id"]))
    basket = require_ok(reply, "BASKET-D52-001", "the basket of a new job with parts")
    offers = [o for o in basket.get("offers") or [] if isinstance(o, dict)] if isinstance(basket, dict) else []
    covered = {str(p).lower() for o in offers for p in o.get("job_part_ids") or []}
    for part in job["parts"]:
        expect("LIFE-010", str(part["id"]).lower() in covered,
               f"the basket of a new job has no offer for its part {part['id']} ({part.get('description')})",
               reply.exchange.render())


@pytest.mark.requirement("BASKET-D52-002")
def test_seeded_procurements_carry_currency(run: Run, repairer: ApiClient) -> None:
    """The seeded job's procurements carry currency_code; its invoices (extensions on) the same one."""
    seeded_only(run, repairer)
    listed = repairer.call("repairer.procurements.list", {"job_identity": SEEDED_JOB})
    procurements = [p for p in workflow.items_of(require_ok(listed, "BASKET-D52-002", "the seeded procurements"))
                    if isinstance(p, dict)]
    if not procurements:
        pytest.skip("the seeded job has no procurement to check")
    for procurement in procurements:
        expect_currency_code(procurement, listed)
    if run.target.extensions:
        reply = repairer.call("repairer.procurements.invoices.list", {"job_identity": SEEDED_JOB})
        invoices = workflow.items_of(require_ok(reply, "BASKET-D52-002", "the seeded job's invoices"))
        expect_invoices_share_currency(invoices, {p.get("currency_code") for p in procurements}, reply)


@pytest.mark.requirement("BASKET-D52-002")
def test_new_procurement_and_its_invoices_share_currency(repairer: ApiClient, supplier: ApiClient,
                                                         new_job: NewJob) -> None:
    """A procurement of the run's own carries currency_code, and once confirmed its invoices carry the same."""
    order = workflow.place_order(repairer, supplier, new_job, "BASKET-D52-002")
    workflow.confirmed(supplier, order, "BASKET-D52-002")
    got = workflow.get_procurement(repairer, order.id)
    procurement = workflow.procurement_of(require_ok(got, "BASKET-D52-002", "repairer.procurements.get")) or {}
    expect_currency_code(procurement, got)
    reply = workflow.invoices_of(repairer, order.id)
    invoices = workflow.items_of(require_ok(reply, "BASKET-D52-002", "the invoices of the confirmed procurement"))
    expect_invoices_share_currency(invoices, {procurement.get("currency_code")}, reply)
