"""`conformance` (and `python -m conformance`): the suite as a command, from any directory.

Why a command as well as the pytest plugin: the teams that need the suite run it in their own server's
repository, where `pytest` would read that repository's configuration and collect its tests. The command
runs this package's suite and nothing else, with the pytest configuration of its own (cli.ini), the
suite's options (declared once, in conformance/options.py, and written `--option=VALUE` for pytest), and
exit codes a CI step can act on. `conformance sandbox` serves the sandbox, as `rails-sandbox` does;
`conformance webhook-receiver` judges an integrator's webhook receiver (conformance/webhooks/kit.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from conformance import options
from conformance.plugin import PLUGIN_NAME
from conformance.session import INCOMPLETE, SUITE_DIR

CONFORMS, MUST_FAILED, USAGE, SUITE_ERROR, UNUSABLE = 0, 1, 2, 3, 4
CONFIG = SUITE_DIR / "cli.ini"
# The command imported the suite's packages to read its options, before pytest could mark them for assertion
# rewriting; the test modules, imported later, are still rewritten. Nothing else is imported before pytest.
IMPORTED_FIRST = "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning"
USAGE_LINES = """conformance [--base-url URL] [suite options] [NODEID ...] [-- PYTEST_ARGS ...]
       conformance sandbox [--port N] [sandbox options]
       conformance webhook-receiver --url URL --secret S"""
EPILOG = f"""exit codes:
  {CONFORMS}  the target conforms (SHOULD findings never fail a run)
  {MUST_FAILED}  MUST requirements failed
  {USAGE}  usage error (an option, a baseline, a selection that matches no test)
  {SUITE_ERROR}  the suite could not finish (internal or collection error, interrupted)
  {UNUSABLE}  the target is unusable (unreachable, or it rejects the credentials everywhere)
  {INCOMPLETE}  incomplete: no MUST failed, but some in scope could not be checked (each is named with why);
     with --require-all, any MUST not checked exits 1 instead

Reports go to ./reports (conformance.html, summary.json, junit.xml) unless --reports-dir says otherwise.
Arguments after -- go to pytest as they are (e.g. -- -n 2 -x)."""
# the command's own options, next to the suite's: pytest-base-url's and Hypothesis's
OWN: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--base-url",), {"dest": "base_url", "metavar": "URL",
                       "help": "The server under test; default: the embedded sandbox. [env PYTEST_BASE_URL]"}),
    (("--hypothesis-seed",), {"dest": "hypothesis_seed", "metavar": "N",
                              "help": "Replay the generated cases of an earlier run (its report names the seed)."}),
]


def parser() -> argparse.ArgumentParser:
    """The command's options: its own and the suite's, with no defaults of their own (the plugin applies the
    environment and the defaults), so that only what was given is passed on."""
    cli = argparse.ArgumentParser(prog="conformance", usage=USAGE_LINES, epilog=EPILOG, allow_abbrev=False,
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  description="Check a server against the 2026-01 Integrations API.")
    for flags, keywords in OWN:
        cli.add_argument(*flags, **keywords, default=argparse.SUPPRESS)
    suite = cli.add_argument_group("suite options")
    for flags, keywords in options.declarations():  # values pass on as written: pytest parses them
        passed_on = {key: value for key, value in keywords.items() if key != "type"}
        suite.add_argument(*flags, **{**passed_on, "default": argparse.SUPPRESS})
    cli.add_argument("tests", nargs="*", metavar="NODEID",
                     help="Run only these tests, named as the report names them (the whole suite by default).")
    return cli


def collection_argument(nodeid: str) -> str:
    """A test named as a report names it (`conformance/checks/test_auth.py::test_x`, relative to the suite's
    parent; or to the suite, when pytest ran it from outside its rootdir), as a path pytest finds from here."""
    path, sep, rest = nodeid.partition("::")
    for base in (Path.cwd(), SUITE_DIR.parent, SUITE_DIR):
        if (base / path).exists():
            return f"{(base / path).resolve()}{sep}{rest}"
    return nodeid  # pytest says that it is not found


def pytest_args(given: argparse.Namespace, extra: Sequence[str]) -> list[str]:
    """The pytest command line: the suite's own directory (its node ids relative to the suite's parent, as in a
    clone), its own configuration, no cache written next to the package, then what was given, one word per
    option so that no value is taken for a path, then `extra`."""
    values = vars(given)
    tests = [collection_argument(t) for t in values.pop("tests")]
    args = [*(tests or [str(SUITE_DIR)]), f"--rootdir={SUITE_DIR.parent}", f"--config-file={CONFIG}",
            "-p", "no:cacheprovider", "-W", IMPORTED_FIRST]
    for flags, keywords in [*OWN, *options.declarations()]:
        dest, action = keywords["dest"], keywords.get("action", "store")
        if dest not in values:
            continue
        value = values[dest]
        if action == "append":
            args += [f"{flags[0]}={item}" for item in value]
        elif action == "store":
            args.append(f"{flags[0]}={value}")
        elif value == (action == "store_true"):  # --extensions and --no-extensions share one dest
            args.append(flags[0])
    return [*args, *extra]


class Outcome:
    """Registered for the run: pytest's exit code 4 is both its usage error and the suite's unusable target."""

    def __init__(self) -> None:
        self.unusable = False

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        session = config.pluginmanager.get_plugin(PLUGIN_NAME)
        self.unusable = bool(session is not None and session.unusable)


def exit_code(pytest_code: int, unusable: bool) -> int:
    if pytest_code == pytest.ExitCode.USAGE_ERROR:
        return UNUSABLE if unusable else USAGE
    return {pytest.ExitCode.OK: CONFORMS, pytest.ExitCode.TESTS_FAILED: MUST_FAILED,
            pytest.ExitCode.NO_TESTS_COLLECTED: USAGE, INCOMPLETE: INCOMPLETE}.get(pytest_code, SUITE_ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sandbox"]:
        from sandbox.__main__ import main as serve

        serve(argv[1:])
        return CONFORMS
    if argv[:1] == ["webhook-receiver"]:
        from conformance.webhooks.kit import main as judge_receiver

        return judge_receiver(argv[1:])
    ours, extra = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    given = parser().parse_args(ours)  # --help exits 0, a usage error 2
    outcome = Outcome()
    return exit_code(pytest.main(pytest_args(given, extra), plugins=[outcome]), outcome.unusable)
