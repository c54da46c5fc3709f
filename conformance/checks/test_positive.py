"""Positive conformance (POS-001): every method in scope answers a valid request with a 2xx carrying its
documented response body.

Why a check of its own: every other requirement says what a server must refuse or how a reply must look, so
a server that refuses all work, or answers it with nothing, would otherwise break none of them and conform by
omission. Each method gets one valid request: the reference's own example, on the run's own data (a job the
run created, a procurement it may read). A method whose valid request would spend something the run must
keep (the one access code, the one procurement it may confirm) is not applicable here, with the check that
sends that request instead; `repairer.procurements.invoices.get` needs an invoice, which only the lifecycle
check's confirm brings about (EXT-002). A request that gets no answer in time is a POS-001 finding too (the
transport's deadline).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks import workflow
from conformance.checks._helpers import as_role, example, install
from conformance.checks.client import Reply
from conformance.checks.workflow import by_id, require_ok
from conformance.run import Run
from conformance.target.safety import unique_external_id
from conformance.verdict.findings import expect, not_applicable
from spec import demo, refs
from spec.wire import BASKET, INSTALL, PARTS_INSERT

POSITIVE = "POS-001"
CONFIRM, INVOICE_GET = "supplier.procurements.confirm", "repairer.procurements.invoices.get"
JOB_BODIES: dict[str, Callable[[str], dict[str, Any]]] = {  # method -> its valid body for the run's own job
    "repairer.jobs.get": lambda job: {"identity": by_id(job)},
    "repairer.jobs.parts.list": lambda job: {"job_identity": by_id(job)},
    BASKET: lambda job: {"job_identity": by_id(job)},
    "repairer.procurements.list": lambda job: {"job_identity": by_id(job)},
    PARTS_INSERT: lambda job: {"job_identity": by_id(job), "parts": [dict(workflow.PARTS[0])]},
    "repairer.procurements.invoices.list": lambda job: {"job_identity": by_id(job)},
}


class Fixtures:
    """The fixtures (clients, a new job, a site) a valid request may need, each set up only when a method needs it."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request

    def __getattr__(self, name: str) -> Any:
        return self.request.getfixturevalue(name)


def documented_fields(run: Run, method: str) -> list[str]:
    """The top-level fields the method's 200 response requires that the documents name (its reference entry's
    fields without `?`); a field the reconstruction inferred (an extension's wrapper) is not asked for."""
    definition = run.operations[method].definition
    schema = definition["responses"]["200"].get("content", {}).get("application/json", {}).get("schema", {})
    resolved = refs.resolve(run.target.document, schema)
    if not isinstance(resolved, dict):
        return []
    properties = resolved.get("properties", {})
    return [name for name in resolved.get("required", [])
            if properties.get(name, {}).get("x-provenance", "documented") == "documented"]


def procurement_for(method: str, fixtures: Fixtures) -> str:
    """A procurement the caller of `method` may see: one the user named or the documented seed's (the repairer
    reads those), the one it may confirm (the supplier supplies it), or one the run places; else not applicable."""
    target = fixtures.run.target
    if method.startswith("repairer."):
        known = workflow.readable_procurements(fixtures.run)
    else:
        known = [p for p in (target.confirm_procurement,
                             demo.PROCUREMENT_ID if target.seed_procurement else None) if p]
    if known:
        return known[0]
    return workflow.place_order(fixtures.repairer, fixtures.supplier, fixtures.new_job).id


def valid_request(method: str, fixtures: Fixtures) -> Reply:
    """`method` asked once with a valid body, on the run's own data, as the role it needs."""
    if method in JOB_BODIES:
        job: dict[str, Any] = fixtures.new_job()
        return fixtures.repairer.call(method, JOB_BODIES[method](job["id"]))
    if method == "repairer.jobs.insert":
        body = {"identity": {"external": unique_external_id()}, "repairer_site_id": fixtures.site_id}
        return fixtures.repairer.call(method, body)
    if method == INSTALL:
        if not fixtures.run.target.isolated:
            not_applicable("the access code is single-use: the install check spends it (AUTH-004)")
        return install(workflow.in_own_tenant(fixtures.anonymous, "positive"))
    if method == CONFIRM:
        confirmable = workflow.confirmable(fixtures.repairer, fixtures.supplier, fixtures.new_job, "positive")
        if confirmable.origin == "--confirm-procurement":
            not_applicable("the one procurement the run may confirm is kept for the lifecycle check (LIFE-003)")
        return workflow.confirm(confirmable.supplier, confirmable.id)
    if method == "repairer.procurements.insert":
        return workflow.place_order(fixtures.repairer, fixtures.supplier, fixtures.new_job, requirement=POSITIVE).reply
    client = as_role(fixtures.repairer, method)
    if method.endswith("procurements.get"):
        return client.call(method, {"identity": by_id(procurement_for(method, fixtures))})
    return client.call(method, example(client.run, method))


@pytest.mark.requirement(POSITIVE)
@pytest.mark.methods(where=lambda method: method != INVOICE_GET)
def test_a_valid_request_gets_its_documented_response(method: str, request: pytest.FixtureRequest) -> None:
    """One valid request, on the run's own data: a 2xx whose body is a JSON object with every field the
    method's reference entry lists without `?`."""
    fixtures = Fixtures(request)
    reply = valid_request(method, fixtures)
    answer = require_ok(reply, POSITIVE, f"{method}: a valid request was refused")
    missing = [f for f in documented_fields(fixtures.run, method) if not isinstance(answer, dict) or f not in answer]
    expect(POSITIVE, isinstance(answer, dict) and not missing,
           f"{method}: a 2xx without its documented response body "
           + (f"(missing {', '.join(missing)})" if isinstance(answer, dict) else "(no JSON object)"),
           reply.exchange.render())
