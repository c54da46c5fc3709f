"""The wire convention (WIRE-001, -003..-006, -009): bodies, media types, method names and verbs.

Requests carry valid credentials for their method, so that what is checked is the wire handling of
the body, not authentication.
"""

from __future__ import annotations

import pytest

from conformance.checks._helpers import ALL_METHODS, D24_METHOD, as_role, error_kinds, example, expect_error
from conformance.client import ApiClient, call_many
from conformance.findings import expect

NO_REQUIRED_FIELDS = [m for m in ("businesses.list", "repairer.work-providers.list") if m in ALL_METHODS]
NOT_A_REQUEST = {
    "malformed JSON": b"{",
    "a JSON array": b"[]",
    "a JSON string": b'"x"',
    "a JSON number": b"5",
}
WRONG_TYPES = {
    "repairer.jobs.parts.list": {"job_identity": 5},
    "repairer.jobs.get": {"identity": "CCC-2026-04817"},
    D24_METHOD: {"job_identity": {"external": "CCC-2026-04817"}, "parts": "Front bumper cover assembly"},
}
LARGE = 2 * 1024 * 1024  # bytes: over any plausible request limit, and no more than that


@pytest.mark.requirement("WIRE-003")
@pytest.mark.parametrize("method", NO_REQUIRED_FIELDS)
def test_empty_body_is_an_empty_object(repairer: ApiClient, method: str) -> None:
    """A method with no required field answers an empty body as it answers `{}`: 2xx."""
    reply = repairer.call(method, content=b"")
    expect("WIRE-003", reply.ok, f"{method}: an empty body is not read as {{}}: {reply.describe()}",
           reply.exchange.render())


@pytest.mark.requirement("WIRE-003", "ERR-002")
def test_empty_body_without_required_fields_is_bad_request(repairer: ApiClient) -> None:
    """An empty body is `{}`, which lacks the identity: 400 bad_request, not a parse failure or a 5xx."""
    expect_error("WIRE-003", repairer.call("repairer.jobs.get", content=b""), 400, "bad_request", "an empty body")


@pytest.mark.requirement("WIRE-004", "ERR-001", "ERR-002", "ERR-D24-001")
@pytest.mark.parametrize("method", ALL_METHODS)
def test_body_that_is_not_a_request_is_bad_request(anonymous: ApiClient, method: str) -> None:
    """A body that is not JSON, or not a JSON object, is 400 bad_request in the method's shape."""
    client = as_role(anonymous, method)
    replies = call_many(client.prepare(method, content=content) for content in NOT_A_REQUEST.values())
    for what, reply in zip(NOT_A_REQUEST, replies, strict=True):
        expect_error("WIRE-004", reply, 400, "bad_request", what)


@pytest.mark.requirement("WIRE-004", "ERR-001", "ERR-002", "ERR-D24-001")
@pytest.mark.parametrize("method", [m for m in WRONG_TYPES if m in ALL_METHODS])
def test_field_of_the_wrong_type_is_bad_request(repairer: ApiClient, method: str) -> None:
    """A field of the wrong JSON type does not parse into the request: 400 bad_request."""
    reply = repairer.call(method, WRONG_TYPES[method])
    expect_error("WIRE-004", reply, 400, "bad_request", "a field of the wrong type")


@pytest.mark.requirement("WIRE-005")
@pytest.mark.parametrize("method", ["businesses.list", "repairer.jobs.get"])
def test_unsupported_content_type_is_415(repairer: ApiClient, method: str) -> None:
    """A JSON body declared as text/plain is refused as an unsupported media type."""
    reply = repairer.call(method, example(method), headers={"Content-Type": "text/plain"})
    expect("WIRE-005", reply.status == 415, f"{method}: Content-Type text/plain answered {reply.status}, not 415",
           reply.exchange.render())


@pytest.mark.requirement("WIRE-006")
def test_unknown_method_is_not_found(repairer: ApiClient) -> None:
    """A method name the API does not have is 404 not_found (the judge knows no union for it)."""
    reply = repairer.call("repairer.jobs.nope", {})
    coded = isinstance(reply.body, dict) and reply.body.get("type") == "not_found"
    expect("WIRE-006", reply.status == 404 and coded,
           f"repairer.jobs.nope answered {reply.status} {reply.exchange.response_body[:200]}, not 404 not_found",
        reply.exchange.render())


@pytest.mark.requirement("WIRE-009")
@pytest.mark.parametrize("verb", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_verbs_are_405(repairer: ApiClient, verb: str) -> None:
    """Only POST is part of the contract: any other verb on a real method's path is 405."""
    methods = ("businesses.list", "repairer.jobs.get")
    for method, reply in zip(methods, call_many(repairer.prepare(m, content=b"", verb=verb) for m in methods),
                             strict=True):
        expect("WIRE-009", reply.status == 405, f"{verb} {method} answered {reply.status}, not 405",
               reply.exchange.render())


@pytest.mark.requirement("WIRE-001", "WIRE-004", "ERR-001")
def test_large_body_is_a_client_error(repairer: ApiClient) -> None:
    """A 2 MiB JSON string is too large to read and not an object: a 4xx (413 or 400) with a coded error
    of the method's union, never a 5xx."""
    method = "businesses.list"
    reply = repairer.call(method, content=b'"' + b"x" * (LARGE - 2) + b'"')  # 413 is a transport status
    expect("WIRE-004", 400 <= reply.status < 500, f"{method}: a 2 MiB JSON string answered {reply.status}, "
           "not a 4xx", reply.exchange.render())
    if 400 <= reply.status < 500:
        expect("ERR-001", isinstance(reply.body, dict) and reply.kind in error_kinds(method),
               f"{method}: the 2 MiB body's error {reply.exchange.response_body[:200]} is not a kind of the union",
               reply.exchange.render())
