"""Identity selectors and organisation scope (NOTES §4, §8): id, external id and site + job number select one
job; an identity with no variant or several is refused (bad_request where the method lists it); one that
matches nothing, or data outside the caller's organization, is not_found."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.checks import workflow
from conformance.checks._helpers import expect_error, expect_refused, lists
from conformance.checks.client import ApiClient, Reply, call_each, call_many
from conformance.checks.workflow import NewJob, by_id, items_of, precondition
from conformance.requirements.catalogue import JOB_IDENTITY, JOB_SELECTORS, PROCUREMENT_IDENTITY
from conformance.target.safety import unique_external_id
from conformance.verdict.findings import expect, not_applicable
from spec.wire import PARTS_INSERT

IDENTITY_FIELD = {"repairer.jobs.get": "identity", "repairer.jobs.insert": "identity"}
A_PART = {"description": "Front bumper cover assembly", "quantity": 1}


def field_of(method: str) -> str:
    return IDENTITY_FIELD.get(method, "job_identity")


def job_request(method: str, identity: Any, site_id: str) -> dict[str, Any]:
    """A request to `method` that names a job by `identity`, its other required fields filled in."""
    body: dict[str, Any] = {field_of(method): identity}
    if method == "repairer.jobs.insert":
        body["repairer_site_id"] = site_id
    elif method == PARTS_INSERT:
        body["parts"] = [dict(A_PART)]
    return body


def selection(method: str, body: Any) -> Any:
    """What a reply selected, comparable across selectors: the job's id (jobs.get), its part ids (parts.list),
    the part ids its offers cover (basket)."""
    if method == "repairer.jobs.get":
        return str(body.get("id")).lower() if isinstance(body, dict) else None
    if method == "repairer.jobs.parts.list":
        return sorted(str(p.get("id")).lower() for p in items_of(body) if isinstance(p, dict))
    offers = body.get("offers") if isinstance(body, dict) else None
    return sorted({str(p).lower() for o in offers or [] if isinstance(o, dict) for p in o.get("job_part_ids") or []})


@pytest.fixture
def job(new_job: NewJob) -> dict[str, Any]:
    """A job of the run's own with an external id and a part (only documented request fields)."""
    external = unique_external_id()
    return {**new_job(parts=[dict(workflow.PARTS[0])], identity={"external": external}), "external": external}


@pytest.mark.requirement("IDENT-001", "LIFE-013")
@pytest.mark.methods(*JOB_SELECTORS)
def test_id_and_external_id_select_the_same_job(repairer: ApiClient, job: dict[str, Any], method: str) -> None:
    """By id and by external id, the method answers about the same job, the one repairer.jobs.insert made."""
    by_id_reply, by_external = call_many(repairer.prepare(method, {field_of(method): {key: job[key]}})
                                         for key in ("id", "external"))
    reference = workflow.require_ok(by_id_reply, "LIFE-013" if method == "repairer.jobs.get" else "IDENT-001",
                                    f"{method} by the id repairer.jobs.insert answered")
    if method == "repairer.jobs.get":
        expect("LIFE-013", selection(method, reference) == job["id"].lower(),
               f"repairer.jobs.get by id answers job {selection(method, reference)}, not {job['id']}",
               by_id_reply.exchange.render())
    expect("IDENT-001", by_external.ok and selection(method, by_external.body) == selection(method, reference),
           f"{method} by external id is not the job selected by id: {by_external.describe()}",
           by_external.exchange.render())


@pytest.mark.requirement("IDENT-002")
def test_site_and_job_number_select_the_job(repairer: ApiClient, site_id: str) -> None:
    """The third variant (its wire name, site_job_number, is inferred) selects the job it made."""
    identity = {"site_job_number": {"site_id": site_id, "job_number": unique_external_id("JN")}}
    made = repairer.call("repairer.jobs.insert", {"identity": identity, "repairer_site_id": site_id})
    if not expect("IDENT-002", made.ok and isinstance(made.body, dict),
                  f"repairer.jobs.insert by site_job_number: {made.describe()}", made.exchange.render()):
        return
    got = repairer.call("repairer.jobs.get", {"identity": identity})
    expect("IDENT-002", got.ok and selection("repairer.jobs.get", got.body) == str(made.body.get("id")).lower(),
           f"repairer.jobs.get by site_job_number is not the job it made: {got.describe()}", got.exchange.render())


def expect_bad_identity_refused(client: ApiClient, method: str, reply: Reply, what: str) -> None:
    """Refused (IDENT-005/006, MUST); as bad_request where the method lists it (IDENT-003, which a 2xx breaks
    too) and else only recommended (IDENT-007: the lists are closed, NOTES §4, yet §8 says bad_request)."""
    requirement = "IDENT-006" if method in PROCUREMENT_IDENTITY else "IDENT-005"
    refused = expect_refused(requirement, reply, what)
    if lists(client.run, method, "bad_request"):
        expect_error("IDENT-003", reply, "bad_request", what)
    elif refused:
        expect_error("IDENT-007", reply, "bad_request", what)


@pytest.mark.requirement("IDENT-003", "IDENT-005", "IDENT-007")
@pytest.mark.methods(*JOB_IDENTITY)
def test_a_job_identity_needs_exactly_one_variant(repairer: ApiClient, job: dict[str, Any], site_id: str,
                                                  method: str) -> None:
    """A missing job identity, one with no variant, and one with two are refused."""
    missing = {k: v for k, v in job_request(method, {}, site_id).items() if k != field_of(method)}
    cases = {"no identity": missing, "an identity with no variant": job_request(method, {}, site_id),
             "an identity with two variants": job_request(method, {"id": job["id"], "external": job["external"]},
                                                          site_id)}
    for what, reply in call_each({what: repairer.prepare(method, body) for what, body in cases.items()}).items():
        expect_bad_identity_refused(repairer, method, reply, what)


@pytest.mark.requirement("IDENT-006", "IDENT-007")
@pytest.mark.methods(*PROCUREMENT_IDENTITY)
def test_a_procurement_identity_needs_its_id(repairer: ApiClient, supplier: ApiClient, method: str) -> None:
    """A missing procurement identity, or one without its id, is refused."""
    client = supplier if method.startswith("supplier.") else repairer
    cases = {"no identity": {}, "an identity without an id": {"identity": {}}}
    for what, reply in call_each({what: client.prepare(method, body) for what, body in cases.items()}).items():
        expect_bad_identity_refused(client, method, reply, what)


def expect_bad_requests(repairer: ApiClient, cases: list[tuple[str, str, dict[str, Any], str]]) -> None:
    """Each (requirement, method, body, what) is answered bad_request; the requests go out together."""
    replies = call_many(repairer.prepare(method, body) for _, method, body, _ in cases)
    for (requirement, _, _, what), reply in zip(cases, replies, strict=True):
        expect_error(requirement, reply, "bad_request", what)


@pytest.mark.requirement("IDENT-008")
def test_invoices_list_needs_exactly_one_selector(repairer: ApiClient, supplier: ApiClient,
                                                  new_job: NewJob) -> None:
    """invoices.list takes exactly one of its two selectors: none, or both, is bad_request. Both name what exists
    (a procurement and its job), so that the selector count is the request's one fault."""
    order = workflow.place_order(repairer, supplier, new_job)
    both = {"job_identity": by_id(order.job["id"]), "procurement_identity": by_id(order.id)}
    expect_bad_requests(repairer, [("IDENT-008", "repairer.procurements.invoices.list", {}, "no selector"),
                                   ("IDENT-008", "repairer.procurements.invoices.list", both, "both selectors")])


@pytest.mark.requirement("IDENT-009")
def test_the_extensions_identities_need_exactly_one_variant(repairer: ApiClient, job: dict[str, Any]) -> None:
    """procurements.insert and invoices.get take exactly one identity variant: anything else is bad_request. The
    insert's offer_selections are the job's own basket offers, so that the identity is the request's one fault."""
    workflow.require_extensions(repairer)
    basket = precondition(workflow.basket_of(repairer, by_id(job["id"])), "the basket of a job with a part")
    selections = workflow.wire_selections(workflow.choose_offers(basket, job["parts"], lambda _: True))
    if not selections:
        pytest.skip("the basket of a new job has no offer for its part (see LIFE-010): no offer_selections to send")
    two_variants = {"id": job["id"], "external": job["external"]}
    expect_bad_requests(repairer, [
        ("IDENT-009", "repairer.procurements.insert", {"offer_selections": selections}, "no job_identity"),
        ("IDENT-009", "repairer.procurements.insert", {"job_identity": two_variants, "offer_selections": selections},
         "two variants"),
        ("IDENT-009", "repairer.procurements.invoices.get", {}, "no identity"),
        ("IDENT-009", "repairer.procurements.invoices.get", {"identity": {}}, "an identity without an id"),
    ])


@pytest.mark.requirement("IDENT-004")
@pytest.mark.methods(*JOB_SELECTORS, PARTS_INSERT, "repairer.procurements.list")
def test_an_unknown_job_is_not_found(repairer: ApiClient, site_id: str, method: str) -> None:
    """A well-formed id or external id that no job has is not_found."""
    identities = ({"id": str(uuid.uuid4())}, {"external": unique_external_id("unknown")})
    replies = call_many(repairer.prepare(method, job_request(method, identity, site_id)) for identity in identities)
    for identity, reply in zip(identities, replies, strict=True):
        expect_error("IDENT-004", reply, "not_found", f"unknown identity {identity}")


@pytest.mark.requirement("IDENT-004")
@pytest.mark.methods(*PROCUREMENT_IDENTITY)
def test_an_unknown_procurement_is_not_found(repairer: ApiClient, supplier: ApiClient, method: str) -> None:
    """A procurement id that nothing has is not_found, for the buyer and for the supplier."""
    client = supplier if method.startswith("supplier.") else repairer
    expect_error("IDENT-004", client.call(method, {"identity": by_id(str(uuid.uuid4()))}), "not_found",
                 "an unknown procurement id")


# -- organisation scope ----------------------------------------------------------------------------


@pytest.mark.requirement("SCOPE-002")
def test_the_repairer_sees_only_its_organization(repairer: ApiClient, site_id: str) -> None:
    """Another repairer organization's job and procurement are not_found for the repairer credential, by every
    repairer.* method that selects them."""
    target = repairer.run.target
    if not (target.foreign_job or target.foreign_procurement):
        not_applicable("the run knows no job or procurement of another organization",
                       "pass --foreign-job ID and --foreign-procurement ID (of another organization) to check scope")
    calls = []  # (what, request): all sent at once
    if target.foreign_job:
        methods = (*JOB_SELECTORS, "repairer.procurements.list", *((PARTS_INSERT,) if target.isolated else ()))
        calls += [("a job of another organization",
                   repairer.prepare(method, job_request(method, {"id": target.foreign_job}, site_id)))
                  for method in methods]
    if target.foreign_procurement:
        calls.append(("a procurement of another organization",
                      repairer.prepare("repairer.procurements.get", {"identity": by_id(target.foreign_procurement)})))
    for (what, _), reply in zip(calls, call_many(call for _, call in calls), strict=True):
        expect_error("SCOPE-002", reply, "not_found", what)


@pytest.mark.requirement("SCOPE-001", "ERR-005")
def test_the_supplier_sees_only_what_it_supplies(repairer: ApiClient, supplier: ApiClient, new_job: NewJob) -> None:
    """A procurement the supplier credential does not supply is not_found to it, to read or to confirm (the
    confirm only where the run may: its own procurement, or a world of its own); the refused confirm changes
    nothing."""
    target = repairer.run.target
    if not target.extensions_absent:
        foreign = workflow.place_order(repairer, supplier, new_job, mine=False).id
    elif target.foreign_procurement:
        foreign = target.foreign_procurement
    else:
        not_applicable("the run has no procurement of another supplier (the extensions would place one)",
                       "pass --foreign-procurement ID (of another organization) to check scope")
    before, as_supplier = workflow.procurement_views(foreign, repairer, supplier)
    expect_error("SCOPE-001", as_supplier, "not_found", "a procurement of another supplier's business")
    if target.isolated or repairer.run.ownership.owns("procurement", by_id(foreign)):
        confirm = workflow.confirm(supplier, foreign)
        expect_error("SCOPE-001", confirm, "not_found", "confirming a procurement of another supplier's business")
        if before.ok and not confirm.ok:  # an accepted confirm is SCOPE-001's finding, not ERR-005's
            after = precondition(workflow.get_procurement(repairer, foreign), "the procurement after")
            status, was = workflow.procurement_status(after), workflow.procurement_status(before.body)
            expect("ERR-005", status == was, f"a refused confirm changed the procurement's status to {status!r}")
