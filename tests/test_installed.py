"""The suite as a server team gets it: the wheel installed (not editable) in a fresh virtual environment, run
from empty directories with nothing of this checkout in reach, by `conformance` and by `pytest --pyargs`.

Offline: the wheel is built without build isolation (hatchling is a dev extra), and the fresh environment
reaches the dependencies through this environment's site-packages, less this project (its editable
install), rather than through a package index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from importlib.metadata import distribution
from pathlib import Path

import pytest

from sandbox import create_app
from sandbox.server import running
from tests.suite_runner import ROOT, SuiteRun, environment

pytestmark = pytest.mark.slow  # a wheel, a virtual environment and three whole-suite runs: run with --run-slow

PROJECT = "integrations-conformance"
REPORTS = ("conformance.html", "summary.json", "junit.xml")


def dependencies_only(overlay: Path) -> Path:
    """Links to every entry of this environment's site-packages but this project's own, in `overlay`."""
    own = {Path(str(f)).parts[0] for f in distribution(PROJECT).files or []}
    overlay.mkdir()
    for site in dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib")):
        for entry in Path(site).iterdir():
            if entry.name not in own and entry.name != "__pycache__" and not (overlay / entry.name).exists():
                (overlay / entry.name).symlink_to(entry)
    return overlay


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fresh environment's bin directory, with the suite installed from its wheel."""
    base = tmp_path_factory.mktemp("installed")
    wheels = base / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(wheels), str(ROOT)], check=True, capture_output=True, timeout=300)
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=300)
    python = base / "venv" / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    overlay = dependencies_only(base / "dependencies")
    Path(purelib, "dependencies.pth").write_text(f"import site; site.addsitedir({str(overlay)!r})\n")
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    return python.parent


def run(venv: Path, cwd: Path, *command: str) -> SuiteRun:
    """`command` (a script of the environment) in `cwd`, away from this checkout; its reports in cwd/reports."""
    cwd.mkdir()
    env = {k: v for k, v in environment().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run([str(venv / command[0]), *command[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    return SuiteRun(done.returncode, done.stdout + done.stderr, cwd / "reports")


def wrote_the_reports(result: SuiteRun) -> None:
    for name in REPORTS:
        assert (result.reports / name).is_file(), f"{name} missing\n{result.output[-3000:]}"


def test_the_installed_package_is_not_this_checkout(venv: Path, tmp_path: Path) -> None:
    where = subprocess.run([str(venv / "python"), "-c", "import conformance, sandbox, spec; "
                            "print(conformance.__file__, sandbox.__file__, spec.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where and where.count(str(venv.parent)) == 3, where


def test_conformance_runs_the_embedded_sandbox_from_an_empty_directory(venv: Path, tmp_path: Path) -> None:
    result = run(venv, tmp_path / "empty", "conformance")
    assert result.returncode == 0, result.output[-3000:]
    wrote_the_reports(result)
    assert result.summary["verdict"] == "pass" and result.summary["target"]["embedded_sandbox"]
    assert all(t["nodeid"].startswith("conformance/") for t in result.summary["tests"])
    assert "verdict: CONFORMS" in result.output and "Warning" not in result.output

    with running(create_app(faults=["currency-on-offers"])) as url:  # a server that breaks a MUST
        against = run(venv, tmp_path / "server", "conformance", "--base-url", url,
                      "--baseline", str(result.reports / "summary.json"))
    assert against.returncode == 1, against.output[-3000:]
    wrote_the_reports(against)
    assert against.summary["verdict"] == "fail" and against.status("BASKET-D52-001") == "failed"
    comparison = against.summary["baseline"]
    assert comparison["path"] == str(result.reports / "summary.json")
    assert {"id": "BASKET-D52-001", "before": "passed", "after": "failed"} in comparison["regressed"]


def test_pytest_pyargs_runs_the_suite_from_an_empty_directory(venv: Path, tmp_path: Path) -> None:
    result = run(venv, tmp_path / "empty", "python", "-m", "pytest", "--pyargs", "conformance", "-p",
                 "no:cacheprovider")
    assert result.returncode == 0, result.output[-3000:]
    wrote_the_reports(result)
    assert result.summary["verdict"] == "pass"
    assert result.status("COV-001") == "passed"  # the whole suite, not a selection
