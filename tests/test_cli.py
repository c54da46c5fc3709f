"""The `conformance` command's argument handling and exit codes, and how the plugin reads command lines
(path options written with a space, the installed package named with --pyargs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance import cli, options
from conformance.plugin import joined
from conformance.session import SUITE_DIR, ConformanceSession, argument_path
from tests.suite_runner import environment
from tests.test_suite_runs import closed_port


def pytest_args(*argv: str, extra: tuple[str, ...] = ()) -> list[str]:
    return cli.pytest_args(cli.parser().parse_args(list(argv)), extra)


def given(args: list[str]) -> list[str]:
    """The options the command passes on, without the fixed ones it always passes."""
    fixed = {str(SUITE_DIR), f"--rootdir={SUITE_DIR.parent}", f"--config-file={cli.CONFIG}", "-p",
             "no:cacheprovider", "-W", cli.IMPORTED_FIRST}
    return [a for a in args if a not in fixed]


# -- the command line --------------------------------------------------------------------------------


def test_help_lists_every_suite_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert stop.value.code == 0
    for flags, _ in [*cli.OWN, *options.declarations()]:
        assert flags[0] in text, flags[0]
    assert "conformance sandbox" in text and "4  the target is unusable" in text


def test_options_pass_on_as_one_word_each() -> None:
    args = pytest_args("--base-url", "https://api.example.test", "--baseline", "/tmp/yesterday.json",
                       "--reports-dir", "/tmp/r 1", "--no-tenant", "--no-extensions", "--requirement", "AUTH",
                       "--requirement", "WIRE-001", "--hypothesis-seed", "7", extra=("-n", "2"))
    assert given(args) == ["--base-url=https://api.example.test", "--hypothesis-seed=7",
                           "--reports-dir=/tmp/r 1", "--baseline=/tmp/yesterday.json", "--no-tenant",
                           "--no-extensions", "--requirement=AUTH", "--requirement=WIRE-001", "-n", "2"]
    assert args[0] == str(SUITE_DIR)


def test_only_what_was_given_passes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment and the defaults are the plugin's to apply: the command never repeats them."""
    monkeypatch.setenv("CONFORMANCE_PROFILE", "nightly")
    assert given(pytest_args()) == []
    assert given(pytest_args("--extensions")) == ["--extensions"]


def test_node_ids_as_a_report_names_them_are_found_from_anywhere(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    test = "test_auth.py::test_x[a b]"
    args = pytest_args(f"conformance/checks/{test}", f"checks/{test}", "elsewhere.py::t")
    assert args[:3] == [f"{SUITE_DIR / 'checks'}/{test}"] * 2 + ["elsewhere.py::t"]
    assert str(SUITE_DIR) not in args  # a selection, not the whole suite


def test_a_wrong_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--basline", "x.json"])
    assert stop.value.code == cli.USAGE and "unrecognized arguments: --basline" in capsys.readouterr().err


def test_sandbox_is_the_sandbox_command(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[list[str]] = []
    monkeypatch.setattr("sandbox.__main__.main", served.append)
    assert cli.main(["sandbox", "--port", "8181", "--fault", "currency-on-offers"]) == 0
    assert served == [["--port", "8181", "--fault", "currency-on-offers"]]


@pytest.mark.parametrize(("code", "unusable", "expected"), [
    (pytest.ExitCode.OK, False, cli.CONFORMS),
    (pytest.ExitCode.TESTS_FAILED, False, cli.MUST_FAILED),
    (pytest.ExitCode.USAGE_ERROR, True, cli.UNUSABLE),
    (pytest.ExitCode.USAGE_ERROR, False, cli.USAGE),
    (pytest.ExitCode.NO_TESTS_COLLECTED, False, cli.USAGE),
    (pytest.ExitCode.INTERRUPTED, False, cli.SUITE_ERROR),  # also what pytest gives for collection errors
    (pytest.ExitCode.INTERNAL_ERROR, False, cli.SUITE_ERROR),
])
def test_exit_codes(code: int, unusable: bool, expected: int) -> None:
    assert cli.exit_code(code, unusable) == expected


@pytest.mark.parametrize(("argv", "expected", "said"), [
    (["--base-url", f"http://127.0.0.1:{closed_port()}"], cli.UNUSABLE, "unreachable"),
    (["--profile", "bogus"], cli.USAGE, "--profile must be one of"),
])
def test_the_command_stops_early_with_its_exit_code(tmp_path: Path, argv: list[str], expected: int,
                                                    said: str) -> None:
    done = subprocess.run([sys.executable, "-m", "conformance", *argv], cwd=tmp_path, env=environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == expected, done.stdout[-2000:] + done.stderr[-2000:]
    assert said in done.stdout + done.stderr


# -- how the plugin reads a pytest command line -------------------------------------------------------


def test_a_suite_option_and_its_value_are_joined(tmp_path: Path) -> None:
    existing = str(tmp_path)
    assert joined(["--baseline", existing, "-k", existing, "--tenant", "t", "--reports-dir", "new/dir"]) == [
        f"--baseline={existing}", "-k", existing, "--tenant=t", "--reports-dir=new/dir"]
    unchanged = ["--reports-dir", "-q", "--spec=x", existing, "-n", "2"]
    assert joined(unchanged) == unchanged


@pytest.mark.parametrize(("arg", "pyargs", "path"), [
    ("conformance", True, SUITE_DIR),
    ("conformance.checks.test_auth::test_x", True, SUITE_DIR / "checks" / "test_auth.py"),
    ("conformance", False, Path.cwd().resolve() / "conformance"),
    ("other.module", True, Path.cwd().resolve() / "other.module"),
])
def test_collection_arguments_name_paths(arg: str, pyargs: bool, path: Path) -> None:
    config = SimpleNamespace(getoption=lambda name, default=None: pyargs,
                             invocation_params=SimpleNamespace(dir=Path.cwd()))
    assert argument_path(config, arg) == path  # type: ignore[arg-type]


def test_a_collection_error_has_no_status_of_the_suite() -> None:
    """A CollectReport has no user_properties: the terminal summary asks its status all the same."""
    report = pytest.CollectReport("conformance/checks/test_x.py", "failed", "ImportError", [])
    assert ConformanceSession.pytest_report_teststatus(None, report, None) is None  # type: ignore[arg-type]
