"""Fixtures for the hand-written checks: clients per role, and jobs of the run's own making; the end of
every test call waits for the requests it sent in the background; pytest-xdist workers run the long
tests first."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from conformance import pace, pipeline
from conformance import run as run_module
from conformance.client import ApiClient
from conformance.workflow import NewJob, job_maker, usable_site


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """A test's background requests (a generated test's cases) are answered and judged before its call ends,
    so their findings fail or warn this test."""
    with pipeline.draining():
        return (yield)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):  # every worker sorts alike, so their collections still agree
        pace.longest_first(items)


@pytest.fixture(scope="session")
def run() -> run_module.Run:
    return run_module.active()


@pytest.fixture(scope="session")
def repairer(run: run_module.Run) -> ApiClient:
    return ApiClient(run, run.target.repairer, run.target.tenant)


@pytest.fixture(scope="session")
def supplier(run: run_module.Run) -> ApiClient:
    return ApiClient(run, run.target.supplier, run.target.tenant)


@pytest.fixture(scope="session")
def anonymous(run: run_module.Run) -> ApiClient:
    return ApiClient(run, None, run.target.tenant)


@pytest.fixture(scope="session")
def site_id(repairer: ApiClient) -> str:
    """A repairer site to create jobs at (one that takes a job)."""
    return usable_site(repairer)


@pytest.fixture
def new_job(repairer: ApiClient, site_id: str) -> NewJob:
    """Create a job of this run's own (unique external id), optionally with parts; returns the job."""
    return job_maker(repairer, site_id)
