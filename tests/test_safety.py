"""The guard that keeps a run without a world of its own away from data it did not create
(conformance/target/safety.py)."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from conformance.target.safety import MUTATING, Ownership, unique_external_id
from sandbox import create_app
from sandbox.server import running
from sandbox.tenants import BASE_WORLD
from spec import demo
from tests.suite_runner import run_suite

SEEDED = {"external": demo.JOB_EXTERNAL_ID}


def guarded(ownership: Ownership, method: str, body: object) -> dict:
    return json.loads(ownership.guard(method, json.dumps(body).encode()))


def test_a_mutating_request_naming_foreign_data_is_made_to_match_nothing() -> None:
    ownership = Ownership()
    parts = guarded(ownership, "repairer.jobs.parts.insert", {"job_identity": SEEDED, "parts": [{"quantity": 1}]})
    assert parts["job_identity"]["external"] != demo.JOB_EXTERNAL_ID and parts["parts"] == [{"quantity": 1}]
    confirm = guarded(ownership, "supplier.procurements.confirm", {"identity": {"id": demo.PROCUREMENT_ID}})
    assert confirm["identity"]["id"] != demo.PROCUREMENT_ID and uuid.UUID(confirm["identity"]["id"])
    upsert = guarded(ownership, "repairer.jobs.insert", {"identity": SEEDED, "repairer_site_id": demo.SITE_ID})
    assert upsert["identity"]["external"] != demo.JOB_EXTERNAL_ID and upsert["repairer_site_id"] == demo.SITE_ID


def test_a_negative_case_keeps_its_shape() -> None:
    ambiguous = {"identity": {"external": demo.JOB_EXTERNAL_ID, "id": 5}, "repairer_site_id": demo.SITE_ID}
    body = guarded(Ownership(), "repairer.jobs.insert", ambiguous)
    assert set(body["identity"]) == {"external", "id"} and body["identity"]["id"] == 5
    assert body["identity"]["external"] != demo.JOB_EXTERNAL_ID


def test_what_the_run_created_or_was_given_passes_unchanged() -> None:
    ownership = Ownership(confirmable=(demo.PROCUREMENT_ID,))
    external = unique_external_id()
    request = json.dumps({"identity": {"external": external}, "repairer_site_id": demo.SITE_ID}).encode()
    assert ownership.guard("repairer.jobs.insert", request) == request  # a name the run made up
    job_id = str(uuid.uuid4())
    ownership.learn("repairer.jobs.insert", request, 200, {"id": job_id})
    for identity in ({"id": job_id}, {"external": external}, {"id": job_id.upper()}):
        body = json.dumps({"job_identity": identity, "parts": []}).encode()
        assert ownership.guard("repairer.jobs.parts.insert", body) == body
    confirm = json.dumps({"identity": {"id": demo.PROCUREMENT_ID}}).encode()
    assert ownership.guard("supplier.procurements.confirm", confirm) == confirm
    placed = str(uuid.uuid4())
    ownership.learn("repairer.procurements.insert", b"{}", 200, {"x_extension": True, "procurement": {"id": placed}})
    assert ownership.owns("procurement", {"id": placed})


def test_reads_and_what_is_not_a_json_object_pass_unchanged() -> None:
    ownership = Ownership()
    read = json.dumps({"identity": SEEDED}).encode()
    assert ownership.guard("repairer.jobs.get", read) == read
    for content in (b"", b"{", b"[]", b'"x"'):
        assert all(ownership.guard(method, content) == content for method in MUTATING)


def test_a_failed_insert_creates_nothing_the_run_owns() -> None:
    ownership = Ownership()
    request = json.dumps({"identity": {"id": str(uuid.uuid4())}, "repairer_site_id": demo.SITE_ID}).encode()
    ownership.learn("repairer.jobs.insert", request, 422, {"type": "unprocessable"})
    assert not ownership.jobs


WORLD_PARTS = ("organizations", "businesses", "work_providers", "jobs", "parts", "offers", "procurements", "invoices",
               "credentials", "clients", "access_codes")


def seeded_state(app: Any) -> dict[str, dict[str, Any]]:
    """A deep copy of what the shared world holds (its seed, before a run)."""
    world = app.state.sandbox.tenants.world(BASE_WORLD)
    return {part: copy.deepcopy(dict(getattr(world, part))) for part in WORLD_PARTS}


@pytest.mark.slow
@pytest.mark.parametrize("options", [(), ("--no-tenant", "--extensions")], ids=["defaults", "told-no-tenant"])
def test_a_run_without_a_world_of_its_own_alters_nothing_it_did_not_create(tmp_path: Path, options: tuple) -> None:
    """A staging server: the sandbox's seeded data, no tenants. After a whole run (the probe finds the header
    ignored), everything that was there before is as it was; the run only added data of its own."""
    app = create_app(tenants=False)
    before = seeded_state(app)
    with running(app) as url:
        result = run_suite(tmp_path, "--base-url", url, *options)
    assert result.returncode == 0, result.output[-3000:]
    assert result.summary["target"]["isolated"] is False
    after = seeded_state(app)
    for part, entities in before.items():
        changed = sorted(key for key, entity in entities.items() if after[part].get(key) != entity)
        assert not changed, f"the run changed {part} it did not create: {changed}"
    assert len(after["jobs"]) > len(before["jobs"])  # it did work: on jobs of its own
