"""Where a run's contract comes from: the bundled reconstruction, or a document the user names.

Whichever is used is recorded with its sha256, so that a report says exactly what a verdict was
measured against. The proposed extensions (`contract/extensions.json`) are merged in only when the
run asks for them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from conformance.transport import Transport
from contract import documents

Origin = Literal["bundled", "live", "file"]


@dataclass(frozen=True)
class SpecSource:
    """A loaded contract and where it came from."""

    origin: Origin
    location: str
    sha256: str
    document: dict[str, Any] = field(repr=False)

    def describe(self) -> dict[str, str]:
        return {"origin": self.origin, "location": self.location, "sha256": self.sha256}


def _from_bytes(origin: Origin, location: str, raw: bytes) -> SpecSource:
    return SpecSource(origin, location, documents.sha256(raw), json.loads(raw))


def bundled() -> SpecSource:
    return _from_bytes("bundled", "contract/openapi.json", documents.raw())


def fetch_live(transport: Transport, base_url: str) -> SpecSource | None:
    """The target's own /openapi.json, or None when it serves none (or not JSON)."""
    url = base_url.rstrip("/") + "/openapi.json"
    try:
        response = transport.request("GET", url, headers={})
        if response.status_code != 200:
            return None
        source = _from_bytes("live", url, response.content)
    except (httpx.HTTPError, ValueError):
        return None
    return source if isinstance(source.document, dict) and isinstance(source.document.get("paths"), dict) else None


def resolve(choice: str, base_url: str, transport: Transport) -> SpecSource:
    """`--spec` semantics: "bundled", "auto" (live when served, else bundled), a URL, or a path."""
    if choice == "auto":
        return fetch_live(transport, base_url) or bundled()
    if choice == "bundled":
        return bundled()
    if choice.startswith(("http://", "https://")):
        response = transport.request("GET", choice, headers={})
        response.raise_for_status()
        return _from_bytes("live", choice, response.content)
    path = Path(choice)
    return _from_bytes("file", str(path), path.read_bytes())
