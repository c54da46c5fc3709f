"""The nightly workflow's structure, and its verdict step's behaviour (run in bash against fake summaries).

Why test a YAML file: the nightly job runs unattended; a renamed option, a lost cache or a hard-coded
secret would only show up as a quiet wrong night.
"""

from __future__ import annotations

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

from conformance.options import DEMO

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "nightly.yml"
API_REFERENCE = ROOT.parent / "shared" / "contract" / "api-reference.txt"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


@pytest.fixture(scope="module")
def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True


def step(steps: list[dict[str, Any]], *, uses: str = "", run: str = "", path: str = "") -> dict[str, Any]:
    """The one step that uses `uses` (prefix), runs a script containing `run`, and caches/uploads `path`."""
    found = [s for s in steps if s.get("uses", "").startswith(uses) and run in s.get("run", "")
             and (not path or s.get("with", {}).get("path", "").rstrip("/") == path)
             and (uses or "run" in s)]
    assert len(found) == 1, f"expected one step (uses={uses!r} run={run!r} path={path!r}), found {len(found)}"
    return found[0]


def suite_script(steps: list[dict[str, Any]]) -> str:
    return step(steps, run="--profile nightly")["run"]


def test_runs_nightly_and_on_demand_with_a_base_url_input(workflow: dict[str, Any]) -> None:
    on = triggers(workflow)
    assert on["schedule"] and all(re.fullmatch(r"(\S+ ){4}\S+", s["cron"]) for s in on["schedule"])
    assert "base_url" in on["workflow_dispatch"]["inputs"]


def test_default_base_url_is_the_deployed_sandbox_of_the_api_reference(workflow: dict[str, Any]) -> None:
    default = triggers(workflow)["workflow_dispatch"]["inputs"]["base_url"]["default"]
    (job,) = workflow["jobs"].values()
    base_url = job["env"]["BASE_URL"]
    assert "inputs.base_url" in base_url and "vars.CONFORMANCE_BASE_URL" in base_url
    assert f"'{default}'" in base_url, "the scheduled run falls back to the same default"
    if not API_REFERENCE.exists():
        pytest.skip("the shared api-reference.txt is not here")
    reference = re.search(r"^BASE=(\S+)", API_REFERENCE.read_text(), re.MULTILINE)
    assert reference and default == reference.group(1)


def test_installs_with_the_readme_command(steps: list[dict[str, Any]]) -> None:
    install = step(steps, run="pip install -e .")
    assert "pip install -e ." in (ROOT / "README.md").read_text()
    assert "[dev]" not in install["run"]
    python = step(steps, uses="actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"


def test_runs_the_nightly_profile_with_a_fresh_tenant_and_the_baseline(steps: list[dict[str, Any]]) -> None:
    script = suite_script(steps)
    assert re.search(r'pytest --profile nightly --base-url "\$BASE_URL"', script)
    assert "--tenant" not in script and "--no-tenant" not in script and "CONFORMANCE_TENANT" not in script
    assert "--baseline baseline/summary.json" in script and "-f baseline/summary.json" in script


@pytest.mark.parametrize("path", [".hypothesis", "baseline"])
def test_caches_roll_forward_and_are_saved_even_after_a_failed_night(steps: list[dict[str, Any]], path: str) -> None:
    restore = step(steps, uses="actions/cache/restore", path=path)
    save = step(steps, uses="actions/cache/save", path=path)
    assert "github.run_id" in restore["with"]["key"] and restore["with"]["key"] == save["with"]["key"]
    assert restore["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert save["if"].startswith("always()")
    names = [s.get("name") for s in steps]
    suite = names.index(step(steps, run="--profile nightly").get("name"))
    assert names.index(restore.get("name")) < suite < names.index(save.get("name"))


def test_the_new_summary_becomes_the_next_baseline(steps: list[dict[str, Any]]) -> None:
    keep = step(steps, run="cp reports/summary.json baseline/summary.json")
    assert keep["if"].startswith("always()")


def test_uploads_the_reports_whatever_happened(steps: list[dict[str, Any]]) -> None:
    upload = step(steps, uses="actions/upload-artifact", path="reports")
    assert upload["if"] == "always()"


def test_no_hard_coded_secret_and_every_secret_is_a_conformance_variable(steps: list[dict[str, Any]]) -> None:
    text = WORKFLOW.read_text()
    for name in ("repairer_key", "supplier_key", "client_secret", "access_code"):
        assert DEMO[name] not in text
    assert "partly_demo" not in text
    env = step(steps, run="--profile nightly")["env"]
    for variable, value in env.items():
        assert variable.startswith("CONFORMANCE_") and value == f"${{{{ secrets.{variable} }}}}"
    assert set(re.findall(r"secrets\.(\w+)", text)) == set(env)


def run_verdict(steps: list[dict[str, Any]], tmp_path: Path, exit_code: str, summary: dict[str, Any] | None) -> int:
    """The verdict step's script, run by bash in a directory holding `reports/summary.json` (or none)."""
    verdict = next(s for s in steps if s.get("name") == "Verdict")
    assert verdict["if"] == "always()" and verdict["env"]["EXIT_CODE"] == "${{ steps.suite.outputs.exit }}"
    if summary is not None:
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "summary.json").write_text(json.dumps(summary))
    env = {**os.environ, "EXIT_CODE": exit_code, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md")}
    return subprocess.run(["bash", "-e", "-c", verdict["run"]], cwd=tmp_path, env=env, capture_output=True).returncode


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


PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+)(?:/[\w./-]+)?@(?P<sha>[0-9a-f]{40}) "
                    r"# (?P<version>v\d+(?:\.\d+){0,2})$")


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment() -> None:
    uses = re.findall(r"^\s*(?:- )?uses:\s*(.+?)\s*$", WORKFLOW.read_text(), re.MULTILINE)
    assert uses
    shas: dict[str, set[tuple[str, str]]] = {}
    for ref in uses:
        match = PINNED.match(ref)
        assert match, f"not pinned to a 40-hex commit with a '# vX.Y.Z' comment: {ref}"
        shas.setdefault(match["action"], set()).add((match["sha"], match["version"]))
    assert all(len(pins) == 1 for pins in shas.values()), f"one commit per action: {shas}"


def test_checkouts_do_not_persist_credentials(steps: list[dict[str, Any]]) -> None:
    checkout = step(steps, uses="actions/checkout@")
    assert checkout["with"]["persist-credentials"] is False


def test_least_permissions(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}, "nothing by default"
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name


def test_no_expression_is_expanded_inside_a_script(steps: list[dict[str, Any]]) -> None:
    """Template injection: values reach scripts through env, never as text pasted into the script."""
    scripts = [s["run"] for s in steps if "run" in s]
    assert scripts and not [s for s in scripts if "${{" in s]


def test_zizmor_finds_nothing_of_medium_or_higher_severity() -> None:
    zizmor = shutil.which("zizmor", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install -e '.[dev]')")
    done = subprocess.run([zizmor, "--offline", "--min-severity", "medium", "--format", "json", str(WORKFLOW)],
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    findings = json.loads(done.stdout or "[]")
    assert done.returncode == 0 and findings == [], [f.get("ident") for f in findings] or done.stderr
