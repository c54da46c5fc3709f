"""One request and its response, as evidence: recorded, rendered, and reproducible with curl.

Whatever sends a request (the hand-written checks through httpx, the property tests through
schemathesis) records it as an `Exchange` on the running test, so a failure always shows what was
sent and received, redacted, with a curl command that replays it after an `export`.
"""

from __future__ import annotations

import json
import shlex
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from conformance.verdict.findings import current
from conformance.wire.bounds import NoAnswer
from conformance.wire.redact import REDACT
from spec.wire import TENANT_HEADER, method_of

BODY_LIMIT = 32_000  # characters of a body kept: enough for the report to pretty-print a whole JSON body
EVIDENCE_LIMIT = 4000  # characters of the response body in a finding's evidence text (summary.json)
REPLAYED_HEADERS = ("authorization", "partly-integration-id", "content-type", TENANT_HEADER)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more]"


def _text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    return cut(body.decode("utf-8", "replace") if isinstance(body, bytes) else body, BODY_LIMIT)


def new_id() -> str:
    """Unique within a run, across pytest-xdist workers: findings cite exchanges by it."""
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class Exchange:
    verb: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    response_content_type: str
    response_body: str
    elapsed_ms: float
    id: str = field(default_factory=new_id)

    @property
    def method(self) -> str | None:
        return method_of(self.url)

    @property
    def is_json_post(self) -> bool:
        """A POST sent as application/json: the contract, and its error unions, apply to it. A call without a
        Content-Type is not one: that it is read as JSON is upstream (NOTES §1), judged by WIRE-010 alone."""
        content_type = next((v for k, v in self.request_headers.items() if k.lower() == "content-type"), "")
        media = content_type.split(";", 1)[0].strip().lower()
        return self.verb.upper() == "POST" and media == "application/json"

    def json(self) -> Any:
        return json.loads(self.response_body)

    def curl(self) -> str:
        """A redacted curl command: secrets become `${VAR}` references, so it runs after `export VAR=...`."""
        parts = ["curl", "-sS", "-X", self.verb, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            if name.lower() in REPLAYED_HEADERS:
                redacted = REDACT(f"{name}: {value}")
                quoted = f'"{redacted}"' if "${" in redacted else shlex.quote(redacted)
                parts += ["-H", quoted]
        if self.request_body:
            parts += ["--data-raw", shlex.quote(REDACT(self.request_body))]
        return " ".join(parts)

    def render(self, unread: str = "") -> str:
        """Human-readable, redacted evidence; `unread`: why the reply was not read (what arrived is shown)."""
        status = f"{self.status} " if self.status else ""
        answer = f"-> no reply read: {status}{unread}" if unread else f"-> {self.status} {self.response_content_type}"
        return REDACT(
            f"$ {self.curl()}\n"
            f"{answer} ({self.elapsed_ms:.0f} ms)\n"
            f"{cut(self.response_body, EVIDENCE_LIMIT)}"
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["request_headers"] = {k: REDACT(v) for k, v in self.request_headers.items()}
        data["request_body"] = REDACT(self.request_body)
        data["response_body"] = REDACT(self.response_body)
        data["curl"] = self.curl()
        data["method"] = self.method
        return data


def _register_minted_key(method: str | None, status: int, body: str) -> None:
    """A key minted by an install is a secret from the moment it arrives, before anything renders it."""
    if method == "integrations.insert" and 200 <= status < 300:
        try:
            key = json.loads(body).get("api_key")
        except (ValueError, AttributeError):
            return
        if isinstance(key, str):
            REDACT.register(key, "MINTED_API_KEY")


def record(exchange: Exchange) -> Exchange:
    """Attach `exchange` to the running test's record: evidence, request count, reached methods."""
    _register_minted_key(exchange.method, exchange.status, exchange.response_body)
    current().saw(exchange)
    return exchange


def _of(request: httpx.Request, status: int, content_type: str, body: bytes, elapsed_s: float) -> Exchange:
    return Exchange(
        verb=request.method,
        url=str(request.url),
        request_headers=dict(request.headers),
        request_body=_text(request.content),
        status=status,
        response_content_type=content_type,
        response_body=_text(body),
        elapsed_ms=elapsed_s * 1000,
    )


def of(response: httpx.Response) -> Exchange:
    """From an httpx response (every request the suite sends goes through httpx)."""
    return _of(response.request, response.status_code, response.headers.get("content-type", ""), response.content,
               response.elapsed.total_seconds())


def unanswered(missing: NoAnswer) -> str:
    """The evidence of a request whose reply was not read: the request as curl, why, and what arrived of it."""
    return _of(missing.request, missing.status, missing.content_type, missing.read, missing.elapsed_s).render(
        missing.reason)
