"""The sandbox's webhooks (NOTES §9): the dev subscribe route as documented, per tenant world; signed
deliveries of the documented triggers to whoever registered, after the call answered, retried, never
slowing the call; the signing secret from the command line and the environment."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

import sandbox.__main__ as cli
from conformance.webhooks.receiver import Received, Receiver
from sandbox import create_app
from sandbox.server import running
from sandbox.testing import SUPPLIER, SandboxClient
from spec import demo, webhooks
from spec.wire import TENANT_HEADER

SECRET = "pwh_" + "5e" * 16


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with running(create_app(webhook_secret=SECRET)) as url:
        yield url


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver().serving() as serving:
        yield serving


def subscribe(sandbox_url: str, body: object, tenant: str | None = None, raw: bytes | None = None) -> httpx.Response:
    headers = {TENANT_HEADER: tenant} if tenant else {}
    return httpx.post(sandbox_url + webhooks.SUBSCRIBE_PATH, content=raw if raw is not None else json.dumps(body),
                      headers=headers)


def subscribed(sandbox_url: str, receiver: Receiver, tenant: str) -> tuple[SandboxClient, SandboxClient]:
    """The demo repairer and supplier of `tenant`, each subscribed to a path of its own."""
    for role, credential in (("buyer", demo.REPAIRER), ("supplier", demo.SUPPLIER)):
        body = {"integration_id": credential.integration_id, "url": receiver.url(role)}
        answer = subscribe(sandbox_url, body, tenant)
        assert (answer.status_code, answer.json()) == (200, {"ok": True})
    repairer = SandboxClient(sandbox_url, tenant=tenant)
    return repairer, repairer.as_(SUPPLIER)


def insert_job(repairer: SandboxClient, external: str) -> dict[str, object]:
    return repairer.ok("repairer.jobs.insert", {"identity": {"external": external}, "repairer_site_id": demo.SITE_ID})


@pytest.mark.parametrize("url", ["http://localhost:9/a", "http://127.0.0.1:9/a", "http://[::1]:9/a",
                                 "https://0.0.0.0/a", "http://LOCALHOST/a"])
def test_a_loopback_url_is_subscribed(sandbox_url: str, url: str) -> None:
    answer = subscribe(sandbox_url, {"integration_id": demo.REPAIRER.integration_id, "url": url})
    assert (answer.status_code, answer.json()) == (200, {"ok": True})


@pytest.mark.parametrize(("body", "reason"), [
    ({"integration_id": demo.REPAIRER.integration_id, "url": "http://example.com/a"}, "url_not_loopback"),
    ({"integration_id": demo.REPAIRER.integration_id, "url": "http://10.0.0.1/a"}, "url_not_loopback"),
    ({"integration_id": demo.REPAIRER.integration_id, "url": "http://127.0.0.1.nip.io/a"}, "url_not_loopback"),
    ({"integration_id": demo.REPAIRER.integration_id, "url": "ftp://localhost/a"}, "url_not_loopback"),
    ({"integration_id": demo.REPAIRER.integration_id, "url": "http://localhost:99999/a"}, "url_not_loopback"),
    ({"url": "http://localhost/a"}, "missing_field"),
    ({"integration_id": demo.REPAIRER.integration_id}, "missing_field"),
    ({"integration_id": "0c000000-0000-4000-8000-0000000000ff", "url": "http://localhost/a"}, "unknown_integration"),
    ([1, 2], "bad_body"),
])
def test_a_bad_subscription_is_refused_with_its_reason(sandbox_url: str, body: object, reason: str) -> None:
    answer = subscribe(sandbox_url, body)
    assert (answer.status_code, answer.json()) == (400, {"ok": False, "reason": reason})


def test_an_unparseable_body_and_another_verb_are_refused(sandbox_url: str) -> None:
    answer = subscribe(sandbox_url, None, raw=b"{not json")
    assert (answer.status_code, answer.json()) == (400, {"ok": False, "reason": "bad_body"})
    assert httpx.get(sandbox_url + webhooks.SUBSCRIBE_PATH).status_code == 405


def test_an_inserted_job_is_delivered_signed_once_to_its_repairer_only(sandbox_url: str, receiver: Receiver) -> None:
    repairer, _ = subscribed(sandbox_url, receiver, "hooks-job")
    started = time.monotonic()
    job = insert_job(repairer, "hooks-job-1")
    returned = time.monotonic()
    insert_job(repairer, "hooks-job-1")  # an update: no event
    delivered = receiver.wait(lambda got: len(got) >= 1, 5.0)
    time.sleep(0.3)
    assert [d.path for d in receiver.received] == ["buyer"]
    first = delivered[0]
    assert webhooks.verify(SECRET, first.body, first.signature)
    event = json.loads(first.body)
    assert event["type"] == webhooks.JOB_INSERTED and event["data"]["job"]["id"] == job["id"]
    assert event["integration_id"] == demo.REPAIRER.integration_id
    assert webhooks.fresh(event["timestamp"], first.at)
    assert first.arrived >= started and returned - started < 1.0


def test_a_confirm_fires_one_event_for_the_buyer_and_one_for_the_supplier(sandbox_url: str,
                                                                          receiver: Receiver) -> None:
    _, supplier = subscribed(sandbox_url, receiver, "hooks-confirm")
    supplier.ok("supplier.procurements.confirm", {"identity": {"id": demo.PROCUREMENT_ID}})
    supplier.ok("supplier.procurements.confirm", {"identity": {"id": demo.PROCUREMENT_ID}})  # no move: no event
    receiver.wait(lambda got: len(got) >= 2, 5.0)
    time.sleep(0.3)
    events = {d.path: json.loads(d.body) for d in receiver.received}
    assert len(receiver.received) == 2 and set(events) == {"buyer", "supplier"}
    for audience, event in events.items():
        assert event["type"] == webhooks.ORDER_CONFIRMED and event["data"]["audience"] == audience
        assert event["data"]["procurement"]["id"] == demo.PROCUREMENT_ID


def test_subscriptions_belong_to_their_tenant_world(sandbox_url: str, receiver: Receiver) -> None:
    subscribed(sandbox_url, receiver, "hooks-here")
    insert_job(SandboxClient(sandbox_url, tenant="hooks-elsewhere"), "hooks-elsewhere-1")
    time.sleep(0.3)
    assert receiver.received == []


def test_a_failed_delivery_is_sent_again_with_the_same_bytes(sandbox_url: str, receiver: Receiver) -> None:
    repairer, _ = subscribed(sandbox_url, receiver, "hooks-retry")
    receiver.fail_next("buyer")
    insert_job(repairer, "hooks-retry-1")
    first, second = receiver.wait(lambda got: len(got) >= 2, 5.0)[:2]
    assert (first.status, second.status) == (503, 204)
    assert first.body == second.body and first.signature == second.signature


def test_a_slow_receiver_never_slows_the_call(sandbox_url: str, receiver: Receiver) -> None:
    repairer, _ = subscribed(sandbox_url, receiver, "hooks-slow")
    receiver.hold("buyer", 2.0)
    started = time.monotonic()
    insert_job(repairer, "hooks-slow-1")
    insert_job(repairer, "hooks-slow-2")  # the same connection: not queued behind the first delivery
    assert time.monotonic() - started < 1.0
    assert len(receiver.wait(lambda got: len(got) >= 2, 5.0)) == 2


def test_the_reference_sink_checks_the_signature(sandbox_url: str) -> None:
    body = b'{"id":"x"}'
    signed = httpx.post(sandbox_url + "/__webhooks/sink", content=body,
                        headers={webhooks.SIGNATURE_HEADER: webhooks.sign(SECRET, body)})
    forged = httpx.post(sandbox_url + "/__webhooks/sink", content=body,
                        headers={webhooks.SIGNATURE_HEADER: webhooks.sign("other", body)})
    assert (signed.status_code, forged.status_code) == (204, 401)


def test_the_secret_comes_from_the_command_line_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.app_from_args(cli.parse_args([])).state.sandbox.webhook_secret == webhooks.DEFAULT_SECRET
    assert cli.app_from_args(cli.parse_args(["--webhook-secret", "s1"])).state.sandbox.webhook_secret == "s1"
    monkeypatch.setenv("RAILS_SANDBOX_WEBHOOK_SECRET", "s2")
    assert cli.app_from_args(cli.parse_args([])).state.sandbox.webhook_secret == "s2"


def signed_fresh_and_intact(delivery: Received) -> dict[str, bool]:
    event = json.loads(delivery.body)
    return {"signed": delivery.signature is not None,
            "verifies": webhooks.verify(SECRET, delivery.body, delivery.signature),
            "fresh": webhooks.fresh(event["timestamp"], delivery.at),
            "compact": delivery.body == webhooks.encode(event)}


@pytest.mark.parametrize(("fault", "spoiled"), [
    ("webhook-unsigned", {"signed", "verifies"}),
    ("webhook-wrong-secret", {"verifies"}),
    ("webhook-body-changed-after-signing", {"verifies", "compact"}),
    ("webhook-stale-timestamp", {"fresh"}),
])
def test_a_delivery_fault_spoils_only_what_it_names(receiver: Receiver, fault: str, spoiled: set[str]) -> None:
    with running(create_app(faults=[fault], webhook_secret=SECRET)) as url:
        repairer, _ = subscribed(url, receiver, "hooks-fault")
        insert_job(repairer, "hooks-fault-1")
        delivered = receiver.wait(lambda got: len(got) >= 1, 5.0)[0]
    assert {name for name, holds in signed_fresh_and_intact(delivered).items() if not holds} == spoiled


def test_the_routing_faults_accept_any_url_and_drop_the_buyers_confirm(receiver: Receiver) -> None:
    with running(create_app(faults=["webhook-any-url-accepted", "webhook-confirm-buyer-missing"])) as url:
        far = subscribe(url, {"integration_id": demo.REPAIRER.integration_id, "url": "http://example.com/a"}, "far")
        assert (far.status_code, far.json()) == (200, {"ok": True})
        _, supplier = subscribed(url, receiver, "hooks-routing")
        supplier.ok("supplier.procurements.confirm", {"identity": {"id": demo.PROCUREMENT_ID}})
        receiver.wait(lambda got: len(got) >= 1, 5.0)
        time.sleep(0.3)
    assert [d.path for d in receiver.received] == ["supplier"]
