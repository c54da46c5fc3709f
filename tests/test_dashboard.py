"""conformance/report/dashboard.py: one page for a nightly run's targets, from the folders its jobs upload."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance.report import dashboard, history

RUN_URL = "https://github.com/acme/conformance/actions/runs/42"


def summary(verdict: str = "pass", base_url: str = "https://api.example", day: int = 28,
            **statuses: str) -> dict[str, Any]:
    failed = sum(s == "failed" for s in statuses.values())
    return {"verdict": verdict, "finished_at": f"2026-11-{day:02d}T03:17:00Z", "target": {"base_url": base_url},
            "levels": [f"MUST: {len(statuses) - failed} passed, {failed} failed", "SHOULD: 3 passed, 0 warned"],
            "requirements": [{"id": rid.replace("_", "-"), "status": s} for rid, s in statuses.items()]}


def target_folder(parent: Path, name: str, data: dict[str, Any] | None, exit_code: str | None = "0",
                  nights: int = 0) -> Path:
    """A folder as the nightly uploads it: target.json, reports/summary.json, history/."""
    folder = parent / f"conformance-target-{name}"
    folder.mkdir(parents=True)
    (folder / "target.json").write_text(json.dumps({
        "name": name, "base_url": f"https://{name}.example", "artifact": folder.name, "exit_code": exit_code}))
    if data is not None:
        (folder / "reports").mkdir()
        (folder / "reports" / "summary.json").write_text(json.dumps(data))
    for day in range(1, nights + 1):
        history.record(folder / "history", summary(day=day, WIRE_001="passed"))
    return folder


class Page(HTMLParser):
    """Collects what a reader would object to: scripts, event handlers, external resources."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (name in ("src", "href") and tag != "a") or tag == "script":
                self.bad.append(f"{tag} {name}={value}")
        if tag in ("script", "link", "img", "iframe"):
            self.bad.append(tag)


def run(tmp_path: Path, *args: str) -> tuple[str, str]:
    out = tmp_path / "out"
    assert dashboard.main(["--out", str(out), *args]) == 0
    return (out / "dashboard.html").read_text(), (out / "dashboard.md").read_text()


def test_every_target_gets_its_verdict_levels_and_artifact(tmp_path: Path) -> None:
    nights = tmp_path / "targets"
    target_folder(nights, "rails-sandbox", summary(WIRE_001="passed"), nights=3)
    target_folder(nights, "acme", summary("fail", WIRE_001="failed", AUTH_001="failed"), exit_code="1")
    html, md = run(tmp_path, "--run-url", RUN_URL, str(nights))
    assert "2 targets: 1 conform, 1 do not conform, 0 without a verdict" in html
    for text in (html, md):
        assert "CONFORMS" in text and "DOES NOT CONFORM" in text
        assert "MUST: 1 passed, 0 failed" in text and "MUST: 0 passed, 2 failed" in text
        assert "failed: WIRE-001, AUTH-001" in text
        assert "conformance-target-rails-sandbox" in text and "conformance-target-acme" in text
        assert "https://rails-sandbox.example" in text
    assert f'<a href="{RUN_URL}#artifacts">conformance-target-acme</a>' in html
    assert f"[`conformance-target-acme`]({RUN_URL}#artifacts)" in md
    assert html.count("<svg") == 1, "the trend of the target with history, none for the other"


def test_a_listed_target_without_results_shows_no_summary(tmp_path: Path) -> None:
    nights = tmp_path / "targets"
    target_folder(nights, "rails-sandbox", summary(WIRE_001="passed"))
    target_folder(nights, "crashed", None, exit_code="2")  # the job uploaded target.json only
    listed = [{"name": "rails-sandbox", "base_url": "https://rails-sandbox.example"},
              {"name": "never-ran", "base_url": "https://never.example", "artifact": "conformance-target-never-ran"},
              {"name": "crashed", "base_url": "https://crashed.example"}]
    (tmp_path / "targets.json").write_text(json.dumps(listed))
    html, md = run(tmp_path, f"--targets={tmp_path / 'targets.json'}", str(nights))
    assert md.count(dashboard.NO_SUMMARY) == 2 and html.count(dashboard.NO_SUMMARY) == 2
    rows = [line for line in md.splitlines() if line.startswith("| **")]
    assert [row.split("**")[1] for row in rows] == ["rails-sandbox", "never-ran", "crashed"], "in the run's order"
    assert "https://never.example" in md and "conformance-target-never-ran" not in md, "nothing was uploaded"
    assert "[`conformance-target-crashed`]" not in md and "`conformance-target-crashed`" in md, "no run URL given"
    assert "1 conform, 0 do not conform, 2 without a verdict" in md


def test_an_unusable_target_is_named_as_such_even_with_a_summary(tmp_path: Path) -> None:
    target_folder(tmp_path / "t", "down", summary(WIRE_001="passed"), exit_code="4")
    _, md = run(tmp_path, str(tmp_path / "t"))
    assert dashboard.UNUSABLE in md and "CONFORMS" not in md


def test_summary_files_and_single_target_folders_are_inputs_too(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "summary.json").write_text(json.dumps(summary("fail", "https://acme.example",
                                                                       WIRE_001="failed")))
    (tmp_path / "beta").mkdir()
    (tmp_path / "beta" / "summary.json").write_text(json.dumps(summary(base_url="https://beta.example",
                                                                       WIRE_001="passed")))
    _, md = run(tmp_path, str(tmp_path / "acme" / "summary.json"), str(tmp_path / "beta"))
    assert "| **acme** `https://acme.example` | DOES NOT CONFORM |" in md
    assert "| **beta** `https://beta.example` | CONFORMS |" in md


def test_html_is_self_contained_and_escapes_what_targets_name(tmp_path: Path) -> None:
    folder = target_folder(tmp_path / "t", "evil", summary(WIRE_001="passed"), nights=2)
    meta = json.loads((folder / "target.json").read_text())
    (folder / "target.json").write_text(json.dumps({**meta, "base_url": "https://x.example/<script>alert(1)</script>"}))
    html, _ = run(tmp_path, "--run-url", RUN_URL, str(tmp_path / "t"))
    page = Page()
    page.feed(html)
    assert not page.bad, page.bad
    assert "<style>" in html and "&lt;script&gt;" in html
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    ET.fromstring(svg)  # the inline trend is well-formed


def test_markdown_cells_cannot_break_the_table(tmp_path: Path) -> None:
    data = summary(WIRE_001="passed")
    data["levels"] = ["MUST: 1 passed | injected", "line\nbreak"]
    target_folder(tmp_path / "t", "pipes", data)
    _, md = run(tmp_path, str(tmp_path / "t"))
    row = next(line for line in md.splitlines() if line.startswith("| **pipes**"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 5, "four cells"
    assert "passed \\| injected<br>line break" in row


def test_no_targets_still_writes_a_page(tmp_path: Path) -> None:
    (tmp_path / "targets.json").write_text("[]")
    html, md = run(tmp_path, f"--targets={tmp_path / 'targets.json'}", str(tmp_path / "absent"))
    assert "no targets" in html and "0 targets" in md


def test_unreadable_target_list_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "targets.json").write_text("{not json")
    with pytest.raises(SystemExit) as exc:
        dashboard.main(["--out", str(tmp_path / "out"), f"--targets={tmp_path / 'targets.json'}"])
    assert exc.value.code == 2


def test_runs_as_a_module(tmp_path: Path) -> None:
    target_folder(tmp_path / "t", "rails-sandbox", summary(WIRE_001="passed"))
    done = subprocess.run([sys.executable, "-m", "conformance.report.dashboard", f"--out={tmp_path / 'out'}",
                           str(tmp_path / "t")], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1 target: 1 conform, 0 do not conform, 0 without a verdict"
    assert (tmp_path / "out" / "dashboard.html").is_file() and (tmp_path / "out" / "dashboard.md").is_file()
