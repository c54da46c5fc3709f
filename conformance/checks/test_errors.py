"""The error model (ERR-001..003, ERR-D24-001): every error the suite can provoke, per method.

The client's judge already holds every error reply to the method's union and shape, D24 and the
status per kind; these checks make sure each documented kind is actually provoked on each method
where the suite can provoke it, and that the reply is the kind the condition calls for.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.checks._helpers import (
    ALL_METHODS,
    D24_METHOD,
    as_role,
    error_kinds,
    example,
    expect_error,
    required_fields,
    unknown_identities,
)
from conformance.client import ApiClient, Call, Reply, call_many
from conformance.findings import expect
from conformance.workflow import NewJob, unique_external_id
from contract.wire import INSTALL

TYPED_METHODS = [m for m in ALL_METHODS if m != D24_METHOD]
A_PART = {"description": "Front bumper cover assembly", "quantity": 1}
# Plausible triggers of parts.insert's `unprocessable` on a job of the run's own: any error they get
# must be a bare string; a 2xx only means this server does not object to them.
UNPROCESSABLE_PARTS = {
    "a description of whitespace only": [{"description": "   ", "quantity": 1}],
    "an empty description": [{"description": "", "quantity": 1}],
    "quantity 0": [{"description": "Front bumper cover assembly", "quantity": 0}],
    "a negative quantity": [{"description": "Front bumper cover assembly", "quantity": -1}],
}


def expect_typed(reply: Reply, what: str) -> None:
    """An error outside parts.insert is a `{"type": kind}` object (the judge checks the union)."""
    body = reply.body
    expect("ERR-001", isinstance(body, dict) and isinstance(body.get("type"), str),
           f"{reply.exchange.method}: {what}: error {reply.status} is not a {{\"type\": kind}} object",
           reply.exchange.render())


def expect_bare(reply: Reply, what: str) -> None:
    """A parts.insert error is a bare JSON string (D24); the judge also records it, this names the case."""
    if not reply.ok:
        expect("ERR-D24-001", isinstance(reply.body, str),
               f"{D24_METHOD}: {what}: error {reply.status} is not a bare JSON string", reply.exchange.render())


@pytest.mark.requirement("ERR-001", "ERR-002")
@pytest.mark.parametrize("method", TYPED_METHODS)
def test_errors_are_typed_objects_with_documented_statuses(anonymous: ApiClient, method: str) -> None:
    """unauthorized, not_found (where the method selects something) and bad_request (required fields
    missing) are provoked and each is a `{"type": kind}` object with its documented status."""
    kinds = error_kinds(method)
    caller = as_role(anonymous, method)
    provoked: list[tuple[str, int, str, Call]] = []  # what, expected status and kind, the request
    if method != INSTALL:
        provoked.append(("no auth headers", 401, "unauthorized", anonymous.prepare(method, example(method))))
    if "not_found" in kinds:
        provoked.append(("an identity that matches nothing", 404, "not_found",
                         caller.prepare(method, unknown_identities(example(method)))))
    if "bad_request" in kinds and required_fields(method):
        provoked.append((f"no {', '.join(required_fields(method))}", 400, "bad_request", caller.prepare(method, {})))
    for (what, status, kind, _), reply in zip(provoked, call_many(call for *_, call in provoked), strict=True):
        expect_error("ERR-002", reply, status, kind, what)
        expect_typed(reply, what)


@pytest.mark.requirement("ERR-D24-001", "ERR-002", "ERR-003")
def test_parts_insert_errors_are_bare_strings(anonymous: ApiClient, new_job: NewJob) -> None:
    """D24: every error repairer.jobs.parts.insert gives is a bare JSON string, whatever provoked it."""
    run = anonymous.run
    unknown = {"job_identity": {"id": str(uuid.uuid4())}, "parts": [A_PART]}
    provoked: list[tuple[str, Call, int, str]] = [
        ("an unknown job", as_role(anonymous, D24_METHOD).prepare(D24_METHOD, unknown), 404, "not_found"),
        ("no auth headers", anonymous.prepare(D24_METHOD, unknown), 401, "unauthorized"),
        ("a supplier credential", anonymous.as_(run.target.supplier).prepare(D24_METHOD, unknown), 403, "forbidden"),
    ]
    for (what, _, status, kind), reply in zip(provoked, call_many(call for _, call, *_ in provoked), strict=True):
        expect_bare(reply, what)
        expect_error("ERR-002", reply, status, kind, what)
    job = {"id": new_job()["id"]}
    replies = call_many(as_role(anonymous, D24_METHOD).prepare(D24_METHOD, {"job_identity": job, "parts": parts})
                        for parts in UNPROCESSABLE_PARTS.values())
    for what, reply in zip(UNPROCESSABLE_PARTS, replies, strict=True):
        expect_bare(reply, what)


def job_body(site_id: str, **fields: Any) -> dict[str, Any]:
    return {"identity": {"external": unique_external_id()}, "repairer_site_id": site_id, **fields}


@pytest.mark.requirement("ERR-003")
def test_jobs_insert_inferred_kinds(repairer: ApiClient, site_id: str) -> None:
    """An unknown work provider is work_provider_not_found, an unknown site unprocessable (both 422)."""
    provider, site = call_many([
        repairer.prepare("repairer.jobs.insert", job_body(site_id, work_provider_id=str(uuid.uuid4()))),
        repairer.prepare("repairer.jobs.insert", job_body(str(uuid.uuid4())))])
    expect_error("ERR-003", provider, 422, "work_provider_not_found", "an unknown work_provider_id")
    expect_error("ERR-003", site, 422, "unprocessable", "an unknown repairer_site_id")


@pytest.mark.requirement("ERR-003", "ERR-001")
def test_uploads_prepare_unprocessable(repairer: ApiClient) -> None:
    """A file name without an extension, with a path, or not fitting its media type is plausibly
    unprocessable; a 2xx is not wrong, but an error must be a kind of the union with its status (judged)."""
    names = ("estimate", "../../estimate.jpg", "estimate.exe")
    replies = call_many(repairer.prepare("uploads.prepare", {"file_name": name, "media_type": "image",
                                                             "type": "job_media"}) for name in names)
    for name, reply in zip(names, replies, strict=True):
        if not reply.ok:
            expect_typed(reply, f"file_name {name!r}")
