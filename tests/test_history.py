"""conformance/report/history.py: the per-target history the nightly keeps, and its SVGs (no network)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from conformance.report import history

SVG = "{http://www.w3.org/2000/svg}"


def night(day: int, **statuses: str) -> dict[str, Any]:
    """A minimal summary.json finished on 2026-11-<day>, with requirement ids and statuses."""
    return {"finished_at": f"2026-11-{day:02d}T03:17:00Z", "verdict": "pass",
            "requirements": [{"id": rid.replace("_", "-"), "status": status} for rid, status in statuses.items()]}


def test_record_names_sort_by_finish_time_and_loads_oldest_first(tmp_path: Path) -> None:
    for day in (3, 1, 2):
        history.record(tmp_path, night(day, WIRE_001="passed"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert all(re.fullmatch(r"202611\d\dT031700Z-[0-9a-f]{8}\.json", n) for n in names)
    assert [s["finished_at"][:10] for s in history.load(tmp_path)] == ["2026-11-01", "2026-11-02", "2026-11-03"]


def test_record_keeps_the_newest_30(tmp_path: Path) -> None:
    for day in range(1, 31):
        history.record(tmp_path, night(day, WIRE_001="passed"))
    newest = history.record(tmp_path, {**night(30, WIRE_001="failed"), "finished_at": "2026-12-01T03:17:00Z"})
    assert newest.exists() and len(list(tmp_path.glob("*.json"))) == 30
    loaded = history.load(tmp_path)
    assert loaded[0]["finished_at"].startswith("2026-11-02") and loaded[-1]["finished_at"].startswith("2026-12-01")


def test_recording_the_same_summary_twice_is_one_file_and_same_second_runs_are_two(tmp_path: Path) -> None:
    first = history.record(tmp_path, night(1, WIRE_001="passed"))
    assert history.record(tmp_path, night(1, WIRE_001="passed")) == first
    history.record(tmp_path, night(1, WIRE_001="failed"))
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_a_summary_without_a_finish_time_is_recorded_now(tmp_path: Path) -> None:
    path = history.record(tmp_path, {"requirements": []})
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}\.json", path.name)


def test_load_skips_unreadable_and_foreign_files_and_a_missing_directory(tmp_path: Path) -> None:
    assert history.load(tmp_path / "absent") == []
    history.record(tmp_path, night(2, WIRE_001="passed"))
    (tmp_path / "20261101T000000Z-broken.json").write_text("{not json")
    (tmp_path / "20261101T000001Z-binary.json").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "20261101T000002Z-list.json").write_text("[1, 2]")
    (tmp_path / "20261101T000003Z-other.json").write_text(json.dumps({"verdict": "pass"}))
    (tmp_path / "20261101T000004Z-dir.json").mkdir()
    (tmp_path / "notes.txt").write_text("not a summary")
    assert [s["finished_at"] for s in history.load(tmp_path)] == ["2026-11-02T03:17:00Z"]


def test_load_limit_takes_the_newest(tmp_path: Path) -> None:
    for day in range(1, 6):
        history.record(tmp_path, night(day, WIRE_001="passed"))
    assert [s["finished_at"][8:10] for s in history.load(tmp_path, limit=2)] == ["04", "05"]
    assert history.load(tmp_path, limit=0) == []


def test_requirement_series_aligns_statuses_by_night_with_missing_where_unlisted() -> None:
    nights = [night(1, WIRE_001="passed", GONE_001="failed"),
              night(2, WIRE_001="failed"),
              night(3, WIRE_001="passed", NEW_001="warned")]
    assert history.requirement_series(nights) == {
        "WIRE-001": ["passed", "failed", "passed"],
        "NEW-001": ["missing", "missing", "warned"],
        "GONE-001": ["failed", "missing", "missing"],
    }
    assert history.requirement_series([]) == {}


def test_pass_counts_per_night() -> None:
    nights = [night(1, A="passed", B="passed", C="failed"), night(2, A="passed", B="skipped", C="warned")]
    assert history.pass_counts(nights) == [("2026-11-01T03:17:00Z", 2), ("2026-11-02T03:17:00Z", 1)]


def test_svg_strip_one_titled_square_per_night_coloured_by_status() -> None:
    statuses = ["passed", "failed", "warned", "skipped", "missing"]
    svg = history.svg_strip(statuses, labels=["2026-11-01", "b", "c", "d", "<e&>"])
    root = ET.fromstring(svg)  # well-formed XML, titles escaped
    rects = root.findall(f"{SVG}rect")
    assert [r.get("fill") for r in rects] == [history.COLOURS[s] for s in statuses]
    assert [r.find(f"{SVG}title").text for r in rects][::4] == ["2026-11-01: passed", "<e&>: missing"]
    assert "<script" not in svg and not any(name.startswith("on") for r in rects for name in r.attrib)
    assert ET.fromstring(history.svg_strip(["passed"])).find(f"{SVG}rect/{SVG}title").text == "night 1 of 1: passed"


def test_svg_pass_counts_bars_scaled_to_the_best_night() -> None:
    root = ET.fromstring(history.svg_pass_counts([("2026-11-01T03:17:00Z", 20), ("2026-11-02T03:17:00Z", 40)]))
    rects = root.findall(f"{SVG}rect")
    assert [int(r.get("height")) for r in rects] == [12, 24]
    assert rects[1].find(f"{SVG}title").text == "2026-11-02T03:17:00Z: 40 passed"
    empty = ET.fromstring(history.svg_pass_counts([]))
    assert empty.find(f"{SVG}title").text == "no history yet" and not empty.findall(f"{SVG}rect")
