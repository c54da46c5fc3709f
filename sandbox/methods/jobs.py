"""Repair jobs: fetch by identity, and the upsert keyed by identity."""

from __future__ import annotations

import uuid
from typing import Any

from spec.webhooks import JOB_INSERTED

from .. import views
from ..errors import ApiError
from ..webhooks import Event
from ..world import Job
from .lookup import find_job, job_or_404, selector_kind
from .registry import Call, method

UPDATABLE = ("claim_number", "job_number", "work_provider_id", "vehicle")


@method("repairer.jobs.get")
async def jobs_get(call: Call) -> dict[str, Any]:
    assert call.credential is not None
    return views.job(job_or_404(call.world, call.credential, call.body["identity"]))


@method("repairer.jobs.insert", mutates=True)
async def jobs_insert(call: Call) -> dict[str, Any]:
    """Upsert. Rules where the sources are silent (README):
    - `repairer_site_id` must be one of the caller's sites, else unprocessable;
    - a known `work_provider_id` or null, else work_provider_not_found;
    - `{"id"}` only updates (ids are server-assigned): an unknown id is unprocessable;
    - `{"site_job_number"}`: its site must equal `repairer_site_id` and a `job_number` field, if sent,
      must equal it; else unprocessable;
    - a job number already used by another job of the same site is unprocessable.
    """
    world, body = call.world, call.body
    assert call.credential is not None
    org = call.credential.organization_id
    identity = body["identity"]
    kind = selector_kind(identity)
    site_id = body["repairer_site_id"].lower()
    if site_id not in {b.id for b in world.sites_of(org)}:
        raise ApiError("unprocessable")
    provider = body.get("work_provider_id")
    if provider is not None and provider.lower() not in world.work_providers:
        raise ApiError("work_provider_not_found")

    fields = {key: body[key] for key in UPDATABLE if key in body}
    if fields.get("work_provider_id") is not None:
        fields["work_provider_id"] = fields["work_provider_id"].lower()
    if "vehicle" in fields and fields["vehicle"] is not None:
        fields["vehicle"] = views.vehicle(fields["vehicle"])
    if kind == "site_job_number":
        selector = identity["site_job_number"]
        if (
            selector["site_id"].lower() != site_id
            or fields.get("job_number", selector["job_number"]) != (selector["job_number"])
        ):
            raise ApiError("unprocessable")
        fields["job_number"] = selector["job_number"]

    job = find_job(world, org, identity)
    inserted = job is None  # the webhook trigger: a job inserted, not one updated (inferred)
    if job is None:
        if kind == "id":
            raise ApiError("unprocessable")
        job = Job(str(uuid.uuid4()), org, site_id, external_id=identity["external"] if kind == "external" else None)
    number = fields.get("job_number", job.job_number)
    if number is not None and any(
        j.id != job.id and j.repairer_site_id == site_id and j.job_number == number for j in world.jobs.values()
    ):
        raise ApiError("unprocessable")
    job.repairer_site_id = site_id
    for key, value in fields.items():
        setattr(job, key, value)
    world.jobs[job.id] = job
    if inserted:
        call.events.append(Event(org, JOB_INSERTED, {"job": views.job(job)}))
    return views.job(job)
