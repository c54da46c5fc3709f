"""The wire convention: routing, verbs, content types, body parsing, sizes, coded errors (NOTES §1, §4)."""

from __future__ import annotations

import json

import httpx
import pytest

from sandbox.testing import REPAIRER, SandboxClient, new_tenant
from spec.documents import bundled as load_bundled
from spec.documents import with_extensions
from spec.wire import API_PREFIX

DOC = with_extensions(load_bundled("openapi.json"))
HTTP = httpx.Client(timeout=10.0)
ALL_METHODS = sorted(op["post"]["operationId"] for op in DOC["paths"].values())
JOB = {"external": "CCC-2026-04817"}


def test_openapi_json_is_the_bundled_public_spec(sandbox_url: str) -> None:
    response = HTTP.get(f"{sandbox_url}/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == load_bundled("openapi.json")
    assert len(response.json()["paths"]) == 14


def test_all_methods_are_served(repairer: SandboxClient) -> None:
    for method in ALL_METHODS:
        response = repairer.request(method, {})  # {} is a whole request or selects nothing: never an unknown method
        assert response.status_code in (200, 400, 403), (method, response.status_code, response.text)  # 403: role


def test_empty_body_is_an_empty_object(repairer: SandboxClient) -> None:
    response = repairer.request("businesses.list", content=b"")
    assert response.status_code == 200
    assert response.json()["items"]


def test_missing_content_type_is_json(repairer: SandboxClient) -> None:
    response = repairer.request("repairer.jobs.get", content=json.dumps({"identity": JOB}).encode())
    assert response.status_code == 200
    assert response.json()["external_id"] == "CCC-2026-04817"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_unsupported_content_type_is_415(repairer: SandboxClient, content_type: str) -> None:
    response = repairer.request("businesses.list", content=b"{}", headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert response.json()["type"] == "bad_request"


def test_415_is_a_bare_string_for_parts_insert(repairer: SandboxClient) -> None:
    response = repairer.request("repairer.jobs.parts.insert", content=b"{}", headers={"Content-Type": "text/plain"})
    assert (response.status_code, response.json()) == (415, "bad_request")


@pytest.mark.parametrize("raw", [b"{", b"nope", b"\xff\xfe", b"NaN", b'{"a": Infinity}', b"[" * 100000])
def test_malformed_json_is_bad_request(repairer: SandboxClient, raw: bytes) -> None:
    response = repairer.request("businesses.list", content=raw, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["type"]) == (400, "bad_request")


@pytest.mark.parametrize("body", [[], "x", 1, None, True])
def test_non_object_body_is_bad_request(repairer: SandboxClient, body: object) -> None:
    response = repairer.request("businesses.list", content=json.dumps(body).encode())
    assert (response.status_code, response.json()) == (
        400,
        {"type": "bad_request", "reason": "invalid_request"},
    )


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("repairer.jobs.get", {}),  # missing required
        ("repairer.jobs.get", {"identity": "CCC-2026-04817"}),  # wrong type
        ("repairer.jobs.get", {"identity": {"id": "not-a-uuid"}}),  # uuid format
        ("repairer.jobs.get", {"identity": {}}),  # no selector
        (
            "repairer.jobs.get",
            {"identity": {"external": "CCC-2026-04817", "id": "0d000000-0000-4000-8000-000000000001"}},
        ),
        ("repairer.jobs.get", {"identity": {"external": "", "id": 5}}),  # no variant matches
        ("repairer.jobs.get", {"identity": {"external": "CCC-2026-04817", "id": 5}}),  # a second key
        ("uploads.prepare", {"file_name": "a.jpg", "media_type": "hologram", "type": "job_media"}),  # enum
        ("tier1.prepare", {"identifiers": []}),  # minItems
        ("repairer.procurements.invoices.list", {}),
        (
            "repairer.procurements.invoices.list",
            {"procurement_identity": {"id": "10000000-0000-4000-8000-000000000001"}, "job_identity": JOB},
        ),
        ("repairer.jobs.insert", {"identity": JOB, "repairer_site_id": 7}),
    ],
)
def test_invalid_requests_are_bad_request(repairer: SandboxClient, method: str, body: dict) -> None:
    repairer.fails(method, body, 400, "bad_request")


@pytest.mark.parametrize("body", [{}, {"job_identity": {}, "parts": []}, {"job_identity": JOB, "parts": [{}]}])
def test_parts_insert_bad_request_is_a_bare_string(repairer: SandboxClient, body: dict) -> None:
    response = repairer.request("repairer.jobs.parts.insert", body)
    assert (response.status_code, response.json()) == (400, "bad_request")


def test_unknown_method_is_not_found(repairer: SandboxClient, sandbox_url: str) -> None:
    for path in ("repairer.jobs.delete", "", "repairer.jobs.get/extra"):
        response = HTTP.post(f"{sandbox_url}{API_PREFIX}{path}", json={}, headers=REPAIRER)
        assert (response.status_code, response.json()) == (404, {"type": "not_found"})
    response = HTTP.get(f"{sandbox_url}/nowhere")
    assert (response.status_code, response.json()) == (404, {"type": "not_found"})


@pytest.mark.parametrize("verb", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"])
def test_other_verbs_are_405_with_allow(sandbox_url: str, verb: str) -> None:
    for method in ("repairer.jobs.get", "repairer.jobs.parts.insert", "integrations.insert"):
        response = HTTP.request(verb, f"{sandbox_url}{API_PREFIX}{method}", headers=REPAIRER)
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert response.headers["content-type"].startswith("application/json")
        expected = (
            "bad_request"
            if method == "repairer.jobs.parts.insert"
            else {"type": "bad_request", "reason": "method_not_allowed"}
        )
        assert response.json() == expected


def test_head_is_405_too(sandbox_url: str) -> None:
    response = HTTP.head(f"{sandbox_url}{API_PREFIX}businesses.list")
    assert (response.status_code, response.headers["allow"]) == (405, "POST")


def test_body_over_one_mib_is_413(repairer: SandboxClient) -> None:
    big = json.dumps({"pad": "x" * (1024 * 1024)}).encode()
    response = repairer.request("businesses.list", content=big)
    assert (response.status_code, response.json()["type"]) == (413, "bad_request")
    just_under = json.dumps({"pad": "x" * (1024 * 1024 - 20)}).encode()
    assert len(just_under) <= 1024 * 1024
    assert repairer.request("businesses.list", content=just_under).status_code == 200


def test_chunked_body_over_one_mib_is_413(repairer: SandboxClient) -> None:
    def chunks():
        yield b'{"pad":"'
        for _ in range(300):
            yield b"x" * 4096
        yield b'"}'

    response = repairer.http.post(
        f"{repairer.base_url}{API_PREFIX}businesses.list",
        content=chunks(),
        headers={**REPAIRER, "x-partifact-tenant": repairer.tenant or ""},
    )
    assert (response.status_code, response.json()["type"]) == (413, "bad_request")


ODD_BODIES = [
    {"identity": {"id": "00000000-0000-0000-0000-000000000000"}},
    {"identity": {"external": "\u0000\ud7ff\U0001f600" * 50}},
    {"job_identity": {"site_job_number": {"site_id": "0b000000-0000-4000-8000-000000000001", "job_number": "x"}}},
    {
        "job_identity": {"id": "0d000000-0000-4000-8000-000000000002"},
        "parts": [{"description": " ", "quantity": 1}],
    },
    {"parts": [{"description": "a", "quantity": 10**40}], "job_identity": JOB},
    {"identifiers": [{"vin": "\ud800"}]},
    {"file_name": ".jpg", "media_type": "image", "type": "invoice"},
    {
        "offer_selections": [
            {
                "sellable_id": "0f000000-0000-4000-8000-000000000007",
                "supplier_business_id": "0b000000-0000-4000-8000-000000000011",
                "job_part_ids": ["0e000000-0000-4000-8000-000000000004"],
                "quantity": 1,
            }
        ],
        "job_identity": JOB,
    },
    {"a": {"b": [{"c": None}] * 50}},
]


def test_odd_inputs_never_give_5xx(repairer: SandboxClient) -> None:
    for method in ALL_METHODS:
        for body in ODD_BODIES:
            repairer.request(method, body)  # checks: < 500, JSON, schema-valid for the method
        for raw in (b"\x00", b"{}" * 3, b'{"identity": {"id": "' + b"9" * 5000 + b'"}}'):
            repairer.request(method, content=raw)


def test_an_unexpected_exception_is_still_a_coded_error() -> None:
    from sandbox import create_app
    from sandbox.methods import Method
    from sandbox.server import running

    async def boom(call: object) -> dict:
        raise RuntimeError("a bug")

    app = create_app()
    methods = app.state.sandbox.methods
    for name in ("businesses.list", "repairer.jobs.parts.insert"):
        methods[name] = Method(name, boom, mutates=True)
    with running(app) as url:
        client = SandboxClient(url)
        response = client.request("businesses.list", {})
        assert (response.status_code, response.json()) == (400, {"type": "bad_request", "reason": "internal"})
        response = client.request(
            "repairer.jobs.parts.insert", {"job_identity": JOB, "parts": [{"description": "x", "quantity": 1}]}
        )
        assert (response.status_code, response.json()) == (400, "bad_request")
        assert client.ok("repairer.jobs.get", {"identity": JOB})  # the world is still usable


def test_extensions_can_be_switched_off_and_faults_are_kept() -> None:
    from sandbox import create_app
    from sandbox.server import running

    app = create_app(extensions=False, faults=["job-images-dropped"])
    assert app.state.faults.names == frozenset({"job-images-dropped"})
    with running(app) as url:
        client = SandboxClient(url)
        response = client.request(
            "repairer.procurements.invoices.list",
            {"procurement_identity": {"id": "10000000-0000-4000-8000-000000000001"}},
            check=False,
        )
        assert (response.status_code, response.json()) == (404, {"type": "not_found"})
        assert client.ok("repairer.procurements.get", {"identity": {"id": "10000000-0000-4000-8000-000000000001"}})


@pytest.mark.parametrize("method", ["repairer.jobs.parts.insert", "uploads.prepare", "integrations.insert"])
def test_lone_surrogate_escapes_are_malformed_json_not_a_crash(sandbox_url: str, method: str) -> None:
    body = b'{"file_name": "\\ud800.jpg", "media_type": "image", "type": "job_media", "access_code": "\\ud800", ' \
           b'"client_id": "x", "client_secret": "y", "job_identity": {"external": "CCC-2026-04817"}, ' \
           b'"parts": [{"description": "\\ud800", "quantity": 1}]}'
    response = SandboxClient(sandbox_url, tenant=new_tenant()).request(method, content=body)
    assert response.status_code == 400
    assert "internal" not in response.text
