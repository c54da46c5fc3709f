"""Wire shapes: model objects -> JSON bodies of the spec's response schemas.

Why separate: the buyer and the supplier see one procurement differently, and D52 (no currency in
basket responses) is easiest to guarantee when exactly one function builds each shape.
"""

from __future__ import annotations

from typing import Any

from .money import fmt
from .world import Invoice, Job, Offer, Part, Procurement, World, rfc3339

VEHICLE_KEYS = ("vin", "make", "model", "year")


def vehicle(data: dict[str, Any] | None) -> dict[str, Any]:
    data = data or {}
    return {key: data.get(key) for key in VEHICLE_KEYS}


def job(j: Job) -> dict[str, Any]:
    return {
        "id": j.id,
        "external_id": j.external_id,
        "job_number": j.job_number,
        "claim_number": j.claim_number,
        "repairer_site_id": j.repairer_site_id,
        "work_provider_id": j.work_provider_id,
        "vehicle": vehicle(j.vehicle) if j.vehicle is not None else None,
        "images": [dict(image) for image in j.images],
    }


def part(p: Part) -> dict[str, Any]:
    return {
        "id": p.id,
        "description": p.description,
        "quantity": p.quantity,
        "part_number": p.part_number,
        "status": p.status,
    }


def offer(o: Offer) -> dict[str, Any]:
    # D52: no currency here, ever.
    return {
        "sellable_id": o.sellable_id,
        "supplier_business_id": o.supplier_business_id,
        "job_part_ids": list(o.job_part_ids),
        "description": o.description,
        "part_number": o.part_number,
        "brand": o.brand,
        "unit_price": fmt(o.unit_price),
        "lead_time_days": o.lead_time_days,
    }


def basket(world: World, job_id: str) -> dict[str, Any]:
    parts = {p.id for p in world.parts_of(job_id)}
    offers = [o for o in world.offers_of(job_id) if set(o.job_part_ids) <= parts]
    supplier_ids = sorted({o.supplier_business_id for o in offers})
    return {
        "offers": [offer(o) for o in offers],
        "suppliers": [{"id": s, "name": world.businesses[s].name} for s in supplier_ids],
    }


def _procurement_common(world: World, p: Procurement) -> dict[str, Any]:
    j = world.jobs[p.job_id]
    return {
        "id": p.id,
        "job_id": p.job_id,
        "reference": p.reference,
        "currency_code": p.currency_code,
        "total_shipping_price": fmt(p.shipping_price),
        "created_at": rfc3339(p.created_at),
        "updated_at": rfc3339(p.updated_at),
        "status": p.status,
        "vehicle": vehicle(j.vehicle),
        "source_items": [
            {
                "id": i.id,
                "job_part_id": i.job_part_id,
                "sellable_id": i.sellable_id,
                "description": i.description,
                "quantity": i.quantity,
                "unit_price": fmt(i.unit_price),
                "status": p.status,
            }
            for i in p.items
        ],
    }


def _named(world: World, kind: str, ident: str) -> dict[str, str]:
    source = world.organizations if kind == "org" else world.businesses
    return {"id": ident, "name": source[ident].name}


def buyer_procurement(world: World, p: Procurement) -> dict[str, Any]:
    supplier = world.businesses[p.supplier_business_id]
    return {
        **_procurement_common(world, p),
        "supplier_business": _named(world, "business", supplier.id),
        "supplier_organization": _named(world, "org", supplier.organization_id),
    }


def supplier_procurement(world: World, p: Procurement) -> dict[str, Any]:
    site = world.businesses[world.jobs[p.job_id].repairer_site_id]
    return {
        **_procurement_common(world, p),
        "buyer_business": _named(world, "business", site.id),
        "buyer_organization": _named(world, "org", site.organization_id),
        "buyer_shipping_address": dict(site.address),
    }


def invoice(i: Invoice) -> dict[str, Any]:
    return {
        "id": i.id,
        "kind": i.kind,
        "procurement_id": i.procurement_id,
        "number": i.number,
        "currency_code": i.currency_code,
        "issued_at": rfc3339(i.issued_at),
        "lines": [dict(line) for line in i.lines],
        "subtotal": fmt(i.subtotal),
        "shipping_total": fmt(i.shipping_total),
        "tax_total": fmt(i.tax_total),
        "total": fmt(i.total),
    }
