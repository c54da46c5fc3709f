"""`python -m sandbox`, plus a request counter: the bench counts every tool's requests the same way, at the server.

Why a wrapper and not the tools' own counts: the suite, `st run` and the httpx loop each count differently
(or not at all); one integer incremented per HTTP request the server receives is the same honest measure for
all three. Same arguments, same app (`sandbox.__main__.app_from_args`), same uvicorn serving as `python -m sandbox`;
`GET /__bench/requests` answers the count so far and is not counted itself.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.__main__ import app_from_args, parse_args
from sandbox.server import serve

COUNT_PATH = "/__bench/requests"


class CountingApp:
    """ASGI middleware: counts HTTP requests, answers the count at COUNT_PATH."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == COUNT_PATH:
            body = json.dumps({"requests": self.requests}).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        self.requests += 1
        await self.app(scope, receive, send)


def main() -> None:
    args = parse_args()
    serve(CountingApp(app_from_args(args)), args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
