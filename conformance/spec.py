"""The contract the suite checks against: the bundled reconstruction, or a target's live /openapi.json.

The bundled spec (`spec/openapi.json`) is a reconstruction; a live spec, when the target serves one,
is the better source. Whichever is used is recorded with its sha256 so that a report says exactly
what a verdict was measured against. The proposed extensions live in `spec/extensions.json` and are
merged in only when the run asks for them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from contract import documents

API_PREFIX = "/api/2026-01/"


def load_bundled(name: str = "openapi.json") -> dict[str, Any]:
    return documents.bundled(name)


@dataclass(frozen=True)
class SpecSource:
    """A loaded contract and where it came from."""

    origin: str  # "bundled" | "live" | "file"
    location: str
    sha256: str
    document: dict[str, Any] = field(repr=False)

    @property
    def operations(self) -> dict[str, dict[str, Any]]:
        """operationId -> operation object, for every POST operation of the document."""
        return {op["operationId"]: op for item in self.document["paths"].values() if (op := item.get("post"))}

    def describe(self) -> dict[str, str]:
        return {"origin": self.origin, "location": self.location, "sha256": self.sha256}


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _from_bytes(origin: str, location: str, raw: bytes) -> SpecSource:
    return SpecSource(origin, location, _digest(raw), json.loads(raw))


def fetch_live(base_url: str, timeout: float = 5.0) -> SpecSource | None:
    """The target's own /openapi.json, or None when it serves none (or not JSON)."""
    url = base_url.rstrip("/") + "/openapi.json"
    try:
        response = httpx.get(url, timeout=timeout)
        if response.status_code != 200:
            return None
        source = _from_bytes("live", url, response.content)
    except (httpx.HTTPError, ValueError):
        return None
    return source if isinstance(source.document.get("paths"), dict) else None


def resolve(choice: str, base_url: str) -> SpecSource:
    """`--spec` semantics: "bundled", "auto" (live when served, else bundled), a URL, or a path."""
    if choice == "auto":
        return fetch_live(base_url) or resolve("bundled", base_url)
    if choice == "bundled":
        return _from_bytes("bundled", "contract/openapi.json", documents.raw())
    if choice.startswith(("http://", "https://")):
        response = httpx.get(choice, timeout=10.0)
        response.raise_for_status()
        return _from_bytes("live", choice, response.content)
    path = Path(choice)
    return _from_bytes("file", str(path), path.read_bytes())


with_extensions = documents.with_extensions
