"""The nightly workflow's helpers: its target matrix, and the per-target files it keeps between nights.

Why a module rather than shell in the YAML: the target list comes from a repository variable that people
edit by hand, so it is validated here (with tests) before any job runs with it, and the few file
operations the jobs share are written once. Standard library only: the first job runs it with the
runner's python3, before anything is installed.

CONFORMANCE_TARGETS (repository variable) is a JSON list of targets, each an object:

    name      required  [a-z0-9-], 1-40 characters, unique: names the job, its artifact and its environment
    base_url  required  http(s) URL of the server under test
    options   optional  suite options, space-separated, from ALLOWED_OPTIONS or VALUED_OPTION (e.g. "--procurement=ID")

Unset or empty, the one target is the deployed Rails Sandbox (DEFAULT_BASE_URL). A workflow_dispatch
`base_url` runs one target instead: the configured target with that URL, else an ad-hoc target named
"adhoc" (no options, and the `conformance-adhoc` environment, so no configured target's credentials).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.report import history

DEFAULT_BASE_URL = "https://partifact-mock-rails.thanhvuttv.workers.dev"  # api-reference.txt, BASE=
DEFAULT_NAME = "rails-sandbox"
ADHOC_NAME = "adhoc"
NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
BASE_URL = re.compile(r"^https?://[^\s\"'<>`$\\]+$")
ALLOWED_OPTIONS = {"--no-tenant", "--no-extensions", "--extensions"}  # flags; and the valued options below
# --spec=bundled|URL, and existing data a target offers the run (ids: no shell metacharacters)
VALUED_OPTION = re.compile(r"^--(spec|procurement|foreign-job|foreign-procurement)=[^\s\"'<>`$\\]+$")


class TargetError(ValueError):
    """CONFORMANCE_TARGETS (or the dispatch input) cannot be used."""


def digest(base_url: str) -> str:
    """The cache key of a target: its base URL's sha256, 16 hex digits (the same key the single-target
    nightly used, so its caches stay reachable)."""
    return hashlib.sha256(base_url.encode()).hexdigest()[:16]


def entry(name: str, base_url: str, options: str = "") -> dict[str, str]:
    """One matrix entry: what the per-target job needs, every name derived here rather than in YAML."""
    return {"name": name, "base_url": base_url, "options": options, "environment": f"conformance-{name}",
            "key": digest(base_url), "artifact": f"conformance-target-{name}"}


def _options(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TargetError(f"{where}: options must be a string of space-separated options")
    words = value.split()
    for word in words:
        if word not in ALLOWED_OPTIONS and not VALUED_OPTION.match(word):
            raise TargetError(f"{where}: option {word!r} is not allowed (allowed: "
                              f"{', '.join(sorted(ALLOWED_OPTIONS))}, --spec=bundled|URL, --procurement=ID, "
                              "--foreign-job=ID, --foreign-procurement=ID)")
    return " ".join(words)


def _base_url(value: Any, where: str) -> str:
    if not isinstance(value, str) or not BASE_URL.match(value):
        raise TargetError(f"{where}: base_url must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def parse(text: str | None) -> list[dict[str, str]]:
    """The configured targets as matrix entries; the default target when `text` is unset or blank."""
    if not text or not text.strip():
        return [entry(DEFAULT_NAME, DEFAULT_BASE_URL)]
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TargetError(f"CONFORMANCE_TARGETS is not JSON: {exc}") from None
    if not isinstance(data, list) or not data:
        raise TargetError("CONFORMANCE_TARGETS must be a non-empty JSON list of target objects")
    targets: list[dict[str, str]] = []
    for i, item in enumerate(data):
        where = f"CONFORMANCE_TARGETS[{i}]"
        if not isinstance(item, dict):
            raise TargetError(f"{where}: a target is an object with name and base_url")
        unknown = set(item) - {"name", "base_url", "options"}
        if unknown:
            raise TargetError(f"{where}: unknown keys {sorted(unknown)} (credentials belong in the target's "
                              "environment secrets, never in this variable)")
        name = item.get("name")
        if not isinstance(name, str) or not NAME.match(name) or name == ADHOC_NAME:
            raise TargetError(f"{where}: name must be 1-40 characters of a-z, 0-9 and '-' (not {ADHOC_NAME!r}),"
                              f" got {name!r}")
        if any(t["name"] == name for t in targets):
            raise TargetError(f"{where}: the name {name!r} is used twice")
        targets.append(entry(name, _base_url(item.get("base_url"), where), _options(item.get("options"), where)))
    return targets


def matrix(variable: str | None, dispatched_url: str | None) -> list[dict[str, str]]:
    """The targets of this run: the dispatched URL's target alone, else every configured target."""
    targets = parse(variable)
    if not dispatched_url or not dispatched_url.strip():
        return targets
    url = _base_url(dispatched_url.strip(), "the base_url input")
    return [t for t in targets if t["base_url"] == url][:1] or [entry(ADHOC_NAME, url)]


def newest_summary(history_dir: str | Path) -> Path | None:
    """The newest readable summary in a history directory: the baseline of the next run (a damaged newest
    file is passed over, since --baseline would stop the run on it)."""
    for path in sorted(Path(history_dir).glob("*.json"), reverse=True):
        if history.load_one(path) is not None:
            return path
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.nightly", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("matrix", help="print the run's targets as JSON (reads CONFORMANCE_TARGETS, BASE_URL)")
    baseline = commands.add_parser("baseline", help="print the newest readable summary in HISTORY, if any")
    baseline.add_argument("history_dir")
    record = commands.add_parser("record", help="add SUMMARY to HISTORY, keeping the newest 30")
    record.add_argument("history_dir")
    record.add_argument("summary")
    describe = commands.add_parser("describe", help="print target.json: the TARGET entry and the suite's exit code")
    describe.add_argument("--exit-code", default="")
    args = parser.parse_args(argv)
    if args.command == "matrix":
        try:
            print(json.dumps(matrix(os.environ.get("CONFORMANCE_TARGETS"), os.environ.get("BASE_URL"))))
        except TargetError as exc:
            print(f"::error::{exc}", file=sys.stderr)
            return 2
    elif args.command == "baseline":
        newest = newest_summary(args.history_dir)
        if newest is not None:
            print(newest)
    elif args.command == "record":
        print(history.record(args.history_dir, json.loads(Path(args.summary).read_text())))
    else:
        target = json.loads(os.environ["TARGET"])
        print(json.dumps({**target, "exit_code": args.exit_code or None}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
