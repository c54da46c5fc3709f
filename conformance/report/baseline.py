"""`--baseline PATH`: what changed since an earlier run, requirement by requirement.

The nightly report must answer "what changed?" as well as "does it conform?": comparing each
requirement's status with an earlier summary.json names what regressed, what was fixed, what is new
in the catalogue and what is gone from it. A skip on either side is no change: nothing was measured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.verdict.results import FAILED, PASSED, WARNED

RANK = {PASSED: 0, WARNED: 1, FAILED: 2}  # worse is higher; skipped has no rank


class BaselineError(ValueError):
    """The baseline cannot be used: missing, unreadable, or not a summary.json."""


def load(path: str | Path) -> dict[str, str]:
    """Requirement id -> status from an earlier summary.json."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise BaselineError(f"--baseline {path}: cannot read it ({exc.strerror or exc})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"--baseline {path}: not JSON ({exc})") from None
    rows = data.get("requirements") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "id" in r and "status" in r for r in rows):
        raise BaselineError(f"--baseline {path}: not a summary.json (no requirements with id and status)")
    return {str(r["id"]): str(r["status"]) for r in rows}


@dataclass
class Comparison:
    path: str
    regressed: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "regressed": self.regressed, "fixed": self.fixed, "new": self.new,
                "gone": self.gone}

    @property
    def changed(self) -> bool:
        return bool(self.regressed or self.fixed or self.new or self.gone)

    def lines(self, limit: int = 8) -> list[str]:
        """For the terminal, a few lines: the counts, then the changed ids per kind (with before -> after for
        regressions and fixes, which are what a reader acts on)."""
        lines = [f"since baseline {self.path}: {len(self.regressed)} regressed, {len(self.fixed)} fixed, "
                 f"{len(self.new)} new, {len(self.gone)} gone"]
        for label, changes in (("regressed", self.regressed), ("fixed", self.fixed), ("new", self.new),
                               ("gone", self.gone)):
            if not changes:
                continue
            shown = [f"{c['id']} ({c['before']} -> {c['after']})" if label in ("regressed", "fixed") else c["id"]
                     for c in changes[:limit]]
            more = f", and {len(changes) - limit} more" if len(changes) > limit else ""
            lines.append(f"  {label}: {', '.join(shown)}{more}")
        return lines


def compare(path: str | Path, before: dict[str, str], now: list[dict[str, Any]]) -> Comparison:
    """`now`: the current summary's requirement rows (id, status)."""
    comparison = Comparison(str(path))
    current = {r["id"]: r["status"] for r in now}
    for rid, after in current.items():
        change = {"id": rid, "before": before.get(rid), "after": after}
        if rid not in before:
            comparison.new.append(change)
        elif after in RANK and before[rid] in RANK and RANK[after] != RANK[before[rid]]:
            (comparison.regressed if RANK[after] > RANK[before[rid]] else comparison.fixed).append(change)
    comparison.gone = [{"id": rid, "before": status, "after": None} for rid, status in before.items()
                       if rid not in current]
    return comparison
