"""Named faults: deliberate non-conformances the sandbox can switch on, so that the conformance suite can
be shown to catch what it claims to catch (issue 6: the kill matrix).

Why a catalogue: each fault is one row (name, one-line description, the requirement ids it is expected
to break, its seam and its implementation), so this module reads as the list of mutants, the kill
matrix takes its expectations from here, and the benchmark times each fault's detection from the same
rows. The machinery that runs them (the seams, switching rows on by name) is sandbox/seams.py.

Public shape: `CATALOGUE` (name -> Fault, in catalogue order), `Fault.name/description/breaks/seam`,
`CATALOGUE.switch(names)` (raises UnknownFault), `names_from_env(value)` for ENV_VARIABLE.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from spec import demo
from spec.wire import (
    AUTHORIZATION,
    BASKET,
    INSTALL,
    INTEGRATION_ID,
    PARTS_INSERT,
    TENANT_HEADER,
    authenticated,
    bearer_token,
    is_uuid,
)

from . import views
from .errors import ApiError
from .invoicing import invoice_for
from .seams import (
    FAULTS_VARIABLE,
    Catalogue,
    Hook,
    Incoming,
    Outgoing,
    Row,
    Seam,
    UnknownName,
    answers,
    fails_with,
    invoices_in,
    names_from_env,
    procurements_in,
)
from .seed import DEMO_JOB
from .tenants import BASE_WORLD
from .world import AccessCode, Credential, Part, World, rfc3339

__all__ = ["CATALOGUE", "ENV_VARIABLE", "Fault", "UnknownFault", "names_from_env"]

ENV_VARIABLE = FAULTS_VARIABLE  # comma-separated names (the suite's embedded sandbox reads it)
PROCUREMENT_METHODS = ("repairer.procurements.get", "repairer.procurements.list", "repairer.procurements.insert",
                       "supplier.procurements.get", "supplier.procurements.confirm")
INVOICE_METHODS = ("repairer.procurements.invoices.list", "repairer.procurements.invoices.get")
JOB_METHODS = ("repairer.jobs.get", "repairer.jobs.insert")
JOB_SELECTORS = ("repairer.jobs.get", "repairer.jobs.parts.list", BASKET)
PROCUREMENT_GETS = ("repairer.procurements.get", "supplier.procurements.get")
CONFIRM, INVOICE_GET = "supplier.procurements.confirm", "repairer.procurements.invoices.get"
TAKE_JOB_IDENTITY = (*JOB_METHODS, PARTS_INSERT, "repairer.jobs.parts.list", BASKET, "repairer.procurements.list")
TAKE_PROCUREMENT_IDENTITY = (*PROCUREMENT_GETS, CONFIRM)
IDENTITY_FIELD = dict.fromkeys((*JOB_METHODS, *TAKE_PROCUREMENT_IDENTITY, INVOICE_GET), "identity")  # else job_identity


class UnknownFault(UnknownName):
    """A fault name that is not in the catalogue."""


@dataclass(frozen=True)
class Fault(Row):
    breaks: tuple[str, ...] = ()  # the requirement ids (conformance/requirements/catalogue.py) it is expected to break


CATALOGUE: Catalogue[Fault] = Catalogue(Fault, UnknownFault)


def fault(name: str, description: str, *breaks: str, seam: Seam) -> Callable[[Hook], Hook]:
    """Register the decorated function as the implementation of fault `name` at `seam`."""
    return CATALOGUE.hook(name, description, seam=seam, breaks=breaks)


def domain_fault(name: str, description: str, *breaks: str) -> None:
    CATALOGUE.domain(name, description, breaks=breaks)


# -- helpers ---------------------------------------------------------------------------------------


def show_status(procurement: dict[str, Any], status: str) -> None:
    """Set a rendered procurement's status, top-level and on every source item."""
    procurement["status"] = status
    for item in procurement.get("source_items") or []:
        item["status"] = status


def placed(out: Outgoing) -> Any:
    """The procurement a successful repairer.procurements.insert just placed (the model object)."""
    assert out.incoming.world is not None
    return out.incoming.world.procurements[procurements_in(out.body)[0]["id"]]


def presented(i: Incoming) -> Credential | None:
    """The credential whose key the request's bearer token names, if any."""
    return i.world.credentials.get(bearer_token(i.headers.get(AUTHORIZATION))) if i.world else None


def inserted_parts(out: Outgoing) -> list[Part]:
    """The parts a successful repairer.jobs.parts.insert just added (the job's last ones, in the world's order)."""
    world = out.incoming.world
    if not answers(out, PARTS_INSERT) or world is None or not out.body["items"]:
        return []
    job_id = world.parts[out.body["items"][0]["id"]].job_id
    return world.parts_of(job_id)[-len(out.incoming.body["parts"]):]


def identity_of(i: Incoming) -> Any:
    """The identity a request names (its `identity` or `job_identity`), None when it names none."""
    return i.body.get(IDENTITY_FIELD.get(i.method, "job_identity")) if isinstance(i.body, dict) else None


def owner_of(world: World, entity_id: str) -> str | None:
    """The repairer organization a job or procurement id belongs to, if it names one."""
    job = world.jobs.get(entity_id) or (world.jobs.get(world.procurements[entity_id].job_id)
                                        if entity_id in world.procurements else None)
    return job.organization_id if job else None


def names_nothing(world: World, identity: Any) -> bool:
    """Whether a job or procurement identity matches nothing in the whole world (no organization has it)."""
    if not isinstance(identity, dict):
        return False
    if isinstance(identity.get("id"), str):
        return owner_of(world, identity["id"].lower()) is None
    if isinstance(identity.get("external"), str):
        return all(job.external_id != identity["external"] for job in world.jobs.values())
    return False


def refuse(out: Outgoing, kind: str) -> None:
    """Answer `out` with the error `kind`, at its status and in the method's shape."""
    operation = out.incoming.operation
    status = operation.errors.statuses.get(kind) if operation else None
    out.status, out.error = status.code if status else 400, ApiError(kind)
    out.body = kind if operation and operation.errors.bare else {"type": kind}


# -- auth ------------------------------------------------------------------------------------------


@fault("integration-id-not-required", "A known bearer key authenticates without the Partly-Integration-ID header.",
       "AUTH-001", seam=Seam.REQUEST)
def _integration_id_not_required(i: Incoming) -> None:
    credential = presented(i)
    if credential and not i.headers.get(INTEGRATION_ID):
        i.headers[INTEGRATION_ID] = credential.integration_id


@fault("any-bearer-accepted", "Any bearer key is accepted when the integration id is known.",
       "AUTH-001", seam=Seam.REQUEST)
def _any_bearer_accepted(i: Incoming) -> None:
    key = bearer_token(i.headers.get(AUTHORIZATION))
    integration = i.headers.get(INTEGRATION_ID, "").strip().lower()
    if i.world and key and key not in i.world.credentials:
        owner = next((c for c in i.world.credentials.values() if c.integration_id == integration), None)
        if owner:
            i.headers[AUTHORIZATION] = f"Bearer {owner.api_key}"


@fault("other-integration-id-accepted", "A known key is accepted with any well-formed integration id, even "
       "another integration's.", "AUTH-002", seam=Seam.REQUEST)
def _other_integration_id_accepted(i: Incoming) -> None:
    credential = presented(i)
    if credential and is_uuid(i.headers.get(INTEGRATION_ID, "").strip()):
        i.headers[INTEGRATION_ID] = credential.integration_id


@fault("wrong-role-allowed", "supplier.* methods accept a repairer credential (no 403 forbidden).",
       "AUTH-003", seam=Seam.REQUEST)
def _wrong_role_allowed(i: Incoming) -> None:
    if i.role == "supplier":
        i.role = None


@fault("install-reuses-access-code", "integrations.insert does not spend the access code: it installs again.",
       "AUTH-006", seam=Seam.RESPONSE)
def _install_reuses_access_code(out: Outgoing) -> None:
    if answers(out, INSTALL) and out.incoming.world:
        body = out.incoming.body
        code = AccessCode(body["access_code"], body["client_id"], None)
        out.incoming.world.access_codes[code.code] = code


@fault("install-mints-an-existing-pair", "integrations.insert answers with a pair that already exists (the demo "
       "repairer's api_key and integration_id), not a new one.", "AUTH-005", seam=Seam.RESPONSE)
def _install_mints_an_existing_pair(out: Outgoing) -> None:
    world = out.incoming.world
    if not answers(out, INSTALL) or world is None:
        return
    world.credentials.pop(out.body["api_key"])
    out.body = {"api_key": demo.REPAIRER.api_key, "integration_id": demo.REPAIRER.integration_id}


@fault("install-errors-conflated", "integrations.insert answers every install error invalid_access_code.",
       "AUTH-007", seam=Seam.RESPONSE)
def _install_errors_conflated(out: Outgoing) -> None:
    if out.method == INSTALL and out.kind in ("integration_not_found", "invalid_client_secret"):
        out.status = 401
        out.set_kind("invalid_access_code")


@fault("install-needs-auth", "integrations.insert refuses a request without auth headers as unauthorized.",
       "AUTH-004", seam=Seam.REQUEST)
def _install_needs_auth(i: Incoming) -> None:
    if i.method == INSTALL and not i.headers.get(AUTHORIZATION):
        raise ApiError("unauthorized")


@fault("missing-credentials-forbidden", "A request missing an auth header is refused as forbidden, not "
       "unauthorized.", "AUTH-008", seam=Seam.REQUEST)
def _missing_credentials_forbidden(i: Incoming) -> None:
    if authenticated(i.method) and not (i.headers.get(AUTHORIZATION) and i.headers.get(INTEGRATION_ID)):
        raise ApiError("forbidden")


@fault("spent-code-unauthorized", "integrations.insert refuses an access code it already spent as unauthorized, "
       "not invalid_access_code.", "AUTH-009", seam=Seam.RESPONSE)
def _spent_code_unauthorized(out: Outgoing) -> None:
    world, body = out.incoming.world, out.incoming.body
    if out.method != INSTALL or world is None or not isinstance(body, dict):
        return
    spent = world.fault_state.setdefault("spent-code-unauthorized", set())
    if out.ok:
        spent.add(body.get("access_code"))
    elif fails_with(out, "invalid_access_code") and body.get("access_code") in spent:
        out.set_kind("unauthorized")


# -- error shape and status ------------------------------------------------------------------------


@fault("not-found-as-400", "not_found is answered with status 400 instead of 404.",
       "ERR-002", seam=Seam.RESPONSE)
def _not_found_as_400(out: Outgoing) -> None:
    if fails_with(out, "not_found"):
        out.status = 400


@fault("unauthorized-as-403", "unauthorized is answered with status 403 instead of 401.",
       "ERR-002", seam=Seam.RESPONSE)
def _unauthorized_as_403(out: Outgoing) -> None:
    if fails_with(out, "unauthorized"):
        out.status = 403


@fault("error-kind-outside-union", "unprocessable is sent as a kind no method declares (validation_failed).",
       "ERR-001", seam=Seam.RESPONSE)
def _error_kind_outside_union(out: Outgoing) -> None:
    if fails_with(out, "unprocessable"):
        out.set_kind("validation_failed")


@fault("prose-error-bodies", "forbidden is answered with a prose sentence instead of the coded kind.",
       "ERR-001", "AUTH-003", seam=Seam.RESPONSE)
def _prose_error_bodies(out: Outgoing) -> None:
    if fails_with(out, "forbidden"):
        out.body = "Forbidden: this credential's role may not call this method."


@fault("parts-insert-typed-errors", "repairer.jobs.parts.insert errors are {\"type\"} objects, not bare "
       "strings (D24 broken).", "ERR-D24-001", seam=Seam.RESPONSE)
def _parts_insert_typed_errors(out: Outgoing) -> None:
    if out.method == PARTS_INSERT and out.error is not None and isinstance(out.body, str):
        out.body = {"type": out.body}


@fault("bare-string-errors", "repairer.jobs.get errors are bare strings, as only parts.insert's are (D24 "
       "reversed).", "ERR-001", seam=Seam.RESPONSE)
def _bare_string_errors(out: Outgoing) -> None:
    if out.method == "repairer.jobs.get" and out.error is not None and isinstance(out.body, dict):
        out.body = out.body["type"]


@fault("unprocessable-as-400", "unprocessable and work_provider_not_found are answered 400 instead of 422.",
       "ERR-003", seam=Seam.RESPONSE)
def _unprocessable_as_400(out: Outgoing) -> None:
    if out.error is not None and out.kind in ("unprocessable", "work_provider_not_found"):
        out.status = 400


@fault("crash-on-unprocessable", "A request the handler cannot process crashes: 500 with the last-resort body "
       "bad_request (reason internal), not unprocessable.", "WIRE-001", "ERR-002", seam=Seam.RESPONSE)
def _crash_on_unprocessable(out: Outgoing) -> None:
    if fails_with(out, "unprocessable"):
        out.set_kind("bad_request")
        out.status = 500
        if isinstance(out.body, dict):
            out.body["reason"] = "internal"


@fault("invoice-not-found-kind", "repairer.procurements.invoices.get answers an unknown invoice "
       "invoice_not_found, a kind outside its union.", "ERR-004", seam=Seam.RESPONSE)
def _invoice_not_found_kind(out: Outgoing) -> None:
    if out.method == INVOICE_GET and fails_with(out, "not_found"):
        out.set_kind("invoice_not_found")


@fault("refused-confirm-confirms", "supplier.procurements.confirm answers not_found for another supplier's "
       "procurement, and confirms it all the same.", "ERR-005", seam=Seam.RESPONSE)
def _refused_confirm_confirms(out: Outgoing) -> None:
    world, identity = out.incoming.world, identity_of(out.incoming)
    if out.method != CONFIRM or not fails_with(out, "not_found") or world is None or not isinstance(identity, dict):
        return
    procurement = world.procurements.get(str(identity.get("id", "")).lower())
    if procurement is not None and procurement.status == "order_requested":
        procurement.status = "order_confirmed"
        procurement.updated_at = world.stamp(out.incoming.tenants.clock())


# -- D52 -------------------------------------------------------------------------------------------


@fault("currency-on-offers", "Basket offers carry \"currency\": \"NZD\" (D52 broken).",
       "BASKET-D52-001", seam=Seam.RESPONSE)
def _currency_on_offers(out: Outgoing) -> None:
    if answers(out, BASKET):
        out.body["offers"] = [{**o, "currency": "NZD"} for o in out.body["offers"]]


@fault("currency-code-deep-in-basket", "Basket offers carry pricing.list.currency_code, nested two levels "
       "deep (D52 broken).", "BASKET-D52-001", seam=Seam.RESPONSE)
def _currency_code_deep_in_basket(out: Outgoing) -> None:
    if answers(out, BASKET):
        out.body["offers"] = [{**o, "pricing": {"list": {"currency_code": "NZD"}}} for o in out.body["offers"]]


@fault("procurement-without-currency-code", "Procurements carry no currency_code (D52; a required documented "
       "field).", "BASKET-D52-002", "SCHEMA-001", seam=Seam.RESPONSE)
def _procurement_without_currency_code(out: Outgoing) -> None:
    if answers(out, *PROCUREMENT_METHODS):
        for procurement in procurements_in(out.body):
            procurement.pop("currency_code", None)


@fault("invoice-in-another-currency", "Invoices are in AUD while their procurement is in NZD.",
       "BASKET-D52-004", seam=Seam.RESPONSE)
def _invoice_in_another_currency(out: Outgoing) -> None:
    if answers(out, *INVOICE_METHODS):
        for invoice in invoices_in(out.body):
            invoice["currency_code"] = "AUD"


@fault("invoice-without-currency-code", "Invoices carry no currency_code (D52).", "BASKET-D52-003",
       seam=Seam.RESPONSE)
def _invoice_without_currency_code(out: Outgoing) -> None:
    if answers(out, *INVOICE_METHODS):
        for invoice in invoices_in(out.body):
            invoice.pop("currency_code", None)


# -- schema drift ----------------------------------------------------------------------------------


@fault("seeded-job-id-not-uuid", "The seeded job's id is rendered as its job number, not a uuid (JobV1.id).",
       "SCHEMA-001", seam=Seam.RESPONSE)
def _seeded_job_id_not_uuid(out: Outgoing) -> None:
    if answers(out, *JOB_METHODS) and out.body.get("id") == DEMO_JOB:
        out.body["id"] = out.body.get("job_number") or "AVN-10482"


@fault("part-status-outside-enum", "Ordered parts are listed with status on_order, outside PartStatusV1 (a "
       "documented enum on an inferred field).", "SCHEMA-002", "LIFE-002", seam=Seam.RESPONSE)
def _part_status_outside_enum(out: Outgoing) -> None:
    if answers(out, "repairer.jobs.parts.list", PARTS_INSERT):
        for part in out.body["items"]:
            if part.get("status") == "ordered":
                part["status"] = "on_order"


@fault("job-images-dropped", "Jobs are rendered without images, a required documented field of JobV1.",
       "SCHEMA-001", seam=Seam.RESPONSE)
def _job_images_dropped(out: Outgoing) -> None:
    if answers(out, *JOB_METHODS):
        out.body.pop("images", None)


@fault("nullable-as-false", "A job's unset nullable documented fields (claim_number, ...) are sent as false, "
       "not null (their inner type is inferred).", "SCHEMA-002", seam=Seam.RESPONSE)
def _nullable_as_false(out: Outgoing) -> None:
    if answers(out, *JOB_METHODS):
        for key in ("external_id", "job_number", "claim_number", "work_provider_id", "vehicle"):
            if key in out.body and out.body[key] is None:
                out.body[key] = False


@fault("money-as-number", "Basket offers' unit_price is a JSON number, not a money string (an inferred type).",
       "SCHEMA-002", seam=Seam.RESPONSE)
def _money_as_number(out: Outgoing) -> None:
    if answers(out, BASKET):
        out.body["offers"] = [{**o, "unit_price": float(o["unit_price"])} for o in out.body["offers"]]


# -- lifecycle -------------------------------------------------------------------------------------


@fault("parts-not-ordered", "Placing a procurement leaves its parts estimated.", "LIFE-002", seam=Seam.RESPONSE)
def _parts_not_ordered(out: Outgoing) -> None:
    if answers(out, "repairer.procurements.insert") and out.incoming.world:
        for item in placed(out).items:
            out.incoming.world.parts[item.job_part_id].status = "estimated"


@fault("procurement-skips-requested", "A placed procurement is created order_confirmed directly.",
       "LIFE-002", seam=Seam.RESPONSE)
def _procurement_skips_requested(out: Outgoing) -> None:
    if answers(out, "repairer.procurements.insert") and out.incoming.world:
        procurement = placed(out)
        procurement.status = "order_confirmed"
        out.body["procurement"] = views.buyer_procurement(out.incoming.world, procurement)


domain_fault("confirm-does-nothing", "The supplier's confirm answers the procurement unchanged, order_requested.",
             "LIFE-003", "LIFE-004")
domain_fault("confirm-toggles-back", "Confirming an order_confirmed procurement again moves it back to "
             "order_requested.", "LIFE-004", "LIFE-014")

@fault("status-regresses-on-get", "The repairer's second and later reads of a confirmed procurement show it "
       "order_requested (a stale replica).", "LIFE-004", seam=Seam.RESPONSE)
def _status_regresses_on_get(out: Outgoing) -> None:
    if answers(out, "repairer.procurements.get") and out.body.get("status") == "order_confirmed":
        reads = out.incoming.world.fault_state.setdefault("status-regresses-on-get", {})
        reads[out.body["id"]] = reads.get(out.body["id"], 0) + 1
        if reads[out.body["id"]] > 1:
            show_status(out.body, "order_requested")


@fault("invoice-before-confirmation", "An invoice is issued as soon as a procurement is placed.",
       "LIFE-006", seam=Seam.RESPONSE)
def _invoice_before_confirmation(out: Outgoing) -> None:
    world = out.incoming.world
    if answers(out, "repairer.procurements.insert") and world:
        procurement, invoice_id = placed(out), str(uuid.uuid4())
        world.invoices[invoice_id] = invoice_for(world, procurement, invoice_id, procurement.created_at)


@fault("updated-before-created", "A procurement's updated_at is a day before its created_at.",
       "LIFE-005", seam=Seam.RESPONSE)
def _updated_before_created(out: Outgoing) -> None:
    world = out.incoming.world
    if answers(out, *PROCUREMENT_METHODS) and world:
        for rendered in procurements_in(out.body):
            created = world.procurements[rendered["id"]].created_at
            rendered["updated_at"] = rfc3339(created - timedelta(days=1))


@fault("invoice-lines-mispriced", "Invoice lines are billed 1.00 above the ordered unit price.",
       "LIFE-007", seam=Seam.RESPONSE)
def _invoice_lines_mispriced(out: Outgoing) -> None:
    if answers(out, *INVOICE_METHODS):
        for invoice in invoices_in(out.body):
            for line in invoice["lines"]:
                line["unit_price"] = f"{float(line['unit_price']) + 1:.2f}"


@fault("upsert-duplicates-job", "repairer.jobs.insert with a known external id creates a second job.",
       "LIFE-009", seam=Seam.CALL)
def _upsert_duplicates_job(i: Incoming) -> None:
    identity = i.body.get("identity") if isinstance(i.body, dict) else None
    if i.method == "repairer.jobs.insert" and isinstance(identity, dict) and i.world and i.credential:
        org = i.credential.organization_id
        for job in i.world.jobs.values():
            if job.organization_id == org and job.external_id == identity.get("external"):
                job.external_id = None  # the old job is orphaned; the handler then creates a new one


@fault("new-parts-ordered", "Parts inserted by repairer.jobs.parts.insert start ordered, not estimated.",
       "LIFE-001", seam=Seam.RESPONSE)
def _new_parts_ordered(out: Outgoing) -> None:
    new = {part.id for part in inserted_parts(out)}
    for part_id in new:
        out.incoming.world.parts[part_id].status = "ordered"
    for item in out.body["items"] if new else ():
        if item["id"] in new:
            item["status"] = "ordered"


@fault("new-parts-get-no-offers", "Parts inserted by repairer.jobs.parts.insert get no basket offers (only the "
       "seeded parts have any).", "LIFE-010", seam=Seam.RESPONSE)
def _new_parts_get_no_offers(out: Outgoing) -> None:
    new = {part.id for part in inserted_parts(out)}
    offers = out.incoming.world.offers if new else {}
    for sellable_id in [s for s, offer in offers.items() if new & set(offer.job_part_ids)]:
        del offers[sellable_id]


@fault("parts-list-drops-last", "repairer.jobs.parts.list leaves out the job's last part.", "LIFE-011",
       seam=Seam.RESPONSE)
def _parts_list_drops_last(out: Outgoing) -> None:
    if answers(out, "repairer.jobs.parts.list"):
        out.body["items"] = out.body["items"][:-1]


domain_fault("reorder-accepted", "repairer.procurements.insert places parts that are already ordered again.",
             "LIFE-008")


@fault("supplier-view-in-aud", "The supplier's view of a procurement is in AUD, the repairer's in NZD.",
       "LIFE-012", seam=Seam.RESPONSE)
def _supplier_view_in_aud(out: Outgoing) -> None:
    if answers(out, "supplier.procurements.get", CONFIRM):
        out.body["currency_code"] = "AUD"


@fault("inserted-job-not-found-by-id", "repairer.jobs.get by id does not find a job repairer.jobs.insert created "
       "(not_found); by external id it does.", "LIFE-013", seam=Seam.RESPONSE)
def _inserted_job_not_found_by_id(out: Outgoing) -> None:
    world = out.incoming.world
    inserted = world.fault_state.setdefault("inserted-job-not-found-by-id", set()) if world else set()
    if answers(out, "repairer.jobs.insert"):
        inserted.add(out.body["id"])
    elif answers(out, "repairer.jobs.get") and "id" in (identity_of(out.incoming) or {}) and out.body["id"] in inserted:
        refuse(out, "not_found")


domain_fault("confirm-again-touches", "Confirming an order_confirmed procurement again bumps its updated_at.",
             "LIFE-014")


# -- identity --------------------------------------------------------------------------------------


@fault("external-id-selects-other-job", "repairer.jobs.get by external id answers another job of the "
       "organization.", "IDENT-001", "LIFE-009", seam=Seam.RESPONSE)
def _external_id_selects_other_job(out: Outgoing) -> None:
    world, identity = out.incoming.world, (out.incoming.body or {}).get("identity", {})
    if answers(out, "repairer.jobs.get") and world and "external" in identity:
        job = world.jobs[out.body["id"]]
        others = [j for j in world.jobs.values() if j.organization_id == job.organization_id and j.id != job.id]
        if others:
            out.body = views.job(others[-1])


@fault("ambiguous-identity-accepted", "A job identity with several variants is accepted (the id wins), not 400.",
       "IDENT-005", "IDENT-003", seam=Seam.CALL)
def _ambiguous_identity_accepted(i: Incoming) -> None:
    for name in ("identity", "job_identity"):
        identity = i.body.get(name) if isinstance(i.body, dict) else None
        if isinstance(identity, dict) and len(identity) > 1 and "id" in identity:
            i.body[name] = {"id": identity["id"]}


@fault("site-job-number-not-found", "A job selected by site and job number is not_found (the variant is "
       "ignored by the selectors).", "IDENT-002", seam=Seam.CALL)
def _site_job_number_not_found(i: Incoming) -> None:
    identity = identity_of(i)
    if i.method in JOB_SELECTORS and isinstance(identity, dict) and "site_job_number" in identity:
        raise ApiError("not_found")


@fault("unknown-identity-forbidden", "An identity that matches nothing is refused forbidden, not not_found (an "
       "access layer that cannot tell).", "IDENT-004", seam=Seam.RESPONSE)
def _unknown_identity_forbidden(out: Outgoing) -> None:
    world = out.incoming.world
    if fails_with(out, "not_found") and world is not None and names_nothing(world, identity_of(out.incoming)):
        refuse(out, "forbidden")


@fault("procurement-identity-defaults", "A procurement get without an identity id answers the caller's latest "
       "procurement.", "IDENT-006", seam=Seam.CALL)
def _procurement_identity_defaults(i: Incoming) -> None:
    identity = identity_of(i)
    if i.method not in PROCUREMENT_GETS or not (i.world and i.credential) or (
            isinstance(identity, dict) and "id" in identity):
        return
    org, world = i.credential.organization_id, i.world
    visible = [p.id for p in world.procurements.values()
               if org in (owner_of(world, p.id), world.businesses[p.supplier_business_id].organization_id)]
    if visible:
        i.body["identity"] = {"id": visible[-1]}


@fault("bad-identity-as-listed-kind", "A missing or ambiguous identity is refused with a kind the method's list "
       "names (not_found, else unprocessable), not bad_request, where the list lacks bad_request.", "IDENT-007",
       seam=Seam.RESPONSE)
def _bad_identity_as_listed_kind(out: Outgoing) -> None:
    operation, identity = out.incoming.operation, identity_of(out.incoming)
    if (operation is None or operation.errors.documented("bad_request") or not fails_with(out, "bad_request")
            or not isinstance(out.incoming.body, dict)):
        return
    if (out.method in TAKE_JOB_IDENTITY and not (isinstance(identity, dict) and len(identity) == 1)) or (
            out.method in TAKE_PROCUREMENT_IDENTITY and not (isinstance(identity, dict) and "id" in identity)):
        refuse(out, "not_found" if "not_found" in operation.errors.kinds else "unprocessable")


@fault("invoices-list-both-selectors", "repairer.procurements.invoices.list with both selectors answers by the "
       "procurement, not bad_request.", "IDENT-008", seam=Seam.CALL)
def _invoices_list_both_selectors(i: Incoming) -> None:
    if i.method == "repairer.procurements.invoices.list" and isinstance(i.body, dict) and {
            "procurement_identity", "job_identity"} <= set(i.body):
        del i.body["job_identity"]


@fault("invoice-get-without-id-not-found", "repairer.procurements.invoices.get without an identity id answers "
       "not_found, not bad_request.", "IDENT-009", seam=Seam.CALL)
def _invoice_get_without_id_not_found(i: Incoming) -> None:
    identity = identity_of(i)
    if i.method == INVOICE_GET and not (isinstance(identity, dict) and "id" in identity):
        raise ApiError("not_found")


# -- scope and tenants -----------------------------------------------------------------------------


@fault("supplier-sees-others-procurements", "A supplier can read and confirm procurements of other suppliers.",
       "SCOPE-001", seam=Seam.CALL)
def _supplier_sees_others_procurements(i: Incoming) -> None:
    identity = i.body.get("identity") if isinstance(i.body, dict) else None
    if not (i.method.startswith("supplier.procurements.") and i.world and i.credential and isinstance(identity, dict)):
        return
    procurement = i.world.procurements.get(str(identity.get("id", "")).lower())
    if procurement is not None:
        owner = i.world.businesses[procurement.supplier_business_id].organization_id
        i.credential = replace(i.credential, organization_id=owner)


@fault("repairer-sees-other-organizations", "The repairer can read and write another repairer "
       "organization's jobs and procurements, named by id.", "SCOPE-002", seam=Seam.CALL)
def _repairer_sees_other_organizations(i: Incoming) -> None:
    identity = identity_of(i)
    if i.method.startswith("repairer.") and i.world and i.credential and isinstance(identity, dict) and isinstance(
            identity.get("id"), str):
        owner = owner_of(i.world, identity["id"].lower())
        if owner is not None:
            i.credential = replace(i.credential, organization_id=owner)


@fault("tenants-share-one-world", "Every tenant reads and writes one shared world.",
       "TENANT-001", seam=Seam.REQUEST)
def _tenants_share_one_world(i: Incoming) -> None:
    if TENANT_HEADER in i.headers:
        i.world = i.tenants.world(BASE_WORLD)


# -- wire ------------------------------------------------------------------------------------------


@fault("malformed-json-500", "A body that is not JSON gets a 500.", "WIRE-004", seam=Seam.RESPONSE)
def _malformed_json_500(out: Outgoing) -> None:
    if out.error is not None and out.error.reason == "malformed_json":
        out.status, out.body = 500, {"type": "internal_server_error"}


@fault("text-plain-responses", "Successful responses are labelled Content-Type text/plain.",
       "WIRE-002", seam=Seam.RESPONSE)
def _text_plain_responses(out: Outgoing) -> None:
    if out.ok:
        out.media_type = "text/plain"


@fault("empty-body-rejected", "An empty request body is rejected as bad_request instead of read as {}.",
       "WIRE-003", seam=Seam.CALL)
def _empty_body_rejected(i: Incoming) -> None:
    if not i.raw.strip():
        raise ApiError("bad_request", reason="empty_body")


@fault("wrong-content-type-accepted", "A JSON body sent as text/plain is accepted instead of 415.",
       "WIRE-005", seam=Seam.REQUEST)
def _wrong_content_type_accepted(i: Incoming) -> None:
    if i.headers.get("content-type"):
        i.headers["content-type"] = "application/json"


@fault("unknown-method-200", "An unknown method name is answered 200 {} instead of 404 not_found.",
       "WIRE-006", seam=Seam.RESPONSE)
def _unknown_method_200(out: Outgoing) -> None:
    if out.status == 404 and out.error is None:
        out.status, out.body = 200, {}


@fault("get-answered-200", "Verbs other than POST are answered 200 {} instead of 405.",
       "WIRE-009", seam=Seam.RESPONSE)
def _get_answered_200(out: Outgoing) -> None:
    if out.status == 405:
        out.status, out.body, out.headers = 200, {}, {}


@fault("missing-content-type-refused", "A request without a Content-Type is refused 415, not read as JSON.",
       "WIRE-010", seam=Seam.REQUEST)
def _missing_content_type_refused(i: Incoming) -> None:
    if not i.headers.get("content-type"):
        i.headers["content-type"] = "application/octet-stream"


@fault("non-object-body-read-as-empty", "A JSON body that is not an object (an array, a string, a number) is "
       "read as {}.", "WIRE-007", seam=Seam.CALL)
def _non_object_body_read_as_empty(i: Incoming) -> None:
    if not isinstance(i.body, dict):
        i.body = {}


@fault("odd-file-name-rejected", "uploads.prepare refuses a file name without a fitting extension as bad_request "
       "(malformed), not unprocessable.", "WIRE-008", seam=Seam.RESPONSE)
def _odd_file_name_rejected(out: Outgoing) -> None:
    if out.method == "uploads.prepare" and fails_with(out, "unprocessable"):
        refuse(out, "bad_request")


# -- extensions ------------------------------------------------------------------------------------


@fault("extension-marker-missing", "Extension responses lack \"x_extension\": true.", "EXT-001",
       seam=Seam.RESPONSE)
def _extension_marker_missing(out: Outgoing) -> None:
    if out.ok and out.extension:
        out.body.pop("x_extension", None)


@fault("invoice-get-differs", "repairer.procurements.invoices.get answers the listed invoice without its lines.",
       "EXT-003", seam=Seam.RESPONSE)
def _invoice_get_differs(out: Outgoing) -> None:
    if answers(out, "repairer.procurements.invoices.get"):
        out.body["invoice"] = {**out.body["invoice"], "lines": []}


@fault("invoices-listed-by-procurement-id", "repairer.procurements.invoices.list gives each invoice its "
       "procurement's id, which invoices.get does not know.", "EXT-002", seam=Seam.RESPONSE)
def _invoices_listed_by_procurement_id(out: Outgoing) -> None:
    if answers(out, "repairer.procurements.invoices.list"):
        for invoice in invoices_in(out.body):
            invoice["id"] = invoice["procurement_id"]


# -- the served spec and the run as a whole --------------------------------------------------------

domain_fault("served-spec-lists-extensions", "/openapi.json lists the 3 proposed extension methods besides the 14 "
             "of 2026-01.", "SPEC-001")


@fault("uploads-never-prepared", "uploads.prepare refuses every file as unprocessable: no call of it ever succeeds.",
       "COV-001", "POS-001", seam=Seam.RESPONSE)
def _uploads_never_prepared(out: Outgoing) -> None:
    if answers(out, "uploads.prepare"):
        refuse(out, "unprocessable")


# -- refusing valid work (POS-001: a server that does nothing must not conform) ----------------------

# method -> the kind it refuses every request with: a kind of its own error list, so that nothing but the
# refusal itself is wrong. The methods the lifecycle and the other checks depend on; not invoices.list, whose
# refusal (not_found) is how a server without the extensions answers, so the probe rightly leaves them out.
REFUSALS = {
    "repairer.jobs.insert": "unprocessable",
    PARTS_INSERT: "unprocessable",
    BASKET: "not_found",
    "repairer.jobs.parts.list": "not_found",
    "repairer.jobs.get": "not_found",
    "repairer.procurements.get": "not_found",
    "repairer.procurements.insert": "unprocessable",
    CONFIRM: "not_found",
}


def _refusing(method: str, kind: str) -> None:
    @fault("refuses-" + method.replace(".", "-"), f"{method} refuses every request, valid ones included, as {kind}.",
           "POS-001", seam=Seam.CALL)
    def _refuse(i: Incoming) -> None:
        if i.method == method:
            raise ApiError(kind)


for _method, _kind in REFUSALS.items():
    _refusing(_method, _kind)


@fault("prepare-answers-empty", "tier1.prepare and uploads.prepare answer 204 with no body.", "POS-001",
       seam=Seam.RESPONSE)
def _prepare_answers_empty(out: Outgoing) -> None:
    if answers(out, "tier1.prepare", "uploads.prepare"):
        out.status, out.body, out.media_type = 204, "", "text/plain"


# -- webhooks (NOTES §9; sandbox/webhooks.py asks for them) ------------------------------------------

domain_fault("webhook-any-url-accepted", "POST /__webhooks/subscribe registers a non-loopback url instead of 400 "
             "url_not_loopback.", "WEBHOOK-001")
domain_fault("webhook-confirm-buyer-missing", "A supplier confirm fires only the supplier's event, not the buyer's.",
             "WEBHOOK-002")
domain_fault("webhook-unsigned", "Deliveries carry no partly-hmac-sha256 header.", "WEBHOOK-003")
domain_fault("webhook-wrong-secret", "Deliveries are signed with another key than the webhook secret.",
             "WEBHOOK-004")
domain_fault("webhook-body-changed-after-signing", "A delivery's body is re-encoded (indented) after it was signed.",
             "WEBHOOK-004")
domain_fault("webhook-stale-timestamp", "A delivery's timestamp is 6 minutes old.", "WEBHOOK-005")
domain_fault("webhook-delivery-blocks-call", "The triggering call answers only once its deliveries were answered.",
             "WEBHOOK-006")
domain_fault("webhook-not-retried", "A delivery refused with a 5xx is not sent again.", "WEBHOOK-007")
