"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sandbox import create_app
from sandbox.server import running
from sandbox.testing import SUPPLIER, SandboxClient, new_tenant
from tests.suite_runner import SuiteRun, run_suite


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=os.environ.get("RUN_SLOW") == "1",
                     help="Also run the slow tests: the kill matrix and the extra whole-suite runs. [env RUN_SLOW=1]")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (CI does)")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    """The embedded sandbox, served over real HTTP on a free loopback port for the whole session."""
    with running(create_app()) as url:
        yield url


@pytest.fixture
def repairer(sandbox_url: str) -> SandboxClient:
    """The demo repairer, in a fresh private tenant world (every response is checked against the spec)."""
    return SandboxClient(sandbox_url, tenant=new_tenant())


@pytest.fixture
def supplier(repairer: SandboxClient) -> SandboxClient:
    """The demo supplier (Christchurch Toyota), in the same tenant world as `repairer`."""
    return repairer.as_(SUPPLIER)


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    """One whole conformance run against the clean embedded sandbox, shared by the tests that read it."""
    return run_suite(tmp_path_factory.mktemp("clean-run"))
