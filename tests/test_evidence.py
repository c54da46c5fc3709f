"""Evidence a person can read: bodies pretty-printed with the broken JSON path marked and long ones cut, and
each exchange tied to every finding that cites it."""

from __future__ import annotations

import itertools
import json

from conformance.report import body
from conformance.verdict import findings
from conformance.verdict.findings import Finding
from conformance.wire import exchange

COUNT = itertools.count()


def test_json_is_printed_as_json_dumps_prints_it() -> None:
    value = {"items": [{"id": 1, "tags": [], "meta": {}, "name": "Tōyota"}, None], "n": 1.5, "ok": True}
    assert "\n".join(line for _, line in body.lines(value)) == json.dumps(value, indent=2, ensure_ascii=False)


def test_the_broken_value_is_marked_and_nothing_else() -> None:
    text = json.dumps({"items": [{"id": "a", "status": "on_order"}, {"id": "b", "status": "ordered"}]})
    shown = body.render(text, ["$.items[0].status"])
    assert shown.count("<mark>") == 1 and '<mark>      "status": "on_order"</mark>' in shown
    whole = body.render(text, ["$.items[1]"])
    assert whole.count("<mark>") == 4  # the object, its two members, its closing brace
    assert "<mark>" not in body.render(text, ["$"])  # the root: marking all of it says nothing


def test_a_long_body_is_cut_with_a_note_and_keeps_the_marked_line() -> None:
    items = [{"n": i, "status": "ok"} for i in range(300)]
    items[250]["status"] = "bad"
    shown = body.render(json.dumps({"items": items}), ["$.items[250].status"])
    assert '<mark>      "status": "bad"</mark>' in shown
    assert "lines not shown" in shown and len(shown.splitlines()) < body.MAX_LINES + 5
    text = body.render("x" * (body.MAX_CHARS + 10) + "<b>")
    assert text.endswith("13 more characters</span>") and "<b>" not in text


def test_a_body_is_redacted_and_escaped() -> None:
    from conformance.wire.redact import REDACT

    REDACT.register("partly_secret_value_1234", "CONFORMANCE_SUPPLIER_KEY")
    shown = body.render(json.dumps({"key": "partly_secret_value_1234", "html": "<script>"}))
    assert "partly_secret_value_1234" not in shown and "${CONFORMANCE_SUPPLIER_KEY}" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def recorded(status: int = 200) -> exchange.Exchange:
    return exchange.record(exchange.Exchange("POST", "http://127.0.0.1:1/api/2026-01/businesses.list", {}, "{}",
                                             status, "application/json", json.dumps({"n": next(COUNT)}), 1.0))


def test_a_finding_cites_the_exchange_its_evidence_renders() -> None:
    record = findings.start()
    first = recorded()
    for _ in range(findings.RECENT + 5):  # the cited exchange is long gone from the recent ones
        recorded()
    record.add(Finding("SCHEMA-001", "one", first.render()))  # too late: no longer at hand
    cited = recorded(500)
    record.add(Finding("WIRE-001", "two", cited.render()))
    record.add(Finding("WIRE-002", "three", cited.render(), "$.items"))
    for _ in range(findings.MAX_EXCHANGES + 5):
        recorded()
    phase = record.hand_over()
    assert [f.exchange for f in phase.findings] == ["", cited.id, cited.id]
    assert phase.findings[2].path == "$.items"
    exchanges = phase.exchanges
    assert len(exchanges) == findings.MAX_EXCHANGES and exchanges[-1]["id"] == cited.id
    assert [e["id"] for e in exchanges].count(cited.id) == 1
    assert record.requests == 0 and record.hand_over().requests == 0
