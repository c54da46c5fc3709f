"""Job parts. Every error of `repairer.jobs.parts.insert` is a bare JSON string (D24); the app's
error shape for that method takes care of it, handlers just raise ApiError like everywhere else."""

from __future__ import annotations

import uuid
from typing import Any

from .. import views
from ..basket import add_part
from ..errors import ApiError
from ..world import MAX_QUANTITY, Part
from .lookup import job_or_404
from .registry import Call, method

MAX_PARTS_PER_JOB = 500


@method("repairer.jobs.parts.insert", mutates=True)
async def parts_insert(call: Call) -> dict[str, Any]:
    """Adds parts (status `estimated`) and returns all the job's parts. Unprocessable (README): a
    description that is only whitespace, a quantity over MAX_QUANTITY, or more than MAX_PARTS_PER_JOB
    parts on the job."""
    assert call.credential is not None
    job = job_or_404(call.world, call.credential, call.body["job_identity"])
    new = call.body["parts"]
    if any(not p["description"].strip() or p["quantity"] > MAX_QUANTITY for p in new):
        raise ApiError("unprocessable")
    if len(call.world.parts_of(job.id)) + len(new) > MAX_PARTS_PER_JOB:
        raise ApiError("unprocessable")
    for p in new:
        add_part(
            call.world,
            Part(str(uuid.uuid4()), job.id, p["description"], int(p["quantity"]), p.get("part_number")),
        )
    return {"items": [views.part(p) for p in call.world.parts_of(job.id)]}


@method("repairer.jobs.parts.list")
async def parts_list(call: Call) -> dict[str, Any]:
    assert call.credential is not None
    job = job_or_404(call.world, call.credential, call.body["job_identity"])
    return {"items": [views.part(p) for p in call.world.parts_of(job.id)]}


@method("repairer.jobs.baskets.latest.get")
async def baskets_latest_get(call: Call) -> dict[str, Any]:
    """The basket follows the job's current parts; a job without parts has an empty basket."""
    assert call.credential is not None
    job = job_or_404(call.world, call.credential, call.body["job_identity"])
    return views.basket(call.world, job.id)
