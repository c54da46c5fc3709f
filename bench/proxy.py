"""A remote server, simulated in front of an ASGI app: added latency per response, and a rate limit.

Why an ASGI middleware rather than a TCP proxy: it is the same for the bench's sandbox subprocess
(`counting_sandbox.py --latency-ms 50`) and for the project's tests (`running(Remote(create_app(), ...))`),
costs no extra process or hop, and every response, whatever it is, waits `latency_s` on the event
loop first, so concurrent requests overlap their waits as they would on a real network. It imports only
the standard library, so both `bench/` scripts and `tests/` import it.
"""

from __future__ import annotations

import asyncio
from typing import Any

THROTTLED_BODY = b'{"type": "rate_limited"}'


class Remote:
    """ASGI middleware: every HTTP request waits `latency_s`; every `throttle_every`-th one (0: none) is
    answered 429 with `Retry-After: retry_after` instead of reaching the app. `requests` counts every HTTP
    request received (the bench's and the tests' one measure for every tool), `throttled` those answered 429."""

    def __init__(self, app: Any, *, latency_s: float = 0.0, throttle_every: int = 0, retry_after: str = "1") -> None:
        self.app = app
        self.latency_s = latency_s
        self.throttle_every = throttle_every
        self.retry_after = retry_after
        self.requests = 0
        self.throttled = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests += 1
        number = self.requests
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if self.throttle_every and number % self.throttle_every == 0:
            self.throttled += 1
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", self.retry_after.encode())]})
            await send({"type": "http.response.body", "body": THROTTLED_BODY})
            return
        await self.app(scope, receive, send)
