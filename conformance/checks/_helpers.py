"""What the auth, error and wire checks share: the methods in scope, their example bodies and error
unions (read from the contract in scope, so another spec or --no-extensions changes them), and one way
to state "this reply must be that coded error"."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from conformance import run as run_module
from conformance.client import ApiClient, Reply
from conformance.findings import expect
from conformance.generated import credential_for
from contract.wire import PARTS_INSERT, Credential, authenticated, required_role

RUN = run_module.active()
OPERATIONS = RUN.operations
ALL_METHODS = RUN.in_scope()
AUTHENTICATED = [m for m in ALL_METHODS if authenticated(m)]
ROLE_BOUND = [m for m in AUTHENTICATED if required_role(m)]
D24_METHOD = PARTS_INSERT


def example(method: str) -> dict[str, Any]:
    """A request body valid for `method`: the operation's example (the reference's curl body), copied."""
    return OPERATIONS[method].example()


def required_fields(method: str) -> list[str]:
    return OPERATIONS[method].required_fields


def error_kinds(method: str) -> frozenset[str]:
    """The method's closed error union (the kinds of its `default` response)."""
    return OPERATIONS[method].errors.kinds


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
    return RUN.target.repairer if required_role(method) == "supplier" else RUN.target.supplier


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

