"""Where a run's contract comes from: the bundled reconstruction, or a document the user names.

The contract is ours by default; a spec the target serves is compared with it (conformance/target/served.py),
never obeyed. Whichever is used is recorded with its sha256, so that a report says exactly what a
verdict was measured against. The proposed extensions (`spec/extensions.json`) are merged in only
when the run checks them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from conformance.wire.transport import Transport
from spec import documents

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
    return _from_bytes("bundled", "spec/openapi.json", documents.raw())


def resolve(choice: str, transport: Transport) -> SpecSource:
    """`--spec`: "bundled", or a URL or a path whose document replaces the contract (it must be an
    OpenAPI document: a JSON object with `paths`)."""
    if choice == "bundled":
        return bundled()
    if choice == "auto":
        raise ValueError("a spec the target serves is no longer obeyed, only compared with the contract (the report "
                         "lists the differences); name it explicitly (--spec URL) to judge by it")
    if choice.startswith(("http://", "https://")):
        response = transport.request("GET", choice, headers={})
        response.raise_for_status()
        loaded = _from_bytes("live", choice, response.content)
    else:
        path = Path(choice)
        loaded = _from_bytes("file", str(path), path.read_bytes())
    if not isinstance(loaded.document, dict) or not isinstance(loaded.document.get("paths"), dict) or not all(
            isinstance(item, dict) for item in loaded.document["paths"].values()):
        raise ValueError("not an OpenAPI document (a JSON object whose `paths` are objects)")
    return loaded
