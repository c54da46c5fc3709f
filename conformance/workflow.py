"""The procurement workflow, written once: a job with parts, its basket, offers of one supplier, a placed
procurement, the supplier's confirm, and how to read a procurement's status.

Why in one place: every basket and lifecycle check needs the same preconditions, and when a target
cannot meet them (no offers for a new job, no basket supplier the supplier credential acts for, the
extensions switched off) the check is skipped here with one clear reason instead of passing vacuously.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest

from conformance.client import ApiClient, Reply
from conformance.findings import stop
from conformance.run import Run
from contract import demo

NewJob = Callable[..., dict[str, Any]]


def unique_external_id(prefix: str = "conformance") -> str:
    """An external id no other run, and no other job of this run, uses."""
    return f"{prefix}-{secrets.token_hex(6)}"


def require_ok(reply: Reply, requirement: str, what: str) -> Any:
    """The body of a reply that must be a 2xx for the check to go on; otherwise a finding and a stop."""
    if not reply.ok:
        stop(requirement, f"{what}: {reply.describe()}", reply.exchange.render())
    return reply.body


SEEDED_JOB = {"external": demo.JOB_EXTERNAL_ID}  # documented (NOTES §7), in every sandbox tenant


def seeded_only(run: Run, repairer: ApiClient) -> None:
    """Skip unless the target has the sandbox's seeded world (a private tenant, and the seeded job in it)."""
    if run.target.tenant is None:
        pytest.skip("without a private tenant (--no-tenant) the seeded job may not exist")
    if repairer.call("repairer.jobs.get", {"identity": SEEDED_JOB}).status == 404:
        pytest.skip(f"the target has no seeded sandbox world (no job {demo.JOB_EXTERNAL_ID}): not a sandbox?")


# three parts, two quantities: some are placed, one is left, and quantities can be told apart
PARTS = (
    {"description": "Front bumper cover assembly", "quantity": 1},
    {"description": "Headlamp assembly, right", "quantity": 2},
    {"description": "Bonnet hinge, left", "quantity": 1},
)
REQUESTED, CONFIRMED = "order_requested", "order_confirmed"
STATUS_RANK = {REQUESTED: 0, CONFIRMED: 1, "cancelled": 2}  # NOTES §6: confirmed is terminal; nothing returns
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


# -- reading replies -------------------------------------------------------------------------------


def procurement_status(procurement: Any) -> str | None:
    """NOTES §6: the status is a top-level `status` or the status on every `source_items[]` entry.

    None when neither says one status (missing, or the two places disagree)."""
    if not isinstance(procurement, dict):
        return None
    items = procurement.get("source_items")
    item_statuses = [i.get("status") if isinstance(i, dict) else None for i in items or []] if isinstance(
        items, list) else []
    top = procurement.get("status")
    if isinstance(top, str):
        return top if all(s in (None, top) for s in item_statuses) else None
    distinct = set(item_statuses)
    return item_statuses[0] if len(distinct) == 1 and isinstance(item_statuses[0], str) else None


def procurement_of(body: Any) -> dict[str, Any] | None:
    """The procurement in a reply: the insert's `procurement` wrapper (its shape is inferred) or the body."""
    if isinstance(body, dict) and isinstance(body.get("procurement"), dict):
        return body["procurement"]
    return body if isinstance(body, dict) and "id" in body else None


def invoice_of(body: Any) -> dict[str, Any] | None:
    """The invoice in an invoices.get reply: the `invoice` wrapper (its shape is inferred) or the body."""
    if isinstance(body, dict) and isinstance(body.get("invoice"), dict):
        return body["invoice"]
    return body if isinstance(body, dict) and "id" in body else None


def items_of(body: Any) -> list[Any]:
    items = body.get("items") if isinstance(body, dict) else None
    return items if isinstance(items, list) else []


def amount(value: Any) -> Decimal | None:
    """A money amount, compared by value so that "12.5" and "12.50" are the same price."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def rfc3339(value: Any) -> datetime | None:
    """An RFC 3339 time (date, time and offset), else None."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def lines_key(lines: list[Any]) -> list[tuple[str, Any, Decimal | None]]:
    """What a line or an order says, comparable: (job part, quantity, unit price), sorted."""
    return sorted(((str(x.get("job_part_id", "")).lower(), x.get("quantity"), amount(x.get("unit_price")))
                   for x in lines if isinstance(x, dict)), key=repr)


# -- requests --------------------------------------------------------------------------------------


def by_id(entity_id: str) -> dict[str, str]:
    return {"id": entity_id}


def basket_of(repairer: ApiClient, job_identity: dict[str, Any]) -> Reply:
    return repairer.call("repairer.jobs.baskets.latest.get", {"job_identity": job_identity})


def parts_of(repairer: ApiClient, job_identity: dict[str, Any]) -> Reply:
    return repairer.call("repairer.jobs.parts.list", {"job_identity": job_identity})


def place(repairer: ApiClient, job_id: str, selections: list[dict[str, Any]]) -> Reply:
    return repairer.call("repairer.procurements.insert",
                         {"job_identity": by_id(job_id), "offer_selections": selections})


def get_procurement(client: ApiClient, procurement_id: str) -> Reply:
    """The procurement as `client` sees it: repairer.procurements.get or supplier.procurements.get by role."""
    role = client.credential.role if client.credential else "repairer"
    return client.call(f"{role}.procurements.get", {"identity": by_id(procurement_id)})


def confirm(supplier: ApiClient, procurement_id: str) -> Reply:
    return supplier.call("supplier.procurements.confirm", {"identity": by_id(procurement_id)})


def invoices_of(repairer: ApiClient, procurement_id: str) -> Reply:
    return repairer.call("repairer.procurements.invoices.list", {"procurement_identity": by_id(procurement_id)})


def supplier_business_ids(supplier: ApiClient) -> set[str]:
    """The supplier businesses the supplier credential acts for. Not documented, so asked at run time:
    businesses.list lists the businesses of the caller's organization."""
    return {str(b["id"]).lower() for b in items_of(supplier.call("businesses.list").body)
            if isinstance(b, dict) and "id" in b}


# -- choosing offers and placing -------------------------------------------------------------------


def choose_offers(basket: Any, parts: list[dict[str, Any]], accept: Callable[[str], bool]) -> list[dict[str, Any]]:
    """Offer selections of ONE supplier business that `accept`s, covering every one of `parts` exactly once;
    [] when no such supplier has offers for all of them."""
    offers = [o for o in (basket.get("offers") if isinstance(basket, dict) else None) or [] if isinstance(o, dict)]
    suppliers = dict.fromkeys(str(o.get("supplier_business_id", "")).lower() for o in offers)
    quantity = {str(p["id"]).lower(): p.get("quantity", 1) for p in parts}
    for supplier_id in (s for s in suppliers if s and accept(s)):
        selections, left = [], set(quantity)
        for offer in (o for o in offers if str(o.get("supplier_business_id", "")).lower() == supplier_id):
            covered = [str(p) for p in offer.get("job_part_ids") or [] if str(p).lower() in left]
            if covered:
                left -= {p.lower() for p in covered}
                selections.append({"sellable_id": offer["sellable_id"], "supplier_business_id":
                                   offer["supplier_business_id"], "job_part_ids": covered,
                                   "quantity": quantity[covered[0].lower()], "unit_price": offer.get("unit_price")})
        if not left:
            return selections
    return []


def wire_selections(selections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Selections as the request takes them (the offer's unit price is kept aside for later checks)."""
    return [{k: v for k, v in s.items() if k != "unit_price"} for s in selections]


@dataclass(frozen=True)
class Order:
    """A procurement this run placed: for which job, which parts, at what offered prices."""

    job: dict[str, Any]
    selections: list[dict[str, Any]]  # as sent, plus each offer's unit_price
    procurement: dict[str, Any]  # as the insert answered it
    reply: Reply

    @property
    def id(self) -> str:
        return str(self.procurement["id"])

    @property
    def ordered_part_ids(self) -> set[str]:
        return {p.lower() for s in self.selections for p in s["job_part_ids"]}

    @property
    def other_part_ids(self) -> set[str]:
        return {str(p["id"]).lower() for p in self.job["parts"]} - self.ordered_part_ids

    def expected_lines(self) -> list[tuple[str, Any, Decimal | None]]:
        """(job part, quantity, offered unit price) per ordered part: what invoice lines should say."""
        return lines_key([{"job_part_id": p, "quantity": s["quantity"], "unit_price": s["unit_price"]}
                          for s in self.selections for p in s["job_part_ids"]])


def require_extensions(client: ApiClient) -> None:
    if not client.run.target.extensions:
        pytest.skip("placing a procurement needs the proposed extensions (--no-extensions)")


def place_order(repairer: ApiClient, supplier: ApiClient, new_job: NewJob, requirement: str, *,
                mine: bool = True) -> Order:
    """A new job with PARTS, and a procurement of all but its last part from one supplier business:
    one the supplier credential acts for (`mine`), or one it does not (to check scope).

    Failures of the steps are findings against `requirement`; a target that cannot offer the
    precondition (extensions off, no offers, no suitable supplier) skips the check."""
    require_extensions(repairer)
    job = new_job(parts=[dict(p) for p in PARTS])
    basket = require_ok(basket_of(repairer, by_id(job["id"])), requirement, "the basket of a new job with parts")
    own = supplier_business_ids(supplier)
    if not own:
        pytest.skip("businesses.list names no business of the supplier credential: cannot tell its procurements")
    selections = choose_offers(basket, job["parts"][:-1], lambda s: (s in own) == mine)
    if not selections:
        whose = "a supplier business of the supplier credential" if mine else "another supplier business"
        pytest.skip(f"the basket of a new job has no offers from {whose} for its parts (see LIFE-010)")
    reply = place(repairer, job["id"], wire_selections(selections))
    procurement = procurement_of(require_ok(reply, requirement, "placing a procurement from basket offers"))
    if procurement is None:
        stop(requirement, "repairer.procurements.insert answered no procurement with an id", reply.exchange.render())
    return Order(job, selections, procurement, reply)


def confirmed(supplier: ApiClient, order: Order, requirement: str) -> dict[str, Any]:
    """The supplier confirms the order; its reply's procurement (a finding against `requirement` if it fails)."""
    return require_ok(confirm(supplier, order.id), requirement, "the supplier's confirm of its procurement")
