"""The ASGI app: routing, body reading and parsing, auth, validation, and coded errors.

Why one dispatcher instead of Starlette routes: every API path must answer every HTTP verb with the
method's own coded error (405 with `Allow: POST`, not a plain-text page), unknown methods must get
`{"type":"not_found"}`, and no path may ever leak a 5xx or a stack trace. A single dispatcher, set as
the Starlette router's default, keeps those rules in one place.

Order of checks on `POST /api/2026-01/<method>`: method known (404) -> verb (405) -> tenant name (400)
-> credentials (401/403) -> Content-Type (415) -> body size (413) -> JSON object (400) -> request
schema (400) -> the handler. Switched-on dialects and faults act at the seams between them
(sandbox/seams.py), dialects first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from spec import demo, webhooks
from spec.wire import API_PREFIX, TENANT_HEADER, authenticated, required_role

from . import auth
from . import webhooks as hooks
from .dialects import CATALOGUE as DIALECTS
from .errors import ApiError, ErrorShape
from .faults import CATALOGUE as FAULTS
from .methods import METHODS, Call, Method
from .seams import Incoming, Outgoing
from .seed import DOCUMENTED, Seed
from .spec import served
from .tenants import BASE_WORLD, Tenants
from .unfamiliar import UNFAMILIAR

log = logging.getLogger("sandbox")

MAX_BODY = 1024 * 1024  # 1 MiB
DEFAULT_IDLE_TTL = 3600.0
WORLDS: dict[str, Seed] = {seed.name: seed for seed in (DOCUMENTED, UNFAMILIAR)}


class Json(JSONResponse):
    """application/json, ASCII-escaped so that any string a client sent can be echoed back."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def parse_body(raw: bytes) -> Any:
    """Empty body is `{}`; anything that is not strict UTF-8 JSON raises ValueError."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # a lone surrogate escape ("\ud800") is no text
    except (UnicodeError, RecursionError) as error:
        raise ValueError("undecodable body") from error
    return body


def is_json_media_type(content_type: str | None) -> bool:
    """A missing Content-Type is JSON (upstream); so are application/json and application/*+json."""
    if content_type is None or not content_type.strip():
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class PayloadTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The body, without ever holding more than `limit` bytes of it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def render(out: Outgoing) -> Response:
    """A text body as text (what a framework or a gateway answers), anything else as JSON."""
    if isinstance(out.body, str) and out.media_type.startswith("text/"):
        return Response(out.body, out.status, out.headers, media_type=out.media_type)
    return Json(out.body, status_code=out.status, headers=out.headers, media_type=out.media_type)


class Sandbox:
    """All state of one sandbox: the methods it serves, its switches, dialects and faults, and its worlds."""

    def __init__(
        self,
        *,
        idle_ttl: float,
        faults: Iterable[str],
        dialects: Iterable[str],
        clock: Callable[[], float],
        extensions: bool,
        tenants: bool,
        world: str,
        max_body: int,
        webhook_secret: str,
    ) -> None:
        if world not in WORLDS:
            raise ValueError(f"unknown world {world!r}; known: {', '.join(WORLDS)}")
        spec = served()
        self.validators = spec.requests
        self.faults = FAULTS.switch(faults)  # named faults switched on (sandbox/faults.py); none: a clean sandbox
        # what GET /openapi.json serves: the 14 methods of 2026-01 (a fault lists the extensions too)
        self.public_spec = spec.document if self.faults.active("served-spec-lists-extensions") else spec.public
        self.dialects = DIALECTS.switch(dialects)  # legitimate variations (sandbox/dialects.py)
        self.seams = self.dialects + self.faults
        self.max_body = max_body
        self.seed = WORLDS[world]
        self.tenanted = tenants  # False: the tenant header is ignored, every caller shares the base world
        self.tenants = Tenants(idle_ttl, clock, self.seed.build)
        # without the extensions, their names are unknown methods like any other
        self.operations = {name: op for name, op in spec.operations.items() if extensions or not op.extension}
        self.shapes = {name: ErrorShape.of(op.errors) for name, op in self.operations.items()}
        self.generic = ErrorShape.of_any(op.errors for op in spec.operations.values())
        self.methods: dict[str, Method] = {name: m for name, m in METHODS.items() if name in self.operations}
        self.webhook_secret = webhook_secret
        self.outbox = hooks.Outbox()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            response = await self.route(request)
        except Exception:  # never a 5xx nor a trace: log it, answer with a coded error
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            name = request.url.path.removeprefix(API_PREFIX)
            response = self.shapes.get(name, self.generic).respond(ApiError("bad_request", reason="internal"))
        await response(scope, receive, send)

    async def route(self, request: Request) -> Response:
        path, verb = request.url.path, request.method
        if path == "/openapi.json":
            if verb not in ("GET", "HEAD"):
                return self.generic.respond(ApiError("bad_request", 405, "method_not_allowed"), {"Allow": "GET, HEAD"})
            return Json(self.public_spec)
        if path.startswith("/__sandbox/"):
            return await self.dev_route(request, path.removeprefix("/__sandbox/"))
        if path.startswith("/__webhooks/"):
            return await self.webhook_route(request, path.removeprefix("/__webhooks/"))
        if path.startswith(API_PREFIX):
            return await self.api_route(request, path.removeprefix(API_PREFIX))
        return Json({"type": "not_found"}, status_code=404)

    async def api_route(self, request: Request, name: str) -> Response:
        """One API call, through the seams (sandbox/seams.py): request -> call -> handler -> response."""
        m = self.methods.get(name)
        incoming = Incoming(name, request.method, request.headers.mutablecopy(), required_role(name), self.tenants,
                            self.operations.get(name))
        if m is None:
            out = Outgoing(incoming, 404, {"type": "not_found"})
        else:
            try:
                out = Outgoing(incoming, 200, await self.call(request, m, incoming))
            except ApiError as error:
                status, body = self.shapes[m.name].render(error)
                out = Outgoing(incoming, status, body, {"Allow": "POST"} if status == 405 else {}, error)
        self.seams.on_response(out)
        response = render(out)
        if out.status == 200 and incoming.events and incoming.world is not None:
            batch = hooks.deliveries(incoming.world, incoming.events, self.webhook_secret,
                                     datetime.fromtimestamp(self.tenants.clock(), UTC), self.faults)
            if self.faults.active("webhook-delivery-blocks-call"):
                await asyncio.gather(*(hooks.deliver(delivery) for delivery in batch))
                return response
            delays = () if self.faults.active("webhook-not-retried") else webhooks.RETRY_DELAYS
            response.background = BackgroundTask(self.outbox.send, batch, delays)  # once the response was sent
        return response

    def world_for(self, headers: Mapping[str, str]) -> Any:
        tenant = headers.get(TENANT_HEADER) if self.tenanted else None
        if tenant is not None and not Tenants.valid_name(tenant):
            raise ApiError("bad_request", reason="invalid_tenant")
        return self.tenants.world(tenant or BASE_WORLD)

    async def call(self, request: Request, m: Method, incoming: Incoming) -> Any:
        if incoming.verb != "POST":
            raise ApiError("bad_request", 405, "method_not_allowed")
        incoming.world = self.world_for(incoming.headers)
        self.seams.on_request(incoming)
        world, headers = incoming.world, incoming.headers
        credential = auth.authenticate(world, headers, incoming.role) if authenticated(m.name) else None
        if not is_json_media_type(headers.get("content-type")):
            raise ApiError("bad_request", 415, "unsupported_media_type")
        try:
            raw = await read_body(request, self.max_body)
        except PayloadTooLarge:
            raise ApiError("bad_request", 413, "payload_too_large") from None
        try:
            body = parse_body(raw)
        except ValueError:
            raise ApiError("bad_request", reason="malformed_json") from None
        incoming.credential, incoming.raw, incoming.body = credential, raw, body
        self.seams.on_call(incoming)
        body, credential = incoming.body, incoming.credential
        if not isinstance(body, dict) or not self.validators.is_valid(m.name, body):
            raise ApiError("bad_request", reason="invalid_request")
        call = Call(world, credential, body, self.tenants.clock(), self.faults, self.dialects, incoming.events)
        if m.mutates:
            async with world.lock:
                return await m.handler(call)
        return await m.handler(call)

    async def dev_route(self, request: Request, name: str) -> Response:
        """Dev-only helpers, outside the public contract: `GET /__sandbox/health` and
        `POST /__sandbox/access-codes` (body `{"client_id"?}`, default the demo client), which mints a
        fresh single-use access code, valid 15 minutes, in the caller's tenant world."""
        routes = {"health": "GET", "access-codes": "POST"}
        if name not in routes:
            return Json({"type": "not_found"}, status_code=404)
        if request.method != routes[name]:
            return self.generic.respond(ApiError("bad_request", 405, "method_not_allowed"), {"Allow": routes[name]})
        if name == "health":
            return Json({"ok": True, "worlds": len(self.tenants)})
        try:
            world = self.world_for(request.headers)
            body = parse_body(await read_body(request, self.max_body))
        except (ApiError, ValueError, PayloadTooLarge):
            return self.generic.respond(ApiError("bad_request"))
        client_id = body.get("client_id", demo.GRANT.client_id) if isinstance(body, dict) else None
        if not isinstance(client_id, str) or client_id not in world.clients:
            return self.generic.respond(ApiError("integration_not_found"))
        code = auth.mint_access_code(world, client_id, self.tenants.clock())
        return Json({"access_code": code.code, "client_id": client_id, "expires_in": auth.ACCESS_CODE_TTL})


    async def webhook_route(self, request: Request, name: str) -> Response:
        """Dev-only webhooks (NOTES §9): `POST /__webhooks/subscribe` in the caller's tenant world, and the
        reference sink `POST /__webhooks/sink`, which answers 204 to a delivery signed with this sandbox's
        secret and 401 to any other (inferred)."""
        if name not in ("subscribe", "sink"):
            return Json({"type": "not_found"}, status_code=404)
        if request.method != "POST":
            return self.generic.respond(ApiError("bad_request", 405, "method_not_allowed"), {"Allow": "POST"})
        try:
            raw = await read_body(request, self.max_body)
        except PayloadTooLarge:
            return Json({"ok": False, "reason": "bad_body"}, status_code=400)
        if name == "sink":
            signed = webhooks.verify(self.webhook_secret, raw, request.headers.get(webhooks.SIGNATURE_HEADER))
            return Response(status_code=204 if signed else 401)
        try:
            world = self.world_for(request.headers)
        except ApiError as error:
            return Json({"ok": False, "reason": error.reason}, status_code=400)
        try:
            body = parse_body(raw)
        except ValueError:
            body = None
        status, answer = hooks.subscribe(world, body, any_url=self.faults.active("webhook-any-url-accepted"))
        return Json(answer, status_code=status)


def create_app(
    *,
    idle_ttl: float = DEFAULT_IDLE_TTL,
    faults: Iterable[str] = (),
    dialects: Iterable[str] = (),
    clock: Callable[[], float] = time.time,
    extensions: bool = True,
    tenants: bool = True,
    world: str = DOCUMENTED.name,
    max_body: int = MAX_BODY,
    webhook_secret: str = webhooks.DEFAULT_SECRET,
) -> Starlette:
    """A fresh sandbox: its own tenants, seeded on first use.

    idle_ttl: seconds after which an idle world is dropped; faults: named faults to switch on
    (sandbox/faults.py; an unknown name raises UnknownFault; `app.state.faults` is their Switches);
    dialects: named legitimate variations to switch on, or `all` (sandbox/dialects.py; UnknownDialect;
    `app.state.dialects`); clock: epoch seconds, injectable for tests; extensions: serve the 3 proposed
    extension methods (else they are unknown methods); tenants: honour `x-partifact-tenant` (else one
    shared world); world: how worlds are seeded, a name of WORLDS (`app.state.seed.landmarks`: the ids a
    client starts from); max_body: request body limit in bytes (413 above it); webhook_secret: the key
deliveries are signed with (sandbox/webhooks.py).
    """
    sandbox = Sandbox(idle_ttl=idle_ttl, faults=faults, dialects=dialects, clock=clock, extensions=extensions,
                      tenants=tenants, world=world, max_body=max_body, webhook_secret=webhook_secret)

    async def last_resort(request: Request, exc: Exception) -> Response:
        return sandbox.generic.respond(ApiError("bad_request", reason="internal"))

    app = Starlette(exception_handlers={Exception: last_resort})
    app.router.default = sandbox
    app.state.sandbox = sandbox
    app.state.faults = sandbox.faults
    app.state.dialects = sandbox.dialects
    app.state.seed = sandbox.seed
    return app
