"""Identity selectors (NOTES §8): id, external id and site + job number select one job; no variant or
several is bad_request; an identity that matches nothing is not_found."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from conformance import workflow
from conformance.checks._helpers import expect_error
from conformance.client import ApiClient, call_many
from conformance.findings import expect
from conformance.requirements import JOB_SELECTORS
from conformance.workflow import NewJob, require_ok, unique_external_id

IDENTITY_FIELD = {"repairer.jobs.get": "identity", "repairer.jobs.parts.list": "job_identity",
                  "repairer.jobs.baskets.latest.get": "job_identity"}


def canonical(value: Any) -> Any:
    """A body with its lists sorted, so that two selections of one job compare equal whatever their order."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def selects_the_job(method: str, body: Any, job: dict[str, Any]) -> bool:
    """The reply is about `job`: its id (jobs.get), its parts (parts.list), offers for its parts (basket)."""
    part_ids = {str(p["id"]).lower() for p in job["parts"]}
    if method == "repairer.jobs.get":
        return isinstance(body, dict) and body.get("id") == job["id"]
    if method == "repairer.jobs.parts.list":
        return {str(p.get("id")).lower() for p in workflow.items_of(body) if isinstance(p, dict)} == part_ids
    offers = body.get("offers") if isinstance(body, dict) else None
    return isinstance(offers, list) and all(
        {str(p).lower() for p in o.get("job_part_ids") or []} <= part_ids for o in offers if isinstance(o, dict))


@pytest.fixture
def job(new_job: NewJob) -> dict[str, Any]:
    """A job of the run's own with an external id, a job number and parts."""
    external, number = unique_external_id(), unique_external_id("JN")
    created = new_job(parts=[dict(workflow.PARTS[0])], identity={"external": external}, job_number=number)
    return {**created, "external": external, "job_number": number}


@pytest.mark.requirement("IDENT-001", "IDENT-002")
@pytest.mark.parametrize("method", JOB_SELECTORS)
def test_selectors_pick_the_same_job(repairer: ApiClient, job: dict[str, Any], method: str) -> None:
    """By id, by external id and by site + job number, the method answers about the same job."""
    field = IDENTITY_FIELD[method]
    by_id = repairer.call(method, {field: {"id": job["id"]}})
    reference = require_ok(by_id, "IDENT-001", f"{method} by id")
    expect("IDENT-001", selects_the_job(method, reference, job), f"{method} by id answers about another job",
           by_id.exchange.render())
    site_job_number = {"site_job_number": {"site_id": job["repairer_site_id"], "job_number": job["job_number"]}}
    selections = (("IDENT-001", {"external": job["external"]}), ("IDENT-002", site_job_number))
    replies = call_many(repairer.prepare(method, {field: identity}) for _, identity in selections)
    for (requirement, identity), reply in zip(selections, replies, strict=True):
        expect(requirement, reply.ok and canonical(reply.body) == canonical(reference),
               f"{method} by {next(iter(identity))} is not the job selected by id: {reply.describe()}",
               reply.exchange.render())


@pytest.mark.requirement("IDENT-003")
@pytest.mark.parametrize("method", JOB_SELECTORS)
def test_identity_needs_exactly_one_variant(repairer: ApiClient, job: dict[str, Any], method: str) -> None:
    """An identity with no variant, or with two, is bad_request."""
    identities = ({}, {"id": job["id"], "external": job["external"]})
    replies = call_many(repairer.prepare(method, {IDENTITY_FIELD[method]: identity}) for identity in identities)
    for identity, reply in zip(identities, replies, strict=True):
        expect_error("IDENT-003", reply, 400, "bad_request", f"identity {identity}")


@pytest.mark.requirement("IDENT-004")
@pytest.mark.parametrize("method", JOB_SELECTORS)
def test_unknown_job_is_not_found(repairer: ApiClient, method: str) -> None:
    """A well-formed id or external id that no job has is not_found."""
    identities = ({"id": str(uuid.uuid4())}, {"external": unique_external_id("unknown")})
    replies = call_many(repairer.prepare(method, {IDENTITY_FIELD[method]: identity}) for identity in identities)
    for identity, reply in zip(identities, replies, strict=True):
        expect_error("IDENT-004", reply, 404, "not_found", f"unknown identity {identity}")


@pytest.mark.requirement("IDENT-004")
@pytest.mark.parametrize("role", ["repairer", "supplier"])
def test_unknown_procurement_is_not_found(repairer: ApiClient, supplier: ApiClient, role: str) -> None:
    """A procurement id that nothing has is not_found, for the buyer and for the supplier."""
    client = repairer if role == "repairer" else supplier
    reply = workflow.get_procurement(client, str(uuid.uuid4()))
    expect_error("IDENT-004", reply, 404, "not_found", "an unknown procurement id")
