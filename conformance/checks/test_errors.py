"""The error model (ERR-001, ERR-003, ERR-D24-001): every error the suite can provoke is a kind of the method's
union, in the method's shape.

The judge already holds every error reply of a contract call to the method's union and shape, D24 and
the status per kind; these checks make sure errors are actually provoked on each method, in each shape.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.checks._helpers import (
    D24_METHOD,
    as_role,
    error_kinds,
    example,
    expect_error,
    expect_refused,
    lists,
    unknown_identities,
)
from conformance.checks.client import ApiClient, Reply, call_each, call_many
from conformance.checks.workflow import NewJob
from conformance.target.safety import unique_external_id
from conformance.verdict.findings import expect
from spec.wire import INSTALL

A_PART = {"description": "Front bumper cover assembly", "quantity": 1}
# Plausible triggers of parts.insert's `unprocessable` on a job of the run's own: any error they get
# must be a bare string; a 2xx only means this server does not object to them.
UNPROCESSABLE_PARTS = {
    "a description of whitespace only": [{"description": "   ", "quantity": 1}],
    "an empty description": [{"description": "", "quantity": 1}],
    "quantity 0": [{"description": "Front bumper cover assembly", "quantity": 0}],
    "a negative quantity": [{"description": "Front bumper cover assembly", "quantity": -1}],
}
NO_MATCH = "an identity that matches nothing"


def expect_typed(reply: Reply, what: str) -> None:
    """An error outside parts.insert is a `{"type": kind}` object (the judge checks the union)."""
    if not reply.ok:
        body = reply.body
        expect("ERR-001", isinstance(body, dict) and isinstance(body.get("type"), str),
               f"{reply.exchange.method}: {what}: error {reply.status} is not a {{\"type\": kind}} object",
               reply.exchange.render())


def expect_bare(reply: Reply, what: str) -> None:
    """A parts.insert error is a bare JSON string (D24); the judge also records it, this names the case."""
    if not reply.ok:
        expect("ERR-D24-001", isinstance(reply.body, str),
               f"{D24_METHOD}: {what}: error {reply.status} is not a bare JSON string", reply.exchange.render())


@pytest.mark.requirement("ERR-001", "IDENT-004")
@pytest.mark.methods(where=lambda method: method != D24_METHOD)
def test_errors_are_typed_objects(anonymous: ApiClient, method: str) -> None:
    """Errors provoked without credentials, with an identity that matches nothing, and without the required
    fields are `{"type": kind}` objects of the method's union (every method's but parts.insert's, whose errors
    are bare strings); no match is not_found."""
    run, caller = anonymous.run, as_role(anonymous, method)
    calls = {"no fields": caller.prepare(method, {})}
    if method != INSTALL:
        calls["no auth headers"] = anonymous.prepare(method, example(run, method))
    if "not_found" in error_kinds(run, method):
        calls[NO_MATCH] = caller.prepare(method, unknown_identities(example(run, method)))
    replies = call_each(calls)
    for what, reply in replies.items():
        expect_typed(reply, what)
    if NO_MATCH in replies and lists(run, method, "not_found"):  # the documents name the kind for no match (NOTES §4)
        expect_error("IDENT-004", replies[NO_MATCH], "not_found", NO_MATCH)


@pytest.mark.requirement("ERR-D24-001", "IDENT-004", "AUTH-001", "AUTH-003")
def test_parts_insert_errors_are_bare_strings(anonymous: ApiClient, new_job: NewJob) -> None:
    """D24: every error repairer.jobs.parts.insert gives is a bare JSON string, whatever provoked it."""
    run = anonymous.run
    unknown = {"job_identity": {"id": str(uuid.uuid4())}, "parts": [A_PART]}
    repairer = as_role(anonymous, D24_METHOD)
    not_found, no_auth, wrong_role = call_many(client.prepare(D24_METHOD, unknown) for client in
                                               (repairer, anonymous, anonymous.as_(run.target.supplier)))
    expect_bare(not_found, "an unknown job")
    expect_error("IDENT-004", not_found, "not_found", "an unknown job")
    expect_bare(no_auth, "no auth headers")
    expect_refused("AUTH-001", no_auth, "no auth headers")
    expect_bare(wrong_role, "a supplier credential")
    expect_error("AUTH-003", wrong_role, {"forbidden", "not_found"}, "a supplier credential")
    job = {"id": new_job()["id"]}
    for what, parts in UNPROCESSABLE_PARTS.items():  # one after another: each may add parts to the same job
        expect_bare(repairer.call(D24_METHOD, {"job_identity": job, "parts": parts}), what)


def job_body(site_id: str, **fields: Any) -> dict[str, Any]:
    return {"identity": {"external": unique_external_id()}, "repairer_site_id": site_id, **fields}


@pytest.mark.requirement("ERR-003")
def test_jobs_insert_inferred_kinds(repairer: ApiClient, site_id: str) -> None:
    """An unknown work provider is work_provider_not_found, an unknown site unprocessable (their conditions
    and statuses are inferred)."""
    unknown_provider, unknown_site = call_many([
        repairer.prepare("repairer.jobs.insert", job_body(site_id, work_provider_id=str(uuid.uuid4()))),
        repairer.prepare("repairer.jobs.insert", job_body(str(uuid.uuid4())))])
    expect_error("ERR-003", unknown_provider, "work_provider_not_found", "an unknown work_provider_id")
    expect_error("ERR-003", unknown_site, "unprocessable", "an unknown repairer_site_id")


@pytest.mark.requirement("ERR-001")
def test_uploads_prepare_errors_are_of_its_union(repairer: ApiClient) -> None:
    """A file name without an extension, with a path, or not fitting its media type is plausibly
    unprocessable; a 2xx is not wrong, but an error must be a kind of the union (judged)."""
    names = ("estimate", "../../estimate.jpg", "estimate.exe")
    replies = call_many(repairer.prepare("uploads.prepare", {"file_name": name, "media_type": "image",
                                                             "type": "job_media"}) for name in names)
    for name, reply in zip(names, replies, strict=True):
        expect_typed(reply, f"file_name {name!r}")
