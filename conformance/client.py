"""A small API client for the hand-written checks: one credential, every call judged and recorded.

Every response that comes back through it is judged against the contract (schema, error union, D24,
D52, statuses) and recorded as evidence, so a hand-written check only states what is particular to
it; the generic rules are verified on every exchange for free.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from schemathesis import Response

from conformance import exchange
from conformance.findings import current
from conformance.run import Run
from conformance.target import TENANT_HEADER, Credential

TIMEOUT = 15.0

@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # parsed JSON, or None when the body is not JSON
    exchange: exchange.Exchange

    @property
    def kind(self) -> str | None:
        """The error kind: `{"type": kind}` or, for D24, the bare string."""
        if isinstance(self.body, str):
            return self.body
        if isinstance(self.body, dict) and isinstance(self.body.get("type"), str):
            return self.body["type"]
        return None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        return f"{self.exchange.method} -> {self.status} {json.dumps(self.body)[:300]}"


class ApiClient:
    """Calls the target as `credential` (None: no auth headers) within `tenant` (None: no tenant header)."""

    def __init__(self, run: Run, credential: Credential | None, tenant: str | None,
                 http: httpx.Client) -> None:
        self.run = run
        self.credential = credential
        self.tenant = tenant
        self.http = http

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", **(self.credential.headers() if self.credential else {})}
        if self.tenant:
            headers[TENANT_HEADER] = self.tenant
        return headers

    def as_(self, credential: Credential | None) -> ApiClient:
        """The same client as another credential."""
        return ApiClient(self.run, credential, self.tenant, self.http)

    def in_tenant(self, tenant: str | None) -> ApiClient:
        return ApiClient(self.run, self.credential, tenant, self.http)

    def call(self, method: str, body: Any = None, *, content: bytes | None = None,
             headers: dict[str, str | None] | None = None, http_method: str = "POST") -> Reply:
        """Send one request. `content` sends raw bytes instead of `body` as JSON; a header set to None
        in `headers` is removed."""
        merged: dict[str, str] = self.headers()
        for name, value in (headers or {}).items():
            merged = {k: v for k, v in merged.items() if k.lower() != name.lower()}
            if value is not None:
                merged[name] = value
        raw = content if content is not None else json.dumps({} if body is None else body).encode()
        response = self.http.request(http_method, self.run.target.url(method), content=raw, headers=merged)
        ex = exchange.record(exchange.of(Response.from_httpx(response, verify=True)))
        for finding in self.run.contract.judge(method, response.status_code,
                                                   response.headers.get("content-type", ""), response.content,
                                                   json_request=ex.is_json_post, evidence=ex.render()):
            current().add(finding)
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        return Reply(response.status_code, parsed, ex)

