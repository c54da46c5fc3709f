"""The wire convention (WIRE-001, -003..-007, -009, -010): bodies, media types, method names and verbs.

Requests carry valid credentials for their method, so that what is checked is the wire handling of
the body, not authentication. Only a contract call (a JSON POST of an object, or of nothing, to a
method of the contract) is held to the contract's rules; how a server answers anything else (other
verbs, other media types, bodies that are not a JSON object, unknown methods) is the upstream framework's
or our recommendation: SHOULD rules only.
"""

from __future__ import annotations

import pytest

from conformance.checks._helpers import D24_METHOD, as_role, example, expect_refused
from conformance.checks.client import ApiClient, Reply, call_many
from conformance.checks.workflow import NewJob
from conformance.verdict.findings import expect

NOT_AN_OBJECT = {"a JSON array": b"[]", "a JSON string": b'"x"', "a JSON number": b"5"}
LARGE = 2 * 1024 * 1024  # bytes: over any plausible request limit, and no more than that


def same_answer(a: Reply, b: Reply) -> bool:
    """Two replies that say the same: both 2xx, or both errors of the same kind."""
    return a.ok == b.ok and (a.ok or a.kind == b.kind)


def coded_refusal(reply: Reply) -> bool:
    """A 4xx whose body is a coded error (a `{"type"}` object or, D24, a bare string)."""
    return 400 <= reply.status < 500 and reply.kind is not None


@pytest.mark.requirement("WIRE-003")
@pytest.mark.methods("businesses.list", "repairer.work-providers.list", "repairer.jobs.get")
def test_empty_body_is_an_empty_object(repairer: ApiClient, method: str) -> None:
    """An empty body is answered as `{}` is: the same success, or the same kind of error."""
    empty, braces = call_many([repairer.prepare(method, content=b""), repairer.prepare(method, {})])
    expect("WIRE-003", same_answer(empty, braces), f"{method}: an empty body is answered {empty.describe()}, "
           f"but {{}} is answered {braces.describe()}", empty.exchange.render())


@pytest.mark.requirement("WIRE-010")
def test_a_missing_content_type_is_json(repairer: ApiClient) -> None:
    """A JSON body without a Content-Type is read as JSON (the upstream framework's behaviour)."""
    method = "businesses.list"
    bare, declared = call_many([repairer.prepare(method, {}, headers={"Content-Type": None}),
                                repairer.prepare(method, {})])
    expect("WIRE-010", same_answer(bare, declared), f"{method}: without a Content-Type answered {bare.describe()}, "
           f"with application/json {declared.describe()}", bare.exchange.render())


@pytest.mark.requirement("WIRE-004", "WIRE-007")
@pytest.mark.methods()
def test_a_body_that_is_not_a_request_is_refused(anonymous: ApiClient, method: str) -> None:
    """A body that does not parse is answered 400; one that is JSON but not an object is refused with a
    coded error."""
    client = as_role(anonymous, method)
    malformed, *not_objects = call_many(client.prepare(method, content=content)
                                        for content in (b"{", *NOT_AN_OBJECT.values()))
    expect("WIRE-004", malformed.status == 400, f"{method}: malformed JSON answered {malformed.status}, not 400",
           malformed.exchange.render())
    for what, reply in zip(NOT_AN_OBJECT, not_objects, strict=True):
        expect("WIRE-007", coded_refusal(reply), f"{method}: {what} answered {reply.status} "
               f"{reply.exchange.response_body[:200]}, not a 4xx coded error", reply.exchange.render())


@pytest.mark.requirement("WIRE-007", "IDENT-005")
def test_a_field_of_the_wrong_type_is_refused(repairer: ApiClient, new_job: NewJob) -> None:
    """An identity that is not an object is no identity (refused); a list given as a string is refused with a
    coded error. Both bodies are JSON objects: contract calls, judged in full."""
    not_objects = [repairer.prepare("repairer.jobs.parts.list", {"job_identity": 5}),
                   repairer.prepare("repairer.jobs.get", {"identity": "CCC-2026-04817"})]
    for reply in call_many(not_objects):
        expect_refused("IDENT-005", reply, "an identity that is not an object")
    job = new_job()
    reply = repairer.call(D24_METHOD, {"job_identity": {"id": job["id"]}, "parts": "Front bumper cover assembly"})
    expect("WIRE-007", coded_refusal(reply), f"{D24_METHOD}: parts given as a string answered {reply.describe()}",
           reply.exchange.render())


@pytest.mark.requirement("WIRE-005")
@pytest.mark.parametrize("method", ["businesses.list", "repairer.jobs.get"])
def test_unsupported_content_type_is_415(repairer: ApiClient, method: str) -> None:
    """A JSON body declared as text/plain is refused as an unsupported media type."""
    reply = repairer.call(method, example(repairer.run, method), headers={"Content-Type": "text/plain"})
    expect("WIRE-005", reply.status == 415, f"{method}: Content-Type text/plain answered {reply.status}, not 415",
           reply.exchange.render())


@pytest.mark.requirement("WIRE-006")
def test_unknown_method_is_not_found(repairer: ApiClient) -> None:
    """A method name the API does not have is 404 not_found (the judge knows no union for it)."""
    reply = repairer.call("repairer.jobs.nope", {})
    expect("WIRE-006", reply.status == 404 and reply.kind == "not_found",
           f"repairer.jobs.nope answered {reply.status} {reply.exchange.response_body[:200]}, not 404 not_found",
           reply.exchange.render())


@pytest.mark.requirement("WIRE-009")
@pytest.mark.parametrize("verb", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_verbs_are_405(repairer: ApiClient, verb: str) -> None:
    """Only POST is part of the contract: any other verb on a real method's path is best answered 405."""
    methods = ("businesses.list", "repairer.jobs.get")
    for method, reply in zip(methods, call_many(repairer.prepare(m, content=b"", verb=verb) for m in methods),
                             strict=True):
        expect("WIRE-009", reply.status == 405, f"{verb} {method} answered {reply.status}, not 405",
               reply.exchange.render())


@pytest.mark.requirement("WIRE-001", "WIRE-007")
def test_large_body_is_a_client_error(repairer: ApiClient) -> None:
    """A 2 MiB JSON string is too large to read and not an object: a 4xx with a coded error, never a 5xx."""
    method = "businesses.list"
    reply = repairer.call(method, content=b'"' + b"x" * (LARGE - 2) + b'"')
    expect("WIRE-001", reply.status < 500, f"{method}: a 2 MiB JSON string answered {reply.status}",
           reply.exchange.render())
    expect("WIRE-007", coded_refusal(reply), f"{method}: a 2 MiB JSON string answered {reply.status} "
           f"{reply.exchange.response_body[:200]}, not a 4xx coded error", reply.exchange.render())
