"""The procurement workflow, written once: jobs of the run's own, baskets, offers of one supplier, placed and
confirmed procurements, the procurements a target lets the run read or confirm, and how to read replies.

Why in one place: every basket, lifecycle and scope check needs the same preconditions, and when a target
cannot meet them (no offers for a new job, no extensions, no procurement to read) the check says why,
here, instead of passing vacuously or failing a requirement it does not verify. Where a reply's shape is
inferred (the extensions' "local schema", item field names), the readers return None and the check
skips with the reason; the judge already warns about the shape (SCHEMA-002).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest

from conformance.checks.client import ApiClient, Call, Reply, call_many
from conformance.run import Run
from conformance.target.safety import unique_external_id
from conformance.verdict.findings import excuse_coverage, not_applicable, stop
from spec import demo

NewJob = Callable[..., dict[str, Any]]
SEEDED_JOB = {"external": demo.JOB_EXTERNAL_ID}  # documented (NOTES §7), in every sandbox tenant
# three parts, two quantities: some are placed, one is left, and quantities can be told apart
PARTS = (
    {"description": "Front bumper cover assembly", "quantity": 1},
    {"description": "Headlamp assembly, right", "quantity": 2},
    {"description": "Bonnet hinge, left", "quantity": 1},
)
REQUESTED, CONFIRMED = "order_requested", "order_confirmed"  # NOTES §6: order_confirmed is terminal
PROCUREMENT_METHODS = ("repairer.procurements.get", "repairer.procurements.list", "supplier.procurements.get",
                       "supplier.procurements.confirm")
NO_PROCUREMENT = "not reachable on this target: no public 2026-01 method creates a procurement"
READ_HINT = "pass --procurement ID (an existing procurement, read-only) to check the procurement methods"
CONFIRM_HINT = "pass --confirm-procurement ID (an order_requested procurement; it changes the target) to check confirm"


def require_ok(reply: Reply, requirement: str, what: str) -> Any:
    """The body of a reply that must be a 2xx for the check to go on; otherwise a finding and a stop."""
    if not reply.ok:
        stop(requirement, f"{what}: {reply.describe()}", reply.exchange.render())
    return reply.body


def precondition(reply: Reply, what: str) -> Any:
    """The body of the reply to a valid request that a check needs to set up (its own data, a list it may
    read). A refusal is a POS-001 finding that blocks the check: what it had to verify is then not verified,
    never skipped as if the target could not be asked."""
    if not reply.ok:
        stop("POS-001", f"{what}: a valid request was refused, so the check could not set up: {reply.describe()}",
             reply.exchange.render())
    return reply.body


def readable(value: Any, what: str) -> Any:
    """`value`, or a skip when a reply could not be read where its shape is inferred (see SCHEMA-002)."""
    if value is None:
        pytest.skip(f"cannot read {what} (its shape is inferred; the judge warns about it as SCHEMA-002)")
    return value


# -- reading replies (shapes the documents leave open) ------------------------------------------------


def items_of(body: Any) -> list[Any]:
    """The entries a list reply carries: `items`, or else every list of objects it holds, one after another (a
    "local schema" may list invoices and credit notes apart: both are listed, neither is lost)."""
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("items"), list):
        return body["items"]
    return [i for v in body.values() if isinstance(v, list) and all(isinstance(i, dict) for i in v) for i in v]


def entity_of(body: Any, wrapper: str) -> dict[str, Any] | None:
    """The object a reply is about: under `wrapper` (the extensions' wrappers are inferred), or the body."""
    if isinstance(body, dict) and isinstance(body.get(wrapper), dict):
        return body[wrapper]
    return body if isinstance(body, dict) and "id" in body else None


def procurement_of(body: Any) -> dict[str, Any] | None:
    return entity_of(body, "procurement")


def carrying(body: Any, key: str, value: str) -> dict[str, Any] | None:
    """The object of a reply that carries `value` under `key`: the body itself, or an object it wraps under any
    name (the extensions' wrappers are inferred); without the wrapper's x_extension when the body is the object."""
    if not isinstance(body, dict):
        return None
    if str(body.get(key)) == value:
        return {k: v for k, v in body.items() if k != "x_extension"}
    return next((v for v in body.values() if isinstance(v, dict) and str(v.get(key)) == value), None)


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


PART_STATUSES = ("estimated", "ordered")  # PartStatusV1 (NOTES §6, documented); the field that carries it is not


def part_status(part: Any) -> Any:
    """A part's PartStatusV1: its `status`, or else the one field whose value is a PartStatusV1 (the name of the
    field is inferred); None when the part says no status."""
    if not isinstance(part, dict):
        return None
    if "status" in part:
        return part["status"]
    found = [v for v in part.values() if isinstance(v, str) and v in PART_STATUSES]
    return found[0] if len(found) == 1 else None


def own_ids(entity: Any) -> dict[str, str]:
    """The fields that may be an entity's own id, by name: `id`, or else (the name is inferred) every string `*_id`;
    a request tells which of them the server takes for the entity."""
    if not isinstance(entity, dict):
        return {}
    if isinstance(entity.get("id"), str):
        return {"id": entity["id"]}
    return {k: v for k, v in entity.items() if k.endswith("_id") and isinstance(v, str)}


def whole(value: Any) -> int:
    """A part's quantity as the placing request sends it: its type in a part is inferred (a number, a
    numeric string), the request's is ours to choose; 1 when it says none."""
    try:
        return max(1, int(str(value)))
    except ValueError:
        return 1


def amount(value: Any) -> Decimal | None:
    """A money amount, compared by value so that "12.5", "12.50" and 12.5 are the same price."""
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


def lines_key(lines: list[Any]) -> list[tuple[str, str, Decimal | None]]:
    """What a line or an order says, comparable: (job part, quantity, unit price), sorted."""
    return sorted(((str(x.get("job_part_id", "")).lower(), str(x.get("quantity")), amount(x.get("unit_price")))
                   for x in lines if isinstance(x, dict)), key=repr)


# -- the run's world ----------------------------------------------------------------------------------


def seeded_only(run: Run) -> None:
    """Not applicable unless the documented seed is in the run's world (the probe looked for it)."""
    if not run.target.seed_job:
        not_applicable(f"the target has none of the documented seed (no job {demo.JOB_EXTERNAL_ID} in this "
                       "run's world)")


def in_own_tenant(client: ApiClient, suffix: str) -> ApiClient:
    """`client` in a fresh world of its own derived from the run's tenant (the same client without one).
    For checks that spend single-use state: the access code, the seeded procurement's confirm."""
    tenant = client.run.target.tenant
    return client.in_tenant(f"{tenant[:56]}-{suffix}") if tenant and client.run.target.isolated else client


def job_maker(repairer: ApiClient, site_id: str) -> NewJob:
    """Creates a job of this run's own (unique external id) at `site_id`, optionally with parts; returns the job."""

    def create(parts: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
        body = {"identity": {"external": unique_external_id()}, "repairer_site_id": site_id, **fields}
        job = dict(precondition(repairer.call("repairer.jobs.insert", body), "a job of the run's own"))
        if parts:
            inserted = precondition(repairer.call("repairer.jobs.parts.insert",
                                                  {"job_identity": {"id": job["id"]}, "parts": parts}),
                                    "parts on a job of the run's own")
            # a new job's parts are the inserted ones, whether the reply lists the job's parts or the new ones
            job["parts"] = [p for p in items_of(inserted) if isinstance(p, dict) and "id" in p]
            if len(job["parts"]) != len(parts):
                pytest.skip(f"cannot tell the {len(parts)} inserted parts in repairer.jobs.parts.insert's reply")
        return job

    return create


def usable_site(repairer: ApiClient) -> str:
    """A repairer site jobs can be created at: the first business listed that takes a job (the order of
    businesses.list is not documented, nor which of them are sites)."""
    listed = precondition(repairer.call("businesses.list"), "businesses.list")
    for site in (item.get("id") for item in items_of(listed) if isinstance(item, dict)):
        body = {"identity": {"external": unique_external_id()}, "repairer_site_id": site}
        if isinstance(site, str) and repairer.call("repairer.jobs.insert", body).ok:
            return site
    stop("POS-001", "repairer.jobs.insert refused a new job at every business businesses.list lists: the checks "
                    "that need a job of the run's own are blocked")


# -- requests -----------------------------------------------------------------------------------------


def by_id(entity_id: str) -> dict[str, str]:
    return {"id": entity_id}


def basket_request(repairer: ApiClient, job_identity: dict[str, Any]) -> Call:
    return repairer.prepare("repairer.jobs.baskets.latest.get", {"job_identity": job_identity})


def basket_of(repairer: ApiClient, job_identity: dict[str, Any]) -> Reply:
    return basket_request(repairer, job_identity).send()


def parts_request(repairer: ApiClient, job_identity: dict[str, Any]) -> Call:
    return repairer.prepare("repairer.jobs.parts.list", {"job_identity": job_identity})


def parts_of(repairer: ApiClient, job_identity: dict[str, Any]) -> Reply:
    return parts_request(repairer, job_identity).send()


def place(repairer: ApiClient, job_id: str, selections: list[dict[str, Any]]) -> Reply:
    return repairer.call("repairer.procurements.insert",
                         {"job_identity": by_id(job_id), "offer_selections": selections})


def procurement_request(client: ApiClient, procurement_id: str) -> Call:
    """The procurement as `client` sees it: repairer.procurements.get or supplier.procurements.get by role."""
    role = client.credential.role if client.credential else "repairer"
    return client.prepare(f"{role}.procurements.get", {"identity": by_id(procurement_id)})


def get_procurement(client: ApiClient, procurement_id: str) -> Reply:
    return procurement_request(client, procurement_id).send()


def procurement_views(procurement_id: str, *clients: ApiClient) -> list[Reply]:
    """The procurement as each of `clients` sees it, asked all at once; the replies in the clients' order."""
    return call_many(procurement_request(client, procurement_id) for client in clients)


def confirm(supplier: ApiClient, procurement_id: str) -> Reply:
    return supplier.call("supplier.procurements.confirm", {"identity": by_id(procurement_id)})


def invoices_of(repairer: ApiClient, procurement_id: str) -> Reply:
    return repairer.call("repairer.procurements.invoices.list", {"procurement_identity": by_id(procurement_id)})


def business_ids(listed: Reply) -> set[str]:
    """The businesses a businesses.list reply names: for the supplier credential, the supplier businesses it acts
    for (not documented, so asked at run time: businesses.list lists the caller's organization's)."""
    return {str(b["id"]).lower() for b in items_of(listed.body) if isinstance(b, dict) and "id" in b}


# -- choosing offers and placing ----------------------------------------------------------------------


def choose_offers(basket: Any, parts: list[dict[str, Any]], accept: Callable[[str], bool]) -> list[dict[str, Any]]:
    """Offer selections of ONE supplier business that `accept`s, covering every one of `parts` exactly once;
    [] when no such supplier has offers for all of them."""
    offers = [o for o in (basket.get("offers") if isinstance(basket, dict) else None) or [] if isinstance(o, dict)]
    suppliers = dict.fromkeys(str(o.get("supplier_business_id", "")).lower() for o in offers)
    quantity = {str(p["id"]).lower(): whole(p.get("quantity")) for p in parts}
    for supplier_id in (s for s in suppliers if s and accept(s)):
        selections, left = [], set(quantity)
        for offer in (o for o in offers if str(o.get("supplier_business_id", "")).lower() == supplier_id):
            covered = [str(p) for p in offer.get("job_part_ids") or [] if str(p).lower() in left]
            if covered:
                left -= {p.lower() for p in covered}
                selections.append({"sellable_id": offer.get("sellable_id"), "supplier_business_id":
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

    def expected_lines(self) -> list[tuple[str, str, Decimal | None]]:
        """(job part, quantity, offered unit price) per ordered part: what invoice lines should say."""
        return lines_key([{"job_part_id": p, "quantity": s["quantity"], "unit_price": s["unit_price"]}
                          for s in self.selections for p in s["job_part_ids"]])


def require_extensions(client: ApiClient) -> None:
    if absent := client.run.target.extensions_absent:
        not_applicable(f"placing a procurement needs the proposed extensions: {absent}")


def place_order(repairer: ApiClient, supplier: ApiClient, new_job: NewJob, *, mine: bool = True,
                requirement: str = "LIFE-002") -> Order:
    """A new job with PARTS, and a procurement of all but its last part from one supplier business:
    one the supplier credential acts for (`mine`), or one it does not (to check scope).

    A target that cannot offer the preconditions (no extensions, no offers, no suitable supplier) skips the
    check; a refused placement is a finding of `requirement` (LIFE-002: the placed parts become ordered)."""
    require_extensions(repairer)
    job = new_job(parts=[dict(p) for p in PARTS])
    basket_reply, businesses = call_many([
        basket_request(repairer, by_id(job["id"])), supplier.prepare("businesses.list")])
    basket = precondition(basket_reply, "the basket of a new job with parts")
    own = business_ids(businesses)
    if not own:
        pytest.skip("businesses.list names no business of the supplier credential: cannot tell its procurements")
    selections = choose_offers(basket, job["parts"][:-1], lambda s: (s in own) == mine)
    if not selections:
        whose = "a supplier business of the supplier credential" if mine else "another supplier business"
        pytest.skip(f"the basket of a new job has no offers (readable as offers) from {whose} for its parts "
                    "(see LIFE-010)")
    reply = place(repairer, job["id"], wire_selections(selections))
    procurement = procurement_of(require_ok(reply, requirement, "placing a procurement from basket offers"))
    return Order(job, selections, readable(procurement, "the placed procurement in the insert's reply"), reply)


def confirmed(supplier: ApiClient, procurement_id: str) -> dict[str, Any]:
    """The supplier confirms a procurement it supplies; its reply's procurement (a LIFE-003 finding if refused)."""
    return require_ok(confirm(supplier, procurement_id), "LIFE-003", "the supplier's confirm of its procurement")


# -- the procurements a target lets the run use -------------------------------------------------------


@dataclass(frozen=True)
class Confirmable:
    """An order_requested procurement the run may confirm, and the clients of its world."""

    id: str
    repairer: ApiClient
    supplier: ApiClient
    order: Order | None  # when the run placed it itself
    origin: str  # how the run came by it, for messages


def confirmable(repairer: ApiClient, supplier: ApiClient, new_job: NewJob, suffix: str) -> Confirmable:
    """A procurement this check may confirm: one it places (extensions), the documented seed's in a fresh world
    of its own (isolated tenants), or the one the user named (--confirm-procurement); else not applicable."""
    target = repairer.run.target
    if not target.extensions_absent:
        order = place_order(repairer, supplier, new_job)
        return Confirmable(order.id, repairer, supplier, order, "placed by the run")
    if target.isolated and target.seed_procurement:
        return Confirmable(demo.PROCUREMENT_ID, in_own_tenant(repairer, suffix), in_own_tenant(supplier, suffix),
                           None, "the documented seed's, in a fresh tenant")
    if target.confirm_procurement:
        return Confirmable(target.confirm_procurement, repairer, supplier, None, "--confirm-procurement")
    excuse_coverage("supplier.procurements.confirm", NO_PROCUREMENT, CONFIRM_HINT)
    not_applicable("no procurement this run may confirm: no extensions to place one, no tenant of its own for the "
                   "documented seed's", CONFIRM_HINT)


def readable_procurements(run: Run) -> list[str]:
    """Procurements the run may read: named by the user, the documented seed's, or else not applicable."""
    found = list(dict.fromkeys([*run.target.procurements, *([demo.PROCUREMENT_ID] if run.target.seed_procurement
                                                           else [])]))
    if not found and run.target.extensions_absent:
        for method in PROCUREMENT_METHODS:
            excuse_coverage(method, NO_PROCUREMENT, READ_HINT)
        not_applicable(NO_PROCUREMENT, READ_HINT)
    return found
