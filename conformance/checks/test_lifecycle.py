"""The lifecycle of parts, jobs and procurements (NOTES §6), on data of the run's own.

Each test that confirms takes its own procurement: one it places (extensions), the documented seed's in a
fresh world of its own (tenants), or the one the user named (--confirm-procurement), so that it stays
meaningful alone, in any order and under pytest-xdist. Where a procurement's status lives is inferred
(NOTES §6: top level or on every source item): a status the check cannot read skips it, saying why.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.checks import workflow
from conformance.checks._helpers import expect_error
from conformance.checks.client import ApiClient, Reply, call_each, call_many
from conformance.checks.workflow import (
    CONFIRMED,
    REQUESTED,
    Confirmable,
    NewJob,
    Order,
    by_id,
    procurement_status,
    readable,
    require_ok,
)
from conformance.run import Run
from conformance.target.safety import unique_external_id
from conformance.verdict.findings import expect, stop

# -- helpers ----------------------------------------------------------------------------------------


def status_of(reply: Reply, requirement: str, what: str) -> str:
    """The status of the procurement in a 2xx reply (a finding against `requirement` when not a 2xx; a skip
    when its status cannot be read)."""
    procurement = workflow.procurement_of(require_ok(reply, requirement, what))
    return readable(procurement_status(procurement), f"the procurement's status in {what}")


def part_statuses(reply: Reply, requirement: str) -> dict[str, Any]:
    """Each listed part's status, by part id, from a repairer.jobs.parts.list reply (None: the part says none that
    can be read, see workflow.part_status)."""
    items = workflow.items_of(require_ok(reply, requirement, "repairer.jobs.parts.list of the job"))
    return {str(p.get("id")).lower(): workflow.part_status(p) for p in items if isinstance(p, dict)}


def agreed_view(procurement: dict[str, Any]) -> dict[str, Any]:
    """What the buyer's and the supplier's views of one procurement both say."""
    lines = sorted((str(i.get("job_part_id")).lower(), str(i.get("quantity")), workflow.amount(i.get("unit_price")))
                   for i in procurement.get("source_items") or [] if isinstance(i, dict))
    keys = ("id", "job_id", "currency_code", "reference", "created_at", "updated_at")
    return {**{k: procurement.get(k) for k in keys}, "status": procurement_status(procurement), "lines": lines}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# -- parts and jobs (2026-01) -----------------------------------------------------------------------


@pytest.mark.requirement("LIFE-001", "LIFE-011")
def test_new_parts_are_estimated_and_listed(repairer: ApiClient, new_job: NewJob) -> None:
    """A part starts `estimated`, in the insert's reply and in the job's parts list, which lists it."""
    job = new_job(parts=[dict(p) for p in workflow.PARTS])
    inserted = {str(p["id"]).lower() for p in job["parts"]}
    for part in job["parts"]:
        status = workflow.part_status(part)
        if status is not None:  # the field that carries PartStatusV1 is inferred: the judge warns when none
            expect("LIFE-001", status == "estimated",
                   f"repairer.jobs.parts.insert answered part {part.get('id')} as {status!r}, not estimated")
    reply = workflow.parts_of(repairer, by_id(job["id"]))
    statuses = part_statuses(reply, "LIFE-011")
    expect("LIFE-011", inserted <= set(statuses), f"repairer.jobs.parts.list does not list the inserted parts "
           f"{sorted(inserted - set(statuses))}", reply.exchange.render())
    for part_id in inserted & set(statuses):
        if statuses[part_id] is not None:
            expect("LIFE-001", statuses[part_id] == "estimated",
                   f"new part {part_id} is listed {statuses[part_id]!r}, not estimated", reply.exchange.render())


@pytest.mark.requirement("LIFE-009")
def test_jobs_insert_upserts_by_identity(repairer: ApiClient, site_id: str) -> None:
    """Inserting twice with the same identity (external, then id) updates one job instead of adding one (how an
    update matches, and the claim_number field, are inferred)."""
    identity = {"external": unique_external_id()}

    def insert(identity: dict[str, Any], claim: str) -> dict[str, Any]:
        body = {"identity": identity, "repairer_site_id": site_id, "claim_number": claim}
        return require_ok(repairer.call("repairer.jobs.insert", body), "LIFE-009", f"repairer.jobs.insert {claim}")

    first = insert(identity, "CLM-FIRST")
    for again, claim in ((identity, "CLM-SECOND"), (by_id(first["id"]), "CLM-THIRD")):
        job = insert(again, claim)
        expect("LIFE-009", job.get("id") == first.get("id"),
               f"inserting again with identity {again} made job {job.get('id')}, not {first.get('id')}")
        got = repairer.call("repairer.jobs.get", {"identity": identity})
        current = require_ok(got, "LIFE-009", "repairer.jobs.get of the upserted job")
        expect("LIFE-009", current.get("id") == first.get("id") and current.get("claim_number") == claim,
               f"after the upsert with {again}, the job by external id is not the one job with claim {claim}",
               got.exchange.render())


# -- placing (the extensions) -----------------------------------------------------------------------


@pytest.mark.requirement("LIFE-002", "LIFE-007")
def test_placing_orders_the_chosen_parts(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """A placed procurement is order_requested, listed for its job, its parts ordered, the others estimated."""
    order = workflow.place_order(repairer, supplier, new_job)
    evidence = order.reply.exchange.render()
    placed = readable(procurement_status(order.procurement), "the placed procurement's status")
    expect("LIFE-002", placed == REQUESTED, f"the insert answered status {placed!r}, not {REQUESTED}", evidence)
    items = {str(i.get("job_part_id")).lower() for i in order.procurement.get("source_items") or []
             if isinstance(i, dict)}
    # which field of a source item names the part is inferred (spec/README), so this one is a SHOULD
    expect("LIFE-007", items == order.ordered_part_ids,
           f"the procurement's source items name parts {sorted(items)}, not the chosen "
           f"{sorted(order.ordered_part_ids)}", evidence)
    got, listed, reply = call_many([workflow.procurement_request(repairer, order.id),
                                    repairer.prepare("repairer.procurements.list",
                                                     {"job_identity": by_id(order.job["id"])}),
                                    workflow.parts_request(repairer, by_id(order.job["id"]))])
    expect("LIFE-002", status_of(got, "LIFE-002", "repairer.procurements.get of the new procurement") == REQUESTED,
           f"repairer.procurements.get does not show the new procurement {REQUESTED}", got.exchange.render())
    ids = {str(p.get("id")) for p in workflow.items_of(require_ok(listed, "LIFE-002", "procurements of the job"))
           if isinstance(p, dict)}
    expect("LIFE-002", order.id in ids, "repairer.procurements.list of the job does not list the new procurement",
           listed.exchange.render())
    statuses = part_statuses(reply, "LIFE-002")
    expected = {**dict.fromkeys(order.ordered_part_ids, "ordered"), **dict.fromkeys(order.other_part_ids, "estimated")}
    for part_id, status in expected.items():
        if part_id in statuses and statuses[part_id] is None:
            continue  # listed, with no status that can be read: the judge warns about the part (SCHEMA-002)
        expect("LIFE-002", statuses.get(part_id) == status,
               f"part {part_id} is {statuses.get(part_id)!r}, not {status}", reply.exchange.render())


@pytest.mark.requirement("LIFE-006")
def test_no_invoice_before_confirmation(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """An order_requested procurement has no invoice, by procurement and by job."""
    order = workflow.place_order(repairer, supplier, new_job)
    selectors = ({"procurement_identity": by_id(order.id)}, {"job_identity": by_id(order.job["id"])})
    replies = call_many(repairer.prepare("repairer.procurements.invoices.list", selector) for selector in selectors)
    for selector, reply in zip(selectors, replies, strict=True):
        items = workflow.items_of(require_ok(reply, "LIFE-006", f"invoices.list by {next(iter(selector))}"))
        expect("LIFE-006", items == [],
               f"invoices.list by {next(iter(selector))} lists {len(items)} invoice(s) before the confirm",
               reply.exchange.render())


@pytest.mark.requirement("LIFE-008")
def test_reordering_is_rejected(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """Ordering an ordered part again is unprocessable, and adds no procurement."""
    order = workflow.place_order(repairer, supplier, new_job)
    again = workflow.place(repairer, order.job["id"], workflow.wire_selections(order.selections))
    expect_error("LIFE-008", again, "unprocessable", "placing already-ordered parts again")
    listed = repairer.call("repairer.procurements.list", {"job_identity": by_id(order.job["id"])})
    count = len(workflow.items_of(require_ok(listed, "LIFE-008", "procurements of the job")))
    expect("LIFE-008", count == 1, f"the job has {count} procurements after a refused re-order, not 1",
           listed.exchange.render())


# -- confirming (2026-01) ---------------------------------------------------------------------------


@pytest.mark.requirement("LIFE-003", "LIFE-004", "LIFE-012", "LIFE-014", "BASKET-D52-002")
def test_confirm_moves_to_order_confirmed_for_good(repairer: ApiClient, supplier: ApiClient,
                                                   new_job: NewJob) -> None:
    """The supplier's confirm makes an order_requested procurement order_confirmed; both parties then read it
    so and agree on it; a second confirm changes nothing, and the status never leaves order_confirmed."""
    target = workflow.confirmable(repairer, supplier, new_job, "confirm")
    repairer, supplier = target.repairer, target.supplier
    before = workflow.get_procurement(supplier, target.id)
    if status_of(before, "LIFE-003", "the procurement before the confirm") != REQUESTED:
        pytest.skip(f"the procurement to confirm ({target.origin}) is not {REQUESTED}")
    reply = workflow.confirm(supplier, target.id)
    expect("LIFE-003", status_of(reply, "LIFE-003", "supplier.procurements.confirm") == CONFIRMED,
           f"the confirm's reply is not {CONFIRMED}", reply.exchange.render())
    views = {}
    for got in workflow.procurement_views(target.id, supplier, repairer):
        expect("LIFE-003", status_of(got, "LIFE-003", got.exchange.method) == CONFIRMED,
               f"{got.exchange.method} does not show the confirmed procurement {CONFIRMED}", got.exchange.render())
        procurement = workflow.procurement_of(got.body) or {}
        expect("BASKET-D52-002", "currency_code" in procurement,
               f"{got.exchange.method}: procurement {target.id} carries no currency_code", got.exchange.render())
        views[got.exchange.method] = agreed_view(procurement)
    theirs, ours = views.values()
    differ = sorted(k for k in theirs if theirs[k] != ours[k])
    expect("LIFE-012", not differ, f"the supplier's and the repairer's views differ in {differ}: {theirs} vs {ours}")
    second = workflow.confirm(supplier, target.id)
    observations = [*((second,) if second.ok else ()),
                    *workflow.procurement_views(target.id, supplier, repairer)]
    after = workflow.procurement_of(observations[-1].body) or {}
    expect("LIFE-014", agreed_view(after) == ours, "a second confirm changed the procurement: "
           f"{agreed_view(after)} vs {ours}", observations[-1].exchange.render())
    for observed in observations:
        status = status_of(observed, "LIFE-004", observed.exchange.method)
        expect("LIFE-004", status == CONFIRMED, f"{observed.exchange.method} shows the confirmed procurement "
               f"{status!r} (order_confirmed is terminal)", observed.exchange.render())


@pytest.mark.requirement("AUTH-003", "ERR-005")
def test_repairer_cannot_confirm(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """The repairer's own procurement cannot be confirmed with the repairer credential: forbidden, and nothing
    changes."""
    target: Confirmable = workflow.confirmable(repairer, supplier, new_job, "repairer-confirm")
    if target.order is None and not repairer.run.target.isolated:
        pytest.skip("the one procurement the run may confirm is kept for the lifecycle check")
    before = workflow.get_procurement(target.repairer, target.id)
    reply = target.repairer.call("supplier.procurements.confirm", {"identity": by_id(target.id)})
    expect_error("AUTH-003", reply, "forbidden", "a repairer credential confirming its own procurement")
    if before.ok and not reply.ok:  # an accepted confirm is AUTH-003's finding, not ERR-005's
        after = workflow.get_procurement(target.repairer, target.id)
        was, now = procurement_status(workflow.procurement_of(before.body)), procurement_status(
            workflow.procurement_of(after.body))
        expect("ERR-005", now == was, f"the procurement's status moved from {was!r} to {now!r} after the "
               "repairer's refused confirm", after.exchange.render())


@pytest.mark.requirement("LIFE-005", "BASKET-D52-002")
def test_procurements_the_target_offers_read_as_documented(run: Run, repairer: ApiClient,
                                                           supplier: ApiClient) -> None:
    """Each procurement the run may read (named with --procurement, or the documented seed's) is read by the
    buyer (and, judged, by the supplier and in its job's list); it carries currency_code; its timestamps are
    RFC 3339, created first."""
    found = workflow.readable_procurements(run)
    if not found:
        pytest.skip("no existing procurement to read (the other checks place their own)")
    for procurement_id in found:
        got = workflow.get_procurement(repairer, procurement_id)
        procurement = workflow.procurement_of(require_ok(got, "BASKET-D52-002", f"procurement {procurement_id}"))
        procurement = readable(procurement, f"procurement {procurement_id}")
        expect("BASKET-D52-002", "currency_code" in procurement, f"procurement {procurement_id} carries no "
               "currency_code", got.exchange.render())
        created, updated = (workflow.rfc3339(procurement.get(k)) for k in ("created_at", "updated_at"))
        expect("LIFE-005", created is not None and updated is not None and created <= updated,
               f"procurement {procurement_id}: created_at {procurement.get('created_at')!r}, updated_at "
               f"{procurement.get('updated_at')!r}", got.exchange.render())
        if isinstance(procurement.get("job_id"), str):  # judged, like every reply
            repairer.call("repairer.procurements.list", {"job_identity": by_id(procurement["job_id"])})
        workflow.get_procurement(supplier, procurement_id)  # judged: the supplier's view, or not_found (scope)


@pytest.mark.requirement("LIFE-005")
def test_created_at_not_after_updated_at(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """Both timestamps are RFC 3339, created_at <= updated_at, before and after the confirm."""
    order = workflow.place_order(repairer, supplier, new_job)
    placed_at = workflow.rfc3339(order.procurement.get("created_at"))
    workflow.confirmed(supplier, order.id)
    for reply in (order.reply, *workflow.procurement_views(order.id, repairer, supplier)):
        p = workflow.procurement_of(require_ok(reply, "LIFE-005", reply.exchange.method)) or {}
        created, updated = (workflow.rfc3339(p.get(k)) for k in ("created_at", "updated_at"))
        if not expect("LIFE-005", created and updated,
                      f"{reply.exchange.method}: created_at {p.get('created_at')!r} or updated_at "
                      f"{p.get('updated_at')!r} is not an RFC 3339 time", reply.exchange.render()):
            continue
        expect("LIFE-005", created <= updated, f"{reply.exchange.method}: created_at is after updated_at",
               reply.exchange.render())
        expect("LIFE-005", placed_at is None or created == placed_at,
               f"{reply.exchange.method}: created_at changed since the procurement was placed",
               reply.exchange.render())


# -- invoices (the extensions) ----------------------------------------------------------------------


def confirmed_invoices(repairer: ApiClient, supplier: ApiClient, order: Order, requirement: str) -> list[Any]:
    """The invoices listed for the order once its supplier confirmed it."""
    workflow.confirmed(supplier, order.id)
    reply = workflow.invoices_of(repairer, order.id)
    return workflow.items_of(require_ok(reply, requirement, "invoices.list after the confirm"))


@pytest.mark.requirement("LIFE-007")
def test_invoices_match_the_order(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """After the confirm an invoice appears whose lines are the ordered parts, quantities and offered prices."""
    order = workflow.place_order(repairer, supplier, new_job)
    invoices = confirmed_invoices(repairer, supplier, order, "LIFE-007")
    bills = [i for i in invoices if isinstance(i, dict) and i.get("kind", "invoice") == "invoice"]
    if not bills:
        stop("LIFE-007", "no invoice is listed for the procurement after the supplier confirmed it")
    for bill in bills:
        lines = workflow.lines_key(bill.get("lines") or [])
        expect("LIFE-007", lines == order.expected_lines(),
               f"invoice {bill.get('id')} lines (part, quantity, unit price) {lines} are not what was ordered "
               f"{order.expected_lines()}")


@pytest.mark.requirement("EXT-002", "EXT-003", "BASKET-D52-003", "BASKET-D52-004")
def test_invoice_get_returns_the_listed_invoice(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """invoices.get by an id from invoices.list answers that invoice; invoices carry their procurement's
    currency_code."""
    order = workflow.place_order(repairer, supplier, new_job)
    currency = order.procurement.get("currency_code")
    invoices = [i for i in confirmed_invoices(repairer, supplier, order, "EXT-002") if isinstance(i, dict)]
    if not invoices:
        pytest.skip("no invoice is listed after the confirm, nothing to fetch (see LIFE-007)")
    for listed in invoices:
        expect("BASKET-D52-003", "currency_code" in listed, f"invoice {listed.get('id')} carries no currency_code")
        expect("BASKET-D52-004", listed.get("currency_code") == currency, f"invoice {listed.get('id')} is in "
               f"{listed.get('currency_code')!r}, its procurement in {currency!r}")
        ids = readable(workflow.own_ids(listed) or None, "a listed invoice's own id")
        replies = call_each({name: repairer.prepare("repairer.procurements.invoices.get", {"identity": by_id(value)})
                             for name, value in ids.items()})
        fetched = {name: got for name, reply in replies.items()
                   if reply.ok and (got := workflow.carrying(reply.body, name, ids[name])) is not None}
        shown = " or ".join(f"{name} {value}" for name, value in ids.items())
        if expect("EXT-002", fetched, f"invoices.get by the listed invoice's own id ({shown}) does not fetch that "
                  f"invoice: {'; '.join(reply.describe() for reply in replies.values())}",
                  next(iter(replies.values())).exchange.render()):
            name, got = next(iter(fetched.items()))
            expect("EXT-003", canonical(got) == canonical(listed),
                   f"invoices.get of {name} {ids[name]} differs from what invoices.list lists",
                   replies[name].exchange.render())
