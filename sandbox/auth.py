"""Credentials, roles, and the OAuth install that mints new ones (NOTES §2).

Every method but `integrations.insert` needs `Authorization: Bearer <key>` and a matching
`Partly-Integration-ID`; anything missing, unknown or mismatched is `unauthorized`, a credential of
the wrong role is `forbidden`.

Install triggers (documented in the README):
- unknown client_id                              -> integration_not_found (404)
- known client, wrong client_secret              -> invalid_client_secret (401), constant-time compare
- `partly_client_revoked` (secret_revoked_e613)   -> unauthorized (401): its credentials were revoked
- `partly_client_disabled` (secret_disabled_7b40) -> forbidden (403): its integration is disabled
- `partly_client_legacy` (secret_legacy_5d21)     -> o_auth_not_supported_by_integration (403)
- spent, expired, unknown or other client's code -> invalid_access_code (401)
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from spec.wire import AUTHORIZATION, INTEGRATION_ID, Role, bearer_token, is_uuid

from .errors import ApiError
from .world import AccessCode, Credential, World

ACCESS_CODE_TTL = 15 * 60  # seconds, for codes minted through the dev-only route


def authenticate(world: World, headers: Mapping[str, str], role: Role | None) -> Credential:
    """The credential both headers name; unauthorized without one, forbidden for the wrong role."""
    key = bearer_token(headers.get(AUTHORIZATION))
    integration_id = headers.get(INTEGRATION_ID, "").strip()
    if not key or not is_uuid(integration_id):
        raise ApiError("unauthorized")
    credential = world.credentials.get(key)
    if credential is None or not hmac.compare_digest(credential.integration_id, integration_id.lower()):
        raise ApiError("unauthorized")
    if role and credential.role != role:
        raise ApiError("forbidden")
    return credential


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def install(world: World, body: dict[str, Any], now: float) -> Credential:
    """Complete an OAuth install: check client, secret and single-use code, then mint a new pair."""
    client = world.clients.get(body["client_id"])
    if client is None:
        raise ApiError("integration_not_found")
    if not _same(client.secret, body["client_secret"]):
        raise ApiError("invalid_client_secret")
    if client.state == "revoked":
        raise ApiError("unauthorized")
    if client.state == "disabled":
        raise ApiError("forbidden")
    if client.state == "legacy":
        raise ApiError("o_auth_not_supported_by_integration")
    code = world.access_codes.get(body["access_code"])
    if code is None or code.client_id != client.client_id or (code.expires_at is not None and now > code.expires_at):
        raise ApiError("invalid_access_code")
    del world.access_codes[code.code]  # single use
    credential = Credential(
        api_key=f"partly_{secrets.token_hex(16)}",
        integration_id=str(uuid.uuid4()),
        role=client.role,
        organization_id=client.organization_id,
    )
    world.credentials[credential.api_key] = credential
    return credential


def mint_access_code(world: World, client_id: str, now: float) -> AccessCode:
    """Dev-only: a fresh single-use access code for `client_id` (valid ACCESS_CODE_TTL seconds)."""
    code = AccessCode(f"ac_{secrets.token_hex(12)}", client_id, now + ACCESS_CODE_TTL)
    world.access_codes[code.code] = code
    return code
