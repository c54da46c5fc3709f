"""Offers for job parts: seeded ones for the demo job, generated ones for every part inserted later.

Why generated: a job's basket follows its current parts, so a new job with parts gets offers too. They
are derived deterministically from the part's description (same description, same prices) and from
the part id (stable sellable ids), from every supplier business of the world.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from .money import money
from .world import Offer, Part, World

_SELLABLE_NS = uuid.UUID("0f000000-0000-4000-8000-0000000000ff")


def list_price(description: str) -> Decimal:
    """A plausible genuine list price (NZD 80.00 to 979.99) derived from the description."""
    digest = hashlib.sha256(description.strip().lower().encode()).digest()
    dollars = 80 + int.from_bytes(digest[:4], "big") % 900
    cents = digest[4] % 100
    return Decimal(f"{dollars}.{cents:02d}")


def _part_number(description: str, supplier_id: str) -> str:
    digest = hashlib.sha256(f"{supplier_id}:{description.strip().lower()}".encode()).hexdigest()
    return f"{int(digest[:5], 16) % 90000 + 10000}-{digest[5:10].upper()}"


def generate_offers(world: World, part: Part) -> list[Offer]:
    """One offer per supplier business of the world for `part`, priced from its description."""
    base = list_price(part.description)
    offers = []
    suppliers = [b for b in world.businesses.values() if world.organizations[b.organization_id].kind == "supplier"]
    for supplier in sorted(suppliers, key=lambda b: b.id):
        offers.append(
            Offer(
                sellable_id=str(uuid.uuid5(_SELLABLE_NS, f"{part.id}/{supplier.id}")),
                job_id=part.job_id,
                supplier_business_id=supplier.id,
                job_part_ids=[part.id],
                description=f"{part.description.strip()} ({supplier.brand or 'used'})",
                unit_price=money(base * supplier.price_factor),
                part_number=_part_number(part.description, supplier.id) if supplier.brand else None,
                brand=supplier.brand,
                lead_time_days=supplier.lead_time_days,
            )
        )
    return offers


def add_part(world: World, part: Part) -> None:
    """Store a new part and the offers that now cover it."""
    world.parts[part.id] = part
    for offer in generate_offers(world, part):
        world.offers[offer.sellable_id] = offer
