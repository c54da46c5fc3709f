"""The suite's one HTTP edge: every request the suite sends, hand-written or generated, goes out here.

One keep-alive httpx client with one timeout, and one header builder. What the suite does with a
reply (record it as evidence, judge it, add the findings) is `Run.send`, built on this.
"""

from __future__ import annotations

import httpx

from contract.wire import TENANT_HEADER, Credential

TIMEOUT = 15.0  # seconds per request: connect, read, write and pool wait alike


def request_headers(credential: Credential | None, tenant: str | None) -> dict[str, str]:
    """What every contract call carries: JSON, the role's two auth headers, the sandbox tenant."""
    headers = {"Content-Type": "application/json"}
    if tenant:
        headers[TENANT_HEADER] = tenant
    if credential:
        headers.update(credential.headers())
    return headers


def merge_headers(base: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    """`base` with `changes` applied case-insensitively; a header changed to None is removed."""
    merged = dict(base)
    for name, value in changes.items():
        merged = {k: v for k, v in merged.items() if k.lower() != name.lower()}
        if value is not None:
            merged[name] = value
    return merged


class Transport:
    """The connection pool every request of one process shares."""

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.http = httpx.Client(timeout=timeout)

    def request(self, verb: str, url: str, *, headers: dict[str, str], content: bytes = b"",
                params: dict[str, str] | None = None) -> httpx.Response:
        return self.http.request(verb, url, headers=headers, content=content, params=params)

    def close(self) -> None:
        self.http.close()
