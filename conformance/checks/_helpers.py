"""What the auth, error and wire checks share: the methods in scope, their example bodies and error
unions (read from the contract in scope, so a live spec or --no-extensions changes them), and one way
to state "this reply must be that coded error"."""

from __future__ import annotations

import copy
import json
import secrets
import uuid
from typing import Any

from conformance import run as run_module
from conformance.client import ApiClient, Reply
from conformance.findings import expect
from conformance.properties import INSTALL, credential_for
from conformance.target import Credential

RUN = run_module.active()
_DOCUMENT = RUN.target.document
OPERATIONS: dict[str, dict[str, Any]] = {
    op["operationId"]: op for item in _DOCUMENT["paths"].values() if (op := item.get("post"))
}
ALL_METHODS = sorted(RUN.contract.operations)
AUTHENTICATED = [m for m in ALL_METHODS if m != INSTALL]
ROLE_BOUND = [m for m in AUTHENTICATED if m.startswith(("repairer.", "supplier."))]
D24_METHOD = "repairer.jobs.parts.insert"

def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if not ref.startswith("#/"):
        return schema
    node: Any = _DOCUMENT
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return _resolve(node)


def _request_media(method: str) -> dict[str, Any]:
    return OPERATIONS[method].get("requestBody", {}).get("content", {}).get("application/json", {})


def example(method: str) -> dict[str, Any]:
    """A request body valid for `method`: the operation's example (the reference's curl body), copied."""
    media = _request_media(method)
    value = media.get("example")
    if value is None and media.get("examples"):
        value = next(iter(media["examples"].values())).get("value")
    return copy.deepcopy(value) if isinstance(value, dict) else {}


def required_fields(method: str) -> list[str]:
    return list(_resolve(_request_media(method).get("schema", {})).get("required", []))


def error_kinds(method: str) -> set[str]:
    """The method's closed error union, from its `default` response schema (enum of `type`, or of the
    bare string for D24)."""
    schema = (OPERATIONS[method].get("responses", {}).get("default", {}).get("content", {})
              .get("application/json", {}).get("schema", {}))
    schema = _resolve(schema)
    if schema.get("type") == "string":
        return set(schema.get("enum", []))
    return set(_resolve(schema.get("properties", {}).get("type", {})).get("enum", []))


def unknown_identities(value: Any) -> Any:
    """`value` with every id and external id replaced by one that matches nothing (a fresh uuid, a
    fresh external id), so a valid example becomes a request for something that does not exist."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                out[key] = str(uuid.uuid4())
            elif key == "external" and isinstance(item, str):
                out[key] = f"conformance-missing-{secrets.token_hex(6)}"
            else:
                out[key] = unknown_identities(item)
        return out
    if isinstance(value, list):
        return [unknown_identities(item) for item in value]
    return value


def as_role(client: ApiClient, method: str) -> ApiClient:
    """`client` with the credential `method` needs (supplier.* supplier, install none, else repairer)."""
    return client.as_(credential_for(RUN, method))


def other_role(method: str) -> Credential:
    """The credential of the role `method` does NOT accept (only for repairer.* and supplier.*)."""
    return RUN.target.repairer if method.startswith("supplier.") else RUN.target.supplier


def tenant_of_its_own(client: ApiClient, suffix: str) -> ApiClient:
    """`client` in a fresh sandbox world of its own (derived from the run's tenant), or unchanged when the
    run has no tenant. For checks that spend single-use state, such as the access code."""
    tenant = RUN.target.tenant
    return client.in_tenant(f"{tenant[:56]}-{suffix}") if tenant else client


def expect_error(requirement: str, reply: Reply, status: int | None, kind: str | set[str], what: str) -> bool:
    """Record a finding unless `reply` is the coded error `kind` (one of a set) with `status` (None: any)."""
    kinds = {kind} if isinstance(kind, str) else kind
    ok = reply.kind in kinds and (status is None or reply.status == status)
    wanted = f"{status or '4xx'} {' or '.join(sorted(kinds))}"
    body = json.dumps(reply.body)[:200] if reply.body is not None else reply.exchange.response_body[:200]
    return expect(requirement, ok, f"{reply.exchange.method}: {what}: expected {wanted}, got {reply.status} {body}",
                  reply.exchange.render())
