"""A small API client for the hand-written checks: one credential in one tenant, every call judged.

Every call goes through `Run.send`, so it is recorded as evidence and judged against the contract
(schema, error union, D24, D52, statuses); a hand-written check only states what is particular to it.
A check whose requests do not depend on each other prepares them (`prepare`) and sends them together
(`call_many`): against a remote target they then cost one round trip, not one each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from conformance.run import Run
from conformance.wire import exchange
from conformance.wire.transport import merge_headers, request_headers
from spec.wire import Credential, error_kind

K = TypeVar("K")


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # parsed JSON, or None when the body is not JSON
    exchange: exchange.Exchange

    @property
    def kind(self) -> str | None:
        """The error kind: `{"type": kind}` or, for D24, the bare string."""
        return error_kind(self.body)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        return f"{self.exchange.method} -> {self.status} {json.dumps(self.body)[:300]}"


@dataclass(frozen=True)
class Call:
    """A request prepared by a client, not sent yet."""

    client: ApiClient
    method: str
    content: bytes
    headers: dict[str, str]
    verb: str

    def send(self) -> Reply:
        sent = self.client.run.send(self.method, verb=self.verb, content=self.content, headers=self.headers)
        try:
            parsed = sent.response.json()
        except ValueError:
            parsed = None
        return Reply(sent.response.status_code, parsed, sent.exchange)


def call_many(calls: Iterable[Call]) -> list[Reply]:
    """Send requests that do not depend on each other all at once (up to the run's concurrency); the
    replies in the order of the calls."""
    calls = list(calls)
    return calls[0].client.run.pipeline.map(Call.send, calls) if calls else []


def call_each(calls: Mapping[K, Call]) -> dict[K, Reply]:
    """`call_many` for requests named by a key (what each one tries): each reply under its call's key."""
    return dict(zip(calls, call_many(calls.values()), strict=True))


class ApiClient:
    """Calls the target as `credential` (None: no auth headers) within `tenant` (None: no tenant header)."""

    def __init__(self, run: Run, credential: Credential | None, tenant: str | None) -> None:
        self.run = run
        self.credential = credential
        self.tenant = tenant

    def as_(self, credential: Credential | None) -> ApiClient:
        """The same client as another credential."""
        return ApiClient(self.run, credential, self.tenant)

    def in_tenant(self, tenant: str | None) -> ApiClient:
        return ApiClient(self.run, self.credential, tenant)

    def prepare(self, method: str, body: Any = None, *, content: bytes | None = None,
                headers: dict[str, str | None] | None = None, verb: str = "POST") -> Call:
        """One request, for `call_many`. `content` sends raw bytes instead of `body` as JSON; a header set
        to None in `headers` is removed."""
        raw = content if content is not None else json.dumps({} if body is None else body).encode()
        return Call(self, method, raw, merge_headers(request_headers(self.credential, self.tenant), headers or {}),
                    verb)

    def call(self, method: str, body: Any = None, *, content: bytes | None = None,
             headers: dict[str, str | None] | None = None, verb: str = "POST") -> Reply:
        """Send one request (the arguments as for `prepare`)."""
        return self.prepare(method, body, content=content, headers=headers, verb=verb).send()
