"""A spec the target serves, compared with the contract, never obeyed.

The reference says the deployed sandbox serves the full machine-readable contract at /openapi.json.
When a target serves one, the run reads it and lists where it differs from our contract (the methods,
their required request fields, their response fields and types, enums, error kinds): the report shows
the differences and SPEC-001 (SHOULD) warns about them. Only an explicit `--spec URL|PATH` replaces
the contract. A served document that is not valid OpenAPI is itself a reported difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.wire.transport import Transport
from spec import documents, refs
from spec.operations import Operation, operations

MAX_DIFFERENCES = 200


@dataclass(frozen=True)
class ServedSpec:
    """What the target serves at /openapi.json, and how it differs from the contract."""

    location: str
    sha256: str = ""
    differences: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location, "sha256": self.sha256, "differences": list(self.differences)}


def fetch(transport: Transport, base_url: str) -> ServedSpec | None:
    """The target's /openapi.json compared with the bundled contract; None when it serves none."""
    location = base_url.rstrip("/") + "/openapi.json"
    try:
        response = transport.request("GET", location, headers={})
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    sha256 = documents.sha256(response.content)
    try:
        served = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return ServedSpec(location, sha256, ["the served /openapi.json is not JSON"])
    return ServedSpec(location, sha256, compare(served, documents.bundled()))


def _schema(document: dict[str, Any], node: Any) -> dict[str, Any]:
    resolved = refs.resolve(document, node) if isinstance(node, dict) else {}
    return resolved if isinstance(resolved, dict) else {}


def _fields(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """name -> (type, enum) of an object schema's properties, one level deep."""
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        prop = _schema(document, prop)
        out[name] = (prop.get("type"), prop.get("format"), tuple(prop.get("enum") or ()))
    return out


def _kinds(operation: Operation) -> set[str]:
    return set(operation.errors.kinds)


def compare(served: Any, contract: dict[str, Any]) -> list[str]:
    """Every way `served` differs from `spec`, one sentence each (never raises on a malformed document)."""
    if not isinstance(served, dict) or not isinstance(served.get("paths"), dict):
        return ["the served /openapi.json is not an OpenAPI document (no `paths` object)"]
    differences = [f"paths[{path!r}] is not an object" for path, item in served["paths"].items()
                   if not isinstance(item, dict)]
    try:
        theirs = operations(served)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return [*differences, f"the served document cannot be read as operations ({type(exc).__name__}: {exc})"]
    ours = operations(contract)
    differences += [f"{m}: not served" for m in sorted(set(ours) - set(theirs))]
    differences += [f"{m}: served but not in the 2026-01 contract" for m in sorted(set(theirs) - set(ours))]
    for name in sorted(set(ours) & set(theirs)):
        try:
            differences += _operation_differences(name, ours[name], contract, theirs[name], served)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            differences.append(f"{name}: the served operation cannot be read ({type(exc).__name__}: {exc})")
    return differences[:MAX_DIFFERENCES]


def _operation_differences(name: str, ours: Operation, contract: dict[str, Any], theirs: Operation,
                           served: dict[str, Any]) -> list[str]:
    found = []
    if set(ours.required_fields) != set(theirs.required_fields):
        found.append(f"{name}: required request fields {sorted(theirs.required_fields)}, "
                     f"the contract's {sorted(ours.required_fields)}")
    if _kinds(ours) - {"bad_request"} != _kinds(theirs) - {"bad_request"}:
        found.append(f"{name}: error kinds {sorted(_kinds(theirs))}, the contract's {sorted(_kinds(ours))}")
    if ours.errors.bare != theirs.errors.bare:
        found.append(f"{name}: errors are {'bare strings' if theirs.errors.bare else '{type} objects'}")
    mine = _schema(contract, (ours.definition.get("responses", {}).get("200", {}).get("content", {})
                              .get("application/json", {}).get("schema")))
    other = _schema(served, (theirs.definition.get("responses", {}).get("200", {}).get("content", {})
                             .get("application/json", {}).get("schema")))
    if set(mine.get("required") or []) != set(other.get("required") or []):
        found.append(f"{name}: required response fields {sorted(other.get('required') or [])}, "
                     f"the contract's {sorted(mine.get('required') or [])}")
    my_fields, their_fields = _fields(contract, mine), _fields(served, other)
    for field_name in sorted(set(my_fields) & set(their_fields)):
        if my_fields[field_name] != their_fields[field_name]:
            found.append(f"{name}: response field {field_name} is {their_fields[field_name]}, "
                         f"the contract's {my_fields[field_name]}")
    return found
