"""The pytest plugin (a `pytest11` entry point): the suite's options, and the run object that does the rest.

Registered as an entry point so that its options are known before pytest reads the command line's
paths, in pytest-xdist workers too. All run state lives on a `ConformanceSession` registered with
the plugin manager (as pytest-html registers its report object), never in module globals.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import options, pace
from conformance.session import SUITE_DIR, ConformanceSession

PLUGIN_NAME = "conformance-session"


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): catalogue requirements this test verifies")
    worker = hasattr(config, "workerinput")
    if not worker and config.inipath is None and Path(config.invocation_params.dir).resolve() == SUITE_DIR.parent:
        # pytest reads paths before it knows plugin options: `--reports-dir /tmp/x` made /tmp/x the rootdir,
        # so pyproject.toml (testpaths) was not read and every test of the repository would be collected
        raise pytest.UsageError(
            f"pytest took an option's value for a path (rootdir became {config.rootpath}). Write path-valued "
            "options with '=' (--reports-dir=DIR, --baseline=FILE) or name the suite: pytest conformance ...")
    if not worker and runs_conformance(config) and not (config.option.help or config.option.collectonly):
        pace.plan(config)  # before pytest-xdist configures: it may add workers
    if worker or runs_conformance(config):
        config.pluginmanager.register(ConformanceSession(config), PLUGIN_NAME)


def runs_conformance(config: pytest.Config) -> bool:
    """True when the invocation collects the conformance suite (`pytest`, `pytest conformance/...`)."""
    args = config.args or [str(config.rootpath)]
    for arg in args:
        path = (Path(config.invocation_params.dir) / arg.split("::", 1)[0]).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents or path in SUITE_DIR.parents:
            return True
    return False
