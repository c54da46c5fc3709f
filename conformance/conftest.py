"""Fixtures for the hand-written checks: clients per role, and jobs of the run's own making; the end of
every test call waits for the requests it sent in the background; pytest-xdist workers run the long
tests first."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from conformance.checks.client import ApiClient
from conformance.checks.workflow import NewJob, job_maker, usable_site
from conformance.run import Run, run_of
from conformance.wire import pace, pipeline


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """A test's background requests (a generated test's cases) are answered and judged before its call ends,
    so their findings fail or warn this test."""
    with pipeline.draining():
        return (yield)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):  # every worker sorts alike, so their collections still agree
        pace.longest_first(items)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`@pytest.mark.methods(*names, where=predicate)`: one test per method in scope (its id the method's
    name): of `names` (in their order) when given, and only those `where` accepts. The scope is the run's (a
    served spec, --no-extensions), known only once the session started it."""
    marker = metafunc.definition.get_closest_marker("methods")
    if marker is None:
        return
    in_scope = run_of(metafunc.config).in_scope()
    named = [m for m in marker.args if m in in_scope] if marker.args else in_scope
    where = marker.kwargs.get("where", lambda method: True)
    chosen = [m for m in named if where(m)]
    metafunc.parametrize("method", chosen, ids=chosen)


@pytest.fixture(scope="session")
def run(request: pytest.FixtureRequest) -> Run:
    """The run this process's session started: the one way a check reaches the target and the judge."""
    return run_of(request.config)


@pytest.fixture(scope="session")
def repairer(run: Run) -> ApiClient:
    return ApiClient(run, run.target.repairer, run.target.tenant)


@pytest.fixture(scope="session")
def supplier(run: Run) -> ApiClient:
    return ApiClient(run, run.target.supplier, run.target.tenant)


@pytest.fixture(scope="session")
def anonymous(run: Run) -> ApiClient:
    return ApiClient(run, None, run.target.tenant)


@pytest.fixture(scope="session")
def site_id(repairer: ApiClient) -> str:
    """A repairer site to create jobs at (one that takes a job)."""
    return usable_site(repairer)


@pytest.fixture
def new_job(repairer: ApiClient, site_id: str) -> NewJob:
    """Create a job of this run's own (unique external id), optionally with parts; returns the job."""
    return job_maker(repairer, site_id)
