"""D52 (NOTES §5): baskets carry no currency; procurements and their invoices carry it.

The judge already records BASKET-D52-001 on every basket reply; these checks make sure the baskets that
matter are fetched (the seeded job's, and a new job's with parts) and that the currency lives where D52
puts it. The lifecycle checks look at the procurements and invoices the run places, confirms or reads.
"""

from __future__ import annotations

import pytest

from conformance.checks import workflow
from conformance.checks.client import ApiClient
from conformance.checks.workflow import SEEDED_JOB, NewJob, precondition, require_ok, seeded_only
from conformance.run import Run
from conformance.verdict.findings import expect


@pytest.mark.requirement("BASKET-D52-001")
def test_seeded_basket_has_no_currency(run: Run, repairer: ApiClient) -> None:
    """The seeded job's basket (offers from several suppliers) has no currency key anywhere (judged per reply)."""
    seeded_only(run)
    require_ok(workflow.basket_of(repairer, SEEDED_JOB), "BASKET-D52-001", "the seeded job's basket")


@pytest.mark.requirement("BASKET-D52-001", "LIFE-010")
def test_new_job_basket_has_offers_and_no_currency(repairer: ApiClient, new_job: NewJob) -> None:
    """A new job with parts gets a basket with offers for each part (inferred), and no currency key in it."""
    job = new_job(parts=[dict(p) for p in workflow.PARTS])
    reply = workflow.basket_of(repairer, workflow.by_id(job["id"]))
    basket = precondition(reply, "the basket of a new job with parts")
    offers = [o for o in basket.get("offers") or [] if isinstance(o, dict)] if isinstance(basket, dict) else []
    covered = {str(p).lower() for o in offers for p in o.get("job_part_ids") or []}
    for part in job["parts"]:
        expect("LIFE-010", str(part["id"]).lower() in covered,
               f"the basket of a new job has no offer for its part {part['id']} ({part.get('description')})",
               reply.exchange.render())


@pytest.mark.requirement("BASKET-D52-002")
def test_seeded_procurements_carry_currency(run: Run, repairer: ApiClient) -> None:
    """The seeded job's procurements carry currency_code."""
    seeded_only(run)
    listed = repairer.call("repairer.procurements.list", {"job_identity": SEEDED_JOB})
    procurements = [p for p in workflow.items_of(require_ok(listed, "BASKET-D52-002", "the seeded procurements"))
                    if isinstance(p, dict)]
    if not procurements:
        pytest.skip("the seeded job has no procurement to check")
    for procurement in procurements:
        expect("BASKET-D52-002", "currency_code" in procurement,
               f"procurement {procurement.get('id')} carries no currency_code", listed.exchange.render())
