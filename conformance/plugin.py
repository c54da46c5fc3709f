"""The pytest plugin (a `pytest11` entry point): the suite's options, and the run object that does the rest.

Registered as an entry point so that its options are known before pytest collects, in pytest-xdist
workers too. All run state lives on a `ConformanceSession` registered with the plugin manager (as
pytest-html registers its report object), never in module globals.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from conformance import options
from conformance.session import SUITE_DIR, ConformanceSession, argument_path
from conformance.wire import pace

PLUGIN_NAME = "conformance-session"


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


def joined(args: Sequence[str]) -> list[str]:
    """`args` with each suite option that takes a value written as one word with it, `--option=VALUE`."""
    out: list[str] = []
    for word in args:
        if out and out[-1] in options.VALUE_FLAGS and not word.startswith("-"):
            out[-1] = f"{out[-1]}={word}"
        else:
            out.append(word)
    return out


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """`pytest --baseline /elsewhere/summary.json`: pytest chooses its rootdir and configuration file from the
    command line's paths before it loads plugins, so the value of a plugin's option written with a space is
    taken for a path, and a directory outside the project becomes the rootdir (testpaths unread, the whole
    tree collected). Measured on pytest 9.2; pytest has no hook early enough to prevent it. The command line
    then runs again, in this process, with the suite's options joined to their values: the same words, read
    right. Every such option, not only those naming a path that exists now: pytest-xdist starts its workers
    with the invocation's words, after the run has created its reports directory."""
    if hasattr(config, "workerinput"):
        return None
    args = list(config.invocation_params.args)
    if joined(args) == args:
        return None
    return pytest.main(joined(args), plugins=list(config.invocation_params.plugins or ()))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids, generated=False): catalogue requirements this test "
                            "verifies (generated: those of the methods it sends generated requests to)")
    config.addinivalue_line("markers", "methods(*names, where=predicate): parametrize `method` by the methods "
                            "in scope (conformance/conftest.py)")
    worker = hasattr(config, "workerinput")
    if not worker and config.inipath is None and Path(config.invocation_params.dir).resolve() == SUITE_DIR.parent:
        # another plugin's option written with a space (`--css /tmp/x.css`) moved the rootdir out of the project:
        # pyproject.toml (testpaths) was not read and every test of the repository would be collected
        raise pytest.UsageError(
            f"pytest took an option's value for a path (rootdir became {config.rootpath}). Write that option "
            "with '=' (--css=FILE) or name the suite: pytest conformance ...")
    if not (worker or runs_conformance(config)):
        return
    session = ConformanceSession(config)
    if not worker and not (config.option.help or config.option.collectonly):
        pace.plan(config, session.base_url)  # before pytest-xdist configures: it may add workers
    config.pluginmanager.register(session, PLUGIN_NAME)


def runs_conformance(config: pytest.Config) -> bool:
    """True when the invocation collects the conformance suite: `pytest` in a clone, `pytest conformance/...`,
    the installed package's directory, or `pytest --pyargs conformance[.checks...]` from anywhere."""
    args = config.args or [str(config.rootpath)]
    for arg in args:
        path = argument_path(config, arg)
        if path == SUITE_DIR or SUITE_DIR in path.parents or path in SUITE_DIR.parents:
            return True
    return False
