"""Sandbox tenants (NOTES §3): each tenant is its own world, seeded alike; what one writes, no other sees.

Tenants are sandbox only, not part of the contract: this applies only when the run has a tenant of its
own (found by the probe, or named with --tenant); tenant B is a fresh one made up here.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks._helpers import expect_error
from conformance.checks.client import ApiClient
from conformance.checks.workflow import SEEDED_JOB, require_ok, usable_site
from conformance.run import Run
from conformance.target import fresh_tenant
from conformance.target.safety import unique_external_id
from conformance.verdict.findings import expect, not_applicable


def insert_job(client: ApiClient) -> dict[str, Any]:
    """A job of the run's own in `client`'s tenant, at a site that tenant lists."""
    external = unique_external_id()
    body = {"identity": {"external": external}, "repairer_site_id": usable_site(client)}
    job = require_ok(client.call("repairer.jobs.insert", body), "TENANT-001", f"a job in tenant {client.tenant}")
    return {**job, "external": external}


@pytest.mark.requirement("TENANT-001")
def test_tenants_do_not_see_each_other(run: Run, repairer: ApiClient) -> None:
    """A job written in tenant A is not_found in tenant B by external id and by id, and the other way round;
    both still see the seeded job when the target has it."""
    if not run.target.isolated:
        not_applicable("the run has no tenant of its own (tenants are sandbox only, not part of the contract)")
    tenant_a, tenant_b = repairer, repairer.in_tenant(fresh_tenant())
    jobs = {client.tenant: insert_job(client) for client in (tenant_a, tenant_b)}
    for writer, reader in ((tenant_a, tenant_b), (tenant_b, tenant_a)):
        job = jobs[writer.tenant]
        for identity in ({"external": job["external"]}, {"id": job["id"]}):
            reply = reader.call("repairer.jobs.get", {"identity": identity})
            expect_error("TENANT-001", reply, "not_found",
                         f"a job of tenant {writer.tenant} by {identity}, from tenant {reader.tenant}")
        if run.target.seed_job:
            seeded = reader.call("repairer.jobs.get", {"identity": SEEDED_JOB})
            expect("TENANT-001", seeded.ok, f"tenant {reader.tenant} no longer sees the seeded job: "
                   f"{seeded.describe()}", seeded.exchange.render())
