"""A reference webhook receiver (the receiver kit's pass subject) and the broken receivers of its kill
matrix, each one check short: no signature check, no window, accepts replays, verifies the JSON after
parsing and re-serializing it (what a body-parsing middleware does)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from spec import webhooks

BROKEN = ("no-check", "no-window", "accepts-replays", "reserializes")
Message = dict[str, Any]


class Receiver:
    """An ASGI receiver: 204 for an event it accepts, 401 for a bad signature, 400 for a stale or unreadable
    one, 409 for an event id it has already accepted; `broken` names the check it skips or gets wrong."""

    def __init__(self, secret: str, broken: str = "") -> None:
        if broken and broken not in BROKEN:
            raise ValueError(f"unknown broken receiver {broken!r}; known: {', '.join(BROKEN)}")
        self.secret = secret
        self.broken = broken
        self.accepted: list[str] = []  # event ids, in order

    def status(self, body: bytes, header: str | None) -> int:
        try:
            event = json.loads(body)
        except ValueError:
            return 400
        signed = webhooks.encode(event) if self.broken == "reserializes" else body
        if self.broken != "no-check" and not webhooks.verify(self.secret, signed, header):
            return 401
        if self.broken != "no-window" and not webhooks.fresh(event.get("timestamp"), datetime.now(UTC)):
            return 400
        if self.broken != "accepts-replays" and event.get("id") in self.accepted:
            return 409
        self.accepted.append(event.get("id"))
        return 204

    async def __call__(self, scope: Message, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        status = self.status(b"".join(chunks), headers.get(webhooks.SIGNATURE_HEADER))
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})
