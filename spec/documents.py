"""The bundled documents: the 14 wire methods (`openapi.json`) and the 3 proposed extensions.

Loaded as package resources, so an installed wheel needs no path search. The extensions live apart
(they are not 2026-01) and are merged into a document only when a run or a server asks for them.
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

OPENAPI = "openapi.json"
EXTENSIONS = "extensions.json"
EXTERNAL_REF = "openapi.json#/"  # how extensions.json refers to the shared schemas


@cache
def raw(name: str = OPENAPI) -> bytes:
    """The bytes of a bundled document, as shipped."""
    return resources.files(__package__).joinpath(name).read_bytes()


def bundled(name: str = OPENAPI) -> dict[str, Any]:
    """A fresh copy of a bundled document (callers may change it)."""
    return json.loads(raw(name))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extensions_document() -> dict[str, Any]:
    """extensions.json with its `openapi.json#/...` refs made local (`#/...`)."""
    return json.loads(raw(EXTENSIONS).decode().replace(f'"{EXTERNAL_REF}', '"#/'))


def with_extensions(document: dict[str, Any]) -> dict[str, Any]:
    """`document` plus the proposed extensions, as one self-contained OpenAPI document.

    Schemas the extensions need but `document` lacks (another spec may name things differently) come
    from the bundled spec.
    """
    extensions = extensions_document()
    merged = copy.deepcopy(document)
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in bundled()["components"]["schemas"].items():
        schemas.setdefault(name, schema)
    schemas.update(extensions["components"]["schemas"])
    merged.setdefault("paths", {}).update(extensions["paths"])
    return merged
