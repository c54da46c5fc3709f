"""The methods of a contract document: one `Operation` per POST operation, with what both sides read
from it (its error union and the D24 shape, statuses per kind, whether it is a proposed extension,
its request schema and example).

Why derived from the document rather than listed by hand: the suite may judge against another
document than the bundled one (`--spec`), and the sandbox serves exactly what the document says.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from spec import refs

JSON = "application/json"


@dataclass(frozen=True)
class Status:
    """The HTTP status a kind is answered with, and what that rests on."""

    code: int
    provenance: str = "documented"


@dataclass(frozen=True)
class ErrorUnion:
    """A method's closed set of error kinds (its `default` response), and how they travel."""

    kinds: frozenset[str]
    bare: bool  # D24: bare JSON strings instead of {"type": kind} objects
    statuses: dict[str, Status] = field(default_factory=dict)
    provenance: str = "documented"  # of the union as a whole
    kind_provenance: dict[str, str] = field(default_factory=dict)  # a member's own, where it differs

    def documented(self, kind: str) -> bool:
        """Whether the documents list `kind` for this method (not a member we inferred)."""
        return kind in self.kinds and self.kind_provenance.get(kind, self.provenance) == "documented"


@dataclass(frozen=True)
class Operation:
    name: str  # the operationId: the dotted method name
    path: str
    definition: dict[str, Any] = field(repr=False)  # the OpenAPI operation object
    errors: ErrorUnion
    request_schema: dict[str, Any] = field(repr=False)  # resolved; {} when the operation takes no body

    @property
    def extension(self) -> bool:
        """A proposed extension, not 2026-01 (`x-extension: true`)."""
        return bool(self.definition.get("x-extension"))

    @property
    def required_fields(self) -> list[str]:
        return list(self.request_schema.get("required", []))

    def example(self) -> dict[str, Any]:
        """A request body valid for the method (the reference's curl body), as a fresh copy; {} without one."""
        media = self.definition.get("requestBody", {}).get("content", {}).get(JSON, {})
        value = media.get("example")
        if value is None and media.get("examples"):
            value = next(iter(media["examples"].values())).get("value")
        return copy.deepcopy(value) if isinstance(value, dict) else {}

    def schema_ref(self, response: str) -> str | None:
        """The local ref of a response's JSON schema ("200" or "default"), None when it declares none."""
        if JSON not in self.definition.get("responses", {}).get(response, {}).get("content", {}):
            return None
        return refs.pointer("paths", self.path, "post", "responses", response, "content", JSON, "schema")

    def request_ref(self) -> str | None:
        if JSON not in self.definition.get("requestBody", {}).get("content", {}):
            return None
        return refs.pointer("paths", self.path, "post", "requestBody", "content", JSON, "schema")


def error_union(document: dict[str, Any], definition: dict[str, Any]) -> ErrorUnion:
    """The union of `default`: the enum of `type` (or of the bare string, D24), with x-error-statuses."""
    media = definition.get("responses", {}).get("default", {}).get("content", {}).get(JSON, {})
    schema = refs.resolve(document, media.get("schema", {}))
    bare = schema.get("type") == "string"
    enum_of = schema if bare else refs.resolve(document, schema.get("properties", {}).get("type", {}))
    statuses = {kind: Status(int(entry["status"]), str(entry.get("x-provenance", "documented")))
                for kind, entry in definition.get("x-error-statuses", {}).items()
                if isinstance(entry, dict) and isinstance(entry.get("status"), int)}
    return ErrorUnion(frozenset(enum_of.get("enum", [])), bare, statuses,
                      str(schema.get("x-provenance", "documented")), dict(schema.get("x-kind-provenance", {})))


def operations(document: dict[str, Any]) -> dict[str, Operation]:
    """operationId -> Operation, for every POST operation of `document`, sorted by name."""
    found: dict[str, Operation] = {}
    for path, item in document.get("paths", {}).items():
        definition = item.get("post") if isinstance(item, dict) else None
        if not isinstance(definition, dict) or "operationId" not in definition:
            continue
        media = definition.get("requestBody", {}).get("content", {}).get(JSON, {})
        found[definition["operationId"]] = Operation(
            name=definition["operationId"], path=path, definition=definition,
            errors=error_union(document, definition),
            request_schema=refs.resolve(document, media.get("schema", {})),
        )
    return dict(sorted(found.items()))
