"""Authentication and roles (AUTH-001..009): who may call what, and the install that mints credentials.

Every request carries a body valid for its method (the spec's example), so that a server which
validates before it authenticates still has to refuse it for the credential alone. The install checks
spend the access code: with a tenant of the run's own they run in worlds of their own, where the demo
code is unspent; without one, only with a code the user gave for it (--access-code).
"""

from __future__ import annotations

import re
import secrets
import uuid

import pytest

from conformance.checks._helpers import example, expect_error, expect_refused, install, other_role, role_bound
from conformance.checks.client import ApiClient, call_many
from conformance.checks.workflow import in_own_tenant, require_ok
from conformance.generated.cases import credential_for
from conformance.run import Run
from conformance.verdict.findings import excuse_coverage, expect, not_applicable
from conformance.wire.redact import REDACT
from spec import demo
from spec.wire import INSTALL, authenticated, required_role

API_KEY = re.compile(r"partly_[0-9a-f]{32}")
SPENT = "the access code is already spent; pass a fresh one with --access-code"


def missing_or_malformed(run: Run, method: str) -> dict[str, dict[str, str | None]]:
    """Header sets without valid credentials (AUTH-001): everything but the credential is right."""
    own = credential_for(run, method)
    assert own is not None
    key, integration = own.api_key, own.integration_id
    unknown_key = f"partly_{secrets.token_hex(16)}"
    return {
        "no auth headers": {},
        "only Authorization": {"Authorization": f"Bearer {key}"},
        "only Partly-Integration-ID": {"Partly-Integration-ID": integration},
        "'Bearer' with no token": {"Authorization": "Bearer", "Partly-Integration-ID": integration},
        "Basic scheme": {"Authorization": "Basic xyz", "Partly-Integration-ID": integration},
        "key without a scheme": {"Authorization": key, "Partly-Integration-ID": integration},
        "integration id not a uuid": {"Authorization": f"Bearer {key}", "Partly-Integration-ID": "not-a-uuid"},
        "unknown well-formed key": {"Authorization": f"Bearer {unknown_key}", "Partly-Integration-ID": integration},
    }


@pytest.mark.requirement("AUTH-001", "AUTH-008")
@pytest.mark.methods(where=authenticated)
def test_no_valid_credentials_is_refused(anonymous: ApiClient, method: str) -> None:
    """Without valid credentials a method refuses the request, as unauthorized, whatever is missing or wrong."""
    cases = missing_or_malformed(anonymous.run, method)
    body = example(anonymous.run, method)
    replies = call_many(anonymous.prepare(method, body, headers=headers) for headers in cases.values())
    for case, reply in zip(cases, replies, strict=True):
        if expect_refused("AUTH-001", reply, case):
            expect_error("AUTH-008", reply, "unauthorized", case)


@pytest.mark.requirement("AUTH-002")
@pytest.mark.methods(where=authenticated)
def test_key_with_another_integration_id_is_unauthorized(anonymous: ApiClient, method: str) -> None:
    """A real key paired with another integration's id (or an unknown one) is not a credential."""
    target = anonymous.run.target
    own = credential_for(anonymous.run, method)
    assert own is not None
    other = target.supplier if own is target.repairer else target.repairer
    cases = {"another integration's id": other.integration_id, "an unknown integration id": str(uuid.uuid4())}
    replies = call_many(anonymous.prepare(method, example(anonymous.run, method), headers={
        "Authorization": f"Bearer {own.api_key}", "Partly-Integration-ID": integration})
        for integration in cases.values())
    for case, reply in zip(cases, replies, strict=True):
        expect_error("AUTH-002", reply, "unauthorized", f"{own.role} key with {case}")


@pytest.mark.requirement("AUTH-003")
@pytest.mark.methods(where=role_bound)
def test_wrong_role_is_forbidden(anonymous: ApiClient, method: str) -> None:
    """A valid credential of the other role is authenticated but not allowed: forbidden. Where the request names
    data outside the caller's organization (a repairer's job, for a supplier) or data that may not exist (the
    seeded procurement, where the run cannot rely on it), not_found is a documented answer too (NOTES §4)."""
    target = anonymous.run.target
    credential = other_role(anonymous.run, method)
    reply = anonymous.as_(credential).call(method, example(anonymous.run, method))
    named_exists = required_role(method) == "supplier" and target.isolated and target.seed_procurement
    expect_error("AUTH-003", reply, "forbidden" if named_exists else {"forbidden", "not_found"},
                 f"a {credential.role} credential")


# -- integrations.insert ---------------------------------------------------------------------------


def install_world(anonymous: ApiClient, suffix: str) -> ApiClient:
    """Where the install checks may spend the access code: a fresh world of their own (a tenant of the run's),
    or the shared one when the user gave a code for it; otherwise the checks are not applicable."""
    if anonymous.run.target.isolated:
        return in_own_tenant(anonymous, suffix)
    if anonymous.run.target.grant_explicit:
        return anonymous
    hint = "pass --access-code CODE (a fresh one: an install spends it) to check integrations.insert"
    excuse_coverage(INSTALL, "an install spends the access code, and this run has no world of its own", hint)
    not_applicable("installing spends the access code, and this run has no world of its own", hint)


def minted(client: ApiClient, world: str) -> tuple[str, str]:
    """Install once in `client`'s world: the minted (api_key, integration_id), registered as secrets
    before anything could print them; skips when, without a tenant, the code is already spent."""
    reply = install(client)
    if reply.kind == "invalid_access_code" and not client.run.target.isolated:
        excuse_coverage(INSTALL, SPENT)
        pytest.skip(SPENT)
    body = require_ok(reply, "AUTH-004", f"integrations.insert without auth headers ({world})")
    key, integration = (body.get("api_key"), body.get("integration_id")) if isinstance(body, dict) else (None, None)
    if isinstance(key, str):
        REDACT.register(key, "MINTED_API_KEY")
    expect("AUTH-005", isinstance(key, str) and API_KEY.fullmatch(key),
           f"the minted api_key is not partly_ and 32 lowercase hex digits ({world})", reply.exchange.render())
    try:
        uuid.UUID(str(integration))
    except ValueError:
        expect("AUTH-005", False, f"the minted integration_id is not a uuid ({world})", reply.exchange.render())
    return str(key), str(integration)


def authenticates(client: ApiClient, key: str, integration: str, world: str) -> None:
    """A minted pair authenticates: a role-neutral method answers 2xx, a repairer method does not refuse it
    as unauthorized (which role an install grants is not documented)."""
    headers = {"Authorization": f"Bearer {key}", "Partly-Integration-ID": integration}
    listed, providers = call_many(client.as_(None).prepare(method, {}, headers=headers)
                                  for method in ("businesses.list", "repairer.work-providers.list"))
    expect("AUTH-005", listed.ok, f"the minted pair does not authenticate businesses.list ({world}): "
           f"{listed.describe()}", listed.exchange.render())
    expect("AUTH-005", providers.kind != "unauthorized", f"the minted pair is unauthorized on "
           f"repairer.work-providers.list ({world}): {providers.describe()}", providers.exchange.render())


@pytest.mark.requirement("AUTH-004", "AUTH-005", "AUTH-006", "AUTH-009")
def test_install_mints_a_new_pair_once_per_code(anonymous: ApiClient) -> None:
    """integrations.insert needs no auth; each install mints a pair new in its world that authenticates; the
    code then is spent. With tenants, in two fresh worlds: each is "seeded identically" (NOTES §3), so the two
    may mint the same pair; "a NEW pair" (NOTES §2) is new among the world's own credentials."""
    target = anonymous.run.target
    worlds = [install_world(anonymous, "install-a")]
    if target.isolated and target.grant.access_code == demo.GRANT.access_code:
        # only the demo code is unspent in every sandbox world; a code the user supplied is good once
        worlds.append(install_world(anonymous, "install-b"))
    known = {target.repairer, target.supplier}  # in every world (NOTES §2)
    for client in worlds:
        world = f"tenant {client.tenant}" if client.tenant else "no tenant"
        key, integration = minted(client, world)
        expect("AUTH-005", all(key != c.api_key and integration != c.integration_id for c in known),
               f"the minted api_key/integration_id repeat an existing pair ({world})")
        authenticates(client, key, integration, world)
        again = install(client)
        if expect_refused("AUTH-006", again, f"the same access code a second time ({world})"):
            expect_error("AUTH-009", again, "invalid_access_code", f"the same access code a second time ({world})")


@pytest.mark.requirement("AUTH-007")
def test_install_errors_name_their_cause(anonymous: ApiClient) -> None:
    """Each wrong install input gets its own kind. The real access code is used where the code is not
    the wrong input, so that only one thing is wrong; a failed install must not spend it."""
    client = install_world(anonymous, "install-errors")
    cases = (
        ("an unknown client_id", {"client_id": f"conformance_client_{secrets.token_hex(6)}"}, "integration_not_found"),
        ("a wrong client_secret", {"client_secret": f"wrong_{secrets.token_hex(6)}"}, "invalid_client_secret"),
        ("an unknown access code", {"access_code": f"ac_conformance_{secrets.token_hex(8)}"}, "invalid_access_code"),
    )
    for case, fields, kind in cases:
        expect_error("AUTH-007", install(client, **fields), kind, case)
