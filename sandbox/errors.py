"""Coded errors: the kind is the contract signal, the HTTP status is "mock realism" (NOTES §4).

Why one place: every method has its own closed error union (the contract's `default` schema, read by
spec.operations), and `repairer.jobs.parts.insert` sends bare JSON strings instead of
`{"type": kind}` objects (D24). Unions and statuses come from the contract, so the sandbox can never
send a kind a method does not declare.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse

from spec import ErrorUnion


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

    @classmethod
    def of(cls, union: ErrorUnion) -> ErrorShape:
        return cls(union.kinds, {kind: status.code for kind, status in union.statuses.items()}, union.bare)

    @classmethod
    def of_any(cls, unions: Iterable[ErrorUnion]) -> ErrorShape:
        """For paths that name no method (unknown method, /openapi.json, dev routes): every kind."""
        shapes = [cls.of(union) for union in unions]
        return cls(frozenset().union(*(s.kinds for s in shapes)), {k: v for s in shapes for k, v in s.statuses.items()})

    def render(self, error: ApiError) -> tuple[int, Any]:
        """(status, body) of `error` in this method's shape."""
        kind = error.kind if error.kind in self.kinds else "bad_request"
        status = error.status or self.statuses.get(kind, 400)
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
