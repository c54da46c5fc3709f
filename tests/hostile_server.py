"""A hostile HTTP front over the embedded sandbox: it misbehaves at the transport level, as a real target may.

Why a raw server: the faults of sandbox/faults.py are the contract's (a wrong body, a wrong status), served by
a well-behaved HTTP server; these are the transport's (a reply that never comes, drips, is huge, inflates to a
gigabyte, nests 200,000 deep, resets the connection, redirects to another origin, is a portal's HTML page),
which only a front that writes its own bytes can produce. Every request goes to the sandbox and its answer
comes back unchanged, except as the mode says, for one method (`--method`) or for every request.

Run as `python -m tests.hostile_server MODE [--method M] [--log PATH]`: it prints its base URL, then serves
until killed. `--log`: where the other origin (the redirect's target) appends each request it receives.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import struct
import sys
import zlib
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx

from sandbox import create_app
from sandbox.server import running
from spec.wire import method_of

BASKET = "repairer.jobs.baskets.latest.get"
MODES = ("hang", "hang-all", "drip", "huge", "bomb", "deep", "utf8", "reset", "redirect", "html")
DRIP_S = 0.2  # between two bytes of a dripped reply
HUGE_BYTES = 300 * 2**20  # a valid JSON array of this size
BOMB_BYTES = 2**30  # what the gzip body inflates to
DEPTH = 200_000  # nested arrays
RESET_EVERY = 10  # one request in this many has its connection closed before any reply byte
CHUNK = 2**16
Reader, Writer = asyncio.StreamReader, asyncio.StreamWriter


def head(status: int, headers: dict[str, str], reason: str = "") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason or 'Whatever'}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


def bomb() -> bytes:
    """A gzip body of about 1 MB that inflates to BOMB_BYTES of JSON whitespace (one gzip member: a reader may
    stop at the end of the first; run-length encoding makes it in seconds)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS, 9, zlib.Z_RLE)
    block = b" " * 2**20
    return b"".join([*(compressor.compress(block) for _ in range(BOMB_BYTES // len(block))), compressor.flush()])


async def read_request(reader: Reader) -> tuple[str, str, dict[str, str], bytes] | None:
    """(verb, path, headers, body) of the next request on the connection; None when it closed."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    line, *fields = raw.decode("latin-1").split("\r\n")
    verb, path, _ = line.split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, v in (f.split(":", 1) for f in fields if ":" in f)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return verb, path, headers, body


class Front:
    """One hostile front: its mode, the method it misbehaves for, and the sandbox it proxies to."""

    def __init__(self, mode: str, method: str, upstream: str, elsewhere: str) -> None:
        self.mode, self.method = mode, method
        self.upstream = httpx.AsyncClient(base_url=upstream, timeout=60)
        self.elsewhere = elsewhere  # the other origin a redirect points to
        self.requests = 0
        self.gzip_body = bomb() if mode == "bomb" else b""

    def targeted(self, path: str) -> bool:
        return self.mode in ("hang-all", "redirect", "html", "reset") or method_of(path) == self.method

    async def serve(self, reader: Reader, writer: Writer) -> None:
        try:
            while (request := await read_request(reader)) is not None:
                self.requests += 1
                if not await self.answer(*request, writer):
                    break
        except ConnectionError:
            pass  # the suite hung up on a reply it would not read: that is the point
        finally:
            writer.close()

    async def answer(self, verb: str, path: str, headers: dict[str, str], body: bytes, writer: Writer) -> bool:
        """Answer one request; False when the connection is to close."""
        if not self.targeted(path):
            await self.proxy(verb, path, headers, body, writer)
            return True
        behaviour = getattr(self, "mode_" + self.mode.replace("-", "_"))
        return bool(await behaviour(verb, path, headers, body, writer))

    async def proxy(self, verb: str, path: str, headers: dict[str, str], body: bytes, writer: Writer,
                    write: Callable[[bytes, bytes, Writer], Coroutine[Any, Any, None]] | None = None) -> None:
        """The sandbox's answer, written whole, or its head and body handed to `write`."""
        kept = {k: v for k, v in headers.items() if k not in ("host", "content-length", "connection")}
        reply = await self.upstream.request(verb, path, headers=kept, content=body)
        out = {k: v for k, v in reply.headers.items() if k not in ("content-length", "transfer-encoding",
                                                                      "content-encoding", "connection")}
        top = head(reply.status_code, {**out, "content-length": str(len(reply.content))}, reply.reason_phrase)
        if write is None:
            writer.write(top + reply.content)
            await writer.drain()
        else:
            await write(top, reply.content, writer)

    async def mode_hang(self, *request: Any) -> bool:
        await asyncio.sleep(3600)
        return False

    mode_hang_all = mode_hang

    async def mode_drip(self, verb: str, path: str, headers: dict[str, str], body: bytes, writer: Writer) -> bool:
        async def drip(top: bytes, content: bytes, out: Writer) -> None:
            out.write(top)
            for byte in content:
                out.write(bytes([byte]))
                await out.drain()
                await asyncio.sleep(DRIP_S)

        await self.proxy(verb, path, headers, body, writer, drip)
        return True

    async def mode_huge(self, *request: Any) -> bool:
        writer: Writer = request[-1]
        items = (HUGE_BYTES - 2) // 2
        writer.write(head(200, {"content-type": "application/json", "content-length": str(2 * items + 1)}) + b"[0")
        piece = b",0" * (CHUNK // 2)
        for _ in range((items - 1) // (CHUNK // 2)):
            writer.write(piece)
            await writer.drain()
        writer.write(b",0" * ((items - 1) % (CHUNK // 2)) + b"]")
        await writer.drain()
        return True

    async def mode_bomb(self, *request: Any) -> bool:
        writer: Writer = request[-1]
        writer.write(head(200, {"content-type": "application/json", "content-encoding": "gzip",
                                "content-length": str(len(self.gzip_body))}))
        for start in range(0, len(self.gzip_body), CHUNK):
            writer.write(self.gzip_body[start:start + CHUNK])
            await writer.drain()
        return True

    async def write_body(self, writer: Writer, content_type: str, content: bytes, status: int = 200) -> bool:
        writer.write(head(status, {"content-type": content_type, "content-length": str(len(content))}) + content)
        await writer.drain()
        return True

    async def mode_deep(self, *request: Any) -> bool:
        return await self.write_body(request[-1], "application/json", b"[" * DEPTH + b"]" * DEPTH)

    async def mode_utf8(self, *request: Any) -> bool:
        return await self.write_body(request[-1], "application/json", b'{"items": ["\xff\xfe\xfd"]}')

    async def mode_html(self, *request: Any) -> bool:
        return await self.write_body(request[-1], "text/html; charset=utf-8",
                                     b"<!doctype html><title>Sign in</title><p>Welcome to the portal</p>")

    async def mode_redirect(self, verb: str, path: str, headers: dict[str, str], body: bytes, writer: Writer) -> bool:
        writer.write(head(307, {"location": self.elsewhere + path, "content-length": "0"}, "Temporary Redirect"))
        await writer.drain()
        return True

    async def mode_reset(self, verb: str, path: str, headers: dict[str, str], body: bytes, writer: Writer) -> bool:
        if self.requests % RESET_EVERY:
            await self.proxy(verb, path, headers, body, writer)
            return True
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset, not a FIN
        return False


async def main(mode: str, method: str, log: Path | None) -> None:
    async def elsewhere(reader: Reader, writer: Writer) -> None:
        """The other origin: it only records what reaches it."""
        request = await read_request(reader)
        if request is not None and log is not None:
            with log.open("a") as out:
                out.write(f"{request[0]} {request[1]} {sorted(request[2])}\n")
        writer.close()

    other = await asyncio.start_server(elsewhere, "127.0.0.1", 0)
    other_url = f"http://127.0.0.1:{other.sockets[0].getsockname()[1]}"
    with running(create_app()) as upstream:
        front = Front(mode, method, upstream, other_url)
        server = await asyncio.start_server(front.serve, "127.0.0.1", 0)
        print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--method", default=BASKET, help="the method a one-method mode misbehaves for")
    parser.add_argument("--log", type=Path, help="where the other origin records the requests it receives")
    arguments = parser.parse_args()
    try:
        asyncio.run(main(arguments.mode, arguments.method, arguments.log))
    except KeyboardInterrupt:
        sys.exit(0)
