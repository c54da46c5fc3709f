"""The seeded world, as data: identical in every tenant (NOTES §7, api-reference.txt ids).

Ids follow `0X000000-0000-4000-8000-0000000000NN`: 09 organizations, 0a work providers, 0b businesses
(repairer sites and supplier businesses), 0c integrations, 0d jobs, 0e job parts, 0f sellables,
10 procurements, 11 procurement source items, 12 job images, 20 invoices.

The numbers are chosen so that the seeded procurement 10...01 (two genuine parts from Christchurch
Toyota, free local delivery) invoices at 612.40 + 343.25 = 955.65 + 15% GST 143.35 = NZD 1,099.00
once the supplier confirms it; and part 0e...04 (the bonnet) is still `estimated`, so the reference's
`repairer.procurements.insert` example (sellable 0f...07) works on a fresh world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from spec import demo

from .invoicing import invoice_for
from .world import (
    AccessCode,
    Business,
    Credential,
    Job,
    OAuthClient,
    Offer,
    Organization,
    Part,
    Procurement,
    SourceItem,
    WorkProvider,
    World,
)


def sid(prefix: str, n: int) -> str:
    """A seed id: `sid("0b", 10)` is `0b000000-0000-4000-8000-000000000010`."""
    return f"{prefix}000000-0000-4000-8000-{n:012d}"


# Organizations
REPAIRER_ORG = sid("09", 1)
OTHER_REPAIRER_ORG = sid("09", 2)
CT_ORG, PD_ORG, CAR_ORG = sid("09", 10), sid("09", 11), sid("09", 12)
# Businesses
SITE_MAIN, SITE_ROLLESTON, OTHER_SITE = demo.SITE_ID, sid("0b", 2), sid("0b", 3)
CHRISTCHURCH_TOYOTA, PARTS_DIRECT, AUTO_RECYCLERS = demo.SUPPLIER_BUSINESS_ID, sid("0b", 11), sid("0b", 12)
# Work providers
AA_INSURANCE, TOWER_INSURANCE = demo.WORK_PROVIDER_ID, sid("0a", 21)
# Seeded clients that trigger the other install errors (see sandbox/auth.py).
LEGACY_CLIENT, LEGACY_SECRET = "partly_client_legacy", "secret_legacy_5d21"
DISABLED_CLIENT, DISABLED_SECRET = "partly_client_disabled", "secret_disabled_7b40"
REVOKED_CLIENT, REVOKED_SECRET = "partly_client_revoked", "secret_revoked_e613"
# The demo job
DEMO_JOB, OTHER_JOB = sid("0d", 1), sid("0d", 2)
DEMO_JOB_NUMBER, DEMO_CLAIM_NUMBER = "AVN-10482", "AA-CLM-7730215"
DEMO_VIN = "JTNKHMBX503012345"
SEEDED_PROCUREMENT, OTHER_PROCUREMENT = demo.PROCUREMENT_ID, sid("10", 2)
SEEDED_INVOICE_ID = sid("20", 1)  # minted for 10...01 when it is confirmed
OTHER_INVOICE_ID = sid("20", 2)


def _address(line1: str, city: str, postal_code: str) -> dict[str, object]:
    return {
        "line1": line1,
        "line2": None,
        "city": city,
        "region": "Canterbury",
        "postal_code": postal_code,
        "country_code": "NZ",
    }


ORGANIZATIONS = [
    Organization(REPAIRER_ORG, "Avon Collision Group", "repairer"),
    Organization(OTHER_REPAIRER_ORG, "Riccarton Panel & Paint Ltd", "repairer"),
    Organization(CT_ORG, "Christchurch Toyota Ltd", "supplier"),
    Organization(PD_ORG, "Parts Direct NZ Ltd", "supplier"),
    Organization(CAR_ORG, "Canterbury Auto Recyclers Ltd", "supplier"),
]

BUSINESSES = [
    Business(
        SITE_MAIN,
        "Avon Collision Centre Christchurch",
        REPAIRER_ORG,
        _address("112 Avonside Drive", "Christchurch", "8061"),
    ),
    Business(
        SITE_ROLLESTON,
        "Avon Collision Centre Rolleston",
        REPAIRER_ORG,
        _address("7 Detroit Drive", "Rolleston", "7615"),
    ),
    Business(
        OTHER_SITE,
        "Riccarton Panel & Paint",
        OTHER_REPAIRER_ORG,
        _address("240 Riccarton Road", "Christchurch", "8041"),
    ),
    Business(
        CHRISTCHURCH_TOYOTA,
        "Christchurch Toyota",
        CT_ORG,
        _address("1 Moorhouse Avenue", "Christchurch", "8011"),
        shipping_price=Decimal("0.00"),
        brand="Toyota Genuine",
        price_factor=Decimal("1.00"),
        lead_time_days=2,
    ),
    Business(
        PARTS_DIRECT,
        "Parts Direct NZ",
        PD_ORG,
        _address("55 Blenheim Road", "Christchurch", "8041"),
        shipping_price=Decimal("18.50"),
        brand="PD Select",
        price_factor=Decimal("0.68"),
        lead_time_days=4,
    ),
    Business(
        AUTO_RECYCLERS,
        "Canterbury Auto Recyclers",
        CAR_ORG,
        _address("9 Shands Road", "Hornby", "8042"),
        shipping_price=Decimal("12.00"),
        brand=None,
        price_factor=Decimal("0.41"),
        lead_time_days=1,
    ),
]

WORK_PROVIDERS = [
    WorkProvider(AA_INSURANCE, "AA Insurance"),
    WorkProvider(TOWER_INSURANCE, "Tower Insurance"),
]

# Job parts
BUMPER_BAR, HEADLAMP, RADIATOR_SUPPORT, GRILLE, REAR_BUMPER = (sid("0e", n) for n in (1, 2, 3, 5, 10))
BONNET = demo.JOB_PART_ID  # the reference's part, still estimated

# (part id, description, quantity, part number, status)
DEMO_PARTS = [
    (BUMPER_BAR, "Front bumper reinforcement bar", 1, "52021-02290", "estimated"),
    (HEADLAMP, "Headlamp assembly, left", 1, "81150-02Q80", "ordered"),
    (RADIATOR_SUPPORT, "Radiator support panel", 1, "53201-02350", "ordered"),
    (BONNET, "Bonnet panel", 1, "53301-02520", "estimated"),
    (GRILLE, "Upper radiator grille", 1, "53111-02C10", "estimated"),
]
OTHER_PARTS = [(REAR_BUMPER, "Rear bumper cover", 1, None, "ordered")]

# (sellable id, supplier business, job part, unit price, part number); the bonnet's genuine offer is the reference's
DEMO_OFFERS = [
    (sid("0f", 1), CHRISTCHURCH_TOYOTA, BUMPER_BAR, "389.20", "52021-02290"),
    (sid("0f", 2), PARTS_DIRECT, BUMPER_BAR, "264.00", "PD-52021-A"),
    (sid("0f", 3), AUTO_RECYCLERS, BUMPER_BAR, "145.00", None),
    (sid("0f", 4), CHRISTCHURCH_TOYOTA, HEADLAMP, "612.40", "81150-02Q80"),
    (sid("0f", 5), PARTS_DIRECT, HEADLAMP, "398.00", "PD-81150-L"),
    (sid("0f", 6), CHRISTCHURCH_TOYOTA, RADIATOR_SUPPORT, "343.25", "53201-02350"),
    (sid("0f", 10), AUTO_RECYCLERS, RADIATOR_SUPPORT, "140.00", None),
    (demo.SELLABLE_ID, CHRISTCHURCH_TOYOTA, BONNET, "452.17", "53301-02520"),
    (sid("0f", 8), PARTS_DIRECT, BONNET, "309.90", "PD-53301-B"),
    (sid("0f", 9), AUTO_RECYCLERS, BONNET, "180.00", None),
    (sid("0f", 11), CHRISTCHURCH_TOYOTA, GRILLE, "187.60", "53111-02C10"),
    (sid("0f", 12), PARTS_DIRECT, GRILLE, "119.95", "PD-53111-G"),
]
OTHER_OFFERS = [(sid("0f", 20), PARTS_DIRECT, REAR_BUMPER, "389.00", "PD-52159-R")]


def _offer(world: World, job_id: str, sellable_id: str, supplier_id: str, part_id: str, price: str,
           pn: str | None) -> Offer:
    supplier = world.businesses[supplier_id]
    part = world.parts[part_id]
    return Offer(
        sellable_id,
        job_id,
        supplier_id,
        [part.id],
        f"{part.description} ({supplier.brand or 'used'})",
        Decimal(price),
        pn,
        supplier.brand,
        supplier.lead_time_days,
    )


@dataclass(frozen=True)
class Landmarks:
    """The ids a client of a world starts from: a job of the demo repairer, and procurements of it from
    the demo supplier (`app.state.seed.landmarks`; `python -m sandbox` prints them)."""

    job_id: str
    job_external_id: str
    requested_procurement_id: str  # order_requested: the demo supplier can confirm it
    confirmed_procurement_id: str | None  # order_confirmed, with its invoice
    foreign_job_id: str  # another repairer organization's job: neither demo credential may see it
    foreign_procurement_id: str  # and its procurement, from a supplier that is not the demo supplier


@dataclass(frozen=True)
class Seed:
    """A way to seed every world of a sandbox."""

    name: str
    build: Callable[[float], World]  # epoch seconds -> a fresh world
    landmarks: Landmarks


def new_world(now: float, organizations: list[Organization], businesses: list[Business],
              work_providers: list[WorkProvider], repairer_org: str, supplier_org: str) -> World:
    """A world of these parties, where the demo credentials and OAuth clients (NOTES §2: the same in
    every world) belong to `repairer_org` and `supplier_org`."""
    w = World(last_used=now)
    w.stamp(now)
    w.organizations = {o.id: o for o in organizations}
    w.businesses = {b.id: b for b in businesses}
    w.work_providers = {p.id: p for p in work_providers}
    w.credentials = {
        c.api_key: Credential(c.api_key, c.integration_id, c.role, organization)
        for c, organization in ((demo.REPAIRER, repairer_org), (demo.SUPPLIER, supplier_org))
    }
    w.clients = {
        c.client_id: c
        for c in (
            OAuthClient(demo.GRANT.client_id, demo.GRANT.client_secret, "repairer", repairer_org),
            OAuthClient(LEGACY_CLIENT, LEGACY_SECRET, "repairer", repairer_org, state="legacy"),
            OAuthClient(DISABLED_CLIENT, DISABLED_SECRET, "repairer", repairer_org, state="disabled"),
            OAuthClient(REVOKED_CLIENT, REVOKED_SECRET, "repairer", repairer_org, state="revoked"),
        )
    }
    w.access_codes = {demo.GRANT.access_code: AccessCode(demo.GRANT.access_code, demo.GRANT.client_id, None)}
    return w


def source_items(w: World, *rows: tuple[str, str, str]) -> list[SourceItem]:
    """One unit of each (source item id, job part id, sellable id), at the offer's price."""
    return [SourceItem(item_id, part_id, sellable_id, w.offers[sellable_id].description, 1,
                       w.offers[sellable_id].unit_price) for item_id, part_id, sellable_id in rows]


def confirm(w: World, procurement: Procurement, at: datetime, invoice_id: str) -> None:
    """Seed `procurement` as confirmed by its supplier at `at`, with its invoice."""
    procurement.status, procurement.updated_at = "order_confirmed", at
    w.invoices[invoice_id] = invoice_for(w, procurement, invoice_id, at)


def build_world(now: float) -> World:
    """A fresh world, seeded identically every time; `now` (epoch seconds) anchors its timestamps."""
    w = new_world(now, ORGANIZATIONS, BUSINESSES, WORK_PROVIDERS, REPAIRER_ORG, CT_ORG)
    anchor = datetime.fromtimestamp(now, UTC)

    w.jobs[DEMO_JOB] = Job(
        DEMO_JOB,
        REPAIRER_ORG,
        SITE_MAIN,
        demo.JOB_EXTERNAL_ID,
        DEMO_JOB_NUMBER,
        DEMO_CLAIM_NUMBER,
        AA_INSURANCE,
        {"vin": DEMO_VIN, "make": "Toyota", "model": "Corolla", "year": 2019},
        [
            {
                "id": sid("12", n),
                "url": f"https://media.sandbox.example/jobs/{DEMO_JOB}/front-end-damage-{n}.jpg",
            }
            for n in (1, 2)
        ],
    )
    w.jobs[OTHER_JOB] = Job(
        OTHER_JOB,
        OTHER_REPAIRER_ORG,
        OTHER_SITE,
        "RPP-2026-00033",
        "RPP-33",
        None,
        TOWER_INSURANCE,
        {"vin": "JM0BN123100123456", "make": "Mazda", "model": "Mazda3", "year": 2017},
    )
    for job_id, parts in ((DEMO_JOB, DEMO_PARTS), (OTHER_JOB, OTHER_PARTS)):
        for part_id, description, quantity, pn, status in parts:
            w.parts[part_id] = Part(part_id, job_id, description, quantity, pn, status)
    for job_id, offers in ((DEMO_JOB, DEMO_OFFERS), (OTHER_JOB, OTHER_OFFERS)):
        for args in offers:
            offer = _offer(w, job_id, *args)
            w.offers[offer.sellable_id] = offer

    placed = anchor - timedelta(hours=3)
    w.procurements[SEEDED_PROCUREMENT] = Procurement(
        SEEDED_PROCUREMENT,
        DEMO_JOB,
        CHRISTCHURCH_TOYOTA,
        f"{demo.JOB_EXTERNAL_ID}/1",
        "NZD",
        Decimal("0.00"),
        source_items(w, (sid("11", 1), HEADLAMP, sid("0f", 4)), (sid("11", 2), RADIATOR_SUPPORT, sid("0f", 6))),
        placed,
        placed,
    )
    other_placed = anchor - timedelta(days=2)
    w.procurements[OTHER_PROCUREMENT] = Procurement(
        OTHER_PROCUREMENT,
        OTHER_JOB,
        PARTS_DIRECT,
        "RPP-2026-00033/1",
        "NZD",
        Decimal("18.50"),
        source_items(w, (sid("11", 3), REAR_BUMPER, sid("0f", 20))),
        other_placed,
        other_placed,
    )
    confirm(w, w.procurements[OTHER_PROCUREMENT], other_placed + timedelta(hours=1), OTHER_INVOICE_ID)
    return w


DOCUMENTED = Seed("documented", build_world, Landmarks(DEMO_JOB, demo.JOB_EXTERNAL_ID, SEEDED_PROCUREMENT, None,
                                                       OTHER_JOB, OTHER_PROCUREMENT))
