"""The 2026-01 Integrations API contract as data, and every fact about the wire.

Both the conformance suite and the sandbox import this package and never each other: the
reconstructed OpenAPI documents (`openapi.json`, the proposed `extensions.json`) and how to load
them (`documents`), how to read them (`refs`, `operations`), the wire convention (`wire`) and the
documented demo fixtures (`demo`). Nothing here sends a request or knows a test.
"""

from spec.documents import bundled, with_extensions
from spec.operations import ErrorUnion, Operation, operations
from spec.wire import API_PREFIX, TENANT_HEADER, Credential, error_kind

__all__ = [
    "API_PREFIX",
    "TENANT_HEADER",
    "Credential",
    "ErrorUnion",
    "Operation",
    "bundled",
    "error_kind",
    "operations",
    "with_extensions",
]
