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

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from contract.wire import (
    AUTHORIZATION,
    BASKET,
    INSTALL,
    INTEGRATION_ID,
    PARTS_INSERT,
    TENANT_HEADER,
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
from .world import AccessCode, Credential, rfc3339

__all__ = ["CATALOGUE", "ENV_VARIABLE", "Fault", "UnknownFault", "names_from_env"]

ENV_VARIABLE = FAULTS_VARIABLE  # comma-separated names (the suite's embedded sandbox reads it)
PROCUREMENT_METHODS = ("repairer.procurements.get", "repairer.procurements.list", "repairer.procurements.insert",
                       "supplier.procurements.get", "supplier.procurements.confirm")
INVOICE_METHODS = ("repairer.procurements.invoices.list", "repairer.procurements.invoices.get")
JOB_METHODS = ("repairer.jobs.get", "repairer.jobs.insert")


class UnknownFault(UnknownName):
    """A fault name that is not in the catalogue."""


@dataclass(frozen=True)
class Fault(Row):
    breaks: tuple[str, ...] = ()  # the requirement ids (conformance/requirements.py) it is expected to break


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


@fault("install-same-key-twice", "integrations.insert mints the same api_key and integration_id for a client "
       "every time.", "AUTH-005", seam=Seam.RESPONSE)
def _install_same_key_twice(out: Outgoing) -> None:
    world = out.incoming.world
    if not answers(out, INSTALL) or world is None:
        return
    minted = world.credentials.pop(out.body["api_key"])
    digest = hashlib.sha256(minted.organization_id.encode()).hexdigest()
    fixed = replace(minted, api_key=f"partly_{digest[:32]}", integration_id=str(uuid.UUID(digest[32:64])))
    world.credentials[fixed.api_key] = fixed
    out.body = {"api_key": fixed.api_key, "integration_id": fixed.integration_id}


@fault("install-errors-conflated", "integrations.insert answers every install error invalid_access_code.",
       "AUTH-007", seam=Seam.RESPONSE)
def _install_errors_conflated(out: Outgoing) -> None:
    if out.method == INSTALL and out.kind in ("integration_not_found", "invalid_client_secret"):
        out.status = 401
        out.set_kind("invalid_access_code")


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
