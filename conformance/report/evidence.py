"""The evidence for a failure or a warning, as HTML: findings, the exchange, curl, and the replay.

Shared by the per-requirement evidence blocks of the report and the rows of the test table, so that
a failure reads the same wherever it is met. Everything shown is redacted (again: a fragment that
escaped redaction upstream must still not reach a file).
"""

from __future__ import annotations

from html import escape
from typing import Any

from conformance.redact import REDACT
from conformance.report import replay
from conformance.verdict import TestOutcome

MAX_FINDINGS = 12  # per test: a broken server can produce hundreds of the same kind


def _pre(text: str, css: str = "") -> str:
    return f'<pre class="{css}">{escape(REDACT(text))}</pre>'


def curl_block(text: str) -> str:
    """The exports the command needs (placeholders, never the values), then the command as recorded."""
    lines = [*replay.exports(text), text]
    return _pre("\n".join(lines), "curl")


def exchange_block(exchange: dict[str, Any]) -> str:
    """One recorded request and its response."""
    headers = "\n".join(f"{k}: {v}" for k, v in exchange.get("request_headers", {}).items())
    request = f"{exchange.get('verb', 'POST')} {exchange.get('url', '')}\n{headers}\n\n" \
              f"{exchange.get('request_body', '')}"
    response = f"{exchange.get('status')} {exchange.get('response_content_type', '')} " \
               f"({exchange.get('elapsed_ms', 0):.0f} ms)\n\n{exchange.get('response_body', '')}"
    return (f'<div class="exchange"><div class="label">Reproduce with curl</div>{curl_block(exchange["curl"])}'
            f'<details><summary>Request and response</summary>'
            f'<div class="label">Request</div>{_pre(request)}<div class="label">Response</div>{_pre(response)}'
            f'</details></div>')


def finding_block(finding: dict[str, Any]) -> str:
    """A finding, with the rendered exchange that shows it (its first line is the curl command)."""
    head = (f'<div class="finding"><span class="rid">{escape(finding["requirement"])}</span> '
            f'{escape(REDACT(finding["message"]))}')
    evidence = finding.get("evidence") or ""
    if not evidence:
        return head + "</div>"
    first, _, rest = evidence.partition("\n")
    if first.startswith("$ curl"):
        return head + curl_block(first[2:]) + _pre(rest, "response") + "</div>"
    return head + _pre(evidence) + "</div>"


def test_block(summary: dict[str, Any], outcome: TestOutcome, requirement: str | None = None) -> str:
    """One test's findings (for `requirement`, or all of them), how to replay it, and its last exchange
    when no finding carries one (a plain exception)."""
    findings = [f for f in outcome.findings if requirement in (None, f["requirement"])]
    parts = [f'<div class="test-evidence"><div class="nodeid">{escape(outcome.nodeid)} '
             f'<span class="badge st-{escape(outcome.status)}">{escape(outcome.status)}</span></div>']
    parts += [finding_block(f) for f in findings[:MAX_FINDINGS]]
    if len(findings) > MAX_FINDINGS:
        parts.append(f'<div class="more">... and {len(findings) - MAX_FINDINGS} more findings</div>')
    if not any(f.get("evidence") for f in findings) and outcome.exchanges:
        parts.append(exchange_block(outcome.exchanges[-1]))
    if outcome.longrepr and not findings:
        parts.append(_pre(outcome.longrepr[-3000:], "longrepr"))
    parts.append(f'<div class="label">Replay this test (same generated cases)</div>'
                 f'{_pre(replay.command(summary, outcome.nodeid), "replay")}</div>')
    return "".join(parts)
