"""Who the caller is: its businesses, its work providers, and installing a new integration."""

from __future__ import annotations

from typing import Any

from .. import auth
from .registry import Call, method


@method("businesses.list")
async def businesses_list(call: Call) -> dict[str, Any]:
    assert call.credential is not None
    sites = call.world.sites_of(call.credential.organization_id)
    return {"items": [{"id": b.id, "name": b.name} for b in sites]}


@method("repairer.work-providers.list")
async def work_providers_list(call: Call) -> dict[str, Any]:
    return {"items": [{"id": p.id, "name": p.name} for p in call.world.work_providers.values()]}


@method("integrations.insert", mutates=True)
async def integrations_insert(call: Call) -> dict[str, Any]:
    credential = auth.install(call.world, call.body, call.now)
    return {"api_key": credential.api_key, "integration_id": credential.integration_id}
