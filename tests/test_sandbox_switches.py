"""The switches that make the sandbox look like a production server (issue 13): no tenants, no extensions, an
unfamiliar world; and how the command line and the environment switch them (and dialects and faults) on."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Any

import pytest

import sandbox.__main__ as cli
from sandbox import create_app
from sandbox.seams import flag_from_env, options_from_env
from sandbox.server import running
from sandbox.testing import SUPPLIER, SandboxClient
from sandbox.unfamiliar import UNFAMILIAR
from spec import demo
from spec.webhooks import DEFAULT_SECRET

GRANT = asdict(demo.GRANT)
EXTENSIONS = ("repairer.procurements.insert", "repairer.procurements.invoices.list",
              "repairer.procurements.invoices.get")
DOCUMENTED_IDS = (demo.JOB_EXTERNAL_ID, demo.SITE_ID, demo.SUPPLIER_BUSINESS_ID, demo.WORK_PROVIDER_ID,
                  demo.JOB_PART_ID, demo.SELLABLE_ID, demo.PROCUREMENT_ID)
SEED_ID = re.compile(r"[0-9a-f]{2}000000-0000-4000-8000-\d{12}")  # the documented seed's id pattern (NOTES §7)


def test_no_tenants_is_one_world() -> None:
    app = create_app(tenants=False)
    with running(app) as url:
        writer = SandboxClient(url, tenant="a")
        job = writer.ok("repairer.jobs.insert", {"identity": {"external": "shared"}, "repairer_site_id": demo.SITE_ID})
        for reader in (SandboxClient(url, tenant="b"), SandboxClient(url), SandboxClient(url, tenant="NOT A NAME")):
            assert reader.ok("repairer.jobs.get", {"identity": {"external": "shared"}}) == job
        writer.as_({}).ok("integrations.insert", GRANT)
        SandboxClient(url, tenant="b").as_({}).fails("integrations.insert", GRANT, 401, "invalid_access_code")
    assert len(app.state.sandbox.tenants) == 1


def answers(client: SandboxClient, method: str) -> list[tuple[Any, ...]]:
    """What `method` answers to a handful of requests: status, media type, Allow, body."""
    requests: list[dict[str, Any]] = [
        {"body": {}}, {"body": {"identity": {"id": demo.PROCUREMENT_ID}}}, {"verb": "GET"}, {"verb": "DELETE"},
        {"body": {}, "headers": {"Authorization": None}}, {"content": b"{", "headers": {"Content-Type": "text/plain"}},
        {"content": b"[1, 2"},
    ]
    seen = []
    for request in requests:
        response = client.request(method, check=False, **request)
        seen.append((response.status_code, response.headers.get("content-type"), response.headers.get("allow"),
                     response.text))
    return seen


@pytest.mark.parametrize("dialects", [(), ("framework-errors",)])
def test_without_extensions_they_answer_like_any_unknown_method(dialects: tuple[str, ...]) -> None:
    with running(create_app(extensions=False, dialects=dialects)) as url:
        client = SandboxClient(url)
        unknown = answers(client, "no.such.method")
        for method in EXTENSIONS:
            assert answers(client, method) == unknown, method
        assert client.ok("repairer.procurements.get", {"identity": {"id": demo.PROCUREMENT_ID}})


def crawl(client: SandboxClient, supplier: SandboxClient, landmarks: Any) -> list[Any]:
    """Every body the demo repairer and supplier can reach from the world's landmarks."""
    job = {"job_identity": {"external": landmarks.job_external_id}}
    bodies = [client.ok("businesses.list"), client.ok("repairer.work-providers.list"),
              client.ok("repairer.jobs.get", {"identity": {"id": landmarks.job_id}}),
              client.ok("repairer.jobs.parts.list", job), client.ok("repairer.jobs.baskets.latest.get", job),
              client.ok("repairer.procurements.list", job)]
    for procurement_id in (landmarks.requested_procurement_id, landmarks.confirmed_procurement_id):
        identity = {"identity": {"id": procurement_id}}
        bodies += [client.ok("repairer.procurements.get", identity), supplier.ok("supplier.procurements.get", identity),
                   client.ok("repairer.procurements.invoices.list", {"procurement_identity": identity["identity"]})]
    return bodies


def test_the_unfamiliar_world_holds_none_of_the_documented_seed() -> None:
    app = create_app(world="unfamiliar")
    landmarks = app.state.seed.landmarks
    assert landmarks == UNFAMILIAR.landmarks and landmarks.confirmed_procurement_id is not None
    with running(app) as url:
        client = SandboxClient(url, tenant="unfamiliar")
        supplier = client.as_(SUPPLIER)
        text = json.dumps(crawl(client, supplier, landmarks))
        assert not [value for value in DOCUMENTED_IDS if value in text] and not SEED_ID.search(text)
        client.fails("repairer.jobs.get", {"identity": {"external": demo.JOB_EXTERNAL_ID}}, 404, "not_found")
        client.fails("repairer.procurements.get", {"identity": {"id": demo.PROCUREMENT_ID}}, 404, "not_found")
        supplier.fails("supplier.procurements.get", {"identity": {"id": demo.PROCUREMENT_ID}}, 404, "not_found")
        client.as_({}).ok("integrations.insert", GRANT)  # the same demo grant


def test_the_unfamiliar_world_has_a_requested_and_a_confirmed_procurement_of_the_demo_supplier() -> None:
    app = create_app(world="unfamiliar")
    landmarks = app.state.seed.landmarks
    with running(app) as url:
        client = SandboxClient(url, tenant="unfamiliar")
        supplier = client.as_(SUPPLIER)
        requested = {"identity": {"id": landmarks.requested_procurement_id}}
        confirmed = {"identity": {"id": landmarks.confirmed_procurement_id}}
        assert supplier.ok("supplier.procurements.get", requested)["status"] == "order_requested"
        assert supplier.ok("supplier.procurements.get", confirmed)["status"] == "order_confirmed"
        invoices = client.ok("repairer.procurements.invoices.list", {"procurement_identity": confirmed["identity"]})
        assert len(invoices["items"]) == 1 and invoices["items"][0]["currency_code"] == "NZD"
        procurements = client.ok("repairer.procurements.list",
                                 {"job_identity": {"external": landmarks.job_external_id}})["items"]
        assert [p["id"] for p in procurements] == [landmarks.requested_procurement_id]
        assert supplier.ok("supplier.procurements.confirm", requested)["status"] == "order_confirmed"
        job = {"job_identity": {"id": landmarks.job_id}}
        estimated = [p for p in client.ok("repairer.jobs.parts.list", job)["items"] if p["status"] == "estimated"]
        business = client.ok("repairer.procurements.get", requested)["supplier_business"]["id"]
        offer = next(o for o in client.ok("repairer.jobs.baskets.latest.get", job)["offers"]
                     if o["job_part_ids"] == [estimated[0]["id"]] and o["supplier_business_id"] == business)
        selection = {key: offer[key] for key in ("sellable_id", "supplier_business_id", "job_part_ids")}
        placed = client.ok("repairer.procurements.insert", {**job, "offer_selections": [{**selection, "quantity": 1}]})
        supplier.ok("supplier.procurements.confirm", {"identity": {"id": placed["procurement"]["id"]}})


def test_the_unfamiliar_world_is_the_same_in_every_app() -> None:
    bodies = []
    for _ in range(2):
        app = create_app(world="unfamiliar")
        with running(app) as url:
            client = SandboxClient(url)
            bodies.append(crawl(client, client.as_(SUPPLIER), app.state.seed.landmarks)[:5])
    assert bodies[0] == bodies[1]


def test_the_environment_describes_the_sandbox() -> None:
    assert options_from_env({}) == {"faults": [], "dialects": [], "tenants": True, "extensions": True,
                                    "world": "documented", "webhook_secret": DEFAULT_SECRET}
    options = options_from_env({"RAILS_SANDBOX_FAULTS": "job-images-dropped", "RAILS_SANDBOX_DIALECTS": "all",
                                "RAILS_SANDBOX_TENANTS": "0", "RAILS_SANDBOX_EXTENSIONS": "off",
                                "RAILS_SANDBOX_WORLD": "unfamiliar"})
    app = create_app(**options)
    assert app.state.faults.names == {"job-images-dropped"} and app.state.dialects
    assert not app.state.sandbox.tenanted and app.state.seed is UNFAMILIAR
    assert "repairer.procurements.insert" not in app.state.sandbox.methods
    assert [flag_from_env(v) for v in (None, "", "1", "yes", "0", "False")] == [True, True, True, True, False, False]
    with pytest.raises(ValueError, match="maybe"):
        flag_from_env("maybe")
    with pytest.raises(ValueError, match="unknown world"):
        create_app(world="elsewhere")


def test_the_command_line_describes_the_sandbox(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    served = []
    monkeypatch.setattr(cli, "serve", lambda app, *args: served.append(app))
    cli.main(["--no-tenants", "--no-extensions", "--world", "unfamiliar", "--dialect", "json-charset"])
    app = served[0]
    assert not app.state.sandbox.tenanted and app.state.dialects.names == {"json-charset"}
    assert "repairer.procurements.insert" not in app.state.sandbox.methods
    printed = capsys.readouterr().out
    assert UNFAMILIAR.landmarks.requested_procurement_id in printed and UNFAMILIAR.landmarks.job_external_id in printed
    with pytest.raises(SystemExit):
        cli.parse_args(["--world", "elsewhere"])
