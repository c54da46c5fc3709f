"""Dialects: legitimate variations of the sandbox's behaviour, each where the documents are silent.

Why: the suite must give a MUST-clean verdict to every server that differs from this sandbox only where
api-reference.txt and NOTES.md say nothing (issue 10, the pass matrix: tests/test_pass_matrix.py). A
dialect is the sandbox impersonating such a server: one catalogue row (name, one-line description, the
silent place of the documents it exercises, its seam and its implementation), switched on like a fault
(sandbox/seams.py). Every documented behaviour stays intact under every dialect; what a dialect changes
is the sandbox's own decision where the sources are silent, or what they leave open.

Dialects compose: `all` switches every row on, and the rows act in catalogue order (body shapes first,
then statuses, then what a framework or a gateway in front of the app answers instead).

The served /openapi.json stays the bundled reconstruction under every dialect: a suite must judge a
server by the documents, not by what the reconstruction decided.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

from jsonschema import ValidationError

from spec import demo, refs
from spec.wire import INSTALL, PARTS_INSERT

from .errors import ApiError
from .seams import (
    DIALECTS_VARIABLE,
    Catalogue,
    Hook,
    Incoming,
    Outgoing,
    Row,
    Seam,
    UnknownName,
    answers,
    procurements_in,
)
from .spec import served

__all__ = ["ALL", "CATALOGUE", "ENV_VARIABLE", "Dialect", "UnknownDialect"]

ENV_VARIABLE = DIALECTS_VARIABLE
ALL = "all"  # every dialect at once
MONEY_KEYS = ("unit_price", "total_shipping_price", "line_total", "subtotal", "shipping_total", "tax_total", "total")
TIMESTAMP_KEYS = ("created_at", "updated_at", "issued_at")
NZDT = timezone(timedelta(hours=13))
SITE_JOB_NUMBER = "site_job_number"  # the bundled reconstruction's wire name of the third job identity variant
SITE_AND_JOB_NUMBER = "site_and_job_number"  # this dialect's, with `repairer_site_id` for `site_id`
UNKNOWN = "unknown:"  # a key prefix no schema knows: a name the dialect does not speak
PARTS_LIST = "repairer.jobs.parts.list"
PROCUREMENTS_INSERT = "repairer.procurements.insert"
INVOICES_LIST = "repairer.procurements.invoices.list"
INVOICES_GET = "repairer.procurements.invoices.get"


class UnknownDialect(UnknownName):
    """A dialect name that is not in the catalogue."""


@dataclass(frozen=True)
class Dialect(Row):
    silent: str = ""  # the silent place it exercises: the documents' words, or "not mentioned"


CATALOGUE: Catalogue[Dialect] = Catalogue(Dialect, UnknownDialect, everything=ALL)


def dialect(name: str, description: str, silent: str, *, seam: Seam) -> Callable[[Hook], Hook]:
    """Register the decorated function as the implementation of dialect `name` at `seam`."""
    return CATALOGUE.hook(name, description, seam=seam, silent=silent)


# -- helpers ---------------------------------------------------------------------------------------


def objects(node: Any) -> list[dict[str, Any]]:
    """Every JSON object in `node`, outermost first."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def is_selector(key: str) -> bool:
    """A request field that selects what a call is about (NOTES §8): `identity`, `job_identity`, ..."""
    return key == "identity" or key.endswith("_identity")


def plain(out: Outgoing, status: int) -> None:
    """Answer as a web framework or a gateway does: the status's reason phrase as text/plain."""
    out.status, out.body, out.media_type = status, HTTPStatus(status).phrase, "text/plain"


# -- the 2xx bodies --------------------------------------------------------------------------------


@dialect("parts-insert-new-only", "repairer.jobs.parts.insert answers only the parts it inserted, not all the "
         "job's parts.", "reference: repairer.jobs.parts.insert's response is `items: PartV1[]`; which parts "
         "it lists is not mentioned", seam=Seam.RESPONSE)
def _parts_insert_new_only(out: Outgoing) -> None:
    if answers(out, PARTS_INSERT):  # the handler appends the new parts last, in request order
        out.body["items"] = out.body["items"][-len(out.incoming.body["parts"]):]


def _drop_absent(document: dict[str, Any], schema: Any, value: Any) -> None:
    """Remove from `value` every null field that `schema` does not require, at any depth."""
    schema = refs.resolve(document, schema)
    wanted = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
    for branch in schema.get("oneOf", []):  # the nullable encoding: oneOf [null, T]
        branch = refs.resolve(document, branch)
        if branch.get("type") == wanted:
            schema = branch
    if isinstance(value, dict):
        properties, required = schema.get("properties", {}), set(schema.get("required", []))
        for key in [k for k in value if k in properties]:
            if value[key] is None and key not in required:
                del value[key]
            else:
                _drop_absent(document, properties[key], value[key])
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            _drop_absent(document, schema["items"], item)


@dialect("absent-optionals", "Optional fields that are null are left out of responses, at any depth.",
         "NOTES §1: \"`name?: oneOf` means 'may be absent, may be null, else T'\"; which of the two a server "
         "sends is not mentioned", seam=Seam.RESPONSE)
def _absent_optionals(out: Outgoing) -> None:
    operation = out.incoming.operation
    ref = operation.schema_ref("200") if operation else None
    if out.ok and ref:
        document = served().document
        _drop_absent(document, refs.get(document, ref), out.body)


@dialect("status-top-level-only", "A procurement's status is only a top-level `status`, none on its source items.",
         "NOTES §6: \"the status lives on each source item ... a target may also carry a top-level status, and "
         "checks should accept either\"", seam=Seam.RESPONSE)
def _status_top_level_only(out: Outgoing) -> None:
    if out.ok:
        for procurement in procurements_in(out.body):
            for item in procurement.get("source_items") or []:
                item.pop("status", None)


PART_STATUS = "part_status"  # this dialect's name for the field that carries PartStatusV1


@dialect("part-status-named-differently", "A part carries its PartStatusV1 (estimated, ordered) as `part_status`, "
         "not `status`.", "NOTES §6 documents the values of `PartStatusV1`; the reference only names `PartV1`, which "
         "field carries the status is not mentioned", seam=Seam.RESPONSE)
def _part_status_named_differently(out: Outgoing) -> None:
    if answers(out, PARTS_INSERT, PARTS_LIST):
        for part in out.body["items"]:
            part[PART_STATUS] = part.pop("status")


def invoices_answered(out: Outgoing) -> list[dict[str, Any]]:
    """The invoices and credit notes of an invoices.list or invoices.get 2xx, in any of the dialects' shapes:
    every object with `lines`."""
    if not answers(out, INVOICES_LIST, INVOICES_GET):
        return []
    return [item for item in objects(out.body) if "lines" in item]


@dialect("invoice-id-named-differently", "Invoices and credit notes carry their own id as `invoice_id`, not `id` "
         "(invoices.get still takes `identity: {id}`).", "reference: invoices.get fetches \"by its own id\" with "
         "\"identity{ id: <invoice_id> }\"; the name of that field in an invoice is not mentioned",
         seam=Seam.RESPONSE)
def _invoice_id_named_differently(out: Outgoing) -> None:
    for invoice in invoices_answered(out):
        invoice["invoice_id"] = invoice.pop("id")


@dialect("local-extension-shapes", "The extensions' local schemas differ: procurements.insert answers the "
         "procurement flat, invoices.list names its list `invoices`, invoices.get answers the invoice flat.",
         "reference: the extensions' responses are \"(local schema; x_extension: true)\": nothing but "
         "x_extension is documented", seam=Seam.RESPONSE)
def _local_extension_shapes(out: Outgoing) -> None:
    if answers(out, PROCUREMENTS_INSERT):
        out.body = {**out.body["procurement"], "x_extension": True}
    elif answers(out, INVOICES_LIST):
        out.body = {"x_extension": True, "invoices": out.body["items"]}
    elif answers(out, INVOICES_GET):
        out.body = {**out.body["invoice"], "x_extension": True}


@dialect("invoices-and-credit-notes-apart", "repairer.procurements.invoices.list answers two lists, `invoices` and "
         "`credit_notes`, instead of one.", "reference: invoices.list \"Lists the reconciled invoices and credit "
         "notes\" in a \"(local schema; x_extension: true)\"; how many lists it uses is not mentioned",
         seam=Seam.RESPONSE)
def _invoices_and_credit_notes_apart(out: Outgoing) -> None:
    if answers(out, INVOICES_LIST):
        listed = out.body.pop("items", None) or out.body.pop("invoices", [])
        out.body["invoices"] = [i for i in listed if i.get("kind") != "credit_note"]
        out.body["credit_notes"] = [i for i in listed if i.get("kind") == "credit_note"]


@dialect("money-as-numbers", "Money amounts are JSON numbers (452.17), not decimal strings.",
         "not mentioned: the money format is inferred (spec README, decision 1)", seam=Seam.RESPONSE)
def _money_as_numbers(out: Outgoing) -> None:
    if out.ok:
        for item in objects(out.body):
            for key in MONEY_KEYS:
                if isinstance(item.get(key), str):
                    item[key] = float(item[key])


@dialect("quantities-as-strings", "Quantities in responses are decimal strings (\"2\"), not JSON numbers.",
         "not mentioned: `PartV1`, source items and invoice lines are only named; their field types are inferred",
         seam=Seam.RESPONSE)
def _quantities_as_strings(out: Outgoing) -> None:
    if out.ok:
        for item in objects(out.body):
            if isinstance(item.get("quantity"), int):
                item["quantity"] = str(item["quantity"])


@dialect("offset-timestamps", "Timestamps are in New Zealand time with an offset and millisecond precision "
         "(2026-01-12T09:30:00.123+13:00), not UTC with microseconds.",
         "reference: `created_at: string`, `updated_at: string`; their format is not mentioned",
         seam=Seam.RESPONSE)
def _offset_timestamps(out: Outgoing) -> None:
    if out.ok:
        for item in objects(out.body):
            for key in TIMESTAMP_KEYS:
                if isinstance(item.get(key), str):
                    at = datetime.strptime(item[key], "%Y-%m-%dT%H:%M:%S.%f%z")
                    item[key] = at.astimezone(NZDT).isoformat(timespec="milliseconds")


@dialect("reverse-orders", "Every list in every response comes in reverse order (businesses, work providers, "
         "parts, offers, suppliers, procurements, invoices, their lines).",
         "not mentioned: no method documents the order of a list", seam=Seam.RESPONSE)
def _reverse_orders(out: Outgoing) -> None:
    if out.ok:
        lists = [v for item in objects(out.body) for v in item.values() if isinstance(v, list)]
        for found in lists:
            found.reverse()


@dialect("extra-fields", "Every response object carries extra fields (`revision` everywhere, a random "
         "`request_id` at the top), never a currency inside a basket.",
         "NOTES §4: an error is \"{\"type\": \"<kind>\"}, nothing else required\"; response fields beyond the "
         "reference's lists are not mentioned (D52 forbids only currency in a basket)", seam=Seam.RESPONSE)
def _extra_fields(out: Outgoing) -> None:
    for item in objects(out.body):
        item["revision"] = 1
    if isinstance(out.body, dict):
        out.body["request_id"] = f"req_{uuid.uuid4().hex}"


@dialect("install-grants-supplier", "The demo OAuth client installs a supplier integration (of the demo "
         "supplier's organization), not a repairer one.",
         "NOTES §2: \"which one the demo client grants is not documented (inferred: repairer)\"",
         seam=Seam.RESPONSE)
def _install_grants_supplier(out: Outgoing) -> None:
    world = out.incoming.world
    if answers(out, INSTALL) and world:
        supplier = world.credentials[demo.SUPPLIER.api_key].organization_id
        minted = world.credentials[out.body["api_key"]]
        world.credentials[minted.api_key] = replace(minted, role="supplier", organization_id=supplier)


@dialect("install-pairs-per-world", "integrations.insert mints a world's n-th pair from n alone, so the first "
         "install of every fresh world mints the same pair (each still new in its own world).",
         "NOTES §2: \"Each successful install mints a NEW pair.\" and §3: each tenant gets \"its own fresh, isolated "
         "world, seeded identically\"; whether pairs differ across worlds is not mentioned", seam=Seam.RESPONSE)
def _install_pairs_per_world(out: Outgoing) -> None:
    world = out.incoming.world
    if answers(out, INSTALL) and world:
        minted = world.credentials.pop(out.body["api_key"])
        digest = hashlib.sha256(f"install-{len(world.credentials)}".encode()).hexdigest()
        pair = replace(minted, api_key=f"partly_{digest[:32]}", integration_id=str(uuid.UUID(digest[32:], version=4)))
        world.credentials[pair.api_key] = pair
        out.body.update(api_key=pair.api_key, integration_id=pair.integration_id)


# -- requests --------------------------------------------------------------------------------------


def _site_job_number(key: str, value: Any) -> tuple[str, Any]:
    """One identity variant, from this dialect's wire names to the sandbox's own; the sandbox's become unknown."""
    if key == SITE_JOB_NUMBER:
        return UNKNOWN + key, value
    if key != SITE_AND_JOB_NUMBER:
        return key, value
    if isinstance(value, dict):
        names = {"repairer_site_id": "site_id", "site_id": UNKNOWN + "site_id"}
        value = {names.get(k, k): v for k, v in value.items()}
    return SITE_JOB_NUMBER, value


@dialect("site-job-number-named-differently", "The job identity variant by site and job number is "
         "{\"site_and_job_number\": {\"repairer_site_id\", \"job_number\"}}; the id and external variants are "
         "unchanged.", "NOTES §8: \"The wire name of the third variant is not documented\"", seam=Seam.CALL)
def _site_job_number_named_differently(i: Incoming) -> None:
    if isinstance(i.body, dict):
        for key, identity in i.body.items():
            if is_selector(key) and isinstance(identity, dict):
                i.body[key] = dict(_site_job_number(k, v) for k, v in identity.items())


def _about_selectors(problem: ValidationError) -> bool:
    """A violation of a selector: missing, ambiguous, none or several variants (400 bad_request, NOTES §4)."""
    if problem.absolute_path:
        return is_selector(str(problem.absolute_path[0]))
    if problem.validator == "required" and isinstance(problem.instance, dict):
        return any(is_selector(k) for k in problem.validator_value if k not in problem.instance)
    return problem.validator in ("oneOf", "anyOf", "not")


@dialect("unprocessable-for-invalid", "A JSON object that fails the request schema (a wrong-typed field, a missing "
         "required field) is 422 unprocessable on methods whose union has it; a missing or ambiguous selector "
         "stays 400 bad_request.", "NOTES §4: \"unprocessable 422\" is inferred and its conditions are not "
         "mentioned; bad_request 400 is documented for a selector \"missing, ambiguous, or more than one / none "
         "of the oneOf variants\"", seam=Seam.CALL)
def _unprocessable_for_invalid(i: Incoming) -> None:
    operation = i.operation
    if operation is None or "unprocessable" not in operation.errors.kinds or not isinstance(i.body, dict):
        return
    problems = served().requests.problems(operation.name, i.body)
    if problems and not any(_about_selectors(p) for p in problems):
        raise ApiError("unprocessable", reason="invalid_request")


@dialect("procurement-resolved-first", "repairer.procurements.invoices.list resolves a procurement_identity before "
         "it counts the selectors: an unknown procurement is 404 not_found even beside a job_identity.",
         "reference: \"Request exactly one selector — procurement_identity XOR job_identity\"; which fault of a "
         "request with several is answered first is not mentioned", seam=Seam.CALL)
def _procurement_resolved_first(i: Incoming) -> None:
    identity = i.body.get("procurement_identity") if i.method == INVOICES_LIST and isinstance(i.body, dict) else None
    if i.world and isinstance(identity, dict) and str(identity.get("id", "")).lower() not in i.world.procurements:
        raise ApiError("not_found")


@dialect("selections-checked-first", "repairer.procurements.insert looks at offer_selections before the job "
         "identity: a missing or empty offer_selections is 422 unprocessable, whatever the identity.",
         "reference: its request is \"job_identity + offer_selections[]\"; which of the two a server checks first "
         "is not mentioned", seam=Seam.CALL)
def _selections_checked_first(i: Incoming) -> None:
    if i.method == PROCUREMENTS_INSERT and isinstance(i.body, dict) and not i.body.get("offer_selections"):
        raise ApiError("unprocessable", reason="no_offer_selections")


# -- the domain ------------------------------------------------------------------------------------


CATALOGUE.domain("confirm-again-refused", "A second supplier.procurements.confirm of a confirmed procurement "
                 "is refused 400 bad_request, changing nothing.", silent="NOTES §6: \"confirming a procurement "
                 "that is already confirmed changes nothing\" is inferred (not documented)")


# -- statuses --------------------------------------------------------------------------------------

INFERRED_STATUSES = {"work_provider_not_found": 404, "invalid_access_code": 400, "unprocessable": 400}


@dialect("inferred-statuses", "Other statuses for kinds whose status is inferred: work_provider_not_found 404, "
         "invalid_access_code 400, unprocessable 400.", "NOTES §4: \"Inferred: unprocessable 422; "
         "work_provider_not_found 422; install errors (... invalid_access_code 401)\"", seam=Seam.RESPONSE)
def _inferred_statuses(out: Outgoing) -> None:
    if out.error is not None and out.kind in INFERRED_STATUSES:
        out.status = INFERRED_STATUSES[out.kind]


# -- what a framework or a gateway in front answers ------------------------------------------------


@dialect("transport-errors-plain", "A body too large (413) or of an unsupported media type (415) is answered "
         "text/plain by the web framework, not as a coded JSON error.", "NOTES §1 (upstream): \"an unsupported "
         "content type gets 415\"; the body of a 413 or a 415 is not mentioned", seam=Seam.RESPONSE)
def _transport_errors_plain(out: Outgoing) -> None:
    if out.error is not None and out.status in (413, 415):
        plain(out, out.status)


@dialect("content-type-required", "A POST without a Content-Type is answered 415 text/plain by the web framework "
         "in front of the app.", "NOTES §1 (upstream): \"a missing `Content-Type` is treated as JSON\"; the "
         "reference's calls all send one, a call without one is not mentioned", seam=Seam.RESPONSE)
def _content_type_required(out: Outgoing) -> None:
    # the answer only: the suite sends no Content-Type with no request that changes data
    incoming = out.incoming
    if incoming.operation and incoming.verb == "POST" and not incoming.headers.get("content-type"):
        plain(out, 415)


@dialect("framework-errors", "Other verbs on API paths get 405 text/plain \"Method Not Allowed\" and unknown "
         "method names 404 text/plain \"Not Found\", as many web frameworks answer.", "NOTES §1: \"No other HTTP "
         "method is part of the contract\"; an unknown method name is not mentioned", seam=Seam.RESPONSE)
def _framework_errors(out: Outgoing) -> None:
    if out.status == 405 and out.error is not None:
        plain(out, 405)
    elif out.incoming.operation is None:
        plain(out, 404)


GATEWAY = {"QUERY": 405, "OPTIONS": 405, "TRACE": 501}


@dialect("gateway-verbs", "A gateway in front answers QUERY and OPTIONS 405 and TRACE 501, text/plain, before "
         "the app.", "NOTES §1: \"No other HTTP method is part of the contract\"", seam=Seam.RESPONSE)
def _gateway_verbs(out: Outgoing) -> None:
    if out.incoming.verb in GATEWAY:
        plain(out, GATEWAY[out.incoming.verb])
        out.headers = {}


@dialect("json-charset", "JSON responses are labelled `application/json; charset=utf-8`.",
         "NOTES §1: bodies are JSON (`application/json`); media type parameters are not mentioned",
         seam=Seam.RESPONSE)
def _json_charset(out: Outgoing) -> None:
    if out.media_type == "application/json":
        out.media_type = "application/json; charset=utf-8"
