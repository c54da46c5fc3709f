"""Webhooks (NOTES §9, dev-only, outside the 2026-01 contract): subscriptions per tenant world, and signed,
at-least-once delivery of the events the handlers raise, after the originating call has answered.

Why deliveries run as tasks of their own on the server's event loop: a slow or failing receiver must
never fail or slow the call (documented), so the app schedules them once the response has been sent and
nothing awaits them. Documented: the subscribe route and its answers, loopback urls only, the triggers
and who gets each event, the header on the exact bytes. Inferred (README, "Webhooks"): the envelope
(spec/webhooks.py), one url per integration (subscribing again replaces it), an unknown integration_id
refused with reason `unknown_integration`, an event goes to the integrations of the organization it
concerns, and retries: no answer or a 5xx is retried (spec.webhooks.RETRY_DELAYS), any other answer is final.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from spec import webhooks

from .seams import NOTHING, Switches
from .world import World

log = logging.getLogger("sandbox.webhooks")
ATTEMPT_TIMEOUT = 5.0  # seconds a receiver may take to answer one attempt (inferred)


@dataclass(frozen=True)
class Event:
    """What a handler raises: an event of `type` about `data`, for the integrations of `organization_id`."""

    organization_id: str
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    url: str
    body: bytes
    headers: dict[str, str]


def loopback(url: Any) -> bool:
    """http(s) to localhost, 127.0.0.1, [::1] or 0.0.0.0 (documented; the rule doubles as an SSRF guard)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and host in webhooks.LOOPBACK_HOSTS


def subscribe(world: World, body: Any, *, any_url: bool = False) -> tuple[int, dict[str, Any]]:
    """The answer to `POST /__webhooks/subscribe` with `body` (None: it did not parse); `any_url` is the fault
    that accepts a non-loopback url."""
    if not isinstance(body, dict):
        return 400, {"ok": False, "reason": "bad_body"}
    integration_id, url = body.get("integration_id"), body.get("url")
    if not isinstance(integration_id, str) or not isinstance(url, str):
        return 400, {"ok": False, "reason": "missing_field"}
    if not (any_url or loopback(url)):
        return 400, {"ok": False, "reason": "url_not_loopback"}
    if integration_id.lower() not in {c.integration_id for c in world.credentials.values()}:
        return 400, {"ok": False, "reason": "unknown_integration"}
    world.subscriptions[integration_id.lower()] = url
    return 200, {"ok": True}


def deliveries(world: World, events: list[Event], secret: str, now: datetime,
               faults: Switches = NOTHING) -> list[Delivery]:
    """Each event, enveloped and signed, once for every integration of its organization that subscribed (as
    `faults` spoil them: a stale timestamp, another key, a body changed after signing, no signature)."""
    if faults.active("webhook-stale-timestamp"):
        now -= timedelta(minutes=6)
    if faults.active("webhook-wrong-secret"):
        secret = "not-" + secret
    out = []
    for event in events:
        for credential in world.credentials.values():
            url = world.subscriptions.get(credential.integration_id)
            if url is None or credential.organization_id != event.organization_id:
                continue
            body = webhooks.encode(webhooks.envelope(event.type, credential.integration_id, event.data, now))
            headers = {"content-type": "application/json", webhooks.SIGNATURE_HEADER: webhooks.sign(secret, body)}
            if faults.active("webhook-body-changed-after-signing"):
                body = json.dumps(json.loads(body), indent=1).encode()
            if faults.active("webhook-unsigned"):
                del headers[webhooks.SIGNATURE_HEADER]
            out.append(Delivery(url, body, headers))
    return out


async def deliver(delivery: Delivery, delays: tuple[float, ...] = webhooks.RETRY_DELAYS) -> None:
    """POST it; on no answer or a 5xx, again after each of `delays` (the same bytes: the same event id)."""
    async with httpx.AsyncClient(timeout=ATTEMPT_TIMEOUT) as client:
        for pause in (0.0, *delays):
            await asyncio.sleep(pause)
            try:
                response = await client.post(delivery.url, content=delivery.body, headers=delivery.headers)
            except httpx.HTTPError as error:
                log.info("webhook to %s got no answer: %s", delivery.url, error)
                continue
            if response.status_code < 500:
                return
    log.info("webhook to %s not delivered after %d attempts", delivery.url, len(delays) + 1)


class Outbox:
    """Schedules deliveries on the running loop, keeping each task referenced until it ends."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()

    async def send(self, batch: list[Delivery], delays: tuple[float, ...] = webhooks.RETRY_DELAYS) -> None:
        for delivery in batch:
            task = asyncio.get_running_loop().create_task(deliver(delivery, delays))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
