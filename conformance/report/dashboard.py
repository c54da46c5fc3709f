"""One page for a whole nightly run: every target's verdict, level lines, trend and artifact.

Why: with several targets the verdicts are spread over as many jobs; someone checking the morning after
wants one page, and a target whose run crashed must show up there as such rather than be absent.

    python -m conformance.report.dashboard --out=DIR [--targets=FILE] [--run-url=URL] INPUT...

Each INPUT is a target folder, a folder of target folders, or a summary.json. A target folder is what
the nightly uploads per target (the artifact `conformance-target-<name>`): `target.json` (the target's
matrix entry and the suite's exit code), `reports/summary.json` (or `summary.json`) and `history/` (the
last nights' summaries); any of them may be missing. `--targets` is the run's target list (the matrix
JSON): a listed target with no folder still gets its row, "no summary". Writes DIR/dashboard.html
(self-contained: inline CSS and SVG, no script) and DIR/dashboard.md (for the job summary).
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from conformance.report import history
from conformance.verdict.results import VERDICT_WORDS

NO_SUMMARY = "no summary (the run crashed or the target was unusable)"
UNUSABLE = "target unusable (exit code 4: unreachable, or every credential rejected)"


@dataclass
class Target:
    """One row: a target and what its run left behind."""

    name: str
    base_url: str = ""
    artifact: str = ""
    exit_code: str | None = None
    summary: dict[str, Any] | None = None
    nights: list[dict[str, Any]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.exit_code == "4":
            return UNUSABLE
        if self.summary is None:
            return NO_SUMMARY
        return VERDICT_WORDS.get(self.summary.get("verdict", ""), "DOES NOT CONFORM")

    @property
    def state(self) -> str:
        """pass, fail or none: the row's colour."""
        if self.verdict == "CONFORMS":
            return "pass"
        return "fail" if self.verdict == "DOES NOT CONFORM" else "none"

    @property
    def levels(self) -> list[str]:
        levels = (self.summary or {}).get("levels")
        return [str(line) for line in levels] if isinstance(levels, list) else []

    @property
    def failed(self) -> list[str]:
        """The failed requirements' ids: what to look at first."""
        rows = (self.summary or {}).get("requirements") or []
        return [str(r["id"]) for r in rows if isinstance(r, dict) and r.get("status") == "failed" and "id" in r]


def _json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_target_folder(path: Path) -> bool:
    return any((path / name).is_file() for name in ("target.json", "summary.json", "reports/summary.json"))


def read_folder(path: Path) -> Target:
    """A target folder as a row; names come from target.json, else the summary, else the folder."""
    meta = _json(path / "target.json") or {}
    summary = next((s for s in map(history.load_one, (path / "summary.json", path / "reports" / "summary.json"))
                    if s is not None), None)
    base_url = meta.get("base_url") or ((summary or {}).get("target") or {}).get("base_url") or ""
    exit_code = meta.get("exit_code")
    return Target(name=str(meta.get("name") or path.name), base_url=str(base_url),
                  artifact=str(meta.get("artifact") or path.name),
                  exit_code=None if exit_code is None else str(exit_code), summary=summary,
                  nights=history.load(path / "history"))


def collect(inputs: Sequence[Path], expected: Sequence[dict[str, Any]] = ()) -> list[Target]:
    """Every target found in `inputs`, in the order of `expected` first (each listed one present, found
    or not), then the others by name."""
    found: dict[str, Target] = {}
    for path in inputs:
        if path.is_file():
            summary = history.load_one(path)
            target = Target(name=path.parent.name or path.stem, summary=summary,
                            base_url=str(((summary or {}).get("target") or {}).get("base_url") or ""))
            found[target.name] = target
        elif is_target_folder(path):
            target = read_folder(path)
            found[target.name] = target
        elif path.is_dir():
            for child in sorted(p for p in path.iterdir() if p.is_dir() and is_target_folder(p)):
                target = read_folder(child)
                found[target.name] = target
    rows = []
    for item in expected:
        name = str(item.get("name", ""))
        target = found.pop(name, None) or Target(name=name)  # no folder: no artifact to point to
        target.base_url = target.base_url or str(item.get("base_url", ""))
        rows.append(target)
    return rows + [found[name] for name in sorted(found)]


def headline(targets: Sequence[Target]) -> str:
    states = [t.state for t in targets]
    return (f"{len(targets)} target{'s' if len(targets) != 1 else ''}: {states.count('pass')} conform, "
            f"{states.count('fail')} do not conform, {states.count('none')} without a verdict")


def trend(target: Target) -> str:
    """The passed-requirements chart of the target's last nights ('' without history)."""
    return history.svg_pass_counts(history.pass_counts(target.nights)) if target.nights else ""


CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #212121; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
p.meta { color: #616161; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #e0e0e0; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #fafafa; }
tr.pass td.verdict { background: #e8f5e9; color: #1b5e20; font-weight: 600; }
tr.fail td.verdict { background: #ffebee; color: #b71c1c; font-weight: 600; }
tr.none td.verdict { background: #fff8e1; color: #e65100; font-weight: 600; }
code { font-size: 0.95em; }
"""


def render_html(targets: Sequence[Target], run_url: str = "", generated: str = "") -> str:
    rows = []
    for t in targets:
        levels = "<br>".join(escape(line) for line in t.levels)
        failed = f"<br>failed: {escape(', '.join(t.failed))}" if t.failed else ""
        artifact = escape(t.artifact) or "&ndash;"
        if run_url and t.artifact:
            artifact = f'<a href="{escape(run_url)}#artifacts">{artifact}</a>'
        rows.append(f'<tr class="{t.state}"><td><strong>{escape(t.name)}</strong><br><code>{escape(t.base_url)}'
                    f'</code></td><td class="verdict">{escape(t.verdict)}</td><td>{levels}{failed}</td>'
                    f"<td>{trend(t)}</td><td>{artifact}</td></tr>")
    run = f' &middot; <a href="{escape(run_url)}">the workflow run</a>' if run_url else ""
    body = "".join(rows) or '<tr class="none"><td colspan="5">no targets</td></tr>'
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Nightly conformance</title>'
            f"<style>{CSS}</style></head><body><h1>Nightly conformance: 2026-01 Integrations API</h1>"
            f'<p class="meta">{escape(headline(targets))}{" &middot; " + escape(generated) if generated else ""}'
            f"{run}</p><table><thead><tr><th>target</th><th>verdict</th><th>levels</th>"
            f"<th>passed, last nights</th><th>artifact</th></tr></thead><tbody>{body}</tbody></table>"
            "</body></html>\n")


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(targets: Sequence[Target], run_url: str = "") -> str:
    lines = ["## Nightly conformance", "", headline(targets), "",
             "| target | verdict | levels | artifact |", "|---|---|---|---|"]
    for t in targets:
        levels = "<br>".join(_md(line) for line in t.levels)
        if t.failed:
            levels += f"<br>failed: {_md(', '.join(t.failed))}"
        artifact = f"`{_md(t.artifact)}`" if t.artifact else "-"
        if run_url and t.artifact:
            artifact = f"[{artifact}]({run_url}#artifacts)"
        lines.append(f"| **{_md(t.name)}** `{_md(t.base_url)}` | {_md(t.verdict)} | {levels} | {artifact} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.report.dashboard",
                                     description="Write dashboard.html and dashboard.md for a nightly run.")
    parser.add_argument("--out", required=True, type=Path, help="directory to write into")
    parser.add_argument("--targets", type=Path, help="the run's target list (JSON): rows even without results")
    parser.add_argument("--run-url", default="", help="the workflow run's page, where the artifacts are")
    parser.add_argument("inputs", nargs="*", type=Path, help="target folders, folders of them, summary files")
    args = parser.parse_args(argv)
    expected: list[dict[str, Any]] = []
    if args.targets is not None:
        try:
            listed = json.loads(args.targets.read_text())
        except (OSError, ValueError) as exc:
            parser.error(f"--targets {args.targets}: {exc}")
        expected = [t for t in listed if isinstance(t, dict)] if isinstance(listed, list) else []
    targets = collect(args.inputs, expected)
    args.out.mkdir(parents=True, exist_ok=True)
    generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    (args.out / "dashboard.html").write_text(render_html(targets, args.run_url, generated))
    (args.out / "dashboard.md").write_text(render_markdown(targets, args.run_url))
    print(headline(targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
