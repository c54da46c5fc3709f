"""Request validation against the spec's own request schemas (Draft 2020-12, uuid format checked).

Why: the spec is the contract, so the sandbox rejects exactly what the spec says is invalid (wrong
types, missing required fields, unknown enum values, oneOf with none or several variants) instead of
re-implementing those rules by hand. Validators are compiled once per app, never per request.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:sandbox:spec"


def registry_for(document: dict[str, Any]) -> Registry:
    """A registry in which `urn:sandbox:spec#/...` (and the document's local refs) resolve."""
    return Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(document))


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class RequestValidators:
    """operationId -> compiled validator of its JSON request body."""

    def __init__(self, document: dict[str, Any]) -> None:
        registry = registry_for(document)
        self._validators: dict[str, Draft202012Validator] = {}
        for path, item in document["paths"].items():
            op = item.get("post")
            if not op or "requestBody" not in op:
                continue
            ref = "#/" + _pointer("paths", path, "post", "requestBody", "content", "application/json", "schema")
            self._validators[op["operationId"]] = Draft202012Validator(
                {"$ref": SPEC_URI + ref},
                registry=registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )

    def is_valid(self, operation_id: str, body: Any) -> bool:
        validator = self._validators.get(operation_id)
        return validator is None or validator.is_valid(body)


def resolver_for(document: dict[str, Any]) -> Any:
    """A function that follows local `#/...` refs of `document` (for reading schemas, not validating)."""

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            schema = node
        return schema

    return resolve


class ResponseValidators:
    """operationId -> validators of its 200 and `default` response bodies (tests use this to prove
    that every response the sandbox sends validates against the spec)."""

    def __init__(self, document: dict[str, Any]) -> None:
        registry = registry_for(document)
        self._validators: dict[tuple[str, str], Draft202012Validator] = {}
        for path, item in document["paths"].items():
            op = item.get("post")
            if not op:
                continue
            for status in op.get("responses", {}):
                pointer = _pointer("paths", path, "post", "responses", status, "content", "application/json")
                self._validators[(op["operationId"], status)] = Draft202012Validator(
                    {"$ref": f"{SPEC_URI}#/{pointer}/schema"},
                    registry=registry,
                    format_checker=Draft202012Validator.FORMAT_CHECKER,
                )

    def errors(self, operation_id: str, status: int, body: Any) -> list[str]:
        """Messages of every violation of the schema that applies to `status` (200, else default)."""
        key = (operation_id, "200" if status == 200 else "default")
        validator = self._validators.get(key)
        if validator is None:
            return [f"no schema for {key}"]
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
