"""`python -m sandbox`, plus a request counter: the bench counts every tool's requests the same way, at the server.

Why a wrapper and not the tools' own counts: the suite, `st run` and the httpx loop each count differently
(or not at all); one integer incremented per HTTP request the server receives is the same honest measure for
all three. Same arguments, same app (`sandbox.__main__.app_from_args`), same uvicorn serving as `python -m sandbox`,
behind `proxy.Remote`, which counts; `--latency-ms`, `--throttle-every` and `--retry-after` make it a simulated
remote server. `GET /__bench/requests` answers the count so far and is not counted itself.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from proxy import Remote

from sandbox.__main__ import app_from_args, parse_args
from sandbox.server import serve

COUNT_PATH = "/__bench/requests"


class CountingApp:
    """ASGI middleware: answers the Remote's request count at COUNT_PATH, passes everything else on to it."""

    def __init__(self, remote: Remote) -> None:
        self.remote = remote

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == COUNT_PATH:
            body = json.dumps({"requests": self.remote.requests}).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.remote(scope, receive, send)


def main() -> None:
    bench = argparse.ArgumentParser(add_help=False)
    bench.add_argument("--latency-ms", type=float, default=0.0, help="added to every response")
    bench.add_argument("--throttle-every", type=int, default=0, help="answer every Nth request 429 (0: never)")
    bench.add_argument("--retry-after", default="1", help="the Retry-After of a throttled answer")
    remote, rest = bench.parse_known_args()
    args = parse_args(rest)
    remote_app = Remote(app_from_args(args), latency_s=remote.latency_ms / 1000,
                        throttle_every=remote.throttle_every, retry_after=remote.retry_after)
    serve(CountingApp(remote_app), args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
