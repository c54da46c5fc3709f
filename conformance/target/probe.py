"""What the target offers, found out at the start of a run: tenants, the proposed extensions, the seed, the
dev webhook endpoint.

Cheap and safe on any target: the probe reads, and writes only one job of its own (a unique external
id), which is how it tells a tenant header that gives an isolated world from one that is ignored, and an
empty webhook subscription, which the endpoint refuses without registering anything. The
run then follows what was found, unless an option says otherwise (`--tenant NAME`, `--no-tenant`,
`--extensions`, `--no-extensions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from conformance.target.safety import unique_external_id
from conformance.webhooks.subscription import answer, subscribe
from conformance.wire.bounds import NoAnswer
from conformance.wire.transport import Transport, request_headers
from spec import demo, wire
from spec.wire import Credential

PROBE = "conformance-probe"


@dataclass
class Found:
    """The probe's answers, each with the sentence the report shows."""

    isolated: bool | None = None  # None: not probed (an option decided)
    extensions: bool | None = None
    seed_job: bool = False
    seed_procurement: bool = False
    webhooks: bool = False  # the dev webhook endpoint answers
    job_id: str | None = None  # the probe's own job, in the run's world (None: none could be created)
    notes: list[str] = field(default_factory=list)
    unfinished: str = ""  # why the probe stopped before it found out everything ("": it finished)


class Prober:
    """Sends the probe's few requests as the repairer, through the run's transport."""

    def __init__(self, transport: Transport, base_url: str, repairer: Credential) -> None:
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.repairer = repairer

    def call(self, method: str, body: dict[str, Any], tenant: str | None) -> tuple[int, Any]:
        response = self.transport.request("POST", self.base_url + wire.path(method), content=json.dumps(body).encode(),
                                          headers=request_headers(self.repairer, tenant))
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def create_job(self, tenant: str | None) -> tuple[str, str] | None:
        """A job of the run's own (unique external id) at the first listed site that takes one:
        (external id, job id), or None."""
        status, body = self.call("businesses.list", {}, tenant)
        items = body.get("items") if 200 <= status < 300 and isinstance(body, dict) else None
        for site in (i.get("id") for i in items or [] if isinstance(i, dict)):
            external = unique_external_id(PROBE)
            status, job = self.call("repairer.jobs.insert", {"identity": {"external": external},
                                                             "repairer_site_id": site}, tenant)
            if 200 <= status < 300 and isinstance(job, dict) and isinstance(job.get("id"), str):
                return external, job["id"]
        return None

    def tenants_isolate(self, candidate: str, found: Found) -> bool:
        """Whether the tenant header gives `candidate` a world of its own: a job written there is not
        visible without the header, nor in another fresh tenant."""
        created = self.create_job(candidate)
        if created is None:
            found.unfinished = "tenants: could not tell (no job could be created to look for)"
            found.notes.append(f"{found.unfinished}; running without")
            return False
        external, found.job_id = created
        for elsewhere in (None, f"{candidate[:50]}-elsewhere"):
            status, _ = self.call("repairer.jobs.get", {"identity": {"external": external}}, elsewhere)
            if 200 <= status < 300:
                found.notes.append("tenants: the tenant header is ignored (a job written in one tenant is seen "
                                   "everywhere); running without, on data of the run's own")
                return False
        found.notes.append(f"tenants: {wire.TENANT_HEADER} gives an isolated world; this run has its own")
        return True

    def extensions_offered(self, tenant: str | None, found: Found) -> bool:
        """Whether the proposed extensions answer: invoices.list of the probe's own job is a 2xx, or a
        body without a selector is refused as something else than an unknown method."""
        if found.job_id is None and (created := self.create_job(tenant)) is not None:
            found.job_id = created[1]
        if found.job_id is not None:
            status, _ = self.call("repairer.procurements.invoices.list", {"job_identity": {"id": found.job_id}},
                                  tenant)
            offered = 200 <= status < 300
        else:
            status, _ = self.call("repairer.procurements.invoices.list", {}, tenant)
            offered = status not in (404, 405, 501)
        found.notes.append("extensions: the 3 proposed methods answer; they are checked apart" if offered else
                           "extensions: the target does not offer the 3 proposed methods (not part of 2026-01)")
        return offered

    def seed(self, tenant: str | None, found: Found) -> None:
        """Whether the documented seed is there: the job CCC-2026-04817 and procurement 10000000-...-01."""
        status, _ = self.call("repairer.jobs.get", {"identity": {"external": demo.JOB_EXTERNAL_ID}}, tenant)
        found.seed_job = 200 <= status < 300
        status, _ = self.call("repairer.procurements.get", {"identity": {"id": demo.PROCUREMENT_ID}}, tenant)
        found.seed_procurement = 200 <= status < 300
        what = [name for name, present in (("job " + demo.JOB_EXTERNAL_ID, found.seed_job),
                                            ("procurement " + demo.PROCUREMENT_ID, found.seed_procurement)) if present]
        found.notes.append(f"seed: the documented {' and '.join(what)} {'is' if len(what) == 1 else 'are'} there"
                           if what else "seed: none of the documented seed (a world of the target's own)")

    def webhooks(self, tenant: str | None, found: Found) -> None:
        """Whether the dev webhook endpoint is there: an empty subscription gets one of its documented answers
        (a JSON object with `ok`; `missing_field` when it conforms)."""
        found.webhooks = answer(subscribe(self.transport, self.base_url, tenant, b"{}")) is not None
        found.notes.append("webhooks: the dev endpoint POST /__webhooks/subscribe answers; deliveries are checked"
                           if found.webhooks else "webhooks: no dev endpoint (POST /__webhooks/subscribe); a sandbox "
                                                  "feature outside 2026-01, not applicable")


def probe(transport: Transport, base_url: str, repairer: Credential, *, tenant: str | None, tenant_auto: bool,
          extensions: bool | None) -> tuple[str | None, Found]:
    """Probe what is not decided by an option. Returns the run's tenant (None: no tenant) and what was found."""
    prober, found = Prober(transport, base_url, repairer), Found()
    try:
        if tenant_auto and tenant is not None:
            found.isolated = prober.tenants_isolate(tenant, found)
            tenant = tenant if found.isolated else None
        if extensions is None:
            found.extensions = prober.extensions_offered(tenant, found)
        prober.seed(tenant, found)
        prober.webhooks(tenant, found)
    except NoAnswer as exc:
        found.unfinished = f"{Transport.method(exc.request)} got no answer: {exc}"
        found.notes.append(f"probe interrupted: {found.unfinished}; assuming no tenants, no extensions")
        tenant = None if tenant_auto else tenant
        found.isolated = False if tenant_auto else found.isolated
        found.extensions = False if extensions is None else found.extensions
    return tenant, found
