"""Judges one response against the contract, with every violation tied to a requirement.

Why not schemathesis's own `response_schema_conformance`: the bundled spec is a reconstruction in
which some parts are documented and others inferred. A violation is classified by the provenance
(`x-provenance`) of the most specific schema node that failed: a documented node is a MUST finding
(SCHEMA-001), an inferred one a SHOULD finding (SCHEMA-002). A live spec carries no provenance and is
the contract itself, so everything in it counts as documented.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.findings import Finding

CONTRACT_URI = "urn:conformance:contract"
D52_KEYS = frozenset({"currency", "currency_code"})
BASKET = "repairer.jobs.baskets.latest.get"
D24_METHOD = "repairer.jobs.parts.insert"
DOCUMENTED_STATUS_KINDS = {"bad_request": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404}
# transport-level refusals (verb, size, media type, rate): the body names the nearest kind of the
# method's union, but the status is the transport's, not the kind's
TRANSPORT_STATUSES = frozenset({405, 413, 415, 429})


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


@dataclass(frozen=True)
class Operation:
    method: str
    success: Draft202012Validator
    error: Draft202012Validator | None
    error_statuses: dict[str, dict[str, Any]]
    bare_errors: bool  # D24
    extension: bool


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


class Contract:
    """The loaded contract's operations, ready to judge responses."""

    def __init__(self, document: dict[str, Any], *, default_provenance: str = "documented") -> None:
        self.document = document
        self.default_provenance = default_provenance
        registry = Registry().with_resource(CONTRACT_URI, Resource(contents=document, specification=DRAFT202012))
        self.operations: dict[str, Operation] = {}
        for path, item in document.get("paths", {}).items():
            op = item.get("post")
            if not op:
                continue
            responses = op.get("responses", {})

            def validator(code: str, op_path: str = path, responses: dict = responses) -> Draft202012Validator | None:
                if "application/json" not in responses.get(code, {}).get("content", {}):
                    return None
                ref = CONTRACT_URI + _pointer("paths", op_path, "post", "responses", code, "content",
                                              "application/json", "schema")
                return Draft202012Validator({"$ref": ref}, registry=registry, format_checker=FormatChecker())

            error_schema = (responses.get("default") or {}).get("content", {}).get("application/json", {})
            self.operations[op["operationId"]] = Operation(
                method=op["operationId"],
                success=validator("200") or Draft202012Validator({}),
                error=validator("default"),
                error_statuses=op.get("x-error-statuses", {}),
                bare_errors=self._resolve(error_schema.get("schema", {})).get("type") == "string",
                extension=bool(op.get("x-extension")),
            )

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref", "")
        if not ref.startswith("#/"):
            return schema
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def provenance(self, error: ValidationError) -> str:
        """The provenance of what failed; for a missing property, that property's own provenance."""
        schema = error.schema if isinstance(error.schema, dict) else {}
        if error.validator == "required" and isinstance(error.instance, dict):
            # jsonschema reports one error per missing property, naming it first in the message
            name = next((n for n in error.validator_value if error.message.startswith(repr(n))), None)
            prop = schema.get("properties", {}).get(name, {})
            if "x-provenance" in prop or "x-provenance" in self._resolve(prop):
                return str(prop.get("x-provenance") or self._resolve(prop)["x-provenance"])
        return str(schema.get("x-provenance", self.default_provenance))

    # -- judging --

    def judge(self, method: str, status: int, content_type: str, body: bytes, *, json_request: bool = True,
              evidence: str = "") -> list[Finding]:
        """All findings for one response of `method`. `json_request`: the request was a JSON POST, so
        the contract (and its error union) applies; otherwise only the wire rules do."""
        findings: list[Finding] = []

        def add(requirement: str, message: str) -> None:
            findings.append(Finding(requirement, f"{method}: {message}", evidence))

        if status >= 500:
            add("WIRE-001", f"answered {status}")
            return findings
        operation = self.operations.get(method)
        if not body:
            if operation and json_request and status != 204:
                add("WIRE-002", f"answered {status} with an empty body")
            return findings
        if not _is_json(content_type):
            add("WIRE-002", f"answered {status} with Content-Type {content_type or '(none)'}, not JSON")
            return findings
        try:
            payload = json.loads(body)
        except ValueError:
            add("WIRE-002", f"answered {status} with a body that is not valid JSON")
            return findings
        if operation is None or not json_request:
            return findings
        if 200 <= status < 300:
            self._judge_success(operation, payload, add)
        elif status >= 400:
            self._judge_error(operation, status, payload, add)
        return findings

    def _judge_success(self, operation: Operation, payload: Any, add: Any) -> None:
        for error in operation.success.iter_errors(payload):
            leaf = _most_specific(error)
            if (error.validator == "not" and operation.method == BASKET) or (
                    operation.extension and "x_extension" in error.message):
                continue  # reported below as D52 / EXT-001, with a clearer message
            where = leaf.json_path
            requirement = "SCHEMA-001" if self.provenance(leaf) != "inferred" else "SCHEMA-002"
            add(requirement, f"{where}: {leaf.message[:300]}")
        if operation.method == BASKET:
            for path, key in walk_keys(payload):
                if key in D52_KEYS:
                    add("BASKET-D52-001", f"basket carries `{key}` at {path} (D52: no currency on basket offers)")
        if operation.extension and not (isinstance(payload, dict) and payload.get("x_extension") is True):
            add("EXT-001", "extension response lacks \"x_extension\": true")

    def _judge_error(self, operation: Operation, status: int, payload: Any, add: Any) -> None:
        if operation.bare_errors and not isinstance(payload, str):
            add("ERR-D24-001", f"error {status} is {json.dumps(payload)[:200]}, not a bare JSON string (D24)")
            return
        if operation.error is not None:
            for error in operation.error.iter_errors(payload):
                add("ERR-001", f"error {status} body {json.dumps(payload)[:200]} is not in the method's union: "
                               f"{error.message[:200]}")
                return
        kind = payload if isinstance(payload, str) else payload.get("type") if isinstance(payload, dict) else None
        expected = operation.error_statuses.get(kind) if isinstance(kind, str) else None
        if expected is None and kind in DOCUMENTED_STATUS_KINDS:
            expected = {"status": DOCUMENTED_STATUS_KINDS[kind], "x-provenance": "documented"}
        if expected and expected["status"] != status and status not in TRANSPORT_STATUSES:
            requirement = "ERR-003" if expected.get("x-provenance") == "inferred" else "ERR-002"
            add(requirement, f"kind `{kind}` answered with {status}, expected {expected['status']}")
