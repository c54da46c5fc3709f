"""The wire convention (NOTES §1-§4): paths, headers, credentials, roles, and reading an error's kind.

Every call is `POST <base>/api/2026-01/<dotted.method>` with a JSON body; every method but
`integrations.insert` needs both auth headers; `repairer.*` methods need a repairer credential and
`supplier.*` methods a supplier one. The sandbox's tenant header is here too: it is on the wire,
though not part of the contract (NOTES §3).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

API_PREFIX = "/api/2026-01/"
TENANT_HEADER = "x-partifact-tenant"  # sandbox only (NOTES §3)
AUTHORIZATION = "Authorization"
INTEGRATION_ID = "Partly-Integration-ID"

INSTALL = "integrations.insert"  # the one unauthenticated method (NOTES §2)
BASKET = "repairer.jobs.baskets.latest.get"  # D52: no currency anywhere in its response
PARTS_INSERT = "repairer.jobs.parts.insert"  # D24: its errors are bare JSON strings

Role = Literal["repairer", "supplier"]
# NOTES §4, "documented for the sandbox"; the other kinds' statuses are inferred (the spec's x-error-statuses)
DOCUMENTED_STATUSES: dict[str, int] = {"unauthorized": 401, "forbidden": 403, "not_found": 404, "bad_request": 400}


@dataclass(frozen=True)
class Credential:
    """An API key and its integration id, as one role."""

    role: Role
    api_key: str
    integration_id: str

    def headers(self) -> dict[str, str]:
        return {AUTHORIZATION: f"Bearer {self.api_key}", INTEGRATION_ID: self.integration_id}


def path(method: str) -> str:
    return API_PREFIX + method


def method_of(url: str) -> str | None:
    """The dotted method name of an API URL or path, or None for any other URL."""
    location = url.split("?", 1)[0]
    return location.rsplit(API_PREFIX, 1)[1] if API_PREFIX in location else None


def required_role(method: str) -> Role | None:
    """The role a method needs: repairer.* a repairer, supplier.* a supplier, None for either role."""
    if method.startswith("repairer."):
        return "repairer"
    if method.startswith("supplier."):
        return "supplier"
    return None


def authenticated(method: str) -> bool:
    return method != INSTALL


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header value; "" for anything else."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def is_uuid(value: Any) -> bool:
    """A uuid in its canonical textual form (any case), as `uuid.Uuid` fields carry."""
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def error_kind(body: Any) -> str | None:
    """The kind of an error body: `{"type": kind}`, or the bare string of D24."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict) and isinstance(body.get("type"), str):
        return body["type"]
    return None
