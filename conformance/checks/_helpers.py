"""What the auth, error, identity and wire checks share: the methods in scope, their example bodies and
error unions (read from the contract in scope, so another spec or --no-extensions changes them), and one
way to state "this reply must be refused", "... with that kind"."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from conformance.checks.client import ApiClient, Reply
from conformance.generated.cases import credential_for
from conformance.run import Run
from conformance.verdict.findings import expect
from spec.wire import INSTALL, PARTS_INSERT, Credential, authenticated, required_role

D24_METHOD = PARTS_INSERT


def role_bound(method: str) -> bool:
    """A method only one role may call (repairer.*, supplier.*): what the `methods` marker selects by."""
    return authenticated(method) and bool(required_role(method))


def example(run: Run, method: str) -> dict[str, Any]:
    """A request body valid for `method`: the operation's example (the reference's curl body), copied."""
    return run.operations[method].example()


def error_kinds(run: Run, method: str) -> frozenset[str]:
    """The method's closed error union (the kinds of its `default` response)."""
    return run.operations[method].errors.kinds


def lists(run: Run, method: str, kind: str) -> bool:
    """Whether the documents list `kind` among `method`'s errors (not a member of the union we inferred)."""
    return run.operations[method].errors.documented(kind)


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


def install(client: ApiClient, **fields: str) -> Reply:
    """integrations.insert with the run's grant, `fields` overriding it; no auth headers ever."""
    grant = client.run.target.grant
    body = {"access_code": grant.access_code, "client_id": grant.client_id, "client_secret": grant.client_secret,
            **fields}
    return client.as_(None).call(INSTALL, body)


def as_role(client: ApiClient, method: str) -> ApiClient:
    """`client` with the credential `method` needs (supplier.* supplier, install none, else repairer)."""
    return client.as_(credential_for(client.run, method))


def other_role(run: Run, method: str) -> Credential:
    """The credential of the role `method` does NOT accept (only for repairer.* and supplier.*)."""
    return run.target.repairer if required_role(method) == "supplier" else run.target.supplier


def _body(reply: Reply) -> str:
    return json.dumps(reply.body)[:200] if reply.body is not None else reply.exchange.response_body[:200]


def expect_refused(requirement: str, reply: Reply, what: str) -> bool:
    """Record a finding unless `reply` refuses the request (no 2xx), whatever its kind or status."""
    return expect(requirement, not reply.ok, f"{reply.exchange.method}: {what}: expected a refusal, got "
                  f"{reply.status} {_body(reply)}", reply.exchange.render())


def expect_error(requirement: str, reply: Reply, kind: str | set[str], what: str) -> bool:
    """Record a finding unless `reply` is an error of the kind `kind` (one of a set). The status is the
    judge's (ERR-002/ERR-003, SHOULD: statuses are the sandbox's "mock realism", the kind is the contract)."""
    kinds = {kind} if isinstance(kind, str) else kind
    return expect(requirement, not reply.ok and reply.kind in kinds,
                  f"{reply.exchange.method}: {what}: expected {' or '.join(sorted(kinds))}, got {reply.status} "
                  f"{_body(reply)}", reply.exchange.render())
