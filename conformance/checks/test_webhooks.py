"""Webhooks (NOTES §9, a sandbox feature outside the 2026-01 wire contract): the dev subscription route, and the
deliveries a job insert and a supplier confirm trigger, judged on the run's own loopback receiver.

Why each check works in a fresh tenant world of its own: subscribing replaces an integration's url (one per
integration), so in a shared world the run would take the deliveries of whoever registered before it, and other
checks' jobs would land among its deliveries. Not applicable, with the reason: a target without the dev endpoint,
a run without a world of its own (pass --tenant NAME to give it one), a target on another machine (a webhook url
is loopback, and the receiver listens on this one). Waits are bounded: loopback deliveries arrive in milliseconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.checks.client import ApiClient
from conformance.checks.workflow import confirm, in_own_tenant, job_maker, place_order, precondition, usable_site
from conformance.target.safety import unique_external_id
from conformance.verdict.findings import Signature, Timestamp, WebhookDelivery, current, expect, not_applicable, stop
from conformance.webhooks.receiver import Received, Receiver
from conformance.webhooks.subscription import answer, subscribe
from conformance.wire import exchange
from conformance.wire.bounds import NoAnswer
from spec import demo, webhooks

HOLD = 3.0  # seconds the receiver holds its answer to a job insert's delivery: the call must answer before
WAIT = 5.0  # seconds a delivery may take to arrive at most
REPAIRER, SUPPLIER = "repairer", "supplier"  # the receiver's paths: the buyer's integration, the supplier's
INSERT, CONFIRM = "repairer.jobs.insert", "supplier.procurements.confirm"
NO_ENDPOINT_HINT = ("webhooks are checked on a target that serves the dev endpoint POST /__webhooks/subscribe (the "
                    "sandbox does; pass --webhook-secret S for its signing secret)")
OWN_WORLD_HINT = "pass --tenant NAME (a world of the run's own) to check webhooks on a target whose tenants isolate"


def own_world(client: ApiClient, suffix: str) -> ApiClient:
    """`client` in a fresh world of its own for a webhook check; not applicable where there can be none."""
    target = client.run.target
    if not target.webhooks:
        not_applicable("the target offers no dev webhook endpoint (POST /__webhooks/subscribe): webhooks are a "
                       "sandbox feature outside 2026-01", NO_ENDPOINT_HINT)
    if not target.isolated:
        not_applicable("no world of the run's own: subscribing replaces an integration's webhook url, so the run "
                       "would take a shared integration's deliveries", OWN_WORLD_HINT)
    if urlsplit(target.base_url).hostname not in webhooks.LOOPBACK_HOSTS:
        not_applicable("the target is on another machine: a webhook url is loopback, and the run's receiver listens "
                       "on this one")
    return in_own_tenant(client, suffix)


def subscription(client: ApiClient, content: bytes) -> tuple[int, dict[str, Any] | None, str]:
    """POST `content` to the subscribe route in `client`'s world: status, the documented answer, the evidence."""
    run = client.run
    try:
        response = subscribe(run.transport, run.target.base_url, client.tenant, content, current().politeness)
    except NoAnswer as missing:
        stop("WEBHOOK-001", f"POST {webhooks.SUBSCRIBE_PATH}: no answer: {missing.reason}",
             exchange.unanswered(missing))
    recorded = exchange.record(exchange.of(response))
    return response.status_code, answer(response), recorded.render()


def subscribed(client: ApiClient, integration_id: str, url: str) -> None:
    """Subscribe `integration_id` to `url`; a refusal blocks the check on WEBHOOK-001."""
    status, body, evidence = subscription(client, json.dumps({"integration_id": integration_id, "url": url}).encode())
    if status != 200 or body is None or body.get("ok") is not True:
        stop("WEBHOOK-001", f"subscribing {integration_id} to a loopback url answered {status} {body}", evidence)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver().serving() as serving:
        yield serving


def new_job_body(site: str) -> dict[str, Any]:
    return {"identity": {"external": unique_external_id()}, "repairer_site_id": site}


def event_of(delivery: Received) -> dict[str, Any]:
    try:
        event = json.loads(delivery.body)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def signature_state(delivery: Received, secret: str) -> Signature:
    if delivery.signature is None:
        return "missing"
    return "valid" if webhooks.verify(secret, delivery.body, delivery.signature) else "invalid"


def timestamp_state(delivery: Received) -> Timestamp:
    stamp = event_of(delivery).get("timestamp")
    if stamp is None:
        return "missing"
    return "fresh" if webhooks.fresh(stamp, delivery.at) else "stale"


def seen(delivery: Received, trigger: str, started: float, call_s: float, secret: str) -> WebhookDelivery:
    """One delivery as the report shows it: which call it followed, when, to whom, and what it carried."""
    event = event_of(delivery)
    return WebhookDelivery(trigger=trigger, to=delivery.path,
                           after_call_ms=round((delivery.arrived - started) * 1000, 1), call_ms=round(call_s * 1000, 1),
                           event_id=str(event.get("id", "")), type=str(event.get("type", "")),
                           signature=signature_state(delivery, secret), timestamp=timestamp_state(delivery),
                           answered=delivery.status)


def arrivals(receiver: Receiver, since: int, wanted: Callable[[list[Received]], bool]) -> list[Received]:
    """The deliveries after the first `since`, once `wanted(them)` holds or WAIT seconds have passed."""
    return receiver.wait(lambda received: wanted(received[since:]), WAIT)[since:]


def on(deliveries: list[Received], path: str) -> list[Received]:
    return [d for d in deliveries if d.path == path]


def procurement_to_confirm(repairer: ApiClient, supplier: ApiClient, site: str) -> str:
    """An order_requested procurement in the check's own world: the documented seed's, or one it places."""
    target = repairer.run.target
    if target.seed_procurement:
        return demo.PROCUREMENT_ID
    if target.extensions_absent:
        not_applicable("no procurement to confirm in the run's own world: none of the documented seed, and no "
                       "extensions to place one")
    return place_order(repairer, supplier, job_maker(repairer, site)).id


@pytest.mark.requirement("WEBHOOK-001")
def test_the_subscribe_route_answers_as_documented(repairer: ApiClient) -> None:
    own = own_world(repairer, "webhooks-subscribe")
    integration = repairer.run.target.repairer.integration_id

    def asking(url: str | None) -> bytes:
        return json.dumps({"integration_id": integration, **({"url": url} if url else {})}).encode()

    cases = (("a non-loopback url", asking("http://example.com/hook"), 400, "url_not_loopback"),
             ("no url", asking(None), 400, "missing_field"),
             ("an unparseable body", b'{"integration_id": ', 400, "bad_body"),
             ("a loopback url", asking("http://127.0.0.1:9/unused"), 200, ""))  # last: no other url stays registered
    for what, content, status, reason in cases:
        got_status, body, evidence = subscription(own, content)
        wanted = {"ok": False, "reason": reason} if reason else {"ok": True}
        expect("WEBHOOK-001", got_status == status and body is not None and body == {**body, **wanted},
               f"a subscription with {what} answered {got_status} {body}, not {status} {json.dumps(wanted)}", evidence)


@pytest.mark.requirement("WEBHOOK-002", "WEBHOOK-003", "WEBHOOK-004", "WEBHOOK-005", "WEBHOOK-006")
def test_a_job_insert_and_a_confirm_are_delivered_signed_fresh_and_after_the_call(
        repairer: ApiClient, supplier: ApiClient, receiver: Receiver) -> None:
    own, own_supplier = own_world(repairer, "webhooks"), own_world(supplier, "webhooks")
    target = repairer.run.target
    site = usable_site(own)
    procurement = procurement_to_confirm(own, own_supplier, site)  # before subscribing: its job is no event here
    subscribed(own, target.repairer.integration_id, receiver.url(REPAIRER))
    subscribed(own, target.supplier.integration_id, receiver.url(SUPPLIER))
    receiver.hold(REPAIRER, HOLD)

    started = time.monotonic()
    precondition(own.call(INSERT, new_job_body(site)), "a job of the run's own")
    answered = time.monotonic()
    inserted = arrivals(receiver, 0, lambda got: bool(on(got, REPAIRER)))
    expect("WEBHOOK-002", on(inserted, REPAIRER),
           f"{INSERT} answered 200, and no delivery reached the subscribed repairer integration within {WAIT:g} s")
    if inserted:
        expect("WEBHOOK-006", answered < inserted[0].arrived + HOLD,
               f"{INSERT} answered {answered - inserted[0].arrived:.2f} s after its delivery arrived, once the "
               f"receiver had answered it ({HOLD:g} s later): the delivery delayed the call")
    record = current().webhooks
    record += [seen(d, INSERT, started, answered - started, target.webhook_secret) for d in inserted]

    mark = len(receiver.received)
    started = time.monotonic()
    precondition(confirm(own_supplier, procurement), "the supplier's confirm of an order_requested procurement")
    answered = time.monotonic()
    confirmed = arrivals(receiver, mark, lambda got: bool(on(got, REPAIRER) and on(got, SUPPLIER)))
    for path, whose in ((REPAIRER, "buyer's (repairer)"), (SUPPLIER, "supplier's")):
        expect("WEBHOOK-002", on(confirmed, path), f"{CONFIRM} answered 200, and no delivery reached the {whose} "
                                                    f"subscribed integration within {WAIT:g} s")
    record += [seen(d, CONFIRM, started, answered - started, target.webhook_secret) for d in confirmed]

    for delivery in receiver.received:
        what = f"a delivery to the {delivery.path} integration ({delivery.body[:120]!r})"
        state = signature_state(delivery, target.webhook_secret)
        expect("WEBHOOK-003", state != "missing", f"{what} carried no {webhooks.SIGNATURE_HEADER} header")
        expect("WEBHOOK-004", state != "invalid",
               f"{what}: its {webhooks.SIGNATURE_HEADER} does not sign its exact bytes with the --webhook-secret")
        expect("WEBHOOK-005", timestamp_state(delivery) == "fresh",
               f"{what}: its timestamp {event_of(delivery).get('timestamp')!r} is not within the last 5 minutes of "
               f"its arrival ({webhooks.timestamp(delivery.at)})")


@pytest.mark.requirement("WEBHOOK-006", "WEBHOOK-007")
def test_a_refused_delivery_is_sent_again_with_the_same_event_id(repairer: ApiClient, receiver: Receiver) -> None:
    own = own_world(repairer, "webhooks-retry")
    target = repairer.run.target
    site = usable_site(own)
    subscribed(own, target.repairer.integration_id, receiver.url(REPAIRER))
    receiver.fail_next(REPAIRER)

    started = time.monotonic()
    reply = own.call(INSERT, new_job_body(site))
    answered = time.monotonic()
    expect("WEBHOOK-006", reply.ok, f"with the receiver failing (503), {reply.describe()}", reply.exchange.render())
    got = arrivals(receiver, 0, lambda got: len(got) >= 2)
    current().webhooks.extend(seen(d, f"{INSERT} (refused once)", started, answered - started, target.webhook_secret)
                              for d in got)
    if not expect("WEBHOOK-007", len(got) >= 2, f"the job insert's delivery arrived {len(got)} time(s) within "
                                                f"{WAIT:g} s: the first, refused with 503, was not sent again"):
        return
    first, again = (event_of(d).get("id") for d in got[:2])
    expect("WEBHOOK-007", got[0].body == got[1].body or (first is not None and first == again),
           f"the delivery sent again carries another event id ({again!r}, first {first!r}): a receiver cannot tell "
           "it is the same event")
