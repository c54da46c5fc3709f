"""The requirement catalogue: every rule the suite verifies, by stable id.

Each requirement is one MUST or SHOULD sentence with a provenance (documented | upstream | inferred,
as in the contract notes). A rule that rests on an inferred fact is a SHOULD: its failures are
reported as warnings and never fail a run. Ids are stable: a retired rule keeps its id unused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase

from contract.documents import extensions_document
from contract.operations import operations
from contract.wire import BASKET, INSTALL, PARTS_INSERT


class Level(StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"


class Provenance(StrEnum):
    DOCUMENTED = "documented"
    UPSTREAM = "upstream"
    INFERRED = "inferred"


ALL = ("*",)  # every method in scope
EXT = tuple(operations(extensions_document()))  # the proposed extension methods


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    provenance: Provenance
    area: str
    rule: str
    methods: tuple[str, ...] = ALL  # the methods it constrains: names or patterns ("supplier.*")
    extension: bool = False  # verifies the proposed extensions, not 2026-01
    generated: bool = False  # verified by the generated tests on every request they send
    excludes: tuple[str, ...] = ()  # methods the patterns match that it does not constrain

    def __post_init__(self) -> None:
        if self.provenance is Provenance.INFERRED and self.level is Level.MUST:
            raise ValueError(f"{self.id}: a rule that rests on an inferred fact cannot be a MUST")
        if not self.rule.startswith(("A ", "An ", "Every ", "The ", "Each ", "What ", "Data ", "Placing ")):
            raise ValueError(f"{self.id}: a rule is one sentence naming what it constrains")

    def applies_to(self, method: str) -> bool:
        return any(fnmatchcase(method, p) for p in self.methods) and method not in self.excludes


M, S = Level.MUST, Level.SHOULD
D, U, INF = Provenance.DOCUMENTED, Provenance.UPSTREAM, Provenance.INFERRED
JOB_SELECTORS = ("repairer.jobs.get", "repairer.jobs.parts.list", "repairer.jobs.baskets.latest.get")
CONFIRM = ("supplier.procurements.confirm", "supplier.procurements.get")

CATALOGUE: tuple[Requirement, ...] = (
    # -- response schema --
    Requirement("SCHEMA-001", M, D, "schema",
                "A 2xx response MUST match every documented part of the method's response schema.", generated=True),
    Requirement("SCHEMA-002", S, INF, "schema",
                "A 2xx response SHOULD match the inferred parts of the reconstructed schema "
                "(invented field types, formats and money strings).", generated=True),
    # -- wire --
    Requirement("WIRE-001", M, D, "wire",
                "A server MUST NOT answer any request with a 5xx: every error is one of the method's coded kinds.",
                generated=True),
    Requirement("WIRE-002", M, D, "wire", "A response with a body MUST be JSON (application/json).", generated=True),
    Requirement("WIRE-003", M, D, "wire", "An empty request body MUST be treated as {}."),
    Requirement("WIRE-004", M, U, "wire",
                "A request body that does not parse into the method's request (not JSON, not a JSON object, a field "
                "of the wrong type) MUST be rejected with 400 and a coded error (or 413 when too large to read)."),
    Requirement("WIRE-005", S, U, "wire",
                "A request with an unsupported Content-Type SHOULD be rejected with 415."),
    Requirement("WIRE-006", S, INF, "wire",
                "An unknown method name SHOULD be answered 404 with the not_found kind."),
    Requirement("WIRE-007", S, INF, "wire",
                "A request that violates the method's request schema SHOULD be rejected with a 4xx coded error.",
                generated=True),
    Requirement("WIRE-008", S, INF, "wire",
                "A request that satisfies the method's request schema SHOULD NOT be rejected as malformed.",
                generated=True),
    Requirement("WIRE-009", S, U, "wire", "An HTTP verb other than POST SHOULD be answered 405.", generated=True),
    # -- auth --
    Requirement("AUTH-001", M, D, "auth",
                "Every method but integrations.insert MUST answer a request without valid credentials "
                "(no headers, either header missing, a malformed bearer, an unknown key) with 401 unauthorized.",
                generated=True, excludes=(INSTALL,)),
    Requirement("AUTH-002", S, INF, "auth",
                "A key sent with another integration's id SHOULD be rejected with 401 unauthorized.",
                excludes=(INSTALL,)),
    Requirement("AUTH-003", M, D, "auth",
                "A supplier credential on a repairer.* method, or a repairer credential on a supplier.* method, "
                "MUST be answered 403 forbidden.", ("repairer.*", "supplier.*")),
    Requirement("AUTH-004", M, D, "auth", "The integrations.insert method MUST work without auth headers.",
                (INSTALL,)),
    Requirement("AUTH-005", M, D, "auth",
                "Each successful install MUST mint a new api_key (partly_ and 32 hex digits) and "
                "integration_id that then authenticate.", (INSTALL,)),
    Requirement("AUTH-006", M, D, "auth",
                "The access code MUST be single-use: a second install with it fails with invalid_access_code.",
                (INSTALL,)),
    Requirement("AUTH-007", S, INF, "auth",
                "Each install error SHOULD name its cause: an unknown client integration_not_found, a wrong "
                "secret invalid_client_secret, an unknown code invalid_access_code.", (INSTALL,)),
    # -- error model --
    Requirement("ERR-001", M, D, "errors",
                "Every error response MUST be one of the method's declared kinds, in the method's shape.",
                generated=True),
    Requirement("ERR-002", M, D, "errors",
                "The documented kinds MUST answer their conditions with their statuses: bad_request 400 (missing, "
                "ambiguous or malformed input), unauthorized 401, forbidden 403, not_found 404 (no match).",
                generated=True),
    Requirement("ERR-003", S, INF, "errors",
                "The inferred kinds SHOULD answer their conditions with their statuses: unprocessable and "
                "work_provider_not_found (an unknown work provider) 422, the install errors as in the contract notes.",
                generated=True),
    Requirement("ERR-D24-001", M, D, "errors",
                "Every error of repairer.jobs.parts.insert MUST be a bare JSON string, not a {type} object (D24).",
                (PARTS_INSERT,), generated=True),
    # -- D52 --
    Requirement("BASKET-D52-001", M, D, "d52",
                "The basket response MUST carry no currency or currency_code key anywhere (D52).", (BASKET,),
                generated=True),
    Requirement("BASKET-D52-002", M, D, "d52",
                "A procurement MUST carry currency_code, and its invoices the same currency_code (D52).",
                ("repairer.procurements.get", "repairer.procurements.invoices.list")),
    # -- lifecycle --
    Requirement("LIFE-001", M, D, "lifecycle", "A newly inserted part MUST be estimated.",
                ("repairer.jobs.parts.insert", "repairer.jobs.parts.list")),
    Requirement("LIFE-002", M, D, "lifecycle",
                "Placing a procurement MUST create it order_requested, listed for its job, with its parts "
                "ordered and the job's other parts still estimated.",
                ("repairer.procurements.insert", "repairer.procurements.list", "repairer.jobs.parts.list"),
                extension=True),
    Requirement("LIFE-003", M, D, "lifecycle",
                "The supplier's confirm MUST move a procurement to order_confirmed, and both the supplier's "
                "and the repairer's views MUST agree.", (*CONFIRM, "repairer.procurements.get"), extension=True),
    Requirement("LIFE-004", M, D, "lifecycle", "A procurement's status MUST never move backwards.",
                (*CONFIRM, "repairer.procurements.get"), extension=True),
    Requirement("LIFE-005", S, INF, "lifecycle",
                "A procurement's created_at SHOULD be an RFC 3339 time no later than its updated_at.",
                ("repairer.procurements.get", "supplier.procurements.get")),
    Requirement("LIFE-006", M, D, "lifecycle", "An invoice MUST NOT exist before its procurement is order_confirmed.",
                ("repairer.procurements.invoices.list",), extension=True),
    Requirement("LIFE-007", S, INF, "lifecycle",
                "A confirmed procurement SHOULD get an invoice whose lines match what was ordered "
                "(part, quantity, unit price).",
                ("repairer.procurements.invoices.list", "repairer.procurements.invoices.get"), extension=True),
    Requirement("LIFE-008", S, INF, "lifecycle",
                "Placing an already-ordered part SHOULD be rejected unprocessable, and a second confirm "
                "SHOULD change nothing.", ("repairer.procurements.insert", "supplier.procurements.confirm"),
                extension=True),
    Requirement("LIFE-009", M, D, "lifecycle",
                "The repairer.jobs.insert method MUST upsert by identity: the same identity twice is one job.",
                ("repairer.jobs.insert",)),
    Requirement("LIFE-010", S, INF, "lifecycle",
                "A job's basket SHOULD follow its current parts: a new job with parts gets offers for them.",
                (BASKET,)),
    # -- identity selectors --
    Requirement("IDENT-001", M, D, "identity",
                "A job selected by id and by external id MUST be the same job.", JOB_SELECTORS),
    Requirement("IDENT-002", S, INF, "identity",
                "A job selected by site and job number (site_job_number) SHOULD be the same job.", JOB_SELECTORS),
    Requirement("IDENT-003", M, D, "identity",
                "An identity with no variant or several variants MUST be answered 400 bad_request.",
                JOB_SELECTORS),
    Requirement("IDENT-004", M, D, "identity", "An identity that matches nothing MUST be answered 404 not_found.",
                (*JOB_SELECTORS, "repairer.procurements.get", "supplier.procurements.get")),
    # -- scope and tenants --
    Requirement("SCOPE-001", M, D, "scope",
                "Data outside the caller's organization MUST be not_found: a supplier sees only the procurements "
                "it supplies.", ("supplier.procurements.get", "supplier.procurements.confirm"), extension=True),
    Requirement("TENANT-001", M, D, "tenants",
                "What one sandbox tenant writes MUST NOT be visible to another tenant.",
                ("repairer.jobs.insert", "repairer.jobs.get")),
    # -- extensions --
    Requirement("EXT-001", M, D, "extensions", "Every extension response MUST carry x_extension: true.", EXT,
                extension=True, generated=True),
    Requirement("EXT-002", M, D, "extensions",
                "An invoice id that repairer.procurements.invoices.list lists MUST fetch that invoice with "
                "repairer.procurements.invoices.get.", ("repairer.procurements.invoices.get",), extension=True),
    # -- run-level --
    Requirement("COV-001", M, D, "coverage",
                "Every method in scope MUST return at least one 2xx during the run; a run that reached "
                "nothing cannot pass."),
)

BY_ID: dict[str, Requirement] = {r.id: r for r in CATALOGUE}


def get(requirement_id: str) -> Requirement:
    """The requirement with this id; an unknown id is a bug of the suite, raised at once."""
    try:
        return BY_ID[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement id {requirement_id!r} (see conformance/requirements.py)") from None
