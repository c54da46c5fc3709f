"""The judge: one response against the contract, every violation tied to a requirement.

Why not schemathesis's own `response_schema_conformance`: the bundled spec is a reconstruction in
which some parts are documented and others inferred. A violation is classified by the provenance
(`x-provenance`) of the most specific schema node that failed: a documented node is a MUST finding
(SCHEMA-001), an upstream one (the nullable encoding) or an inferred one a SHOULD finding (SCHEMA-003,
SCHEMA-002). A document without provenance (a spec
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

from conformance.verdict.findings import Finding
from spec import refs
from spec.operations import Operation, Status, operations
from spec.wire import BASKET, DOCUMENTED_STATUSES, error_kind

CONTRACT_URI = "urn:conformance:contract"
D52_KEYS = frozenset({"currency", "currency_code"})
# transport-level refusals (verb, size, media type, rate): the body names the nearest kind of the
# method's union, but the status is the transport's, not the kind's
TRANSPORT_STATUSES = frozenset({405, 413, 415, 429})
SCHEMA_REQUIREMENT = {"documented": "SCHEMA-001", "upstream": "SCHEMA-003", "inferred": "SCHEMA-002"}


class Add(Protocol):
    """Record a finding. `path`: where in the body, as a JSON path; `kind`: what went wrong without one
    response's values (default: the message), so that a test reports each kind once."""

    def __call__(self, requirement: str, message: str, path: str = "", kind: str = "") -> None: ...


def media_type(content_type: str) -> str:
    """The media type without its parameters (a charset is not mentioned, so any is fine)."""
    return content_type.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Judged:
    """An operation with its compiled response validators."""

    operation: Operation
    success: Draft202012Validator
    error: Draft202012Validator | None
    success_root: Any  # the 200 schema the validator's schema paths start from


def _child(node: Any, token: Any) -> Any:
    """`node[token]` along a schema path, or None off the path."""
    if isinstance(node, dict):
        return node.get(token)
    if isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
        return node[token]
    return None


RANK = {"inferred": 0, "upstream": 1, "documented": 2}  # weakest first


def _enter(document: dict[str, Any], node: Any) -> tuple[Any, list[str]]:
    """Follow `node`'s $refs: the node they end at, and every label met on the way (its own, its targets')."""
    labels = []
    while True:
        if isinstance(node, dict) and isinstance(node.get("x-provenance"), str):
            labels.append(node["x-provenance"])
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
            return node, labels
        node = refs.get(document, node["$ref"])


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

        self.operations: dict[str, Judged] = {}
        for name, op in operations(document).items():
            success_ref = op.schema_ref("200")
            self.operations[name] = Judged(
                op, validator(success_ref) or Draft202012Validator({}), validator(op.schema_ref("default")),
                refs.get(document, success_ref) if success_ref else {})

    def provenance(self, root: Any, error: ValidationError) -> str:
        """The provenance of what failed: the weakest label on the error's schema path, through every $ref
        (a node is no more documented than the path to it: a documented field inside an inferred wrapper,
        an inferred field pointing at a documented enum, the inferred shape of a type the reference only
        names are all inferred); for a missing property, the path to its object and the property itself."""
        node, labels = _enter(self.document, root)
        schema = node  # the last schema object on the path: for `required`, the object that requires
        for token in error.absolute_schema_path:
            child = _child(node, token)
            if child is None:
                break
            if isinstance(node, dict):
                schema = node
            node, met = _enter(self.document, child)
            labels += met
        if error.validator == "required" and isinstance(schema, dict):
            # jsonschema reports one error per missing property, naming it first in the message: the
            # property's own label counts, not its type's (a missing field is about the field)
            name = next((n for n in schema.get("required", []) if error.message.startswith(repr(n))), None)
            own = schema.get("properties", {}).get(name, {})
            if isinstance(own, dict) and isinstance(own.get("x-provenance"), str):
                labels.append(own["x-provenance"])
        known = [label for label in labels if label in RANK]
        return min(known, key=RANK.__getitem__) if known else self.default_provenance

    # -- judging --

    def judge(self, method: str, status: int, content_type: str, body: bytes, *, contract_call: bool = True,
              evidence: str = "") -> list[Finding]:
        """All findings for one response of `method`. Only a contract call is judged: a JSON POST of an
        object (or of nothing) to a method of the contract. The answers to other verbs, unknown method
        names, other media types and bodies that are not a JSON object are outside the contract: their own
        (SHOULD) checks judge them; so is a rate limiter's 429 (no contract error is retryable)."""
        findings: list[Finding] = []
        judged = self.operations.get(method)
        if judged is None or not contract_call or status == 429:
            return findings

        def add(requirement: str, message: str, path: str = "", kind: str = "") -> None:
            findings.append(Finding(requirement, f"{method}: {message}", evidence, path,
                                    kind=f"{method}: {kind}" if kind else ""))

        if status >= 500:
            add("WIRE-001", f"answered {status}")
        if body:
            # NOTES §1: bodies are JSON "(`application/json`)": another label (problem+json, vnd.x+json) is a
            # finding, but a body that is JSON under a +json label is still held to the method's schemas
            media = media_type(content_type)
            if media != "application/json":
                add("WIRE-002", f"answered {status} with Content-Type {content_type or '(none)'}, not application/json")
                if not media.endswith("+json"):
                    return findings
            try:
                payload = json.loads(body)
            except ValueError:
                add("WIRE-002", f"answered {status} with a body that is not valid JSON")
                return findings
        else:
            # no body is no JSON body (a 204 has none by definition, so it breaks no WIRE-002), and no body
            # carries none of the fields or the error kind the schema rules demand: judged as `null`
            if status != 204:
                add("WIRE-002", f"answered {status} with an empty body")
            payload = None
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
            requirement = SCHEMA_REQUIREMENT.get(self.provenance(judged.success_root, leaf), "SCHEMA-001")
            add(requirement, f"{leaf.json_path}: {leaf.message[:300]}", leaf.json_path,
                f"{leaf.validator} at {'/'.join(map(str, leaf.absolute_schema_path))}")
        if operation.name == BASKET:
            for path, key in walk_keys(payload):
                if key in D52_KEYS:
                    add("BASKET-D52-001", f"basket carries `{key}` at {path} (D52: no currency on basket offers)",
                        f"{path}.{key}", key)
        if operation.extension and not (isinstance(payload, dict) and payload.get("x_extension") is True):
            add("EXT-001", "extension response lacks \"x_extension\": true")

    def _judge_error(self, judged: Judged, status: int, payload: Any, add: Add) -> None:
        union = judged.operation.errors
        if union.bare and not isinstance(payload, str):
            add("ERR-D24-001", f"error {status} is {json.dumps(payload)[:200]}, not a bare JSON string (D24)",
                kind=f"error {status} not a bare string")
            return
        if judged.error is not None:
            for error in judged.error.iter_errors(payload):
                # the extensions' unions are inferred (the reference lists no errors for them): ERR-004
                requirement = "ERR-004" if union.provenance == "inferred" else "ERR-001"
                add(requirement, f"error {status} body {json.dumps(payload)[:200]} is not in the method's union: "
                                 f"{error.message[:200]}", _most_specific(error).json_path,
                    f"error {status} not in the union ({error.validator})")
                return
        kind = error_kind(payload)
        expected = union.statuses.get(kind) if kind else None
        if expected is None and kind in DOCUMENTED_STATUSES:
            expected = Status(DOCUMENTED_STATUSES[kind])
        if expected and expected.code != status and status not in TRANSPORT_STATUSES:
            requirement = "ERR-003" if expected.provenance == "inferred" else "ERR-002"
            add(requirement, f"kind `{kind}` answered with {status}, expected {expected.code}")
