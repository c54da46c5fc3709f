"""Memory across nights: the last summaries of one target, and small inline SVGs of how they went.

Why: a single night says whether a server conforms; only a row of nights says whether a failure is new,
flaky or chronic. The nightly workflow keeps one `history/` directory per target (rolled forward through
actions/cache); this module reads and writes it and draws from it. Data in, strings out: no pytest, no
third-party import, so the dashboard job and the report can both use it without installing the suite.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

KEEP = 30  # nights per target
MISSING = "missing"  # the requirement was not in that night's summary (new, or gone from the catalogue)
COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "warned": "#f9a825", "skipped": "#9e9e9e",
           "not_verified": "#e8590c", "not_applicable": "#9e9e9e", MISSING: "#ffffff"}
_STAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$")


def _stamp(summary: dict[str, Any]) -> str:
    """A sortable UTC stamp (20261128T031700Z) from the summary's finished_at, else from now."""
    match = _STAMP.match(str(summary.get("finished_at", "")))
    if match:
        return "{}{}{}T{}{}{}Z".format(*match.groups())
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def record(history_dir: str | Path, summary: dict[str, Any], keep: int = KEEP) -> Path:
    """Write `summary` into `history_dir` and delete all but the newest `keep` summaries.

    The name is the finish time plus a digest of the content, so names sort by time, two runs finishing
    in the same second do not overwrite each other, and recording the same summary twice is one file."""
    directory = Path(history_dir)
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary, indent=1, sort_keys=True) + "\n"
    path = directory / f"{_stamp(summary)}-{hashlib.sha256(text.encode()).hexdigest()[:8]}.json"
    path.write_text(text)
    names = sorted(directory.glob("*.json"))
    for old in names[:max(len(names) - keep, 0)]:
        old.unlink()
    return path


def load_one(path: str | Path) -> dict[str, Any] | None:
    """A summary file's data; None when it is unreadable or not a summary."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("requirements"), list) else None


def load(history_dir: str | Path, limit: int = KEEP) -> list[dict[str, Any]]:
    """The newest `limit` summaries, oldest first. Unreadable or foreign files are skipped: a damaged cache
    must cost one night of the trend, not the report."""
    directory = Path(history_dir)
    if not directory.is_dir() or limit <= 0:
        return []
    summaries = [s for s in map(load_one, sorted(directory.glob("*.json"))) if s is not None]
    return summaries[-limit:]


def _statuses(summary: dict[str, Any]) -> dict[str, str]:
    return {str(r["id"]): str(r.get("status", MISSING)) for r in summary.get("requirements", [])
            if isinstance(r, dict) and "id" in r}


def requirement_series(summaries: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Requirement id -> its status night by night (aligned with `summaries`; `missing` where a night does
    not list it). Ids in the newest night's order, then those only older nights knew."""
    nights = [_statuses(s) for s in summaries]
    ids = list(dict.fromkeys(rid for night in reversed(nights) for rid in night))
    return {rid: [night.get(rid, MISSING) for night in nights] for rid in ids}


def pass_counts(summaries: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """(finished_at, how many requirements passed) per night."""
    return [(str(s.get("finished_at", "")), sum(status == "passed" for status in _statuses(s).values()))
            for s in summaries]


def svg_strip(statuses: Sequence[str], labels: Sequence[str] | None = None, size: int = 10) -> str:
    """One square per night, coloured by status, each with a <title> (its label, e.g. the night's date,
    and the status) so a hover names it; no script."""
    gap = 2
    width = max(len(statuses) * (size + gap) - gap, 1)
    squares = []
    for i, status in enumerate(statuses):
        label = labels[i] if labels is not None and i < len(labels) else f"night {i + 1} of {len(statuses)}"
        colour = COLOURS.get(status, COLOURS[MISSING])
        squares.append(f'<rect x="{i * (size + gap)}" y="0" width="{size}" height="{size}" fill="{colour}" '
                       f'stroke="#757575" stroke-width="0.5"><title>{escape(f"{label}: {status}")}</title></rect>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{size}" '
            f'viewBox="0 0 {width} {size}" role="img">{"".join(squares)}</svg>')


def svg_pass_counts(points: Sequence[tuple[str, int]], height: int = 24, bar: int = 6) -> str:
    """A tiny bar chart of passed requirements per night (the bars scaled to the best night), with a
    <title> per bar."""
    gap = 1
    width = max(len(points) * (bar + gap) - gap, 1)
    top = max((count for _, count in points), default=0) or 1
    bars = []
    for i, (when, count) in enumerate(points):
        h = max(round(count / top * height), 1)
        title = escape(f"{when or 'unknown time'}: {count} passed")
        bars.append(f'<rect x="{i * (bar + gap)}" y="{height - h}" width="{bar}" height="{h}" fill="#1565c0">'
                    f'<title>{title}</title></rect>')
    empty = "" if points else "<title>no history yet</title>"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img">{empty}{"".join(bars)}</svg>')
