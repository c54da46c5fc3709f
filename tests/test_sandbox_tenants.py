"""Tenants: isolated, identically seeded worlds; invalid names; idle expiry; concurrency (NOTES §3)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox import create_app
from sandbox.server import running
from sandbox.testing import SandboxClient, new_tenant

GRANT = {"access_code": "ac_demo_valid_15m", "client_id": "partly_client_demo", "client_secret": "secret_demo_8f3a"}
SITE = "0b000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize("name", ["", "UPPER", "has space", "x" * 65, "dot.ted", "semi;colon", "slash/name"])
def test_invalid_tenant_name_is_bad_request(repairer: SandboxClient, name: str) -> None:
    client = SandboxClient(repairer.base_url, tenant=name)
    for method in ("businesses.list", "integrations.insert"):
        response = client.fails(method, GRANT, 400, "bad_request")
        assert response.json()["reason"] == "invalid_tenant"
    response = client.request("repairer.jobs.parts.insert", {})
    assert (response.status_code, response.json()) == (400, "bad_request")  # D24 shape


@pytest.mark.parametrize("name", ["a", "x" * 64, "abc_def-123"])
def test_valid_tenant_names(sandbox_url: str, name: str) -> None:
    SandboxClient(sandbox_url, tenant=f"{name[:-1]}z" if len(name) == 64 else name).ok("businesses.list")


def test_worlds_are_isolated_and_seeded_identically(sandbox_url: str) -> None:
    a, b = (SandboxClient(sandbox_url, tenant=new_tenant()) for _ in range(2))
    a.as_({}).ok("integrations.insert", GRANT)
    b.as_({}).ok("integrations.insert", GRANT)  # b's demo code is still unspent
    a.as_({}).fails("integrations.insert", GRANT, 401, "invalid_access_code")
    a.ok("repairer.jobs.insert", {"identity": {"external": "ONLY-IN-A"}, "repairer_site_id": SITE})
    b.fails("repairer.jobs.get", {"identity": {"external": "ONLY-IN-A"}}, 404, "not_found")
    assert a.ok("repairer.jobs.get", {"identity": {"external": "CCC-2026-04817"}}) == b.ok(
        "repairer.jobs.get", {"identity": {"external": "CCC-2026-04817"}}
    )


def test_no_header_is_the_shared_base_world(sandbox_url: str) -> None:
    base = SandboxClient(sandbox_url)
    external = new_tenant("base-job")
    base.ok("repairer.jobs.insert", {"identity": {"external": external}, "repairer_site_id": SITE})
    assert SandboxClient(sandbox_url).ok("repairer.jobs.get", {"identity": {"external": external}})
    SandboxClient(sandbox_url, tenant=new_tenant()).fails(
        "repairer.jobs.get", {"identity": {"external": external}}, 404, "not_found"
    )


def test_twenty_tenants_in_parallel(sandbox_url: str) -> None:
    def session(n: int) -> tuple[str, str, str]:
        client = SandboxClient(sandbox_url, tenant=new_tenant(f"par{n}"))
        minted = client.as_({}).ok("integrations.insert", GRANT)
        me = client.as_(
            {"Authorization": f"Bearer {minted['api_key']}", "Partly-Integration-ID": minted["integration_id"]}
        )
        job = me.ok("repairer.jobs.insert", {"identity": {"external": "PARALLEL-1"}, "repairer_site_id": SITE})
        me.ok(
            "repairer.jobs.parts.insert",
            {"job_identity": {"id": job["id"]}, "parts": [{"description": f"Part {n}", "quantity": 1}]},
        )
        parts = me.ok("repairer.jobs.parts.list", {"job_identity": {"external": "PARALLEL-1"}})["items"]
        assert [p["description"] for p in parts] == [f"Part {n}"]  # nothing leaked in from other tenants
        return minted["api_key"], minted["integration_id"], job["id"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(session, range(20)))
    for column in zip(*results, strict=True):
        assert len(set(column)) == 20


def test_parallel_calls_in_one_world_are_consistent(repairer: SandboxClient) -> None:
    job = repairer.ok("repairer.jobs.insert", {"identity": {"external": "HAMMER"}, "repairer_site_id": SITE})

    def add(n: int) -> None:
        repairer.ok(
            "repairer.jobs.parts.insert",
            {"job_identity": {"id": job["id"]}, "parts": [{"description": f"P{n}", "quantity": 1}]},
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(add, range(30)))
    parts = repairer.ok("repairer.jobs.parts.list", {"job_identity": {"id": job["id"]}})["items"]
    assert sorted(p["description"] for p in parts) == sorted(f"P{n}" for n in range(30))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_idle_worlds_are_dropped() -> None:
    clock = FakeClock()
    app = create_app(idle_ttl=60, clock=clock)
    with running(app) as url:
        tenant = SandboxClient(url, tenant="idle")
        base = SandboxClient(url)
        for client in (tenant, base):
            client.as_({}).ok("integrations.insert", GRANT)
        clock.now += 59  # still inside the TTL: the code stays spent, and the call refreshes the world
        tenant.as_({}).fails("integrations.insert", GRANT, 401, "invalid_access_code")
        clock.now += 59
        tenant.as_({}).fails("integrations.insert", GRANT, 401, "invalid_access_code")
        SandboxClient(url, tenant="other").ok("businesses.list")  # triggers a sweep
        assert "" not in app.state.sandbox.tenants  # the base world, idle 118 s, was dropped
        clock.now += 61
        tenant.as_({}).ok("integrations.insert", GRANT)  # a fresh world: the demo code works again
        base.as_({}).ok("integrations.insert", GRANT)


def test_worlds_are_bounded_least_recently_used_first(monkeypatch) -> None:
    from sandbox import tenants

    monkeypatch.setattr(tenants, "MAX_WORLDS", 3)
    clock = iter(range(100))
    worlds = tenants.Tenants(idle_ttl=3600, clock=lambda: float(next(clock)))
    first = worlds.world("a")
    worlds.world("b")
    worlds.world("c")
    worlds.world("a")  # a is used again: b is now the least recently used
    worlds.world("d")
    assert worlds.world("a") is first
    assert len(worlds._worlds) == 3 and "b" not in worlds._worlds
