"""Secrets never leave the process; redacted curl commands still run after an export."""

from __future__ import annotations

import shlex

from conformance.wire.exchange import Exchange
from conformance.wire.redact import Redactor

KEY = "partly_demo_repairer_3f8a1c0d9e2b4a67b1c2"


def test_registered_secrets_become_variable_references() -> None:
    redact = Redactor()
    redact.register(KEY, "CONFORMANCE_REPAIRER_KEY")
    assert redact(f"Authorization: Bearer {KEY}") == "Authorization: Bearer ${CONFORMANCE_REPAIRER_KEY}"


def test_unregistered_keys_and_bearer_tokens_are_still_hidden() -> None:
    redact = Redactor()
    minted = "partly_" + "ab" * 16
    assert minted not in redact(f"key {minted}")
    assert "s3cr3t-token-value" not in redact("authorization: bearer s3cr3t-token-value")


def test_curl_reproducer_uses_variables_and_round_trips() -> None:
    from conformance.wire.redact import REDACT

    REDACT.register(KEY, "CONFORMANCE_REPAIRER_KEY")
    exchange = Exchange("POST", "http://127.0.0.1:1/api/2026-01/businesses.list",
                        {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}, '{"a": "it\'s"}',
                        200, "application/json", "{}", 1.0)
    curl = exchange.curl()
    assert KEY not in curl
    words = shlex.split(curl)  # valid shell: quoting survives
    assert '{"a": "it\'s"}' in words
    assert "Authorization: Bearer ${CONFORMANCE_REPAIRER_KEY}" in words
