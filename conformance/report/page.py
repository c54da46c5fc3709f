"""The top of conformance.html: the verdict, the run's header, the requirement and coverage matrices,
the extensions apart, the changes since a baseline, the history of the runs kept with --history, and the
evidence per requirement.

pytest-html lists tests; a reader asks about requirements. This builds that view from the final
summary (the same data as summary.json) and the per-test outcomes, as one self-contained fragment
that the pytest-html hooks put at the head of the page (styles inline, no external asset).
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from conformance.report import evidence, history
from conformance.report.summary import pace_line
from conformance.requirements import catalogue
from conformance.requirements.catalogue import WEBHOOKS
from conformance.verdict.results import (
    ERRORED,
    FAILED,
    NOT_APPLICABLE,
    NOT_VERIFIED,
    PASSED,
    SKIPPED,
    VERDICT_WORDS,
    WARNED,
    TestOutcome,
)
from conformance.wire.redact import REDACT

LABEL = {PASSED: "pass", FAILED: "fail", WARNED: "warn", SKIPPED: "skip", NOT_APPLICABLE: "n/a",
         ERRORED: "error", NOT_VERIFIED: "not verified"}
AREAS = list(dict.fromkeys(r.area for r in catalogue.CATALOGUE))


@cache
def style() -> str:
    return (Path(__file__).with_name("style.css")).read_text()


def badge(status: str, text: str | None = None) -> str:
    return f'<span class="badge st-{escape(status)}">{escape(text or LABEL.get(status, status))}</span>'


def _table(head: list[str], rows: list[str], css: str) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f'<table class="{css}"><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


# -- verdict and header ----------------------------------------------------------------------------


def banner(summary: dict[str, Any]) -> str:
    verdict = summary["verdict"]
    checked = summary.get("checked")  # summaries written before the earned verdict have none
    levels = "".join(f"<li>{escape(line)}</li>" for line in [*([checked] if checked else []), *summary["levels"]])
    return (f'<div id="verdict" class="verdict verdict-{escape(verdict)}">'
            f'<div class="verdict-word">{VERDICT_WORDS.get(verdict, verdict)}</div>'
            f'<div class="verdict-sub">2026-01 Integrations API &middot; {escape(summary["target"]["base_url"])}'
            f'</div><ul class="levels">{levels}</ul></div>')


def header(summary: dict[str, Any]) -> str:
    target, spec, suite = summary["target"], summary["spec"], summary["suite"]
    rows = [
        ("Target", target["base_url"] + ("  (embedded sandbox)" if target.get("embedded_sandbox") else "")),
        ("Spec", f'{spec["origin"]}: {spec["location"]}'), ("Spec sha256", spec["sha256"]),
        ("Suite", f'{suite["name"]} {suite["version"]} (API {suite["api_version"]})'),
        ("Schemathesis", suite["schemathesis"]), ("Profile", summary["profile"]),
        ("Seed", f'{summary["seed"]}  (replay: --hypothesis-seed={summary["seed"]})'),
        ("Tenant", target.get("tenant") or "none (--no-tenant)"),
        ("Extensions", "on" if summary["extensions"] else "off (--no-extensions)"),
        ("Started", summary["started_at"]), ("Finished", f'{summary["finished_at"]}  ({summary["duration_s"]} s)'),
        ("Requests sent", str(summary["requests"])), ("Pace", pace_line(summary)),
    ]
    if summary.get("baseline"):
        rows.append(("Baseline", summary["baseline"]["path"]))
    cells = "".join(f"<dt>{escape(k)}</dt><dd>{escape(REDACT(str(v)))}</dd>" for k, v in rows)
    return f'<dl id="run-header" class="run-header">{cells}</dl>'


def baseline_section(summary: dict[str, Any]) -> str:
    """Regressions and fixes one per row (what a reader acts on); new and gone ids as one list each."""
    comparison = summary.get("baseline")
    if not comparison:
        return ""
    rows = [f'<tr class="change-{kind}"><td>{badge(status, kind)}</td><td class="rid"><a href="#req-{escape(c["id"])}">'
            f'{escape(c["id"])}</a></td><td>{escape(c["before"])} &rarr; {badge(c["after"])}</td></tr>'
            for kind, status in (("regressed", FAILED), ("fixed", PASSED)) for c in comparison[kind]]
    lists = "".join(f'<p class="ids"><span class="label">{kind} ({len(comparison[kind])})</span> '
                    + ", ".join(escape(c["id"]) for c in comparison[kind]) + "</p>"
                    for kind in ("new", "gone") if comparison[kind])
    counts = ", ".join(f"{len(comparison[k])} {k}" for k in ("regressed", "fixed", "new", "gone"))
    table = _table(["change", "requirement", "status"], rows, "matrix changes") if rows else ""
    return (f'<section id="baseline"><h2>Since the baseline</h2><p class="note">{escape(comparison["path"])}: '
            f'{counts}</p>{table}{lists}</section>')


# -- the requirement matrix ------------------------------------------------------------------------


def requirement_rows(rows: list[dict[str, Any]], strips: dict[str, str] | None = None) -> list[str]:
    """One row per requirement; with `strips` (requirement id -> its history as an inline SVG), a cell for it."""
    out = []
    for r in rows:
        link = (f'<a href="#evidence-{escape(r["id"])}">{len(r["failures"])} finding'
                f'{"s" if len(r["failures"]) != 1 else ""}</a>' if r["failures"] else escape(r.get("note") or ""))
        methods = "all methods" if list(r["methods"]) == ["*"] else ", ".join(r["methods"])
        out.append(f'<tr id="req-{escape(r["id"])}" class="row-{escape(r["status"])}">'
                   f'<td class="rid">{escape(r["id"])}</td><td>{escape(r["level"])}</td>'
                   f'<td>{escape(r["provenance"])}</td><td class="rule">{escape(r["title"])}{sources(r)}</td>'
                   f'<td class="methods">{escape(methods)}</td><td>{badge(r["status"])}</td><td>{link}</td>'
                   + (f'<td class="trend">{strips.get(r["id"], "")}</td>' if strips is not None else "") + "</tr>")
    return out


def sources(row: dict[str, Any]) -> str:
    """The sentences a requirement rests on, quoted with their document, line and label (collapsed)."""
    quotes = "".join(f'<li><q>{escape(s["quote"])}</q> <span class="source">{escape(s["document"])}:{s["line"]}, '
                     f'{escape(s["label"])}</span></li>' for s in row.get("source", []))
    return f'<details class="sources"><summary>sources</summary><ul>{quotes}</ul></details>' if quotes else ""


def target_section(summary: dict[str, Any]) -> str:
    """What the probe found, a served spec's differences, and the options that would let the run check more."""
    parts = []
    if summary.get("probe"):
        parts.append('<p class="label">What the probe found</p><ul>'
                     + "".join(f"<li>{escape(note)}</li>" for note in summary["probe"]) + "</ul>")
    served = summary.get("served_spec")
    if served:
        differences = served["differences"]
        parts.append(f'<p class="label">The target serves {escape(served["location"])}: compared with the contract, '
                     f'{len(differences)} difference(s) (SPEC-001; the contract is not replaced)</p>'
                     + ("<ul>" + "".join(f"<li>{escape(d)}</li>" for d in differences) + "</ul>" if differences
                        else ""))
    if summary.get("hints"):
        parts.append('<p class="label">To check more</p><ul>'
                     + "".join(f"<li>{escape(hint)}</li>" for hint in summary["hints"]) + "</ul>")
    return f'<section id="target"><h2>The target</h2>{"".join(parts)}</section>' if parts else ""


def requirement_matrix(rows: list[dict[str, Any]], css_id: str, strips: dict[str, str] | None = None) -> str:
    head = ["ID", "Level", "Provenance", "Rule", "Methods", "Status", "Evidence", *(["History"] if strips else [])]
    table = _table(head, requirement_rows(rows, strips or None), "matrix requirements")
    return table.replace("<table ", f'<table id="{css_id}" ', 1)


# -- history ---------------------------------------------------------------------------------------


def history_strips(runs: list[dict[str, Any]]) -> dict[str, str]:
    """Requirement id -> its status run by run (oldest first), one square each, titled with the run's time."""
    labels = [str(run.get("finished_at", "")) for run in runs]
    return {rid: history.svg_strip(statuses, labels) for rid, statuses in history.requirement_series(runs).items()}


def history_section(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return ""
    return (f'<section id="history"><h2>History</h2><p class="note">Requirements passed in each of the {len(runs)} '
            f'runs kept with --history, oldest first, this run last (hover a bar for its time); the requirement '
            f'matrix shows each requirement run by run.</p>'
            f'<div class="trend">{history.svg_pass_counts(history.pass_counts(runs), height=48, bar=12)}</div>'
            '</section>')


# -- the method x area coverage matrix -------------------------------------------------------------


def _mentions(method: str, finding: dict[str, Any]) -> bool:
    pattern = rf"(?<![\w.-]){re.escape(method)}(?![\w.-])"
    return bool(re.search(pattern, f'{finding.get("message", "")}\n{finding.get("evidence", "")}'))


def status_for(row: dict[str, Any], method: str, methods: list[str]) -> str | None:
    """A requirement's status for one method: None when it does not touch the method. A rule on every
    method broke for this method when a finding names it (or when no finding names any method)."""
    if method not in row["methods"] and "*" not in row["methods"]:
        return None
    if row["status"] not in (FAILED, WARNED) or "*" not in row["methods"]:
        return row["status"]
    named = {m for f in row["failures"] for m in methods if _mentions(m, f)}
    return row["status"] if method in named or not named else PASSED


def coverage_cell(rows: list[dict[str, Any]], method: str, methods: list[str]) -> str:
    statuses = [(r["id"], s) for r in rows if (s := status_for(r, method, methods)) is not None]
    if not statuses:
        return '<td class="cov-none">&ndash;</td>'
    bad = [badge(s, rid) for rid, s in statuses if s in (FAILED, WARNED)]
    passed = sum(1 for _, s in statuses if s == PASSED)
    skipped = sum(1 for _, s in statuses if s == SKIPPED)
    title = "; ".join(f"{rid} {LABEL[s]}" for rid, s in statuses)
    summary = (f'<span class="ok">{passed} pass</span>' if passed else "") + \
              (f' <span class="skip">{skipped} skip</span>' if skipped else "")
    worst = FAILED if any(s == FAILED for _, s in statuses) else WARNED if bad else PASSED if passed else SKIPPED
    return f'<td class="cov cov-{worst}" title="{escape(title)}">{"".join(bad)}{summary}</td>'


def coverage_matrix(summary: dict[str, Any], methods: list[dict[str, Any]], rows: list[dict[str, Any]],
                    css_id: str) -> str:
    areas = [a for a in AREAS if any(r["area"] == a for r in rows)]
    names = [m["method"] for m in summary["methods"]]
    out = []
    for m in methods:
        got = badge(PASSED, "2xx") if m["succeeded"] else badge(FAILED, "no 2xx" if m["reached"] else "unreached")
        cells = "".join(coverage_cell([r for r in rows if r["area"] == a], m["method"], names) for a in areas)
        out.append(f'<tr><td class="method">{escape(m["method"])}</td><td>{got}</td>{cells}</tr>')
    table = _table(["Method", "2xx", *areas], out, "matrix coverage")
    return table.replace("<table ", f'<table id="{css_id}" ', 1)


# -- evidence per requirement ----------------------------------------------------------------------


def evidence_section(summary: dict[str, Any], tests: dict[str, TestOutcome]) -> str:
    """Per failed or warned requirement, its findings by test (each linking to the exchange that shows it);
    then those exchanges, each once, with every finding that cites it."""
    blocks: list[str] = []
    cited: list[dict[str, Any]] = []
    for r in summary["requirements"]:
        if r["status"] not in (FAILED, WARNED):
            continue
        culprits = [t for t in tests.values() if any(f.requirement == r["id"] for f in t.findings)]
        cited += [f for t in culprits for f in evidence.shown(t, r["id"])]
        body = "".join(evidence.test_block(summary, t, r["id"]) for t in culprits) or \
            "".join(evidence.finding_block(f, {}) for f in r["failures"])
        blocks.append(f'<div class="evidence evidence-{escape(r["status"])}" id="evidence-{escape(r["id"])}">'
                      f'<h3>{badge(r["status"])} {escape(r["id"])} <span class="level">{escape(r["level"])}, '
                      f'{escape(r["provenance"])}</span></h3><p class="rule">{escape(r["title"])}</p>{body}</div>')
    if not blocks:
        return ""
    exchanges = evidence.cited_exchanges(cited, tests.values())
    if exchanges:
        exchanges = ('<h3 id="exchanges">The exchanges behind the findings</h3><p class="note">Each request the '
                     'findings cite, once, with every finding that cites it; where a finding names a place in the '
                     f'body, it is marked.</p>{exchanges}')
    return ('<section id="evidence"><h2>Evidence: failures and warnings</h2><p class="note">Curl commands '
            'reference credentials as environment variables: export them first. Warnings (SHOULD) never '
            f'fail a run.</p>{"".join(blocks)}{exchanges}</section>')


# -- the page --------------------------------------------------------------------------------------


def webhooks_section(summary: dict[str, Any], trend: dict[str, str] | None) -> str:
    """The webhook requirements apart (a sandbox feature outside 2026-01), and every delivery the run's receiver
    saw: which call it followed, when, to whom, what it carried."""
    hooks = summary.get("webhooks")
    if hooks is None:
        return ""
    rows = [r for r in summary["requirements"] if r["area"] == WEBHOOKS]
    state = ("The target serves the dev endpoint POST /__webhooks/subscribe: the run subscribed its loopback receiver "
             "in worlds of its own and triggered the events itself." if hooks["offered"] else
             "The target serves no dev endpoint POST /__webhooks/subscribe: the webhook requirements are not "
             "applicable.")
    deliveries = [f'<tr><td class="methods">{escape(d["trigger"])}</td><td>{escape(d["to"])}</td>'
                  f'<td>{d["after_call_ms"]:g}</td><td>{d["call_ms"]:g}</td><td>{escape(d["type"])}</td>'
                  f'<td class="methods">{escape(d["event_id"])}</td><td>{escape(d["signature"])}</td>'
                  f'<td>{escape(d["timestamp"])}</td><td>{d["answered"]}</td></tr>' for d in hooks["deliveries"]]
    seen = (f"<h3>Deliveries seen ({len(deliveries)})</h3>" + _table(
        ["After the call", "To", "Arrived (ms after the call was sent)", "The call took (ms)", "Event type",
         "Event id", "Signature", "Timestamp", "Answered"], deliveries, "matrix webhooks")) if deliveries else ""
    return (f'<section id="webhooks" class="extensions"><h2>Webhooks <span class="not-part">a sandbox feature, not '
            f'part of 2026-01</span></h2><p class="note">{state}</p>'
            f'{requirement_matrix(rows, "webhook-matrix", trend)}{seen}</section>')


def page(summary: dict[str, Any], tests: dict[str, TestOutcome], runs: list[dict[str, Any]] | None = None) -> str:
    """The whole fragment: it opens with the verdict. `runs`: the summaries kept with --history, oldest first,
    this run's last."""
    trend = history_strips(runs) if runs else None
    core = [r for r in summary["requirements"] if not r["extension"] and r["area"] != WEBHOOKS]
    ext = [r for r in summary["requirements"] if r["extension"]]
    core_methods = [m for m in summary["methods"] if not m["extension"]]
    ext_methods = [m for m in summary["methods"] if m["extension"]]
    ext_state = ("They count towards the verdict while extensions are on; run with --no-extensions to leave them "
                 "out." if summary["extensions"] else "Extensions were off for this run (--no-extensions).")
    ext_coverage = ""
    if ext_methods:
        ext_coverage = "<h3>Extension coverage</h3>" + coverage_matrix(
            summary, ext_methods, summary["requirements"], "extension-coverage")
    extension = (f'<section id="extensions" class="extensions"><h2>Proposed extensions '
                 f'<span class="not-part">not part of 2026-01</span></h2><p class="note">The three proposed '
                 f'methods are not in the 2026-01 contract. {ext_state}</p>'
                 f'{requirement_matrix(ext, "extension-matrix", trend)}{ext_coverage}</section>')
    return (f"<style>{style()}</style><div id=\"conformance\">{banner(summary)}{header(summary)}"
            f"{target_section(summary)}{baseline_section(summary)}{history_section(runs or [])}"
            f'<section id="requirements"><h2>Requirements (2026-01)</h2>'
            f'{requirement_matrix(core, "requirement-matrix", trend)}</section>'
            f'<section id="coverage"><h2>Coverage: method &times; area</h2><p class="note">Per method: '
            f'did it answer 2xx, and the requirements of each area that touch it (failed and warned ones by id; '
            f'hover a cell for all).</p>{coverage_matrix(summary, core_methods, core, "coverage-matrix")}</section>'
            f'{extension}{webhooks_section(summary, trend)}{evidence_section(summary, tests)}<h2>Tests</h2></div>')
