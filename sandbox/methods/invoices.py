"""Invoices (extension): listed by procurement or by job, fetched by id; only after confirmation."""

from __future__ import annotations

from typing import Any

from .. import views
from ..errors import ApiError
from .lookup import buyer_procurement_or_404, job_or_404
from .registry import Call, method


@method("repairer.procurements.invoices.list")
async def invoices_list(call: Call) -> dict[str, Any]:
    world, body = call.world, call.body
    assert call.credential is not None
    if ("procurement_identity" in body) == ("job_identity" in body):
        raise ApiError("bad_request")  # exactly one selector
    if "procurement_identity" in body:
        procurement_ids = {buyer_procurement_or_404(world, call.credential, body["procurement_identity"]["id"]).id}
    else:
        job = job_or_404(world, call.credential, body["job_identity"])
        procurement_ids = {p.id for p in world.procurements.values() if p.job_id == job.id}
    items = [i for i in world.invoices.values() if i.procurement_id in procurement_ids]
    return {"x_extension": True, "items": [views.invoice(i) for i in items]}


@method("repairer.procurements.invoices.get")
async def invoices_get(call: Call) -> dict[str, Any]:
    world = call.world
    assert call.credential is not None
    invoice = world.invoices.get(call.body["identity"]["id"].lower())
    if invoice is None:
        raise ApiError("not_found")
    buyer_procurement_or_404(world, call.credential, invoice.procurement_id)  # scope: caller's org
    return {"x_extension": True, "invoice": views.invoice(invoice)}
