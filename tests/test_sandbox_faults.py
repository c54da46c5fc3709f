"""The fault mechanism itself (sandbox/faults.py): the catalogue's shape, unknown names refused, each seam's
effect visible over HTTP, and no fault means the clean sandbox. Whether the suite catches each fault is
tests/test_faults.py's business (the kill matrix)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conformance.requirements import catalogue
from sandbox import create_app
from sandbox.__main__ import parse_args
from sandbox.faults import CATALOGUE, Seam, UnknownFault, names_from_env
from sandbox.server import running
from sandbox.testing import SUPPLIER, SandboxClient, new_tenant
from spec import bundled, with_extensions
from spec.wire import PARTS_INSERT

SANDBOX = Path(__file__).resolve().parent.parent / "sandbox"
JOB = {"external": "CCC-2026-04817"}
UNKNOWN_JOB = {"job_identity": {"id": "0d000000-0000-4000-8000-0000000000ff"}}


@contextmanager
def sandbox(*faults: str) -> Iterator[SandboxClient]:
    """The demo repairer in a fresh tenant of a sandbox with `faults` switched on."""
    with running(create_app(faults=faults)) as url:
        yield SandboxClient(url, tenant=new_tenant())


# requirements no fault can break: the judge files a schema violation under the weakest label on its path, and
# the bundled contract's only upstream nodes are the nullables' null branches, beside an inferred T
UNBREAKABLE = {"SCHEMA-003"}


def test_the_catalogue_names_a_fault_for_every_requirement() -> None:
    broken = set()
    for name, fault in CATALOGUE.items():
        assert name == fault.name and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name), name
        assert fault.description and "\n" not in fault.description, name
        assert fault.breaks and all(rid in catalogue.BY_ID for rid in fault.breaks), name
        assert (fault.apply is None) == (fault.seam is Seam.DOMAIN), name
        broken |= set(fault.breaks)
    assert broken == set(catalogue.BY_ID) - UNBREAKABLE


def fault_rows() -> list[str]:
    rows = ["| fault | what it does | breaks | seam |", "|---|---|---|---|"]
    return rows + [f"| `{f.name}` | {f.description} | {', '.join(f.breaks)} | {f.seam} |" for f in CATALOGUE.values()]


def test_the_readme_lists_every_fault_as_in_the_catalogue() -> None:
    text = (SANDBOX.parent / "README.md").read_text()
    table = text.split("<!-- faults-table -->", 1)[1].split("<!-- /faults-table -->", 1)[0]
    assert table.strip() == "\n".join(fault_rows()), "README fault table is stale; replace it with:\n" + "\n".join(
        fault_rows())


def test_every_domain_fault_is_asked_for_by_a_handler() -> None:
    code = "\n".join(p.read_text() for p in SANDBOX.rglob("*.py") if p.name != "faults.py")
    for fault in (f for f in CATALOGUE.values() if f.seam is Seam.DOMAIN):
        assert f'faults.active("{fault.name}")' in code, fault.name


def test_unknown_fault_names_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UnknownFault, match="no-such-fault"):
        create_app(faults=["job-images-dropped", "no-such-fault"])
    with pytest.raises(SystemExit):
        parse_args(["--fault", "no-such-fault"])
    assert "unknown fault no-such-fault" in capsys.readouterr().err
    assert parse_args(["--fault", "job-images-dropped", "--fault", "currency-on-offers"]).fault == [
        "job-images-dropped", "currency-on-offers"]
    assert names_from_env(" a, b ,,") == ["a", "b"] and names_from_env(None) == []


def test_no_fault_is_the_clean_sandbox() -> None:
    app = create_app()
    assert not app.state.faults and app.state.faults.names == frozenset()
    with running(app) as url:
        client = SandboxClient(url, tenant=new_tenant())
        client.fails("repairer.jobs.parts.list", UNKNOWN_JOB, 404, "not_found")
        client.fails("supplier.procurements.get", {"identity": {"id": "10000000-0000-4000-8000-000000000001"}},
                     403, "forbidden")
        assert "currency" not in str(client.ok("repairer.jobs.baskets.latest.get", {"job_identity": JOB}))


def test_request_seam_wrong_role_allowed() -> None:
    """A repairer credential is let into supplier.* (then finds nothing of its own: 404, not 403)."""
    with sandbox("wrong-role-allowed") as client:
        body = {"identity": {"id": "10000000-0000-4000-8000-000000000001"}}
        assert client.request("supplier.procurements.get", body, check=False).status_code == 404
        assert client.as_(SUPPLIER).ok("supplier.procurements.get", body)["id"] == body["identity"]["id"]


def test_call_seam_empty_body_rejected() -> None:
    with sandbox("empty-body-rejected") as client:
        response = client.request("businesses.list", content=b"", check=False)
        assert (response.status_code, response.json()["type"]) == (400, "bad_request")
        assert client.ok("businesses.list", {})["items"]


def test_response_seam_status_body_and_media_type() -> None:
    with sandbox("not-found-as-400", "currency-on-offers", "parts-insert-typed-errors") as client:
        assert client.request("repairer.jobs.parts.list", UNKNOWN_JOB, check=False).status_code == 400
        basket = client.request("repairer.jobs.baskets.latest.get", {"job_identity": JOB}, check=False).json()
        assert basket["offers"] and all(o["currency"] == "NZD" for o in basket["offers"])
        parts = {**UNKNOWN_JOB, "parts": [{"description": "x", "quantity": 1}]}
        assert client.request("repairer.jobs.parts.insert", parts, check=False).json() == {"type": "not_found"}
    with sandbox("text-plain-responses") as client:
        assert client.request("businesses.list", {}, check=False).headers["content-type"].startswith("text/plain")


def test_request_seam_refuses_in_the_methods_shape() -> None:
    """A hook may refuse a call: the kind is rendered as the method's union has it (bad_request where it lacks it)."""
    with sandbox("missing-credentials-forbidden") as client:
        anonymous = client.as_({})
        anonymous.fails("businesses.list", {}, 403, "forbidden")
        anonymous.fails("tier1.prepare", {"identifiers": ["JTNKHMBX503012345"]}, 400, "bad_request")
        anonymous.fails(PARTS_INSERT, {**UNKNOWN_JOB, "parts": []}, 403, "forbidden")


def test_domain_seam_served_spec_lists_extensions() -> None:
    with running(create_app(faults=["served-spec-lists-extensions"])) as url:
        served = httpx.get(f"{url}/openapi.json").json()
    assert set(served["paths"]) == set(with_extensions(bundled())["paths"]) > set(bundled()["paths"])


def test_domain_seam_confirm_does_nothing() -> None:
    with sandbox("confirm-does-nothing") as client:
        body = {"identity": {"id": "10000000-0000-4000-8000-000000000001"}}
        confirmed = client.as_(SUPPLIER).ok("supplier.procurements.confirm", body)
        assert {item["status"] for item in confirmed["source_items"]} == {"order_requested"}
