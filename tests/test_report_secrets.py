"""No secret ever reaches a report or a log (issue 5): run the whole suite, then search everything it wrote.

Two runs, secrets supplied by environment variables as a user does: the demo credentials (the run
also mints keys through integrations.insert), and a wrong client secret, so that failures with
their evidence (request bodies carrying the secret, curl commands) are written too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.options import DEMO
from conformance.wire.redact import MINTED_KEY
from tests.suite_runner import SuiteRun, run_suite

pytestmark = pytest.mark.slow  # whole-suite runs in subprocesses: run with --run-slow

SECRET_OPTIONS = ("repairer_key", "supplier_key", "client_secret", "access_code")
WRONG_SECRET = "secret_wrong_0d9c4e7a"


def secrets_by_env(**overrides: str) -> dict[str, str]:
    values = {name: overrides.get(name, DEMO[name]) for name in SECRET_OPTIONS}
    return {f"CONFORMANCE_{name.upper()}": value for name, value in values.items()}


RUNS = {
    "demo-secrets": secrets_by_env(),
    "wrong-client-secret": secrets_by_env(client_secret=WRONG_SECRET),
}


@pytest.fixture(scope="module", params=sorted(RUNS))
def secret_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[SuiteRun, dict]:
    env = RUNS[request.param]
    reports = tmp_path_factory.mktemp(request.param)
    return run_suite(reports, "-rA", env=env), env


def written(run: SuiteRun) -> dict[str, str]:
    """Every file of the reports directory, and the run's stdout and stderr."""
    files = {str(p): p.read_text(errors="replace") for p in Path(run.reports).rglob("*") if p.is_file()}
    return {**files, "stdout+stderr": run.output}


def test_no_secret_in_reports_or_logs(secret_run: tuple[SuiteRun, dict]) -> None:
    run, env = secret_run
    texts = written(run)
    assert {Path(name).name for name in texts} >= {"conformance.html", "summary.json", "junit.xml"}
    for name, text in texts.items():
        for variable, secret in env.items():
            assert secret not in text, f"{variable} leaked into {name}"
        assert not MINTED_KEY.search(text), f"a minted api key leaked into {name}"
        assert not re.search(r"(?i)bearer\s+(?!\$\{)[A-Za-z0-9._~+/=-]{8,}", text), f"a bearer token in {name}"


def test_the_runs_exercised_what_redaction_protects(secret_run: tuple[SuiteRun, dict]) -> None:
    """Guard against a vacuous pass: the secrets were used, and replaced by their variables."""
    run, env = secret_run
    html = (run.reports / "conformance.html").read_text()
    if env["CONFORMANCE_CLIENT_SECRET"] == WRONG_SECRET:
        assert run.returncode == 1 and "${CONFORMANCE_CLIENT_SECRET}" in html
        assert "export CONFORMANCE_CLIENT_SECRET=" in html
    else:
        assert run.status("AUTH-005") == "passed", run.output  # keys were minted during the run
