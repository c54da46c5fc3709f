"""Finding jobs and procurements by identity selector, within the caller's scope.

Anything outside the caller's organization is `not_found` (NOTES §4), exactly like something that
does not exist; a selector with none or several variants is `bad_request` (NOTES §8).
"""

from __future__ import annotations

from typing import Any

from spec.wire import is_uuid

from ..errors import ApiError
from ..world import Credential, Job, Procurement, World

JOB_SELECTORS = ("id", "external", "site_job_number")


def _matches(kind: str, value: Any) -> bool:
    """Whether `value` is a valid `kind` selector, exactly as JobIdentityV1's oneOf branch says."""
    if kind == "id":
        return is_uuid(value)
    if kind == "external":
        return isinstance(value, str) and len(value) >= 1
    return (
        isinstance(value, dict)
        and is_uuid(value.get("site_id"))
        and isinstance(value.get("job_number"), str)
        and len(value["job_number"]) >= 1
    )


def selector_kind(identity: Any) -> str:
    """The one variant a job identity uses; bad_request when none or several variants match.

    Like the spec's oneOf, a key that does not form a valid variant (`{"external": "X", "id": 5}`)
    is an ignored extra property, not a second selector.
    """
    if not isinstance(identity, dict):
        raise ApiError("bad_request")
    used = [key for key in JOB_SELECTORS if key in identity and _matches(key, identity[key])]
    if len(used) != 1:
        raise ApiError("bad_request")
    return used[0]


def find_job(world: World, organization_id: str, identity: dict[str, Any]) -> Job | None:
    kind = selector_kind(identity)
    if kind == "id":
        job = world.jobs.get(str(identity["id"]).lower())
        return job if job and job.organization_id == organization_id else None
    if kind == "external":
        return next(
            (
                j
                for j in world.jobs.values()
                if j.organization_id == organization_id and j.external_id == identity["external"]
            ),
            None,
        )
    site_id = str(identity["site_job_number"]["site_id"]).lower()
    number = identity["site_job_number"]["job_number"]
    return next(
        (
            j
            for j in world.jobs.values()
            if j.organization_id == organization_id and j.repairer_site_id == site_id and j.job_number == number
        ),
        None,
    )


def job_or_404(world: World, credential: Credential, identity: dict[str, Any]) -> Job:
    job = find_job(world, credential.organization_id, identity)
    if job is None:
        raise ApiError("not_found")
    return job


def buyer_procurement_or_404(world: World, credential: Credential, procurement_id: str) -> Procurement:
    p = world.procurements.get(procurement_id.lower())
    if p is None or world.jobs[p.job_id].organization_id != credential.organization_id:
        raise ApiError("not_found")
    return p


def supplier_procurement_or_404(world: World, credential: Credential, procurement_id: str) -> Procurement:
    """A supplier sees only procurements where one of its businesses is the supplier."""
    p = world.procurements.get(procurement_id.lower())
    if p is None or world.businesses[p.supplier_business_id].organization_id != credential.organization_id:
        raise ApiError("not_found")
    return p
