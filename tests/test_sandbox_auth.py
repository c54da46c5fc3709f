"""Authentication, roles, and the OAuth install (NOTES §2)."""

from __future__ import annotations

import re

import httpx
import pytest

from sandbox.testing import REPAIRER, SUPPLIER, SandboxClient

HTTP = httpx.Client(timeout=10.0)
JOB = {"identity": {"external": "CCC-2026-04817"}}
PROCUREMENT = {"identity": {"id": "10000000-0000-4000-8000-000000000001"}}
GRANT = {"access_code": "ac_demo_valid_15m", "client_id": "partly_client_demo", "client_secret": "secret_demo_8f3a"}
KEY, IID = REPAIRER["Authorization"], REPAIRER["Partly-Integration-ID"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": KEY},
        {"Partly-Integration-ID": IID},
        {"Authorization": "Bearer partly_00000000000000000000000000000000", "Partly-Integration-ID": IID},
        {"Authorization": KEY.replace("Bearer", "Basic"), "Partly-Integration-ID": IID},
        {"Authorization": "Bearer", "Partly-Integration-ID": IID},
        {"Authorization": KEY, "Partly-Integration-ID": "not-a-uuid"},
        {"Authorization": KEY, "Partly-Integration-ID": SUPPLIER["Partly-Integration-ID"]},  # another's id
        {"Authorization": SUPPLIER["Authorization"], "Partly-Integration-ID": IID},
    ],
)
def test_bad_credentials_are_unauthorized(repairer: SandboxClient, headers: dict[str, str]) -> None:
    client = repairer.as_(headers)
    client.fails("repairer.jobs.get", JOB, 401, "unauthorized")
    client.fails("tier1.prepare", {"identifiers": [{"vin": "JTDBR32E730012345"}]}, 401, "unauthorized")
    client.fails("supplier.procurements.get", PROCUREMENT, 401, "unauthorized")
    client.fails("repairer.jobs.parts.insert", {}, 401, "unauthorized")  # D24: "unauthorized"


def test_header_names_are_case_insensitive(repairer: SandboxClient) -> None:
    client = repairer.as_({"authorization": KEY, "PARTLY-INTEGRATION-ID": IID.upper()})
    assert client.ok("repairer.jobs.get", JOB)["external_id"] == "CCC-2026-04817"


def test_auth_is_checked_before_body_validation(repairer: SandboxClient) -> None:
    repairer.as_({}).fails("repairer.jobs.get", {"identity": 5}, 401, "unauthorized")
    repairer.as_(SUPPLIER).fails("repairer.jobs.get", {"identity": 5}, 403, "forbidden")


def test_wrong_role_is_forbidden(repairer: SandboxClient, supplier: SandboxClient) -> None:
    repairer.fails("supplier.procurements.get", PROCUREMENT, 403, "forbidden")
    repairer.fails("supplier.procurements.confirm", PROCUREMENT, 403, "forbidden")  # repairer cannot confirm
    supplier.fails("repairer.jobs.get", JOB, 403, "forbidden")
    supplier.fails("repairer.procurements.get", PROCUREMENT, 403, "forbidden")
    supplier.fails("repairer.jobs.parts.insert", {}, 403, "forbidden")  # D24: "forbidden"
    supplier.fails(
        "repairer.procurements.invoices.list", {"procurement_identity": PROCUREMENT["identity"]}, 403, "forbidden"
    )


def test_either_role_methods(repairer: SandboxClient, supplier: SandboxClient) -> None:
    upload = {"file_name": "estimate.jpg", "media_type": "image", "type": "job_media"}
    for client in (repairer, supplier):
        client.ok("businesses.list")
        client.ok("tier1.prepare", {"identifiers": [{"vin": "JTDBR32E730012345"}]})
        client.ok("uploads.prepare", upload)
    assert [b["id"] for b in supplier.ok("businesses.list")["items"]] == ["0b000000-0000-4000-8000-000000000010"]


def test_install_mints_a_working_repairer_credential_once(repairer: SandboxClient) -> None:
    anonymous = repairer.as_({})
    minted = anonymous.ok("integrations.insert", GRANT)
    assert re.fullmatch(r"partly_[0-9a-f]{32}", minted["api_key"])
    assert minted["integration_id"] not in (IID, SUPPLIER["Partly-Integration-ID"])
    client = repairer.as_(
        {"Authorization": f"Bearer {minted['api_key']}", "Partly-Integration-ID": minted["integration_id"]}
    )
    assert client.ok("repairer.jobs.get", JOB)["external_id"] == "CCC-2026-04817"
    client.ok("repairer.work-providers.list")
    client.fails("supplier.procurements.get", PROCUREMENT, 403, "forbidden")
    # its key only goes with its own integration id
    repairer.as_({"Authorization": f"Bearer {minted['api_key']}", "Partly-Integration-ID": IID}).fails(
        "repairer.jobs.get", JOB, 401, "unauthorized"
    )
    # the demo access code is single-use
    anonymous.fails("integrations.insert", GRANT, 401, "invalid_access_code")


def test_each_install_mints_a_new_pair(repairer: SandboxClient, sandbox_url: str) -> None:
    anonymous = repairer.as_({})
    pairs = []
    for _ in range(3):
        code = HTTP.post(
            f"{sandbox_url}/__sandbox/access-codes", json={}, headers={"x-partifact-tenant": repairer.tenant or ""}
        ).json()
        assert code["client_id"] == "partly_client_demo" and code["expires_in"] == 900
        pairs.append(anonymous.ok("integrations.insert", {**GRANT, "access_code": code["access_code"]}))
        anonymous.fails(
            "integrations.insert", {**GRANT, "access_code": code["access_code"]}, 401, "invalid_access_code"
        )
    assert len({p["api_key"] for p in pairs}) == len({p["integration_id"] for p in pairs}) == 3


@pytest.mark.parametrize(
    ("grant", "status", "kind"),
    [
        ({"client_id": "partly_client_nobody"}, 404, "integration_not_found"),
        ({"client_secret": "secret_demo_8f3b"}, 401, "invalid_client_secret"),
        ({"client_secret": ""}, 401, "invalid_client_secret"),
        ({"access_code": "ac_unknown"}, 401, "invalid_access_code"),
        (
            {"client_id": "partly_client_legacy", "client_secret": "secret_legacy_5d21"},
            403,
            "o_auth_not_supported_by_integration",
        ),
        ({"client_id": "partly_client_disabled", "client_secret": "secret_disabled_7b40"}, 403, "forbidden"),
        ({"client_id": "partly_client_revoked", "client_secret": "secret_revoked_e613"}, 401, "unauthorized"),
        ({"client_id": "partly_client_legacy", "client_secret": "wrong"}, 401, "invalid_client_secret"),
    ],
)
def test_install_errors(repairer: SandboxClient, grant: dict[str, str], status: int, kind: str) -> None:
    anonymous = repairer.as_({})
    anonymous.fails("integrations.insert", {**GRANT, **grant}, status, kind)
    anonymous.ok("integrations.insert", GRANT)  # none of those spent the demo code


def test_install_needs_no_credentials_but_ignores_bad_ones(repairer: SandboxClient) -> None:
    assert repairer.as_({"Authorization": "Bearer junk"}).ok("integrations.insert", GRANT)["api_key"]


def test_dev_access_code_route(sandbox_url: str) -> None:
    tenant = {"x-partifact-tenant": "dev-route-check"}
    assert HTTP.post(f"{sandbox_url}/__sandbox/access-codes", json={"client_id": "nobody"}, headers=tenant).json() == {
        "type": "integration_not_found"
    }
    assert HTTP.get(f"{sandbox_url}/__sandbox/access-codes").status_code == 405
    assert HTTP.get(f"{sandbox_url}/__sandbox/health").json()["ok"] is True
    assert HTTP.post(f"{sandbox_url}/__sandbox/access-codes", headers={"x-partifact-tenant": "BAD"}).status_code == 400
