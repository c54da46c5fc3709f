"""The dev subscription route (NOTES §9, documented): `POST <base>/__webhooks/subscribe`, outside the contract.

Why apart from the API client: the route is no method of the contract (no auth, no judge of its answers by
the spec), yet the probe and the checks call it alike.
"""

from __future__ import annotations

from typing import Any

import httpx

from conformance.wire.transport import Politeness, Transport, request_headers
from spec import webhooks


def subscribe(transport: Transport, base_url: str, tenant: str | None, content: bytes,
              politeness: Politeness | None = None) -> httpx.Response:
    """POST `content` to the subscribe route, in `tenant`'s world (subscriptions are per tenant world); what
    waiting out a rate limit cost is added to `politeness` (a test's), else to the transport's own."""
    return transport.request("POST", base_url.rstrip("/") + webhooks.SUBSCRIBE_PATH, content=content,
                             headers=request_headers(None, tenant), politeness=politeness)


def answer(response: httpx.Response) -> dict[str, Any] | None:
    """The route's answer, a JSON object with `ok` as every documented answer is; None for anything else."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) and "ok" in body else None
