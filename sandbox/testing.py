"""Helpers for exercising a running sandbox over HTTP, checking every response against the spec.

Why in the package: the project's tests and integrators' own tests want the same thing, a client
that fails loudly the moment the sandbox sends a response the contract does not allow (wrong schema,
not JSON, a 5xx, an error kind outside the method's union).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from spec import demo
from spec.wire import API_PREFIX, TENANT_HEADER

from .spec import served
from .validation import ResponseValidators

REPAIRER = demo.REPAIRER.headers()
SUPPLIER = demo.SUPPLIER.headers()

_validators: ResponseValidators | None = None
_http: httpx.Client | None = None


def shared_http() -> httpx.Client:
    """One pooled client for all SandboxClients (creating an httpx.Client costs tens of ms)."""
    global _http
    if _http is None:
        _http = httpx.Client(timeout=10.0)
    return _http


def response_validators() -> ResponseValidators:
    global _validators
    if _validators is None:
        _validators = ResponseValidators(served().document, served().operations)
    return _validators


def new_tenant(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def check_response(method: str, response: httpx.Response) -> None:
    """Assert that `response` to `POST .../<method>` is JSON, not a 5xx, and valid for the method."""
    assert response.status_code < 500, f"{method}: {response.status_code} {response.text[:300]}"
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers
    body = response.json()
    problems = response_validators().errors(method, response.status_code, body)
    assert not problems, f"{method} {response.status_code} {body!r}: {problems}"


class SandboxClient:
    """POSTs to one tenant of a sandbox as one identity; every response is checked by check_response."""

    def __init__(
        self,
        base_url: str,
        *,
        tenant: str | None = None,
        headers: dict[str, str] | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant
        self.headers = dict(REPAIRER if headers is None else headers)
        self.http = client or shared_http()

    def as_(self, headers: dict[str, str]) -> SandboxClient:
        """The same tenant, another identity."""
        return SandboxClient(self.base_url, tenant=self.tenant, headers=headers, client=self.http)

    def request(
        self,
        method: str,
        body: Any = None,
        *,
        verb: str = "POST",
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        check: bool = True,
    ) -> httpx.Response:
        all_headers = {**self.headers, **(headers or {})}
        if self.tenant is not None:
            all_headers.setdefault(TENANT_HEADER, self.tenant)
        all_headers = {k: v for k, v in all_headers.items() if v is not None}
        if content is None and body is not None:
            content = json.dumps(body).encode()  # ASCII-escaped: lone surrogates survive the trip
            all_headers.setdefault("Content-Type", "application/json")
        url = f"{self.base_url}{API_PREFIX}{method}"
        response = self.http.request(verb, url, content=content, headers=all_headers)
        if check and verb == "POST":
            check_response(method, response)
        return response

    def ok(self, method: str, body: Any = None, **kwargs: Any) -> Any:
        """The body of a call that must succeed."""
        response = self.request(method, {} if body is None else body, **kwargs)
        assert response.status_code == 200, f"{method}: {response.status_code} {response.text[:300]}"
        return response.json()

    def fails(self, method: str, body: Any, status: int, kind: str, **kwargs: Any) -> httpx.Response:
        """A call that must fail with `kind` and `status` in the method's error shape (D24 aware)."""
        response = self.request(method, body, **kwargs)
        assert response.status_code == status, f"{method}: {response.status_code} {response.text[:300]}"
        expected = kind if served().operations[method].errors.bare else {"type": kind}
        got = response.json()
        if isinstance(got, dict):
            got = {"type": got.get("type")}
        assert got == expected, f"{method}: {response.text}"
        return response
