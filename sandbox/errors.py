"""Coded errors: the kind is the contract signal, the HTTP status is "mock realism" (NOTES §4).

Why one place: every method has its own closed error union (the spec's `default` schema), and
`repairer.jobs.parts.insert` sends bare JSON strings instead of `{"type": kind}` objects (D24). The
unions and the statuses are read from the spec, so the sandbox can never send a kind a method does
not declare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse

# NOTES §4 (documented and inferred statuses); the spec's `x-error-statuses` agree and win when present.
DEFAULT_STATUS: dict[str, int] = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "unprocessable": 422,
    "work_provider_not_found": 422,
    "integration_not_found": 404,
    "o_auth_not_supported_by_integration": 403,
    "invalid_client_secret": 401,
    "invalid_access_code": 401,
}


class ApiError(Exception):
    """Raised anywhere in a call; the app turns it into the method's error body."""

    def __init__(self, kind: str, status: int | None = None, reason: str | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.status = status  # overrides the per-kind status (405, 413, 415 transport errors)
        self.reason = reason  # a machine code, never prose; only sent in object-shaped errors


@dataclass(frozen=True)
class ErrorShape:
    """One method's error union: allowed kinds, their statuses, and whether bodies are bare strings."""

    kinds: frozenset[str]
    statuses: dict[str, int] = field(default_factory=dict)
    bare: bool = False

    def render(self, error: ApiError) -> tuple[int, Any]:
        """(status, body) of `error` in this method's shape."""
        kind = error.kind if error.kind in self.kinds else "bad_request"
        status = error.status or self.statuses.get(kind) or DEFAULT_STATUS.get(kind, 400)
        body: Any
        if self.bare:
            body = kind
        else:
            body = {"type": kind}
            if error.reason:
                body["reason"] = error.reason
        return status, body

    def respond(self, error: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
        status, body = self.render(error)
        return JSONResponse(body, status_code=status, headers=headers)


# For paths that name no method (unknown method, /openapi.json, dev routes).
GENERIC = ErrorShape(frozenset(DEFAULT_STATUS) | {"method_not_allowed"})


def shape_of(operation: dict[str, Any], resolve: Any) -> ErrorShape:
    """The error shape of an OpenAPI operation: its `default` response schema plus `x-error-statuses`."""
    schema = resolve(operation["responses"]["default"]["content"]["application/json"]["schema"])
    if schema.get("type") == "string":
        kinds, bare = schema["enum"], True
    else:
        kinds, bare = schema["properties"]["type"]["enum"], False
    statuses = {k: v["status"] for k, v in operation.get("x-error-statuses", {}).items()}
    return ErrorShape(frozenset(kinds) | {"bad_request"}, statuses, bare)
