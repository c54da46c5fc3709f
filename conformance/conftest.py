"""Fixtures for the hand-written checks: clients per role, and jobs of the run's own making; the end of
every test call waits for the requests it sent in the background; pytest-xdist workers run the long
tests first."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from conformance import pace, pipeline
from conformance import run as run_module
from conformance.client import ApiClient
from conformance.workflow import NewJob, unique_external_id


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
    """A repairer site to create jobs at: the first business the repairer's organization lists."""
    reply = repairer.call("businesses.list")
    items = reply.body.get("items") if reply.ok and isinstance(reply.body, dict) else None
    if not items:
        pytest.fail(f"businesses.list gave no site to create jobs at: {reply.describe()}")
    return str(items[0]["id"])


@pytest.fixture
def new_job(repairer: ApiClient, site_id: str) -> NewJob:
    """Create a job of this run's own (unique external id), optionally with parts; returns the job."""

    def create(parts: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
        body = {"identity": {"external": unique_external_id()}, "repairer_site_id": site_id, **fields}
        reply = repairer.call("repairer.jobs.insert", body)
        if not reply.ok:
            pytest.fail(f"could not create a job to check with: {reply.describe()}")
        job = dict(reply.body)
        if parts:
            inserted = repairer.call("repairer.jobs.parts.insert",
                                     {"job_identity": {"id": job["id"]}, "parts": parts})
            if not inserted.ok:
                pytest.fail(f"could not add parts to the job: {inserted.describe()}")
            job["parts"] = inserted.body["items"]
        return job

    return create
