"""The in-memory state of one sandbox world (one tenant), and its lock.

Why a plain object graph: a world is small and private to one tenant, so dicts keyed by id are enough.
Handlers never await while they read-modify-write, and mutating handlers also hold `World.lock`, so
two suite runs against one world cannot interleave half-done updates.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any


@dataclass
class Organization:
    id: str
    name: str
    kind: str  # "repairer" | "supplier"


@dataclass
class Business:
    """A site of a repairer organization, or a supplier business (what offers name)."""

    id: str
    name: str
    organization_id: str
    address: dict[str, Any]
    shipping_price: Decimal = Decimal("0.00")  # suppliers: flat shipping per procurement
    brand: str | None = None  # suppliers: the brand their offers carry
    price_factor: Decimal = Decimal("1.00")  # suppliers: price relative to the genuine list price
    lead_time_days: int | None = None


@dataclass
class WorkProvider:
    id: str
    name: str


@dataclass
class Job:
    id: str
    organization_id: str
    repairer_site_id: str
    external_id: str | None = None
    job_number: str | None = None
    claim_number: str | None = None
    work_provider_id: str | None = None
    vehicle: dict[str, Any] | None = None
    images: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Part:
    id: str
    job_id: str
    description: str
    quantity: int
    part_number: str | None = None
    status: str = "estimated"


@dataclass
class Offer:
    sellable_id: str
    job_id: str
    supplier_business_id: str
    job_part_ids: list[str]
    description: str
    unit_price: Decimal
    part_number: str | None = None
    brand: str | None = None
    lead_time_days: int | None = None


@dataclass
class SourceItem:
    id: str
    job_part_id: str
    sellable_id: str
    description: str
    quantity: int
    unit_price: Decimal


MAX_QUANTITY = 10_000  # units of one part on a job or in an order; more is unprocessable (README)


@dataclass
class Procurement:
    id: str
    job_id: str
    supplier_business_id: str
    reference: str | None
    currency_code: str
    shipping_price: Decimal
    items: list[SourceItem]
    created_at: datetime
    updated_at: datetime
    status: str = "order_requested"


@dataclass
class Invoice:
    id: str
    procurement_id: str
    number: str
    kind: str
    currency_code: str
    issued_at: datetime
    lines: list[dict[str, Any]]
    subtotal: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    total: Decimal


@dataclass
class Credential:
    """An API key and integration id pair, with its role and organization."""

    api_key: str
    integration_id: str
    role: str  # "repairer" | "supplier"
    organization_id: str


@dataclass
class OAuthClient:
    """An installable integration client. `state` decides which install error it triggers."""

    client_id: str
    secret: str
    role: str
    organization_id: str
    state: str = "active"  # "active" | "legacy" (no OAuth) | "disabled" | "revoked"


@dataclass
class AccessCode:
    code: str
    client_id: str
    expires_at: float | None  # epoch seconds; None: the seeded demo code, which only spends


@dataclass
class World:
    organizations: dict[str, Organization] = field(default_factory=dict)
    businesses: dict[str, Business] = field(default_factory=dict)
    work_providers: dict[str, WorkProvider] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    parts: dict[str, Part] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)
    procurements: dict[str, Procurement] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    credentials: dict[str, Credential] = field(default_factory=dict)  # by api_key
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    access_codes: dict[str, AccessCode] = field(default_factory=dict)
    invoice_counter: int = 100000
    last_used: float = 0.0
    _last_stamp: datetime | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    fault_state: dict[str, Any] = field(default_factory=dict)  # what a switched-on fault keeps; empty otherwise
    subscriptions: dict[str, str] = field(default_factory=dict)  # webhooks: integration_id -> url (sandbox/webhooks.py)

    def stamp(self, now: float) -> datetime:
        """A timestamp that is strictly later than every earlier one of this world."""
        at = datetime.fromtimestamp(now, UTC)
        if self._last_stamp is not None and at <= self._last_stamp:
            at = self._last_stamp + timedelta(microseconds=1)
        self._last_stamp = at
        return at

    def sites_of(self, organization_id: str) -> list[Business]:
        return [b for b in self.businesses.values() if b.organization_id == organization_id]

    def parts_of(self, job_id: str) -> list[Part]:
        return [p for p in self.parts.values() if p.job_id == job_id]

    def offers_of(self, job_id: str) -> list[Offer]:
        return [o for o in self.offers.values() if o.job_id == job_id]


def rfc3339(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
