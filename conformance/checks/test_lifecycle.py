"""The lifecycle of parts, jobs and procurements (NOTES §6), on jobs of the run's own.

Each test places its own procurement (a few requests) so that it stays meaningful alone, in any order
and under pytest-xdist: no test depends on what another one confirmed.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance import workflow
from conformance.checks._helpers import expect_error
from conformance.client import ApiClient, Reply
from conformance.findings import expect, stop
from conformance.workflow import (
    CONFIRMED,
    REQUESTED,
    NewJob,
    Order,
    by_id,
    procurement_status,
    require_ok,
    unique_external_id,
)

# -- helpers ----------------------------------------------------------------------------------------


def status_of(reply: Reply, requirement: str, what: str) -> str | None:
    """The status of the procurement in a 2xx reply (a finding against `requirement` when unreadable)."""
    status = procurement_status(workflow.procurement_of(require_ok(reply, requirement, what)))
    expect(requirement, status is not None,
           f"{what}: no procurement status (neither a top-level status nor one on every source item)",
           reply.exchange.render())
    return status


def part_statuses(repairer: ApiClient, job_id: str, requirement: str) -> tuple[dict[str, Any], Reply]:
    reply = workflow.parts_of(repairer, by_id(job_id))
    items = workflow.items_of(require_ok(reply, requirement, "repairer.jobs.parts.list of the job"))
    return {str(p.get("id")).lower(): p.get("status") for p in items if isinstance(p, dict)}, reply


def agreed_view(procurement: dict[str, Any]) -> dict[str, Any]:
    """What the buyer's and the supplier's views of one procurement both say."""
    lines = sorted((str(i.get("job_part_id")).lower(), i.get("quantity"), workflow.amount(i.get("unit_price")))
                   for i in procurement.get("source_items") or [] if isinstance(i, dict))
    keys = ("id", "job_id", "currency_code", "reference", "created_at", "updated_at")
    return {**{k: procurement.get(k) for k in keys}, "status": procurement_status(procurement), "lines": lines}


def place_for(repairer: ApiClient, supplier: ApiClient, new_job: NewJob, requirement: str) -> Order:
    return workflow.place_order(repairer, supplier, new_job, requirement)


# -- parts and jobs (2026-01) -----------------------------------------------------------------------


@pytest.mark.requirement("LIFE-001")
def test_new_parts_are_estimated(repairer: ApiClient, new_job: NewJob) -> None:
    """A part starts `estimated`, in the insert's reply and in the job's parts list."""
    job = new_job(parts=[dict(p) for p in workflow.PARTS])
    for part in job["parts"]:
        expect("LIFE-001", part.get("status") == "estimated",
               f"repairer.jobs.parts.insert answered part {part.get('id')} as {part.get('status')!r}, not estimated")
    statuses, reply = part_statuses(repairer, job["id"], "LIFE-001")
    expect("LIFE-001", set(statuses) == {str(p["id"]).lower() for p in job["parts"]},
           "repairer.jobs.parts.list does not list exactly the inserted parts", reply.exchange.render())
    for part_id, status in statuses.items():
        expect("LIFE-001", status == "estimated", f"new part {part_id} is listed {status!r}, not estimated",
               reply.exchange.render())


@pytest.mark.requirement("LIFE-009")
def test_jobs_insert_upserts_by_identity(repairer: ApiClient, site_id: str) -> None:
    """Inserting twice with the same identity (external, then id) updates one job instead of adding one."""
    identity = {"external": unique_external_id()}

    def insert(identity: dict[str, Any], claim: str) -> dict[str, Any]:
        body = {"identity": identity, "repairer_site_id": site_id, "claim_number": claim}
        return require_ok(repairer.call("repairer.jobs.insert", body), "LIFE-009", f"repairer.jobs.insert {claim}")

    first = insert(identity, "CLM-FIRST")
    for again, claim in ((identity, "CLM-SECOND"), (by_id(first["id"]), "CLM-THIRD")):
        job = insert(again, claim)
        expect("LIFE-009", job.get("id") == first.get("id"),
               f"inserting again with identity {again} made job {job.get('id')}, not {first.get('id')}")
        expect("LIFE-009", job.get("claim_number") == claim,
               f"inserting again with identity {again} answered claim_number {job.get('claim_number')!r}, not {claim}")
        got = repairer.call("repairer.jobs.get", {"identity": identity})
        current = require_ok(got, "LIFE-009", "repairer.jobs.get of the upserted job")
        expect("LIFE-009", current.get("id") == first.get("id") and current.get("claim_number") == claim,
               f"after the upsert with {again}, the job by external id is not the one job with claim {claim}",
               got.exchange.render())


# -- procurements (the extensions place them) -------------------------------------------------------


@pytest.mark.requirement("LIFE-002", "LIFE-007")
def test_placing_orders_the_chosen_parts(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """A placed procurement is order_requested, listed for its job, its parts ordered, the others estimated."""
    order = place_for(repairer, supplier, new_job, "LIFE-002")
    evidence = order.reply.exchange.render()
    expect("LIFE-002", procurement_status(order.procurement) == REQUESTED,
           f"the insert answered status {procurement_status(order.procurement)!r}, not {REQUESTED}", evidence)
    placed = {str(i.get("job_part_id")).lower() for i in order.procurement.get("source_items") or []
              if isinstance(i, dict)}
    # which field of a source item names the part is inferred (spec/README), so this one is a SHOULD
    expect("LIFE-007", placed == order.ordered_part_ids,
           f"the procurement's source items name parts {sorted(placed)}, not the chosen "
           f"{sorted(order.ordered_part_ids)}", evidence)
    got = workflow.get_procurement(repairer, order.id)
    expect("LIFE-002", status_of(got, "LIFE-002", "repairer.procurements.get of the new procurement") == REQUESTED,
           f"repairer.procurements.get does not show the new procurement {REQUESTED}", got.exchange.render())
    listed = repairer.call("repairer.procurements.list", {"job_identity": by_id(order.job["id"])})
    ids = {str(p.get("id")) for p in workflow.items_of(require_ok(listed, "LIFE-002", "procurements of the job"))
           if isinstance(p, dict)}
    expect("LIFE-002", order.id in ids, "repairer.procurements.list of the job does not list the new procurement",
           listed.exchange.render())
    statuses, reply = part_statuses(repairer, order.job["id"], "LIFE-002")
    for part_id in order.ordered_part_ids:
        expect("LIFE-002", statuses.get(part_id) == "ordered",
               f"placed part {part_id} is {statuses.get(part_id)!r}, not ordered", reply.exchange.render())
    for part_id in order.other_part_ids:
        expect("LIFE-002", statuses.get(part_id) == "estimated",
               f"part {part_id}, not placed, is {statuses.get(part_id)!r}, not estimated", reply.exchange.render())


@pytest.mark.requirement("AUTH-003")
def test_repairer_cannot_confirm(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """The repairer's own procurement cannot be confirmed with the repairer credential: 403, and no change."""
    order = place_for(repairer, supplier, new_job, "AUTH-003")
    before = require_ok(workflow.get_procurement(repairer, order.id), "AUTH-003", "the procurement before")
    reply = repairer.call("supplier.procurements.confirm", {"identity": by_id(order.id)})
    expect_error("AUTH-003", reply, 403, "forbidden", "a repairer credential confirming its own procurement")
    after = workflow.get_procurement(repairer, order.id)
    expect("AUTH-003", require_ok(after, "AUTH-003", "the procurement after") == before,
           "the procurement changed after the repairer's refused confirm", after.exchange.render())


@pytest.mark.requirement("LIFE-006")
def test_no_invoice_before_confirmation(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """An order_requested procurement has no invoice, by procurement and by job."""
    order = place_for(repairer, supplier, new_job, "LIFE-006")
    for selector in ({"procurement_identity": by_id(order.id)}, {"job_identity": by_id(order.job["id"])}):
        reply = repairer.call("repairer.procurements.invoices.list", selector)
        items = workflow.items_of(require_ok(reply, "LIFE-006", f"invoices.list by {next(iter(selector))}"))
        expect("LIFE-006", items == [],
               f"invoices.list by {next(iter(selector))} lists {len(items)} invoice(s) before the confirm",
               reply.exchange.render())


@pytest.mark.requirement("LIFE-003")
def test_confirm_moves_to_order_confirmed(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """The supplier's confirm makes the procurement order_confirmed, and both parties' views agree."""
    order = place_for(repairer, supplier, new_job, "LIFE-003")
    reply = workflow.confirm(supplier, order.id)
    expect("LIFE-003", status_of(reply, "LIFE-003", "supplier.procurements.confirm") == CONFIRMED,
           f"the confirm's reply is not {CONFIRMED}", reply.exchange.render())
    views = {}
    for client in (supplier, repairer):
        got = workflow.get_procurement(client, order.id)
        expect("LIFE-003", status_of(got, "LIFE-003", got.exchange.method) == CONFIRMED,
               f"{got.exchange.method} does not show the confirmed procurement {CONFIRMED}", got.exchange.render())
        views[got.exchange.method] = agreed_view(workflow.procurement_of(got.body) or {})
    theirs, ours = views.values()
    differ = sorted(k for k in theirs if theirs[k] != ours[k])
    expect("LIFE-003", not differ, f"the supplier's and the repairer's views differ in {differ}: {theirs} vs {ours}")


@pytest.mark.requirement("LIFE-004")
def test_status_never_moves_backwards(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """Across every observation of one procurement (placed, read, confirmed twice, read), the status only advances."""
    order = place_for(repairer, supplier, new_job, "LIFE-004")
    observations: list[Reply] = [order.reply]
    for step in ("repairer", "supplier", "confirm", "supplier", "repairer", "confirm", "repairer"):
        client = repairer if step == "repairer" else supplier
        observations.append(workflow.confirm(supplier, order.id) if step == "confirm"
                            else workflow.get_procurement(client, order.id))
    highest, seen = -1, []
    # what a second confirm answers is inferred (LIFE-008): a refusal is no observation of the status
    observations = [r for r in observations if r.ok or r.exchange.method != "supplier.procurements.confirm"]
    for reply in observations:
        status = status_of(reply, "LIFE-004", reply.exchange.method)
        seen.append(status)
        rank = workflow.STATUS_RANK.get(status or "", -1)
        expect("LIFE-004", rank >= highest,
               f"the status moved backwards to {status!r} ({reply.exchange.method}) after {seen[:-1]}",
               reply.exchange.render())
        highest = max(highest, rank)
    expect("LIFE-004", seen[-1] == CONFIRMED, f"the confirmed procurement ended {seen[-1]!r}: {seen}")


@pytest.mark.requirement("LIFE-005")
def test_created_at_not_after_updated_at(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """Both timestamps are RFC 3339, created_at <= updated_at, before and after the confirm."""
    order = place_for(repairer, supplier, new_job, "LIFE-005")
    placed_at = workflow.rfc3339(order.procurement.get("created_at"))
    workflow.confirmed(supplier, order, "LIFE-005")
    for reply in (order.reply, workflow.get_procurement(repairer, order.id),
                  workflow.get_procurement(supplier, order.id)):
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


def confirmed_invoices(repairer: ApiClient, supplier: ApiClient, order: Order, requirement: str) -> list[Any]:
    """The invoices listed for the order once its supplier confirmed it."""
    workflow.confirmed(supplier, order, requirement)
    reply = workflow.invoices_of(repairer, order.id)
    return workflow.items_of(require_ok(reply, requirement, "invoices.list after the confirm"))


@pytest.mark.requirement("LIFE-007")
def test_invoices_match_the_order(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """After the confirm an invoice appears whose lines are the ordered parts, quantities and offered prices."""
    order = place_for(repairer, supplier, new_job, "LIFE-007")
    invoices = confirmed_invoices(repairer, supplier, order, "LIFE-007")
    bills = [i for i in invoices if isinstance(i, dict) and i.get("kind", "invoice") == "invoice"]
    if not bills:
        stop("LIFE-007", "no invoice is listed for the procurement after the supplier confirmed it")
    for bill in bills:
        lines = workflow.lines_key(bill.get("lines") or [])
        expect("LIFE-007", lines == order.expected_lines(),
               f"invoice {bill.get('id')} lines (part, quantity, unit price) {lines} are not what was ordered "
               f"{order.expected_lines()}")


@pytest.mark.requirement("EXT-002")
def test_invoice_get_returns_the_listed_invoice(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """invoices.get by an id from invoices.list answers that invoice."""
    order = place_for(repairer, supplier, new_job, "EXT-002")
    invoices = [i for i in confirmed_invoices(repairer, supplier, order, "EXT-002") if isinstance(i, dict)]
    if not invoices:
        pytest.skip("no invoice is listed after the confirm, nothing to fetch (see LIFE-007)")
    for listed in invoices:
        reply = repairer.call("repairer.procurements.invoices.get", {"identity": by_id(str(listed.get("id")))})
        got = workflow.invoice_of(require_ok(reply, "EXT-002", f"invoices.get of listed invoice {listed.get('id')}"))
        expect("EXT-002", got == listed, f"invoices.get of {listed.get('id')} is not the invoice invoices.list lists",
               reply.exchange.render())


@pytest.mark.requirement("LIFE-008")
def test_reordering_is_rejected_and_reconfirming_changes_nothing(repairer: ApiClient, supplier: ApiClient,
                                                                 new_job: NewJob) -> None:
    """Ordering an ordered part again is unprocessable; a second confirm leaves the procurement and invoices as
    they were."""
    order = place_for(repairer, supplier, new_job, "LIFE-008")
    again = workflow.place(repairer, order.job["id"], workflow.wire_selections(order.selections))
    expect_error("LIFE-008", again, 422, "unprocessable", "placing already-ordered parts again")
    listed = repairer.call("repairer.procurements.list", {"job_identity": by_id(order.job["id"])})
    count = len(workflow.items_of(require_ok(listed, "LIFE-008", "procurements of the job")))
    expect("LIFE-008", count == 1, f"the job has {count} procurements after a refused re-order, not 1",
           listed.exchange.render())
    invoices = confirmed_invoices(repairer, supplier, order, "LIFE-008")
    before = require_ok(workflow.get_procurement(supplier, order.id), "LIFE-008", "the confirmed procurement")
    second = workflow.confirm(supplier, order.id)
    expect("LIFE-008", second.ok and procurement_status(second.body) == CONFIRMED,
           f"a second confirm answered {second.describe()}", second.exchange.render())
    after = workflow.get_procurement(supplier, order.id)
    changed = sorted(k for k in set(before) | set(after.body or {}) if before.get(k) != (after.body or {}).get(k))
    expect("LIFE-008", not changed, f"a second confirm changed the procurement's {changed}", after.exchange.render())
    relisted = workflow.invoices_of(repairer, order.id)
    expect("LIFE-008", len(workflow.items_of(relisted.body)) == len(invoices),
           f"a second confirm changed the invoice count from {len(invoices)}", relisted.exchange.render())


@pytest.mark.requirement("SCOPE-001")
def test_supplier_sees_only_its_procurements(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """A procurement with another supplier's business is not_found for the supplier credential, to read or to
    confirm; one of its own is visible (so the 404s are about scope, not a broken credential)."""
    own = place_for(repairer, supplier, new_job, "SCOPE-001")
    if not workflow.get_procurement(supplier, own.id).ok:
        pytest.skip("the supplier cannot read even a procurement of its own business: scope cannot be told apart")
    foreign = workflow.place_order(repairer, supplier, new_job, "SCOPE-001", mine=False)
    for reply in (workflow.get_procurement(supplier, foreign.id), workflow.confirm(supplier, foreign.id)):
        expect_error("SCOPE-001", reply, 404, "not_found", "a procurement of another supplier's business")
    after = workflow.get_procurement(repairer, foreign.id)
    expect("SCOPE-001", status_of(after, "SCOPE-001", "repairer.procurements.get") == REQUESTED,
           "another supplier's procurement changed status after the supplier credential's confirm",
           after.exchange.render())
