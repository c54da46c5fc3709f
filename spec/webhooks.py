"""The webhook wire facts (NOTES §9, a sandbox feature outside the 2026-01 wire contract): the signature
header, how a body is signed and verified, the 5-minute window, and the envelope the sandbox sends.

Why here: the sandbox signs and the suite verifies (both sides: the sandbox's deliveries and an
integrator's receiver); one module keeps them from drifting apart. Documented: the header name, the exact
body bytes are signed. Upstream: base64 HMAC-SHA256 keyed with the shared secret, constant-time compare,
an RFC 3339 `timestamp` within the last 5 minutes. Inferred (our decisions, NOTES §9 "Not known"): the
default secret, the event names, the other envelope fields, the dedup key (`id`), the retry schedule.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

SIGNATURE_HEADER = "partly-hmac-sha256"  # documented
WINDOW = timedelta(minutes=5)  # upstream: accept an event only if its timestamp is within the last 5 minutes
SKEW = timedelta(seconds=60)  # inferred: how far ahead of the receiver's clock a sender's may run
SUBSCRIBE_PATH = "/__webhooks/subscribe"  # documented, dev-only
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # documented (`[::1]` as a URL host)
# inferred: the sandbox's signing secret is not known; ours has the upstream format `pwh_<32 hex>`
DEFAULT_SECRET = "pwh_0123456789abcdef0123456789abcdef"
# inferred: the event names, one per documented trigger (the confirm's two carry their audience)
JOB_INSERTED = "job.inserted"
ORDER_CONFIRMED = "procurement.order_confirmed"
BUYER, SUPPLIER = "buyer", "supplier"
# inferred: a failed delivery (no 2xx, or no answer) is sent again, the same bytes, after these pauses
RETRY_DELAYS = (0.2, 1.0, 3.0)
VECTORS = "webhook-vectors.json"


def sign(secret: str, body: bytes) -> str:
    """The `partly-hmac-sha256` value: base64 of the HMAC-SHA256 of the exact body bytes (upstream)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` signs these exact bytes: base64-decode it, compare in constant time (upstream)."""
    if not header:
        return False
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, hmac.new(secret.encode(), body, hashlib.sha256).digest())


def timestamp(at: datetime) -> str:
    """An RFC 3339 UTC time, as the envelope's `timestamp` carries it."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 time with its offset, or None for anything else (a naive time is no RFC 3339)."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def fresh(value: Any, now: datetime) -> bool:
    """Whether an event's `timestamp` falls within the last 5 minutes of `now`, give or take the clock skew
    ahead (a far-future time is as suspect as a stale one: it would stay fresh for long)."""
    at = parse_timestamp(value)
    return at is not None and -SKEW <= now - at <= WINDOW


def envelope(event_type: str, integration_id: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    """One event (inferred shape): a fresh `id` (the dedup key), its `type`, the `integration_id` it is for,
    its `timestamp` (documented upstream) and its `data`."""
    return {"id": str(uuid.uuid4()), "type": event_type, "integration_id": integration_id,
            "timestamp": timestamp(at), "data": data}


def encode(event: dict[str, Any]) -> bytes:
    """The exact bytes the sandbox sends (and signs): compact JSON, UTF-8."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@cache
def vectors() -> tuple[dict[str, str], ...]:
    """The shipped test vectors: secret, exact body bytes (text and base64), expected header."""
    return tuple(json.loads(resources.files(__package__).joinpath(VECTORS).read_bytes())["vectors"])
