"""The README's requirement table is the catalogue, word for word (a failure prints the table to paste), and
its CI recipe for a server repository is a job that would run: pinned actions, the command with options it takes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from conformance import cli
from conformance.requirements.catalogue import ALL, CATALOGUE, RECEIVER

README = Path(__file__).resolve().parent.parent / "README.md"
WORKFLOW = README.parent / ".github" / "workflows" / "nightly.yml"
START, END = "<!-- requirements-table -->", "<!-- /requirements-table -->"
RECEIVER_START, RECEIVER_END = "<!-- receiver-table -->", "<!-- /receiver-table -->"
SHORT = {"api-reference.txt": "ref", "NOTES.md": "NOTES"}


def rendered() -> str:
    rows = ["| id | level | provenance | rule | methods | sources |", "|---|---|---|---|---|---|"]
    for r in CATALOGUE:
        methods = "every method" if r.methods == ALL else ", ".join(f"`{m}`" for m in r.methods)
        if r.excludes:
            methods += " but " + ", ".join(f"`{m}`" for m in r.excludes)
        sources = ", ".join(dict.fromkeys(f"{SHORT[s.document]}:{s.line}" for s in r.sources))
        rows.append(f"| {r.id} | {r.level} | {r.provenance} | {r.rule}{' (extension)' if r.extension else ''}"
                    f" | {methods} | {sources} |")
    return "\n".join(rows)


def test_readme_lists_every_requirement_as_in_the_catalogue() -> None:
    text = README.read_text()
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == rendered(), f"README requirement table is stale; replace it with:\n{rendered()}"


def rendered_receiver() -> str:
    rows = ["| id | level | provenance | rule | sources |", "|---|---|---|---|---|"]
    rows += [f"| {r.id} | {r.level} | {r.provenance} | {r.rule} | "
             f"{', '.join(dict.fromkeys(f'{SHORT[s.document]}:{s.line}' for s in r.sources))} |" for r in RECEIVER]
    return "\n".join(rows)


def test_readme_lists_every_receiver_requirement_as_in_the_catalogue() -> None:
    table = README.read_text().split(RECEIVER_START, 1)[1].split(RECEIVER_END, 1)[0].strip()
    assert table == rendered_receiver(), f"README receiver table is stale; replace it with:\n{rendered_receiver()}"


def ci_recipe() -> tuple[dict[str, Any], str]:
    """The README's GitHub Actions job for a server repository, parsed, and its shell script."""
    section = README.read_text().split("## Use it in your own CI", 1)[1].split("\n## ", 1)[0]
    job = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    return job, section.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_ci_recipe_pins_the_actions_the_nightly_uses() -> None:
    job, _ = ci_recipe()
    nightly = yaml.safe_load(WORKFLOW.read_text())
    pinned = {s["uses"] for j in nightly["jobs"].values() for s in j["steps"] if "uses" in s}
    steps = job["jobs"]["conformance"]["steps"]
    used = [s["uses"] for s in steps if "uses" in s]
    assert used and all(re.fullmatch(r"[\w/-]+@[0-9a-f]{40}", u) for u in used)
    assert {u.split("@")[0] for u in used} == {"actions/checkout", "actions/setup-python", "actions/upload-artifact"}
    assert set(used) <= pinned, set(used) - pinned
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "reports/"


def test_the_ci_recipe_runs_the_command_with_options_it_takes() -> None:
    job, script = ci_recipe()
    runs = [s["run"] for s in job["jobs"]["conformance"]["steps"] if "run" in s]
    install = next(r for r in runs if "pip install" in r)
    assert '"integrations-conformance @ git+https://github.com/<org>/<repo>@<ref>"' in install
    assert "integrations-conformance @ git+https://github.com/<org>/<repo>@<ref>" in script
    commands = [next(r for r in runs if r.startswith("conformance ")),
                next(line for line in script.splitlines() if "/bin/conformance " in line).split("conformance ", 1)[1]]
    for command in commands:
        words = shlex.split(command.split("||", 1)[0].removeprefix("conformance "))
        given = cli.parser().parse_args(words)
        assert given.base_url.startswith("http://127.0.0.1") and given.conformance_no_tenant
