"""The conformance report: baseline comparison, the HTML requirement view, summary.json's documented shape."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.report import baseline, replay, summary
from conformance.report import page as report_page
from conformance.requirements import catalogue
from conformance.requirements.catalogue import EXT, WEBHOOKS
from conformance.target import PROFILES, Credential, Grant, Target
from conformance.target.spec_source import SpecSource
from conformance.verdict.findings import Finding, HandOver, WebhookDelivery
from conformance.verdict.results import ERRORED, FAILED, PASSED, SKIPPED, WARNED, RunResults
from conformance.wire.pace import Pace
from tests.suite_runner import SUMMARY_SCHEMA, SuiteRun, run_suite, validated

SECRET = "partly_demo_repairer_3f8a1c0d9e2b4a67b1c2"
CORE = ("businesses.list", "integrations.insert", "repairer.jobs.get", "repairer.jobs.parts.insert")


# -- baseline ------------------------------------------------------------------------------------


def rows(**statuses: str) -> list[dict[str, str]]:
    return [{"id": rid.replace("_", "-"), "status": status} for rid, status in statuses.items()]


def test_baseline_names_regressions_fixes_new_and_gone() -> None:
    before = {"A-1": PASSED, "A-2": WARNED, "A-3": PASSED, "A-4": FAILED, "A-5": SKIPPED, "A-6": PASSED,
              "OLD-1": PASSED}
    now = rows(A_1=FAILED, A_2=FAILED, A_3=WARNED, A_4=PASSED, A_5=FAILED, A_6=SKIPPED, NEW_1=PASSED)
    c = baseline.compare("base.json", before, now)
    assert [x["id"] for x in c.regressed] == ["A-1", "A-2", "A-3"]
    assert c.fixed == [{"id": "A-4", "before": FAILED, "after": PASSED}]
    assert c.new == [{"id": "NEW-1", "before": None, "after": PASSED}]
    assert c.gone == [{"id": "OLD-1", "before": PASSED, "after": None}]
    assert c.to_dict()["path"] == "base.json"
    lines = c.lines()
    assert lines[0] == "since baseline base.json: 3 regressed, 1 fixed, 1 new, 1 gone"
    assert "  regressed: A-1 (passed -> failed), A-2 (warned -> failed), A-3 (passed -> warned)" in lines


def test_baseline_unchanged_is_no_change() -> None:
    c = baseline.compare("b", {"A-1": PASSED}, rows(A_1=PASSED))
    assert not c.changed and c.lines() == ["since baseline b: 0 regressed, 0 fixed, 0 new, 0 gone"]


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read it"), ("{not json", "not JSON"), ('{"verdict": "pass"}', "not a summary.json"),
    ('{"requirements": [{"id": "A"}]}', "not a summary.json"),
])
def test_unusable_baseline_is_a_clear_error(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "summary.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.load(path)


def test_missing_baseline_is_a_usage_error(tmp_path: Path) -> None:
    run = run_suite(tmp_path / "reports", "--baseline", str(tmp_path / "nope.json"), timeout=60)
    assert run.returncode == 4, run.output
    assert f"--baseline {tmp_path / 'nope.json'}: cannot read it" in run.output


# -- the HTML requirement view, from a synthetic run ---------------------------------------------


def target(embedded: bool = False, extensions: bool = True) -> Target:
    return Target(base_url="https://api.example.test", tenant="conformance-t1",
                  repairer=Credential("repairer", SECRET, "id-1"), supplier=Credential("supplier", "s" * 20, "id-2"),
                  grant=Grant("client", "secret_demo_8f3a", "ac_demo_valid_15m"), profile=PROFILES["quick"],
                  extensions=extensions, spec=SpecSource("bundled", "/spec/openapi.json", "ab" * 32, {}),
                  embedded=embedded, started_at=time.time() - 5)


def exchange(**changes: Any) -> dict[str, Any]:
    return {"verb": "POST", "url": "https://api.example.test/api/2026-01/repairer.jobs.get",
            "request_headers": {"Authorization": "Bearer ${CONFORMANCE_REPAIRER_KEY}"}, "request_body": "{}",
            "status": 500, "response_content_type": "text/plain", "response_body": "boom", "elapsed_ms": 3.0,
            "method": "repairer.jobs.get", "id": "ex-wire",
            "curl": "curl -sS -X POST https://api.example.test/api/2026-01/repairer.jobs.get "
                    '-H "Authorization: Bearer ${CONFORMANCE_REPAIRER_KEY}" --data-raw \'{}\'', **changes}


# a listing that two warnings cite, one at a place in its body
LISTING = exchange(id="ex-listing", method="businesses.list", status=200, response_content_type="application/json",
                   response_body=json.dumps({"items": [{"id": "b1", "price": 12.5}]}))


DELIVERY = WebhookDelivery("repairer.jobs.insert", "repairer", 4.5, 3.1, "ev-1", "job.inserted", "valid", "fresh", 204)


def synthetic(extensions: bool = True) -> tuple[dict[str, Any], RunResults]:
    """A run where WIRE-002 failed on repairer.jobs.get (with evidence), SCHEMA-002 and WIRE-005 warned on one
    exchange, the rest passed."""
    t = target(extensions=extensions)
    t.register_secrets()  # as the plugin does for every run
    results = RunResults([*CORE, *EXT] if extensions else list(CORE), "" if extensions else
                         "extensions are off (--no-extensions)")
    ids = [r.id for r in catalogue.CATALOGUE]
    ex = exchange()
    evidence = f"$ {ex['curl']}\n-> 500 text/plain (3 ms)\nboom"
    results.add("conformance/test_x.py::test_wire", "call", FAILED,
                HandOver(findings=(Finding("WIRE-002", "repairer.jobs.get answered text/plain", evidence),),
                         exchanges=(ex,), requests=1, reached=("repairer.jobs.get",)), ["WIRE-002"], "AssertionError",
                0.1)
    results.add("conformance/test_x.py::test_schema", "call", WARNED,
                HandOver(findings=(Finding("SCHEMA-002", f"$.items[0].price: odd money ({SECRET})",
                                           path="$.items[0].price", exchange="ex-listing"),
                                   Finding("WIRE-005", "businesses.list: text/plain accepted", exchange="ex-listing")),
                         exchanges=(ex, LISTING), requests=2, succeeded=tuple(results.in_scope),
                         reached=tuple(results.in_scope)), ["SCHEMA-002"], "", 0.1)
    results.add("conformance/test_x.py::test_all", "call", PASSED, HandOver(requests=3, webhooks=(DELIVERY,)), ids,
                "", 0.1)
    data = summary.build(t, results, results.results(), "1234", time.time())
    return data, results


@pytest.fixture(scope="module")
def page() -> str:
    data, results = synthetic()
    data["baseline"] = baseline.compare("/tmp/base.json", {"WIRE-002": PASSED, "X-9": PASSED},
                                        data["requirements"]).to_dict()
    return report_page.page(data, results.tests)


def test_page_opens_with_the_verdict(page: str) -> None:
    assert page.index('id="verdict"') < page.index('id="run-header"') < page.index('id="requirement-matrix"')
    assert "DOES NOT CONFORM" in page
    assert "MUST: " in page and "SHOULD: " in page


def test_requirement_matrix_has_a_row_per_catalogue_id(page: str) -> None:
    for r in catalogue.CATALOGUE:
        assert f'id="req-{r.id}"' in page, r.id
    wire = page[page.index('id="req-WIRE-002"'):].split("</tr>", 1)[0]
    assert 'class="row-failed"' in wire and ">fail<" in wire and 'href="#evidence-WIRE-002"' in wire
    schema2 = page[page.index('id="req-SCHEMA-002"'):].split("</tr>", 1)[0]
    assert ">warn<" in schema2 and "inferred" in schema2 and "SHOULD" in schema2
    assert "<details class=\"sources\">" in wire and "NOTES.md:19, documented" in wire  # the quote it rests on
    assert "<q>Request and response bodies are JSON (`application/json`).</q>" in wire


def test_the_target_section_says_what_the_probe_found_and_what_to_pass() -> None:
    data, results = synthetic()
    data["probe"] = ["tenants: the tenant header is ignored", "extensions: the target does not offer them"]
    data["hints"] = ["pass --procurement ID (an existing procurement, read-only) to check the procurement methods"]
    data["served_spec"] = {"location": "https://api.example.test/openapi.json", "sha256": "0" * 64,
                           "differences": ["tier1.prepare: not served"]}
    section = report_page.page(data, results.tests).split('id="target"', 1)[1].split("</section>", 1)[0]
    for text in (*data["probe"], *data["hints"], "tier1.prepare: not served", "1 difference(s)"):
        assert text in section


def test_header_names_the_run(page: str) -> None:
    header = page[page.index('id="run-header"'):].split("</dl>", 1)[0]
    for field in ("https://api.example.test", "bundled: /spec/openapi.json", "ab" * 32, "0.1.0", "Schemathesis",
                  "quick", "1234", "conformance-t1", "Started", "Finished", "Requests sent", "/tmp/base.json"):
        assert field in header, field


def test_coverage_matrix_has_a_row_per_method_and_a_column_per_area(page: str) -> None:
    coverage = page[page.index('id="coverage-matrix"'):].split("</table>", 1)[0]
    for method in CORE:
        assert f'<td class="method">{method}</td>' in coverage
    for area in ("schema", "wire", "auth", "errors", "lifecycle", "identity", "coverage"):
        assert f"<th>{area}</th>" in coverage
    jobs_get = coverage[coverage.index("<td class=\"method\">repairer.jobs.get"):].split("</tr>", 1)[0]
    failed_badge = '<span class="badge st-failed">WIRE-002</span>'
    assert failed_badge in jobs_get  # the failure is placed on the method its finding names
    listing = coverage[coverage.index("<td class=\"method\">businesses.list"):].split("</tr>", 1)[0]
    assert failed_badge not in listing and "WIRE-002 pass" in listing


def test_extensions_have_their_own_section(page: str) -> None:
    section = page[page.index('id="extensions"'):page.index('id="webhooks"')]
    assert "not part of 2026-01" in section
    for r in catalogue.CATALOGUE:
        assert (f'id="req-{r.id}"' in section) == r.extension, r.id
    assert 'id="extension-coverage"' in section


def test_webhooks_have_their_own_section_with_each_delivery_and_verdict(page: str) -> None:
    core = page[page.index('id="requirements"'):page.index('id="extensions"')]
    section = page[page.index('id="webhooks"'):page.index('id="evidence"')]
    assert "a sandbox feature, not part of 2026-01" in section
    for r in catalogue.CATALOGUE:
        assert (f'id="req-{r.id}"' in section) == (r.area == catalogue.WEBHOOKS), r.id
        assert (f'id="req-{r.id}"' in core) == (r.area != catalogue.WEBHOOKS and not r.extension), r.id
    delivery = section[section.index("Deliveries seen (1)"):].split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert all(f">{cell}<" in delivery for cell in ("repairer", "4.5", "3.1", "job.inserted", "ev-1", "valid", "fresh",
                                                    "204"))


def test_failure_evidence_reproduces_with_curl_and_replay(page: str) -> None:
    block = page[page.index('id="evidence-WIRE-002"'):]
    assert "export CONFORMANCE_REPAIRER_KEY=" in block
    assert "curl -sS -X POST https://api.example.test/api/2026-01/repairer.jobs.get" in block
    assert ("conformance --hypothesis-seed=1234 --base-url https://api.example.test --tenant conformance-t1 "
            "--profile quick --spec bundled conformance/test_x.py::test_wire") in block
    assert SECRET not in page and "${CONFORMANCE_REPAIRER_KEY}" in page
    assert 'class="evidence evidence-warned" id="evidence-SCHEMA-002"' in page  # a warning, not a failure


def test_an_exchange_is_shown_once_with_every_finding_that_cites_it(page: str) -> None:
    assert page.count('id="exchange-ex-listing"') == 1 and page.count('href="#exchange-ex-listing"') == 2
    block = page[page.index('id="exchange-ex-listing"'):].split("</pre></div>", 1)[0]
    assert 'href="#evidence-SCHEMA-002"' in block and 'href="#evidence-WIRE-005"' in block
    assert '<mark>      "price": 12.5</mark>' in block and '<mark>      "id"' not in block
    assert page.index('id="evidence-WIRE-005"') < page.index('id="exchanges"') < page.index('id="exchange-ex-listing"')


def test_history_shows_each_requirement_run_by_run_and_the_pass_count() -> None:
    data, results = synthetic()
    earlier = [{**data, "finished_at": f"2026-11-2{day}T03:17:00Z",
                "requirements": [{**r, "status": PASSED} for r in data["requirements"]]} for day in (5, 6)]
    text = report_page.page(data, results.tests, [*earlier, data])
    section = text[text.index('id="history"'):].split("</section>", 1)[0]
    assert "3 runs kept with --history" in section and section.count("<rect ") == 3
    wire = text[text.index('id="req-WIRE-002"'):].split("</tr>", 1)[0]
    assert wire.count("<rect ") == 3 and "<title>2026-11-25T03:17:00Z: passed</title>" in wire
    assert f"<title>{data['finished_at']}: failed</title>" in wire
    assert "<th>History</th>" in text and "<script" not in text
    assert "<th>History</th>" not in report_page.page(data, results.tests)  # no --history, no column


def test_a_run_with_history_keeps_its_summary_and_shows_the_runs_kept(tmp_path: Path) -> None:
    kept, one_test = tmp_path / "history", "test_generated and businesses.list"
    first = run_suite(tmp_path / "first", "-k", one_test, "--history", str(kept), timeout=120)
    second = run_suite(tmp_path / "second", "-k", one_test, f"--history={kept}", timeout=120)
    assert first.returncode == second.returncode == 0, second.output[-2000:]
    assert sorted(json.loads(p.read_text())["finished_at"] for p in kept.glob("*.json")) == [
        first.summary["finished_at"], second.summary["finished_at"]]
    html = (second.reports / "conformance.html").read_text()
    assert "2 runs kept with --history" in html and 'class="trend"' in html


def test_baseline_changes_are_shown(page: str) -> None:
    section = page[page.index('id="baseline"'):].split("</section>", 1)[0]
    assert "WIRE-002" in section and "regressed" in section and "X-9" in section


def test_extensions_off_are_said_so() -> None:
    data, results = synthetic(extensions=False)
    text = report_page.page(data, results.tests)
    assert "Extensions were off for this run" in text and 'id="extension-coverage"' not in text


def test_replay_options_follow_the_run() -> None:
    data, _ = synthetic()
    data["target"].update(embedded_sandbox=True, tenant=None)
    expected = "conformance --hypothesis-seed=1234 --no-tenant --profile quick 'a.py::t[x y]'"
    assert replay.command(data, "a.py::t[x y]") == expected
    assert replay.exports("${CONFORMANCE_SUPPLIER_KEY} ${MINTED_API_KEY}")[0].startswith(
        "export CONFORMANCE_SUPPLIER_KEY=")


def test_synthetic_summary_validates_against_the_schema() -> None:
    data, _ = synthetic()
    validated(data)
    data["baseline"] = baseline.compare("b.json", {"WIRE-002": PASSED}, data["requirements"]).to_dict()
    validated(data)
    with pytest.raises(jsonschema.ValidationError):
        validated({**data, "verdict": "maybe"})


def incomplete() -> dict[str, Any]:
    """A run in which no MUST failed and not every MUST could be checked: a check not applicable, one that could
    not complete, the rest never run; a method with no 2xx (COV-001's findings); on a target that serves a spec
    of its own and webhooks, at a pace of its own; compared with a baseline."""
    t = replace(target(), webhooks=True, probe_notes=("tenants: the tenant header is ignored",),
                served_spec={"location": "https://api.example.test/openapi.json", "sha256": "0" * 64,
                             "differences": ["tier1.prepare: not served"]},
                pace=Pace(concurrency=8, max_rps=5.0, processes=2, latency_ms=54.2))
    results = RunResults(list(CORE))
    webhook_ids = [r.id for r in catalogue.CATALOGUE if r.area == WEBHOOKS]
    refused = replace(DELIVERY, trigger="repairer.jobs.insert (refused once)", signature="missing",
                      timestamp="stale", answered=503)
    results.add("conformance/test_x.py::test_webhooks", "call", PASSED,
                HandOver(requests=2, succeeded=CORE[:3], reached=CORE, webhooks=(DELIVERY, refused), retries=1,
                         waited_s=0.5), webhook_ids, "", 0.2)
    results.add("conformance/test_x.py::test_tenants", "call", SKIPPED,
                HandOver(not_applicable="no tenants here", hints=("pass --tenant NAME",)), ["TENANT-001"], "", 0.0)
    results.add("conformance/test_x.py::test_lifecycle", "call", ERRORED, HandOver(requests=1), ["LIFE-001"],
                "KeyError: 'status'", 0.1)
    results.add("conformance/test_x.py::test_scope", "setup", SKIPPED, HandOver(), ["SCOPE-001"], "no foreign job", 0)
    data = summary.build(t, results, results.results(), "1234", time.time())
    data["baseline"] = baseline.compare("b.json", {"LIFE-001": PASSED, "X-9": FAILED}, data["requirements"]).to_dict()
    return data


def test_an_incomplete_run_summary_validates_against_the_schema() -> None:
    data = incomplete()
    assert data["verdict"] == "incomplete"
    assert {r["status"] for r in data["requirements"]} == {"passed", "warned", "not_applicable", "not_verified"}
    assert {t["status"] for t in data["tests"]} == {"passed", "not_applicable", "errored", "skipped"}
    assert len(data["webhooks"]["deliveries"]) == 2 and data["served_spec"] and data["baseline"]["gone"]
    assert data["politeness"] == {"max_rps": 5.0, "retries": 1, "waited_s": 0.5}
    validated(data)
    delivery = data["webhooks"]["deliveries"][0]
    for unknown in ({**data, "extra": 1},
                    {**data, "webhooks": {**data["webhooks"], "deliveries": [{**delivery, "extra": 1}]}}):
        with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
            validated(unknown)


def object_schemas(node: dict[str, Any], where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema of an object within `node` (itself included), with where it is."""
    if node.get("type") == "object" or "properties" in node:
        yield where, node
    for keyword in ("properties", "$defs"):
        for name, schema in node.get(keyword, {}).items():
            yield from object_schemas(schema, f"{where}.{keyword}.{name}")
    for keyword in ("oneOf", "anyOf", "allOf"):
        for n, schema in enumerate(node.get(keyword, [])):
            yield from object_schemas(schema, f"{where}.{keyword}[{n}]")
    for keyword in ("items", "additionalProperties"):
        if isinstance(node.get(keyword), dict):
            yield from object_schemas(node[keyword], f"{where}.{keyword}")


def open_objects(schema: dict[str, Any]) -> list[str]:
    return [where for where, node in object_schemas(schema) if node.get("additionalProperties") is not False]


def test_the_schema_is_closed_and_requires_every_key_always_written() -> None:
    """Closed: a key the schema does not name is refused, wherever it is, so a key `summary.build` adds must be
    described first. Required: every key but the two COV-001's findings do not have."""
    jsonschema.Draft202012Validator.check_schema(SUMMARY_SCHEMA)
    objects = dict(object_schemas(SUMMARY_SCHEMA))
    assert {"$.properties.webhooks.properties.deliveries.items", "$.properties.baseline.oneOf[1]",
            "$.$defs.requirement.properties.failures.items", "$.$defs.changes.items"} <= set(objects)
    assert open_objects(SUMMARY_SCHEMA) == []
    optional = {where: sorted(set(node["properties"]) - set(node.get("required", [])))
                for where, node in objects.items() if set(node["properties"]) - set(node.get("required", []))}
    assert optional == {"$.$defs.requirement.properties.failures.items": ["exchange", "path"]}
    nested = {"type": "object", "additionalProperties": False,
              "properties": {"a": {"type": "array", "items": {"type": "object", "properties": {}}}}}
    assert open_objects(nested) == ["$.properties.a.items"]  # the check finds an open object, however deep


# -- a whole run: what it wrote ------------------------------------------------------------------


def test_run_writes_the_three_reports(clean_run: SuiteRun) -> None:
    for name in ("conformance.html", "summary.json", "junit.xml"):
        assert (clean_run.reports / name).is_file(), name


def test_run_summary_validates_against_the_schema(clean_run: SuiteRun) -> None:
    """A SuiteRun validates its summary on every read (tests/suite_runner.py)."""
    assert {r["id"] for r in clean_run.summary["requirements"]} == {r.id for r in catalogue.CATALOGUE}


def test_run_html_has_the_requirement_view(clean_run: SuiteRun) -> None:
    text = (clean_run.reports / "conformance.html").read_text()
    word = "CONFORMS" if clean_run.summary["verdict"] == "pass" else "DOES NOT CONFORM"
    assert f'<div class="verdict-word">{word}</div>' in text
    for r in catalogue.CATALOGUE:
        assert f'id="req-{r.id}"' in text, r.id
    assert "not part of 2026-01" in text
    assert "<link " not in text and "<script src" not in text  # self-contained


def test_terminal_summary_ends_with_one_line_per_level(clean_run: SuiteRun) -> None:
    lines = [line for line in clean_run.output.splitlines() if line.strip()]
    last = next(i for i in range(len(lines) - 1, -1, -1) if lines[i].startswith("SHOULD: "))
    assert lines[last - 1].startswith("MUST: ")
    assert all(line.startswith("=") or " in " in line for line in lines[last + 1:]), lines[last + 1:]
    assert any(line.startswith("verdict: ") for line in lines[last - 6:last - 1])
