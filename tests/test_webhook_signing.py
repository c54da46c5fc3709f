"""The webhook signer and the shipped test vectors agree, and the vectors are an independent anchor:
the first is RFC 4231's HMAC-SHA256 known answer, so a signer that drifts cannot drag the data along."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from spec import webhooks

RFC_4231_CASE_2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
VECTORS = webhooks.vectors()
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def test_the_first_vector_is_rfc_4231_case_2() -> None:
    first = VECTORS[0]
    assert (first["secret"], first["body"]) == ("Jefe", "what do ya want for nothing?")
    assert base64.b64decode(first["header"]).hex() == RFC_4231_CASE_2


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_each_vector_is_what_the_signer_sends_and_the_verifier_accepts(vector: dict[str, str]) -> None:
    body = base64.b64decode(vector["body_base64"])
    assert body == vector["body"].encode("utf-8"), "the text and the exact bytes are the same body"
    assert webhooks.sign(vector["secret"], body) == vector["header"]
    assert webhooks.verify(vector["secret"], body, vector["header"])
    assert not webhooks.verify(vector["secret"] + "x", body, vector["header"]), "another secret"
    assert not webhooks.verify(vector["secret"], body + b" ", vector["header"]), "one byte more"


def test_the_same_json_in_other_bytes_has_another_signature() -> None:
    by_name = {v["name"]: v for v in VECTORS}
    compact, spaced = by_name["job-inserted"], by_name["same-json-other-bytes"]
    assert json.loads(compact["body"]) == json.loads(spaced["body"])
    assert compact["header"] != spaced["header"]


@pytest.mark.parametrize("header", [None, "", "not base64!", base64.b64encode(b"short").decode()])
def test_a_missing_or_malformed_header_never_verifies(header: str | None) -> None:
    assert not webhooks.verify(webhooks.DEFAULT_SECRET, b"{}", header)


def test_the_default_secret_has_the_upstream_format() -> None:
    prefix, digits = webhooks.DEFAULT_SECRET.split("_")
    assert prefix == "pwh" and len(digits) == 32 and int(digits, 16) >= 0


@pytest.mark.parametrize(("offset", "is_fresh"), [
    (timedelta(0), True), (timedelta(minutes=4, seconds=59), True), (timedelta(minutes=5, seconds=1), False),
    (timedelta(seconds=-30), True), (timedelta(minutes=-2), False)])
def test_an_event_is_fresh_within_the_last_five_minutes_and_a_minute_of_skew(offset: timedelta, is_fresh: bool) -> None:
    assert webhooks.fresh(webhooks.timestamp(NOW - offset), NOW) is is_fresh


@pytest.mark.parametrize("value", [None, 17, "2026-01-15", "2026-01-15T09:30:00", "yesterday"])
def test_a_timestamp_that_is_not_rfc_3339_is_never_fresh(value: object) -> None:
    assert not webhooks.fresh(value, NOW)


def test_an_envelope_is_signed_as_its_exact_bytes() -> None:
    event = webhooks.envelope(webhooks.JOB_INSERTED, "i-1", {"job": {"id": "j-1"}}, NOW)
    body = webhooks.encode(event)
    assert json.loads(body) == event and event["timestamp"] == "2026-01-15T09:30:00.000000Z"
    assert webhooks.verify("s", body, webhooks.sign("s", body))
