"""The contract the sandbox serves: the bundled documents (spec/), read once per process.

Why once: the documents never change while the process runs, and every app a process creates (the
project's tests create dozens) serves the same methods with the same compiled request validators.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from spec import Operation, bundled, operations, with_extensions

from .validation import RequestValidators


@dataclass(frozen=True)
class Spec:
    public: dict[str, Any]  # openapi.json, the 14 wire methods: what GET /openapi.json serves
    document: dict[str, Any]  # the public document with the 3 proposed extensions
    operations: dict[str, Operation]  # of `document`
    requests: RequestValidators


@cache
def served() -> Spec:
    public = bundled()
    document = with_extensions(public)
    found = operations(document)
    return Spec(public, document, found, RequestValidators(document, found))
