"""The generated tests' glue: schemathesis cases sent through the suite's HTTP edge and judged.

A generated case is sent as the role its method needs, through `Run.send` (recorded, judged by the
contract: schema by provenance, error union, D24, D52, statuses), then checked by the schemathesis
checks that a schema alone cannot express; each schemathesis failure is mapped to the requirement
it verifies.

Findings never stop generation: they are recorded on the running test (each kind once: requirement,
method and what failed, not the values of one request) and nothing is raised inside Hypothesis, so a
test spends its whole example budget on a server with findings too; the test fails (a MUST) or warns
(a SHOULD) once the budget is spent. That also lets a property test hand its cases to the run's senders
(`send_in_background`) and go on generating while they are answered.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import schemathesis
from schemathesis import Case, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

from conformance.run import Run, Sent
from conformance.verdict.findings import ConformanceFailure, Finding, current
from conformance.wire.transport import request_headers
from spec.wire import INSTALL, Credential, required_role

SETTINGS = Path(__file__).with_name("schemathesis.toml")
# schemathesis check -> the requirement it verifies (response schema, status and content type are the
# judge's, which knows what is documented and what inferred). Auth without credentials is the
# hand-written AUTH-001 check's: schemathesis's `ignored_auth` would send requests of its own.
CHECKS = {
    "not_a_server_error": "WIRE-001",
    "negative_data_rejection": "WIRE-007",
    "positive_data_acceptance": "WIRE-008",
    "unsupported_method": "WIRE-009",
    "allow_header_conformance": "WIRE-009",
    "missing_required_header": "AUTH-001",
}
CHECK_FUNCTIONS = [not_a_server_error, negative_data_rejection, positive_data_acceptance, unsupported_method,
                   allow_header_conformance, missing_required_header]


def load_schema(run: Run) -> schemathesis.BaseSchema:
    """The contract in scope as a schemathesis schema, aimed at the target, with the suite's settings."""
    schema = schemathesis.openapi.from_dict(run.target.document, config=schemathesis.Config.from_path(SETTINGS))
    schema.config.update(base_url=run.target.base_url)
    return schema


def credential_for(run: Run, method: str) -> Credential | None:
    """The credential a method is called with: its role's, none for integrations.insert, else the repairer's."""
    if method == INSTALL:
        return None
    return run.target.supplier if required_role(method) == "supplier" else run.target.repairer


def protect_shared_state(run: Run, case: Case) -> None:
    """Generated install requests never spend the run's real access code (the auth checks need it)."""
    if case.operation.definition.raw.get("operationId") == INSTALL and isinstance(case.body, dict) and (
            case.body.get("access_code") == run.target.grant.access_code):
        case.body["access_code"] = "conformance-unused-code"


def _requirement(failure: Failure, contract_call: bool, verb: str) -> str:
    """The requirement a schemathesis failure breaks. A 5xx is WIRE-001 only on a contract call (a JSON
    POST): another verb's or media type's answer is judged by that request's own SHOULD rule."""
    requirement = next((CHECKS[name] for name in type(failure).checks if name in CHECKS), "WIRE-001")
    if requirement == "WIRE-001" and not contract_call:
        return "WIRE-009" if verb.upper() != "POST" else "WIRE-005"
    return requirement


def refused_with_another_status(failure: Failure, status: int) -> bool:
    """A request without an auth header refused, only with another status than schemathesis expects (401 for a
    missing Authorization): AUTH-001 asks for a refusal, and a kind's status is the judge's (ERR-002, SHOULD)."""
    return "missing_required_header" in type(failure).checks and not 200 <= status < 300


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


def _content(kwargs: dict[str, Any]) -> bytes:
    """The body schemathesis serialized for a case (`json` or `data`, as for `requests`), as bytes."""
    if "json" in kwargs:
        return json.dumps(kwargs["json"]).encode()
    data = kwargs.get("data")
    if isinstance(data, dict):
        return urlencode(data, doseq=True).encode()
    if isinstance(data, str):
        return data.encode()
    return bytes(data or b"")


@dataclass(frozen=True)
class Prepared:
    """A generated case as it goes out: its method, and the request schemathesis serialized for it."""

    method: str
    role_headers: dict[str, str]  # the role's auth and tenant headers (the case adds its own media type)
    kwargs: dict[str, Any]  # schemathesis's transport kwargs: method (the verb), headers, json/data, params


def prepare(run: Run, case: Case) -> Prepared:
    """The request for `case`, built on the test's own thread (the case is Hypothesis's until the example ends)."""
    method = case.operation.definition.raw["operationId"]
    protect_shared_state(run, case)
    headers = request_headers(credential_for(run, method), run.target.tenant)
    headers.pop("Content-Type")  # the case sets its own media type; coverage cases vary it on purpose
    return Prepared(method, headers, case.as_transport_kwargs(base_url=run.target.base_url, headers=headers))


def _failure_finding(method: str, failure: Failure, sent: Sent) -> Finding:
    requirement = _requirement(failure, sent.exchange.is_json_post, sent.exchange.verb)
    return Finding(requirement, f"{method}: {failure.title}: {failure.message}"[:600], sent.exchange.render(),
                   exchange=sent.exchange.id, kind=f"{method}: {type(failure).__name__}: {failure.title}")


def send_and_judge(run: Run, case: Case, prepared: Prepared, chained: bool) -> Response:
    """Send a prepared case, judge it, check it with the schemathesis checks; findings go to the running
    test's record, never raised."""
    method, kwargs = prepared.method, prepared.kwargs
    sent = run.send(method, verb=kwargs["method"], headers={k: str(v) for k, v in kwargs["headers"].items()},
                    content=_content(kwargs), params=kwargs.get("params") or None)
    response = Response.from_httpx(sent.response, verify=True)
    checks = CHECK_FUNCTIONS
    if not invalid_as_sent(case, chained):
        checks = [c for c in checks if c is not negative_data_rejection]
    failures: list[Failure] = []
    try:
        case.validate_response(response, checks=checks, headers=prepared.role_headers)
    except FailureGroup as group:
        failures = list(group.exceptions)
    except Failure as failure:
        failures = [failure]
    record = current()
    for failure in failures:
        if not refused_with_another_status(failure, response.status_code):
            record.add(_failure_finding(method, failure, sent))
    return response


def call_and_judge(run: Run, case: Case, *, chained: bool = False) -> Response:
    """Send a generated case as its method's role now, and judge it (the stateful chains need the response)."""
    return send_and_judge(run, case, prepare(run, case), chained)


def send_unless_unanswered(run: Run, case: Case, prepared: Prepared) -> None:
    """`send_and_judge`, where a case that got no answer is only its POS-001 finding (already on the test's
    record, from `Run.send`): the test goes on with its other cases, and fails once they are all judged."""
    with contextlib.suppress(ConformanceFailure):
        send_and_judge(run, case, prepared, False)


def send_in_background(run: Run, case: Case) -> None:
    """Hand a generated case to the run's senders and return: the test goes on generating meanwhile."""
    run.pipeline.submit(send_unless_unanswered, run, case, prepare(run, case))
