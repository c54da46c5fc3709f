"""The judge: one response against the contract, every violation tied to a requirement.

Why not schemathesis's own `response_schema_conformance`: the bundled spec is a reconstruction in
which some parts are documented and others inferred. A violation is classified by the provenance
(`x-provenance`) of the most specific schema node that failed: a documented node is a MUST finding
(SCHEMA-001), an inferred one a SHOULD finding (SCHEMA-002). A document without provenance (a spec
given with `--spec`) is the contract itself, so everything in it counts as documented.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.findings import Finding
from contract import refs
from contract.operations import Operation, Status, operations
from contract.wire import BASKET, DOCUMENTED_STATUSES, error_kind

CONTRACT_URI = "urn:conformance:contract"
D52_KEYS = frozenset({"currency", "currency_code"})
# transport-level refusals (verb, size, media type, rate): the body names the nearest kind of the
# method's union, but the status is the transport's, not the kind's
TRANSPORT_STATUSES = frozenset({405, 413, 415, 429})


class Add(Protocol):
    """Record a finding; `kind` names what went wrong without one response's values (default: the message)."""

    def __call__(self, requirement: str, message: str, kind: str = "") -> None: ...


def is_json_media(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


@dataclass(frozen=True)
class Judged:
    """An operation with its compiled response validators."""

    operation: Operation
    success: Draft202012Validator
    error: Draft202012Validator | None


def _most_specific(error: ValidationError) -> ValidationError:
    """Descend oneOf/anyOf contexts to the branch that got furthest, ignoring a nullable's null branch."""
    while error.context:
        candidates = [e for e in error.context if e.schema.get("type") != "null"] or list(error.context)
        error = max(candidates, key=lambda e: (len(e.absolute_path), len(e.absolute_schema_path)))
    return error


def walk_keys(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every (json path, key) of every object nested in `value`."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key
            yield from walk_keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_keys(item, f"{path}[{index}]")


class Judge:
    """The contract's operations, ready to judge responses."""

    def __init__(self, document: dict[str, Any], *, default_provenance: str = "documented") -> None:
        self.document = document
        self.default_provenance = default_provenance
        registry = Registry().with_resource(CONTRACT_URI, Resource(contents=document, specification=DRAFT202012))

        def validator(ref: str | None) -> Draft202012Validator | None:
            if ref is None:
                return None
            return Draft202012Validator({"$ref": CONTRACT_URI + ref}, registry=registry,
                                        format_checker=FormatChecker())

        self.operations: dict[str, Judged] = {
            name: Judged(op, validator(op.schema_ref("200")) or Draft202012Validator({}),
                         validator(op.schema_ref("default")))
            for name, op in operations(document).items()}

    def provenance(self, error: ValidationError) -> str:
        """The provenance of what failed; for a missing property, that property's own provenance."""
        schema = error.schema if isinstance(error.schema, dict) else {}
        if error.validator == "required" and isinstance(error.instance, dict):
            # jsonschema reports one error per missing property, naming it first in the message
            name = next((n for n in error.validator_value if error.message.startswith(repr(n))), None)
            prop = schema.get("properties", {}).get(name, {})
            label = prop.get("x-provenance") or refs.resolve(self.document, prop).get("x-provenance")
            if label:
                return str(label)
        return str(schema.get("x-provenance", self.default_provenance))

    # -- judging --

    def judge(self, method: str, status: int, content_type: str, body: bytes, *, json_request: bool = True,
              evidence: str = "") -> list[Finding]:
        """All findings for one response of `method`. `json_request`: the request was a JSON POST, so
        the contract (and its error union) applies; otherwise only the wire rules do."""
        findings: list[Finding] = []

        def add(requirement: str, message: str, kind: str = "") -> None:
            findings.append(Finding(requirement, f"{method}: {message}", evidence, f"{method}: {kind}" if kind else ""))

        if status >= 500:
            add("WIRE-001", f"answered {status}")
            return findings
        judged = self.operations.get(method)
        if not body:
            if judged and json_request and status != 204:
                add("WIRE-002", f"answered {status} with an empty body")
            return findings
        if not is_json_media(content_type):
            add("WIRE-002", f"answered {status} with Content-Type {content_type or '(none)'}, not JSON")
            return findings
        try:
            payload = json.loads(body)
        except ValueError:
            add("WIRE-002", f"answered {status} with a body that is not valid JSON")
            return findings
        if judged is None or not json_request:
            return findings
        if 200 <= status < 300:
            self._judge_success(judged, payload, add)
        elif status >= 400:
            self._judge_error(judged, status, payload, add)
        return findings

    def _judge_success(self, judged: Judged, payload: Any, add: Add) -> None:
        operation = judged.operation
        for error in judged.success.iter_errors(payload):
            leaf = _most_specific(error)
            if (error.validator == "not" and operation.name == BASKET) or (
                    operation.extension and "x_extension" in error.message):
                continue  # reported below as D52 / EXT-001, with a clearer message
            requirement = "SCHEMA-001" if self.provenance(leaf) != "inferred" else "SCHEMA-002"
            add(requirement, f"{leaf.json_path}: {leaf.message[:300]}",
                f"{leaf.validator} at {'/'.join(map(str, leaf.absolute_schema_path))}")
        if operation.name == BASKET:
            for path, key in walk_keys(payload):
                if key in D52_KEYS:
                    add("BASKET-D52-001", f"basket carries `{key}` at {path} (D52: no currency on basket offers)", key)
        if operation.extension and not (isinstance(payload, dict) and payload.get("x_extension") is True):
            add("EXT-001", "extension response lacks \"x_extension\": true")

    def _judge_error(self, judged: Judged, status: int, payload: Any, add: Add) -> None:
        union = judged.operation.errors
        if union.bare and not isinstance(payload, str):
            add("ERR-D24-001", f"error {status} is {json.dumps(payload)[:200]}, not a bare JSON string (D24)",
                f"error {status} not a bare string")
            return
        if judged.error is not None:
            for error in judged.error.iter_errors(payload):
                add("ERR-001", f"error {status} body {json.dumps(payload)[:200]} is not in the method's union: "
                               f"{error.message[:200]}", f"error {status} not in the union ({error.validator})")
                return
        kind = error_kind(payload)
        expected = union.statuses.get(kind) if kind else None
        if expected is None and kind in DOCUMENTED_STATUSES:
            expected = Status(DOCUMENTED_STATUSES[kind])
        if expected and expected.code != status and status not in TRANSPORT_STATUSES:
            requirement = "ERR-003" if expected.provenance == "inferred" else "ERR-002"
            add(requirement, f"kind `{kind}` answered with {status}, expected {expected.code}")
