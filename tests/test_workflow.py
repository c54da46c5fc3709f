"""The nightly workflow's structure, its target list, and its steps' behaviour (run in bash on fake files).

Why test a YAML file: the nightly jobs run unattended; a renamed option, a lost cache, a hard-coded secret
or a mutable action reference would only show up as a quiet wrong night, or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance import nightly
from conformance.options import DEMO
from conformance.report import history
from tests.sources import CONTRACT_DIR

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "nightly.yml"
API_REFERENCE = CONTRACT_DIR / "api-reference.txt"
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+)(?:/[\w./-]+)?@(?P<sha>[0-9a-f]{40}) "
                    r"# (?P<version>v\d+(?:\.\d+){0,2})$")


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


@pytest.fixture(scope="module")
def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-target job's steps."""
    return workflow["jobs"]["conformance"]["steps"]


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True


def all_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job["steps"]]


def step(steps: list[dict[str, Any]], *, uses: str = "", run: str = "", path: str = "") -> dict[str, Any]:
    """The one step that uses `uses` (prefix), runs a script containing `run`, and caches/uploads `path`."""
    found = [s for s in steps if s.get("uses", "").startswith(uses) and run in s.get("run", "")
             and (not path or path in s.get("with", {}).get("path", "").replace("/", "").split())
             and (uses or "run" in s)]
    assert len(found) == 1, f"expected one step (uses={uses!r} run={run!r} path={path!r}), found {len(found)}"
    return found[0]


def suite_script(steps: list[dict[str, Any]]) -> str:
    return step(steps, run="--profile nightly")["run"]


def bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A step's script as the runner runs it (bash -e), with this Python first on PATH and the checkout's
    modules importable, as they are from the workspace on the runner."""
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                   "PYTHONPATH": str(ROOT), "GITHUB_OUTPUT": str(cwd / "output"),
                   "GITHUB_STEP_SUMMARY": str(cwd / "step-summary.md"), **env}
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=environment,
                          capture_output=True, text=True)


def outputs(cwd: Path) -> dict[str, str]:
    lines = (cwd / "output").read_text().splitlines() if (cwd / "output").exists() else []
    return dict(line.split("=", 1) for line in lines)


def night(day: int, status: str = "passed") -> dict[str, Any]:
    return {"finished_at": f"2026-11-{day:02d}T03:17:00Z", "verdict": "pass", "levels": [],
            "requirements": [{"id": "WIRE-001", "status": status}]}


# -- triggers and targets --------------------------------------------------------------------------


def test_runs_nightly_and_on_demand_with_an_optional_base_url_input(workflow: dict[str, Any]) -> None:
    on = triggers(workflow)
    assert on["schedule"] and all(re.fullmatch(r"(\S+ ){4}\S+", s["cron"]) for s in on["schedule"])
    base_url = on["workflow_dispatch"]["inputs"]["base_url"]
    assert base_url["required"] is False and base_url["default"] == "", "empty: every configured target"


def test_the_default_target_is_the_deployed_sandbox_of_the_api_reference() -> None:
    (default,) = nightly.matrix(None, None)
    assert default["name"] == "rails-sandbox" and default["base_url"] == nightly.DEFAULT_BASE_URL
    assert nightly.matrix("  ", "") == [default]
    if not API_REFERENCE.exists():
        pytest.skip("the shared api-reference.txt is not here")
    reference = re.search(r"^BASE=(\S+)", API_REFERENCE.read_text(), re.MULTILINE)
    assert reference and reference.group(1) == nightly.DEFAULT_BASE_URL


def test_the_targets_job_computes_the_matrix_from_the_variable_and_the_input(workflow: dict[str, Any],
                                                                           tmp_path: Path) -> None:
    job = workflow["jobs"]["targets"]
    compute = step(job["steps"], run="python3 -m conformance.nightly matrix")
    assert compute["env"] == {"CONFORMANCE_TARGETS": "${{ vars.CONFORMANCE_TARGETS }}",
                              "BASE_URL": "${{ inputs.base_url }}"}
    assert job["outputs"]["targets"] == f"${{{{ steps.{compute['id']}.outputs.targets }}}}"
    variable = json.dumps([{"name": "rails-sandbox", "base_url": nightly.DEFAULT_BASE_URL},
                           {"name": "acme", "base_url": "https://api.acme.example", "options": "--no-tenant"}])
    done = bash(compute["run"], tmp_path, CONFORMANCE_TARGETS=variable, BASE_URL="")
    assert done.returncode == 0, done.stderr
    assert [t["name"] for t in json.loads(outputs(tmp_path)["targets"])] == ["rails-sandbox", "acme"]
    (tmp_path / "broken").mkdir()
    done = bash(compute["run"], tmp_path / "broken", CONFORMANCE_TARGETS='[{"name": "x"}]', BASE_URL="")
    assert done.returncode != 0 and "::error::" in done.stderr, "a broken variable stops the run before any job"


def test_targets_parse_into_matrix_entries_with_derived_names() -> None:
    (acme,) = nightly.parse('[{"name": "acme", "base_url": "https://api.acme.example/", '
                            '"options": " --no-tenant  --spec=bundled "}]')
    assert acme == {"name": "acme", "base_url": "https://api.acme.example", "options": "--no-tenant --spec=bundled",
                    "environment": "conformance-acme", "key": acme["key"], "artifact": "conformance-target-acme"}
    # the key is the single-target nightly's digest (`printf '%s' "$BASE_URL" | sha256sum | cut -c1-16`)
    assert acme["key"] == hashlib.sha256(b"https://api.acme.example").hexdigest()[:16]


@pytest.mark.parametrize(("variable", "message"), [
    ("{not json", "not JSON"),
    ('{"name": "a", "base_url": "https://a.example"}', "non-empty JSON list"),
    ("[]", "non-empty JSON list"),
    ('["https://a.example"]', "an object"),
    ('[{"name": "A B", "base_url": "https://a.example"}]', "name must be"),
    ('[{"name": "adhoc", "base_url": "https://a.example"}]', "name must be"),
    ('[{"name": "a", "base_url": "https://a.example"}, {"name": "a", "base_url": "https://b.example"}]', "twice"),
    ('[{"name": "a", "base_url": "ftp://a.example"}]', "http(s) URL"),
    ('[{"name": "a", "base_url": "https://a.example/$(id)"}]', "http(s) URL"),
    ('[{"name": "a", "base_url": "https://a.example", "options": "-p evil"}]', "not allowed"),
    ('[{"name": "a", "base_url": "https://a.example", "options": "--procurement=$(id)"}]', "not allowed"),
    ('[{"name": "a", "base_url": "https://a.example", "options": ["--no-tenant"]}]', "string"),
    ('[{"name": "a", "base_url": "https://a.example", "repairer_key": "k"}]', "environment secrets"),
])
def test_a_broken_target_list_is_refused_with_its_reason(variable: str, message: str) -> None:
    with pytest.raises(nightly.TargetError, match=re.escape(message)):
        nightly.parse(variable)


def test_a_dispatched_base_url_runs_its_configured_target_or_an_adhoc_one_without_credentials() -> None:
    variable = json.dumps([{"name": "acme", "base_url": "https://api.acme.example", "options": "--no-tenant"},
                           {"name": "beta", "base_url": "https://beta.example"}])
    assert [t["name"] for t in nightly.matrix(variable, "https://api.acme.example/")] == ["acme"]
    (adhoc,) = nightly.matrix(variable, "https://elsewhere.example")
    assert adhoc["name"] == "adhoc" and adhoc["options"] == "" and adhoc["environment"] == "conformance-adhoc"
    with pytest.raises(nightly.TargetError):
        nightly.matrix(variable, "not a url")


# -- the per-target job --------------------------------------------------------------------------------


def test_one_job_per_target_in_parallel_in_the_targets_environment(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["conformance"]
    assert job["needs"] == "targets"
    assert job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"] == {"target": "${{ fromJSON(needs.targets.outputs.targets) }}"}
    assert job["environment"] == "${{ matrix.target.environment }}", "each target's credentials reach it alone"
    assert job["env"] == {"BASE_URL": "${{ matrix.target.base_url }}", "TARGET_OPTIONS": "${{ matrix.target.options }}"}


def test_installs_with_the_readme_command(steps: list[dict[str, Any]]) -> None:
    install = step(steps, run="pip install -e .")
    assert "pip install -e ." in (ROOT / "README.md").read_text()
    assert "[dev]" not in install["run"]
    python = step(steps, uses="actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"


@pytest.mark.parametrize(("path", "prefix"), [(".hypothesis", "hypothesis-"), ("history", "conformance-history-")])
def test_caches_are_per_target_roll_forward_and_are_saved_even_after_a_failed_night(
    steps: list[dict[str, Any]], path: str, prefix: str
) -> None:
    restore = step(steps, uses="actions/cache/restore", path=path)
    save = step(steps, uses="actions/cache/save", path=path)
    key = f"{prefix}${{{{ matrix.target.key }}}}-"
    assert restore["with"]["restore-keys"] == key, "the newest entry of this target, and only of this target"
    run = "${{ github.run_id }}-${{ github.run_attempt }}"
    assert restore["with"]["key"] == save["with"]["key"] == key + run
    assert save["if"].startswith("always()")
    names = [s.get("name") for s in steps]
    suite = names.index(step(steps, run="--profile nightly").get("name"))
    assert names.index(restore.get("name")) < suite < names.index(save.get("name"))


def test_the_summary_joins_the_history_before_it_is_saved_and_30_are_kept(steps: list[dict[str, Any]],
                                                                         tmp_path: Path) -> None:
    record = step(steps, run="conformance.nightly record history reports/summary.json")
    assert record["if"] == "always() && hashFiles('reports/summary.json') != ''"
    names = [s.get("name") for s in steps]
    assert names.index(record["name"]) < names.index(step(steps, uses="actions/cache/save", path="history")["name"])
    for day in range(1, 31):
        history.record(tmp_path / "history", night(day))
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "summary.json").write_text(json.dumps({**night(1), "finished_at": "2026-12-01T03:17:00Z"}))
    done = bash(record["run"], tmp_path)
    assert done.returncode == 0, done.stderr
    kept = history.load(tmp_path / "history")
    assert len(kept) == 30 and kept[0]["finished_at"].startswith("2026-11-02")
    assert kept[-1]["finished_at"].startswith("2026-12-01")


def run_suite(steps: list[dict[str, Any]], cwd: Path, options: str = "") -> list[str]:
    """The suite step's script with a stub pytest that records its arguments (the real run is elsewhere)."""
    (cwd / ".venv" / "bin").mkdir(parents=True)
    stub = cwd / ".venv" / "bin" / "pytest"
    stub.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@" > args\nexit 1\n')
    stub.chmod(0o755)
    done = bash(suite_script(steps), cwd, BASE_URL="https://api.acme.example", TARGET_OPTIONS=options)
    assert done.returncode == 0, done.stderr
    assert outputs(cwd)["exit"] == "1", "the exit code is kept for the Verdict step"
    return (cwd / "args").read_text().splitlines()


def test_runs_the_nightly_profile_with_a_fresh_tenant_the_history_and_the_newest_summary_as_baseline(
    steps: list[dict[str, Any]], tmp_path: Path
) -> None:
    script = suite_script(steps)
    assert "--tenant" not in script and "CONFORMANCE_TENANT" not in script, "a fresh tenant every night"
    for day in (1, 3, 2):
        history.record(tmp_path / "history", night(day))
    newest = sorted((tmp_path / "history").glob("*.json"))[-1]
    (tmp_path / "history" / "20991231T000000Z-damaged.json").write_text("{")  # passed over
    args = run_suite(steps, tmp_path, options="--no-tenant --spec=bundled")
    assert args == ["--profile", "nightly", "--base-url", "https://api.acme.example", "--history=history",
                    f"--baseline=history/{newest.name}", "--no-tenant", "--spec=bundled"]


def test_the_first_night_runs_without_a_baseline(steps: list[dict[str, Any]], tmp_path: Path) -> None:
    args = run_suite(steps, tmp_path)
    assert args == ["--profile", "nightly", "--base-url", "https://api.acme.example", "--history=history"]


def test_uploads_the_targets_files_under_its_own_name_whatever_happened(steps: list[dict[str, Any]],
                                                                       tmp_path: Path) -> None:
    upload = step(steps, uses="actions/upload-artifact", path="reports")
    assert upload["if"] == "always()" and upload["with"]["name"] == "${{ matrix.target.artifact }}"
    assert upload["with"]["path"].split() == ["target.json", "reports/", "history/"]
    assert upload["with"]["overwrite"] is True, "a re-run attempt replaces its files"
    describe = step(steps, run="conformance.nightly describe")
    assert describe["if"] == "always()" and describe["env"]["TARGET"] == "${{ toJSON(matrix.target) }}"
    target = nightly.entry("acme", "https://api.acme.example")
    done = bash(describe["run"], tmp_path, TARGET=json.dumps(target), EXIT_CODE="4")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "target.json").read_text()) == {**target, "exit_code": "4"}


def test_no_hard_coded_secret_and_every_secret_is_a_conformance_variable(workflow: dict[str, Any],
                                                                         steps: list[dict[str, Any]]) -> None:
    text = WORKFLOW.read_text()
    for name in ("repairer_key", "supplier_key", "client_secret", "access_code"):
        assert DEMO[name] not in text
    assert "partly_demo" not in text
    env = step(steps, run="--profile nightly")["env"]
    for variable, value in env.items():
        assert variable.startswith("CONFORMANCE_") and value == f"${{{{ secrets.{variable} }}}}"
    assert set(re.findall(r"secrets\.(\w+)", text)) == set(env)
    assert "secrets[" not in text and "toJSON(secrets" not in text, "no job gets every secret"


# -- the dashboard job ---------------------------------------------------------------------------------


def test_the_dashboard_job_runs_after_every_target_whatever_happened(workflow: dict[str, Any],
                                                                     tmp_path: Path) -> None:
    job = workflow["jobs"]["dashboard"]
    assert job["needs"] == ["targets", "conformance"] and job["if"].startswith("always()")
    download = step(job["steps"], uses="actions/download-artifact")
    assert download["with"] == {"pattern": "conformance-target-*", "path": "targets"}
    write = step(job["steps"], run="conformance.report.dashboard")
    assert write["env"]["TARGETS"] == "${{ needs.targets.outputs.targets }}"
    upload = step(job["steps"], uses="actions/upload-artifact")
    assert upload["with"]["name"] == "conformance-dashboard" and upload["with"]["path"] == "dashboard/"
    # one target uploaded its files, the other crashed before uploading anything
    targets = [nightly.entry("rails-sandbox", nightly.DEFAULT_BASE_URL), nightly.entry("acme", "https://a.example")]
    folder = tmp_path / "targets" / targets[0]["artifact"]
    (folder / "reports").mkdir(parents=True)
    (folder / "reports" / "summary.json").write_text(json.dumps({**night(1), "levels": ["MUST: 1 passed, 0 failed"]}))
    (folder / "target.json").write_text(json.dumps({**targets[0], "exit_code": "0"}))
    done = bash(write["run"], tmp_path, TARGETS=json.dumps(targets), RUN_URL="https://github.com/o/r/actions/runs/1")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "step-summary.md").read_text()
    assert "| **rails-sandbox**" in page and "CONFORMS" in page and "MUST: 1 passed, 0 failed" in page
    assert "| **acme**" in page and "no summary" in page
    assert (tmp_path / "dashboard" / "dashboard.html").is_file()
    done = bash(write["run"], tmp_path / "targets", TARGETS="", RUN_URL="")
    assert done.returncode == 0 and "0 targets" in done.stdout, "the targets job failed: still a page"


# -- hygiene: pinned actions, credentials, permissions, injection ------------------------------------


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment() -> None:
    uses = re.findall(r"^\s*(?:- )?uses:\s*(.+?)\s*$", WORKFLOW.read_text(), re.MULTILINE)
    assert uses
    shas: dict[str, set[tuple[str, str]]] = {}
    for ref in uses:
        match = PINNED.match(ref)
        assert match, f"not pinned to a 40-hex commit with a '# vX.Y.Z' comment: {ref}"
        shas.setdefault(match["action"], set()).add((match["sha"], match["version"]))
    assert all(len(pins) == 1 for pins in shas.values()), f"one commit per action: {shas}"
    assert set(shas) == {"actions/checkout", "actions/setup-python", "actions/cache", "actions/upload-artifact",
                         "actions/download-artifact"}


def test_checkouts_do_not_persist_credentials(workflow: dict[str, Any]) -> None:
    checkouts = [s for s in all_steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == len(workflow["jobs"])
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_least_permissions(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}, "nothing by default"
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name


def test_no_expression_is_expanded_inside_a_script(workflow: dict[str, Any]) -> None:
    """Template injection: values reach scripts through env, never as text pasted into the script."""
    scripts = [s["run"] for s in all_steps(workflow) if "run" in s]
    assert scripts and not [s for s in scripts if "${{" in s]


def test_zizmor_finds_nothing_of_medium_or_higher_severity() -> None:
    zizmor = shutil.which("zizmor", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install -e '.[dev]')")
    done = subprocess.run([zizmor, "--offline", "--min-severity", "medium", "--format", "json", str(WORKFLOW)],
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    findings = json.loads(done.stdout or "[]")
    assert done.returncode == 0 and findings == [], [f.get("ident") for f in findings] or done.stderr


# -- the verdict step ----------------------------------------------------------------------------------


def run_verdict(steps: list[dict[str, Any]], tmp_path: Path, exit_code: str, summary: dict[str, Any] | None) -> int:
    """The verdict step's script, run by bash in a directory holding `reports/summary.json` (or none)."""
    verdict = next(s for s in steps if s.get("name") == "Verdict")
    assert verdict["if"] == "always()" and verdict["env"]["EXIT_CODE"] == "${{ steps.suite.outputs.exit }}"
    if summary is not None:
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "summary.json").write_text(json.dumps(summary))
    return bash(verdict["run"], tmp_path, EXIT_CODE=exit_code).returncode


@pytest.mark.parametrize(("exit_code", "summary", "passes"), [
    ("0", {"verdict": "pass", "levels": ["MUST: 1 passed, 0 failed"]}, True),
    ("1", {"verdict": "pass", "levels": ["MUST: 1 passed, 0 failed"]}, True),  # the verdict decides
    ("1", {"verdict": "fail", "levels": ["MUST: 0 passed, 1 failed"]}, False),
    ("4", {"verdict": "pass", "levels": []}, False),  # unusable target
    ("4", None, False),
    ("2", None, False),  # crashed before writing a summary
], ids=["pass", "pass-despite-exit-code", "must-failure", "unusable-with-summary", "unusable", "no-summary"])
def test_verdict_fails_on_must_failures_and_unusable_targets_only(
    steps: list[dict[str, Any]], tmp_path: Path, exit_code: str, summary: dict[str, Any] | None, passes: bool
) -> None:
    assert (run_verdict(steps, tmp_path, exit_code, summary) == 0) is passes
