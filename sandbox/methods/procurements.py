"""Procurements: the buyer's and the supplier's views, placing one (extension) and confirming one."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from spec.webhooks import BUYER, ORDER_CONFIRMED, SUPPLIER

from .. import views
from ..errors import ApiError
from ..invoicing import invoice_for
from ..money import CURRENCY
from ..seed import SEEDED_INVOICE_ID, SEEDED_PROCUREMENT
from ..webhooks import Event
from ..world import MAX_QUANTITY, Procurement, SourceItem
from .lookup import buyer_procurement_or_404, job_or_404, supplier_procurement_or_404
from .registry import Call, method


@method("repairer.procurements.get")
async def repairer_get(call: Call) -> dict[str, Any]:
    assert call.credential is not None
    p = buyer_procurement_or_404(call.world, call.credential, call.body["identity"]["id"])
    return views.buyer_procurement(call.world, p)


@method("repairer.procurements.list")
async def repairer_list(call: Call) -> dict[str, Any]:
    assert call.credential is not None
    job = job_or_404(call.world, call.credential, call.body["job_identity"])
    items = [p for p in call.world.procurements.values() if p.job_id == job.id]
    return {"items": [views.buyer_procurement(call.world, p) for p in items]}


@method("repairer.procurements.insert", mutates=True)
async def repairer_insert(call: Call) -> dict[str, Any]:
    """Place a procurement in `order_requested` and move the chosen parts to `ordered`.

    Unprocessable: selections from more than one supplier business; a sellable that is not an offer
    in this job's basket, or named with another supplier; a job part the offer does not cover, or
    named twice; a part that is already `ordered`. An unknown job is not_found.
    """
    world = call.world
    assert call.credential is not None
    job = job_or_404(world, call.credential, call.body["job_identity"])
    selections = call.body["offer_selections"]
    suppliers = {s["supplier_business_id"].lower() for s in selections}
    if len(suppliers) != 1:
        raise ApiError("unprocessable")
    items: list[SourceItem] = []
    seen: set[str] = set()
    for selection in selections:
        offer = world.offers.get(selection["sellable_id"].lower())
        if offer is None or offer.job_id != job.id or offer.supplier_business_id not in suppliers:
            raise ApiError("unprocessable")
        for part_id in (p.lower() for p in selection["job_part_ids"]):
            part = world.parts.get(part_id)
            if (
                part_id in seen
                or part_id not in offer.job_part_ids
                or part is None
                or part.job_id != job.id
                or (part.status != "estimated" and not call.faults.active("reorder-accepted"))
                or selection["quantity"] > MAX_QUANTITY
            ):
                raise ApiError("unprocessable")
            seen.add(part_id)
            items.append(
                SourceItem(
                    str(uuid.uuid4()),
                    part_id,
                    offer.sellable_id,
                    offer.description,
                    int(selection["quantity"]),
                    offer.unit_price,
                )
            )
    supplier = world.businesses[suppliers.pop()]
    at = world.stamp(call.now)
    count = sum(1 for p in world.procurements.values() if p.job_id == job.id)
    procurement = Procurement(
        id=str(uuid.uuid4()),
        job_id=job.id,
        supplier_business_id=supplier.id,
        reference=f"{job.external_id or job.job_number or job.id}/{count + 1}",
        currency_code=CURRENCY,
        shipping_price=supplier.shipping_price,
        items=items,
        created_at=at,
        updated_at=at,
    )
    world.procurements[procurement.id] = procurement
    for item in items:
        world.parts[item.job_part_id].status = "ordered"
    return {"x_extension": True, "procurement": views.buyer_procurement(world, procurement)}


@method("supplier.procurements.get")
async def supplier_get(call: Call) -> dict[str, Any]:
    assert call.credential is not None
    p = supplier_procurement_or_404(call.world, call.credential, call.body["identity"]["id"])
    return views.supplier_procurement(call.world, p)


@method("supplier.procurements.confirm", mutates=True)
async def supplier_confirm(call: Call) -> dict[str, Any]:
    """order_requested -> order_confirmed, minting its invoice. Confirming again changes nothing (NOTES §6,
    inferred; the dialect confirm-again-refused refuses it instead)."""
    world = call.world
    assert call.credential is not None
    p = supplier_procurement_or_404(world, call.credential, call.body["identity"]["id"])
    if call.faults.active("confirm-does-nothing"):
        return views.supplier_procurement(world, p)
    if p.status == "order_requested":
        # the invoice is built first: nothing changes unless all of the confirmation can be done
        at = world.stamp(call.now)
        invoice_id = SEEDED_INVOICE_ID if p.id == SEEDED_PROCUREMENT else str(uuid.uuid4())
        invoice = invoice_for(world, replace(p, status="order_confirmed", updated_at=at), invoice_id, at)
        p.status, p.updated_at = "order_confirmed", at
        world.invoices[invoice_id] = invoice
        about = {"id": p.id, "job_id": p.job_id, "status": p.status}
        for audience, organization in ((BUYER, world.jobs[p.job_id].organization_id),
                                       (SUPPLIER, call.credential.organization_id)):
            if audience == BUYER and call.faults.active("webhook-confirm-buyer-missing"):
                continue
            call.events.append(Event(organization, ORDER_CONFIRMED, {"audience": audience, "procurement": about}))
    elif call.dialects.active("confirm-again-refused"):
        raise ApiError("bad_request", reason="already_confirmed")
    elif call.faults.active("confirm-toggles-back"):
        p.status, p.updated_at = "order_requested", world.stamp(call.now)
    elif call.faults.active("confirm-again-touches"):
        p.updated_at = world.stamp(call.now)
    return views.supplier_procurement(world, p)
