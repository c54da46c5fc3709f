"""The evidence for a failure or a warning, as HTML: findings, the exchanges they cite, curl, and the replay.

Each recorded exchange is shown once, with every finding that cites it (its requirement and message, and the
JSON path it broke at marked in the body); a finding elsewhere links to it. Shared by the report's evidence
section and the rows of the test table, so that a failure reads the same wherever it is met. Everything
shown is redacted (again: a fragment that escaped redaction upstream must still not reach a file).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from conformance.report import body, replay
from conformance.requirements import catalogue
from conformance.verdict.results import STATUS_OF_LEVEL, TestOutcome
from conformance.wire.redact import REDACT

MAX_FINDINGS = 12  # per test: a broken server can produce hundreds of the same kind


def _pre(text: str, css: str = "") -> str:
    return f'<pre class="{css}">{escape(REDACT(text))}</pre>'


def curl_block(text: str) -> str:
    """The exports the command needs (placeholders, never the values), then the command as recorded."""
    lines = [*replay.exports(text), text]
    return _pre("\n".join(lines), "curl")


def label(exchange: dict[str, Any]) -> str:
    """An exchange as a link names it: `POST repairer.jobs.get -> 500`."""
    return f'{exchange.get("verb", "POST")} {exchange.get("method") or exchange.get("url", "")} -> ' \
           f'{exchange.get("status")}'


def requirement_badge(requirement: str) -> str:
    """A finding's requirement, coloured by what a finding makes of it (MUST: failed, SHOULD: warned)."""
    status = STATUS_OF_LEVEL[catalogue.get(requirement).level]
    return (f'<a class="rid-link" href="#evidence-{escape(requirement)}"><span class="badge st-{status}">'
            f'{escape(requirement)}</span></a>')


def exchange_block(exchange: dict[str, Any], citing: Iterable[dict[str, Any]] = (), anchor: bool = True) -> str:
    """One recorded request and its response, with the findings that cite it and the paths they name marked."""
    citing = list(citing)
    cites = "".join(f'<li>{requirement_badge(f["requirement"])} {escape(REDACT(f["message"]))}</li>'
                    for f in citing)
    headers = "".join(f"{k}: {v}\n" for k, v in exchange.get("request_headers", {}).items())
    request = escape(REDACT(f'{exchange.get("verb", "POST")} {exchange.get("url", "")}\n{headers}\n'))
    response = escape(f'{exchange.get("status")} {exchange.get("response_content_type", "")} '
                      f'({exchange.get("elapsed_ms", 0):.0f} ms)\n\n')
    marks = [f["path"] for f in citing if f.get("path")]
    where = f' id="exchange-{escape(exchange["id"])}"' if anchor and exchange.get("id") else ""
    return (f'<div class="exchange"{where}><div class="exchange-head">{escape(label(exchange))}</div>'
            + (f'<ul class="cites">{cites}</ul>' if cites else "")
            + f'<div class="label">Reproduce with curl</div>{curl_block(exchange["curl"])}'
            f'<details><summary>Request</summary><pre class="body">{request}'
            f'{body.render(exchange.get("request_body", ""))}</pre></details>'
            f'<div class="label">Response</div><pre class="body">{response}'
            f'{body.render(exchange.get("response_body", ""), marks)}</pre></div>')


def finding_block(finding: dict[str, Any], exchanges: dict[str, dict[str, Any]]) -> str:
    """A finding, with a link to the exchange that shows it, else with its own evidence text (its first line
    the curl command)."""
    head = (f'<div class="finding"><span class="rid">{escape(finding["requirement"])}</span> '
            f'{escape(REDACT(finding["message"]))}')
    cited = exchanges.get(finding.get("exchange") or "")
    if cited is not None:
        link = f'<a class="exchange-link" href="#exchange-{escape(cited["id"])}">{escape(label(cited))}</a>'
        return f"{head} {link}</div>"
    evidence = finding.get("evidence") or ""
    if not evidence:
        return head + "</div>"
    first, _, rest = evidence.partition("\n")
    if first.startswith("$ curl"):
        return head + curl_block(first[2:]) + _pre(rest, "response") + "</div>"
    return head + _pre(evidence) + "</div>"


def shown(outcome: TestOutcome, requirement: str | None = None) -> list[dict[str, Any]]:
    """The test's findings a report shows (for `requirement`, or all of them)."""
    return [f.to_dict() for f in outcome.findings if requirement in (None, f.requirement)][:MAX_FINDINGS]


def by_id(outcomes: Iterable[TestOutcome]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for outcome in outcomes for e in outcome.exchanges if e.get("id")}


def test_block(summary: dict[str, Any], outcome: TestOutcome, requirement: str | None = None) -> str:
    """One test's findings (for `requirement`, or all of them), how to replay it, and its last exchange
    when no finding has one (a plain exception)."""
    findings = [f for f in outcome.findings if requirement in (None, f.requirement)]
    exchanges = by_id([outcome])
    parts = [f'<div class="test-evidence"><div class="nodeid">{escape(outcome.nodeid)} '
             f'<span class="badge st-{escape(outcome.status)}">{escape(outcome.status)}</span></div>']
    parts += [finding_block(f, exchanges) for f in shown(outcome, requirement)]
    if len(findings) > MAX_FINDINGS:
        parts.append(f'<div class="more">... and {len(findings) - MAX_FINDINGS} more findings</div>')
    if not any(f.evidence or f.exchange for f in findings) and outcome.exchanges:
        parts.append(exchange_block(outcome.exchanges[-1], anchor=False))
    if outcome.longrepr and not findings:
        parts.append(_pre(outcome.longrepr[-3000:], "longrepr"))
    parts.append(f'<div class="label">Replay this test (same generated cases)</div>'
                 f'{_pre(replay.command(summary, outcome.nodeid), "replay")}</div>')
    return "".join(parts)


def cited_exchanges(findings: Iterable[dict[str, Any]], outcomes: Iterable[TestOutcome]) -> str:
    """Every exchange `findings` cite, once, in the order first cited, each with all of them that cite it."""
    known = by_id(outcomes)
    citing: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        if finding.get("exchange") in known:
            citing.setdefault(finding["exchange"], []).append(finding)
    return "".join(exchange_block(known[exchange_id], cites) for exchange_id, cites in citing.items())
