"""Glue between schemathesis and the requirement catalogue, shared by the property and stateful tests.

A generated case is sent as the role its method needs, judged by the contract (schema by provenance,
error union, D24, D52, statuses), and checked by the schemathesis checks that a schema alone cannot
express; each schemathesis failure is mapped to the requirement it verifies.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from schemathesis import Case, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

from conformance import exchange
from conformance.findings import Finding, current, raise_for_must
from conformance.run import Run
from conformance.target import Credential

INSTALL = "integrations.insert"
SETTINGS = Path(__file__).with_name("schemathesis.toml")
REQUEST_TIMEOUT = 15
# schemathesis check -> the requirement it verifies (response schema, status and content type are the
# contract judge's, which knows what is documented and what inferred)
CHECKS = {
    "not_a_server_error": "WIRE-001",
    "negative_data_rejection": "WIRE-007",
    "positive_data_acceptance": "WIRE-008",
    "unsupported_method": "WIRE-009",
    "allow_header_conformance": "WIRE-009",
    "missing_required_header": "AUTH-001",
    "ignored_auth": "AUTH-001",
}
CHECK_FUNCTIONS = [not_a_server_error, negative_data_rejection, positive_data_acceptance, unsupported_method,
                   allow_header_conformance, missing_required_header, ignored_auth]
GENERIC_REQUIREMENTS = ("SCHEMA-001", "SCHEMA-002", "ERR-001", "ERR-002", "ERR-003", "WIRE-001", "WIRE-002",
                        "WIRE-007", "WIRE-008", "WIRE-009")


def requirements_verified(run: Run, method: str) -> tuple[str, ...]:
    """What generated requests to `method` verify: the generic rules, plus the method's own."""
    own = {"repairer.jobs.parts.insert": ("ERR-D24-001",), "repairer.jobs.baskets.latest.get": ("BASKET-D52-001",)}
    extra = own.get(method, ())
    if run.contract.operations[method].extension:
        extra += ("EXT-001",)
    if credential_for(run, method) is not None:
        extra += ("AUTH-001",)
    return GENERIC_REQUIREMENTS + extra


def load_schema(run: Run) -> schemathesis.BaseSchema:
    """The contract in scope as a schemathesis schema, aimed at the target, with the suite's settings."""
    schema = schemathesis.openapi.from_dict(run.target.document, config=schemathesis.Config.from_path(SETTINGS))
    schema.config.update(base_url=run.target.base_url)
    return schema


def credential_for(run: Run, method: str) -> Credential | None:
    """The role a method needs: supplier.* a supplier, integrations.insert none, the rest a repairer."""
    if method == INSTALL:
        return None
    return run.target.supplier if method.startswith("supplier.") else run.target.repairer


def request_headers(run: Run, method: str) -> dict[str, str]:
    headers = run.target.headers(credential_for(run, method))
    headers.pop("Content-Type")  # the case sets its own media type; coverage cases vary it on purpose
    return headers


def protect_shared_state(run: Run, case: Case) -> None:
    """Generated install requests never spend the run's real access code (the auth checks need it)."""
    if case.operation.definition.raw.get("operationId") == INSTALL and isinstance(case.body, dict) and (
            case.body.get("access_code") == run.target.grant.access_code):
        case.body["access_code"] = "conformance-unused-code"


def _requirement(failure: Failure) -> str:
    return next((CHECKS[name] for name in type(failure).checks if name in CHECKS), "WIRE-001")


def invalid_as_sent(case: Case, chained: bool) -> bool:
    """Whether the request that went out is still the invalid input the generator meant it to be.

    Not when its body was empty ({} by the documented wire rule, WIRE-003), when only its headers were
    invalid (the suite sends the role's auth headers itself), or in a chain (links merge real ids into
    the body)."""
    if chained or isinstance(case.body, NotSet):
        return False
    if case.meta is None:
        return True  # nothing to go by: the check itself decides
    negative = {location for location, info in case.meta.components.items() if info.mode.is_negative}
    return bool(negative - {ParameterLocation.HEADER})


def judge_case(run: Run, case: Case, response: Response, headers: dict[str, str], chained: bool = False
               ) -> list[Finding]:
    """Every finding for one generated exchange, recorded on the running test."""
    method = case.operation.definition.raw["operationId"]
    ex = exchange.record(exchange.of(response))
    evidence = ex.render()
    found = run.contract.judge(method, response.status_code, ex.response_content_type, response.content,
                               json_request=ex.is_json_post, evidence=evidence)
    checks = CHECK_FUNCTIONS
    if not invalid_as_sent(case, chained):
        checks = [c for c in checks if c is not negative_data_rejection]
    try:
        case.validate_response(response, checks=checks, headers=headers)
    except FailureGroup as group:
        found += [Finding(_requirement(f), f"{method}: {f.title}: {f.message}"[:600], evidence)
                  for f in group.exceptions]
    except Failure as failure:
        found.append(Finding(_requirement(failure), f"{method}: {failure.title}: {failure.message}"[:600], evidence))
    record = current()
    for finding in found:
        record.add(finding)
    return found


def call_and_judge(run: Run, case: Case, *, chained: bool = False) -> Response:
    """Send a generated case as its method's role; MUST findings fail the example (Hypothesis shrinks it)."""
    method = case.operation.definition.raw["operationId"]
    headers = request_headers(run, method)
    protect_shared_state(run, case)
    response = case.call(base_url=run.target.base_url, headers=headers, timeout=REQUEST_TIMEOUT)
    raise_for_must(judge_case(run, case, response, headers, chained))
    return response
