"""An unfamiliar world: the demo credentials and OAuth grant, but none of the documented seed.

Why: a production server honours the demo credentials (or others) but holds none of the sandbox's
seeded data: no CCC-2026-04817, none of the ids of spec.demo. A suite that leans on the seed
without saying so fails against this world (`create_app(world="unfamiliar")`). Its ids look random
but are the same in every world and every process (uuid5 of a fixed namespace), so a run can be told
them (`Landmarks`, printed by `python -m sandbox --world unfamiliar`).

What it holds: a repairer organisation (Harbourside Smash Repairs) with two sites and two jobs; the
demo supplier's business (Southern Cross Parts) and a second supplier, each offering every part; one
procurement in order_requested and one order_confirmed (with its invoice), both from the demo
supplier; and another repairer's confirmed procurement from the second supplier, for scope.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .basket import add_part
from .seed import Landmarks, Seed, confirm, new_world, source_items
from .world import Business, Job, Organization, Part, Procurement, WorkProvider, World

NAMESPACE = uuid.UUID("6f1c2a9e-3b47-4d8e-9a15-2b7e5d0c4a91")


def uid(label: str) -> str:
    """A random-looking id that is the same everywhere: uuid5 of `label`."""
    return str(uuid.uuid5(NAMESPACE, label))


REPAIRER_ORG, OTHER_REPAIRER_ORG = uid("organization/repairer"), uid("organization/other-repairer")
SUPPLIER_ORG, SECOND_SUPPLIER_ORG = uid("organization/supplier"), uid("organization/second-supplier")
SITE, SITE_2, OTHER_SITE = uid("business/site"), uid("business/site-2"), uid("business/other-site")
SUPPLIER, SECOND_SUPPLIER = uid("business/supplier"), uid("business/second-supplier")
INSURER, OTHER_INSURER = uid("work-provider/1"), uid("work-provider/2")
JOB, SECOND_JOB, OTHER_JOB = uid("job/1"), uid("job/2"), uid("job/other")
JOB_EXTERNAL_ID = "HSR-2026-J0931"
REQUESTED, CONFIRMED, OTHER_PROCUREMENT = (uid(f"procurement/{n}") for n in ("requested", "confirmed", "other"))


def _address(line1: str, city: str, postal_code: str) -> dict[str, object]:
    return {"line1": line1, "line2": None, "city": city, "region": "Wellington", "postal_code": postal_code,
            "country_code": "NZ"}


ORGANIZATIONS = [
    Organization(REPAIRER_ORG, "Harbourside Smash Repairs Ltd", "repairer"),
    Organization(OTHER_REPAIRER_ORG, "Kapiti Coast Panelbeaters Ltd", "repairer"),
    Organization(SUPPLIER_ORG, "Southern Cross Parts Ltd", "supplier"),
    Organization(SECOND_SUPPLIER_ORG, "Motorhub Aftermarket Ltd", "supplier"),
]
BUSINESSES = [
    Business(SITE, "Harbourside Smash Repairs Wellington", REPAIRER_ORG, _address("18 Kent Terrace", "Wellington",
                                                                                   "6011")),
    Business(SITE_2, "Harbourside Smash Repairs Lower Hutt", REPAIRER_ORG, _address("3 Rutherford Street",
                                                                                    "Lower Hutt", "5010")),
    Business(OTHER_SITE, "Kapiti Coast Panelbeaters", OTHER_REPAIRER_ORG, _address("41 Rimu Road", "Paraparaumu",
                                                                                   "5032")),
    Business(SUPPLIER, "Southern Cross Parts", SUPPLIER_ORG, _address("260 Thorndon Quay", "Wellington", "6011"),
             shipping_price=Decimal("9.90"), brand="SCP Genuine", lead_time_days=3),
    Business(SECOND_SUPPLIER, "Motorhub Aftermarket", SECOND_SUPPLIER_ORG, _address("7 Gracefield Road",
                                                                                    "Lower Hutt", "5010"),
             shipping_price=Decimal("14.00"), brand="Motorhub", price_factor=Decimal("0.72"), lead_time_days=5),
]
WORK_PROVIDERS = [WorkProvider(INSURER, "Kiwi Mutual Insurance"), WorkProvider(OTHER_INSURER, "Southern Assurance")]

# (job, part label, description): every part gets an offer from both suppliers (sandbox/basket.py)
PARTS = [
    (JOB, "rear-bumper", "Rear bumper bar cover"),
    (JOB, "tail-lamp", "Tail lamp assembly, right"),
    (JOB, "boot-lid", "Boot lid panel"),
    (JOB, "absorber", "Rear bumper energy absorber"),
    (SECOND_JOB, "sensor", "Rear parking sensor"),
    (SECOND_JOB, "mirror", "Door mirror glass, left"),
    (OTHER_JOB, "guard", "Front guard, left"),
]


def part_id(label: str) -> str:
    return uid(f"part/{label}")


def _offer_of(w: World, supplier: str, label: str) -> str:
    """The sellable id of `supplier`'s offer for the part `label`."""
    return next(o.sellable_id for o in w.offers.values()
                if o.supplier_business_id == supplier and o.job_part_ids == [part_id(label)])


def _place(w: World, procurement_id: str, job_id: str, supplier: str, at: datetime, *labels: str) -> Procurement:
    """A procurement of one unit of each part `labels` from `supplier`; its parts become ordered."""
    job = w.jobs[job_id]
    items = source_items(w, *((uid(f"item/{procurement_id}/{label}"), part_id(label), _offer_of(w, supplier, label))
                              for label in labels))
    count = sum(1 for p in w.procurements.values() if p.job_id == job_id)
    procurement = Procurement(procurement_id, job_id, supplier, f"{job.external_id}/{count + 1}", "NZD",
                              w.businesses[supplier].shipping_price, items, at, at)
    w.procurements[procurement_id] = procurement
    for label in labels:
        w.parts[part_id(label)].status = "ordered"
    return procurement


def build_world(now: float) -> World:
    """A fresh unfamiliar world; `now` (epoch seconds) anchors its timestamps."""
    w = new_world(now, ORGANIZATIONS, BUSINESSES, WORK_PROVIDERS, REPAIRER_ORG, SUPPLIER_ORG)
    anchor = datetime.fromtimestamp(now, UTC)
    vehicle = {"vin": "JM7KF4WLA00412345", "make": "Mazda", "model": "CX-5", "year": 2021}
    w.jobs[JOB] = Job(JOB, REPAIRER_ORG, SITE, JOB_EXTERNAL_ID, "WLG-7731", "KMI-5518204", INSURER, vehicle,
                      [{"id": uid("image/1"), "url": f"https://media.sandbox.example/jobs/{JOB}/rear-damage.jpg"}])
    w.jobs[SECOND_JOB] = Job(SECOND_JOB, REPAIRER_ORG, SITE_2, "HSR-2026-J0944", "LHT-2208", None, None,
                             {"vin": "7A8GH4EN10B123456", "make": "Honda", "model": "Jazz", "year": 2016})
    w.jobs[OTHER_JOB] = Job(OTHER_JOB, OTHER_REPAIRER_ORG, OTHER_SITE, "KCP-88120", "KCP-120", None, OTHER_INSURER)
    for job_id, label, description in PARTS:
        add_part(w, Part(part_id(label), job_id, description, 1))
    _place(w, REQUESTED, JOB, SUPPLIER, anchor - timedelta(hours=5), "tail-lamp", "boot-lid")
    placed = anchor - timedelta(days=1)
    confirm(w, _place(w, CONFIRMED, SECOND_JOB, SUPPLIER, placed, "sensor"), placed + timedelta(hours=2),
            uid("invoice/confirmed"))
    placed = anchor - timedelta(days=3)
    confirm(w, _place(w, OTHER_PROCUREMENT, OTHER_JOB, SECOND_SUPPLIER, placed, "guard"), placed + timedelta(hours=1),
            uid("invoice/other"))
    return w


UNFAMILIAR = Seed("unfamiliar", build_world, Landmarks(JOB, JOB_EXTERNAL_ID, REQUESTED, CONFIRMED, OTHER_JOB,
                                                       OTHER_PROCUREMENT))
