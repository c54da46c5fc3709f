"""Request and response validation against the contract's own schemas (Draft 2020-12, uuid format checked).

Why: the contract is the spec, so the sandbox rejects exactly what the spec says is invalid (wrong
types, missing required fields, unknown enum values, oneOf with none or several variants) instead of
re-implementing those rules by hand. Validators are compiled once per document, never per request.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from spec import Operation

SPEC_URI = "urn:sandbox:spec"


def _validator(registry: Registry, ref: str) -> Draft202012Validator:
    """A validator of the schema at the document's local `ref` (`#/...`)."""
    return Draft202012Validator({"$ref": SPEC_URI + ref}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _registry(document: dict[str, Any]) -> Registry:
    """A registry in which `urn:sandbox:spec#/...` (and the document's local refs) resolve."""
    return Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(document))


class RequestValidators:
    """operationId -> compiled validator of its JSON request body."""

    def __init__(self, document: dict[str, Any], operations: dict[str, Operation]) -> None:
        registry = _registry(document)
        self._validators = {name: _validator(registry, ref) for name, op in operations.items()
                            if (ref := op.request_ref()) is not None}

    def is_valid(self, operation_id: str, body: Any) -> bool:
        validator = self._validators.get(operation_id)
        return validator is None or validator.is_valid(body)

    def problems(self, operation_id: str, body: Any) -> list[ValidationError]:
        """Every violation of the method's request schema by `body` (none: valid)."""
        validator = self._validators.get(operation_id)
        return [] if validator is None else list(validator.iter_errors(body))


class ResponseValidators:
    """operationId -> validators of its 200 and `default` response bodies (tests use this to prove
    that every response the sandbox sends validates against the spec)."""

    def __init__(self, document: dict[str, Any], operations: dict[str, Operation]) -> None:
        registry = _registry(document)
        self._validators = {(name, response): _validator(registry, ref) for name, op in operations.items()
                            for response in ("200", "default") if (ref := op.schema_ref(response)) is not None}

    def errors(self, operation_id: str, status: int, body: Any) -> list[str]:
        """Messages of every violation of the schema that applies to `status` (200, else default)."""
        key = (operation_id, "200" if status == 200 else "default")
        validator = self._validators.get(key)
        if validator is None:
            return [f"no schema for {key}"]
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
