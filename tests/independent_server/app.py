"""The API methods: validation, scoping, rendering, and the dispatch pipeline."""
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from decimal import Decimal

from .world import CREATED_BY, CURRENCY, SeedIds, World, rfc3339, seed_procurement_ids

TENANT_IDLE_RESET = 3600

STATUS = {"unauthorized": 401, "forbidden": 403, "not_found": 404, "bad_request": 400,
          "unprocessable": 422, "work_provider_not_found": 404, "invalid_access_code": 400,
          "integration_not_found": 404, "invalid_client_secret": 401,
          "o_auth_not_supported_by_integration": 403}


class ApiError(Exception):
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


# ------------------------------------------------------------------ JSON encoding
def dumps(o) -> str:
    """JSON with money (Decimal) as numbers carrying exactly two decimals."""
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, Decimal):
        return format(o, ".2f")
    if isinstance(o, (int, float, str)):
        return json.dumps(o, ensure_ascii=False)
    if isinstance(o, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + dumps(v) for k, v in o.items()) + "}"
    if isinstance(o, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in o) + "]"
    raise TypeError(type(o))


# ------------------------------------------------------------------ validation
class Ctx:
    def __init__(self, app, world, cred, body, spec):
        self.app, self.world, self.cred, self.body, self.spec = app, world, cred, body, spec

    def invalid(self):
        """A field of the wrong type / a missing required field."""
        return ApiError("unprocessable" if "unprocessable" in self.spec.errors else "bad_request")

    def field(self, name, kinds, required=True, nullable=False):
        if name not in self.body:
            if required:
                raise self.invalid()
            return None
        v = self.body[name]
        if v is None and nullable:
            return None
        if not _is(v, kinds):
            raise self.invalid()
        return v

    def uuid_field(self, name, required=True, nullable=False):
        v = self.field(name, str, required, nullable)
        if v is None:
            return None
        u = as_uuid(v)
        if u is None:
            raise self.invalid()
        return u


def _is(v, kinds):
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(v, bool):
        return bool in kinds
    return isinstance(v, kinds)


def as_uuid(v):
    if not isinstance(v, str):
        return None
    try:
        return str(uuid.UUID(v))
    except ValueError:
        return None


def job_selector(value):
    """Job identity: exactly one of {"id"}, {"external"}, {"site_and_job_number"}; else bad_request."""
    if not isinstance(value, dict) or len(value) != 1:
        raise ApiError("bad_request")
    (key, v), = value.items()
    if key == "id":
        u = as_uuid(v)
        if u:
            return ("id", u)
    elif key == "external":
        if isinstance(v, str) and v:
            return ("external", v)
    elif key == "site_and_job_number" and isinstance(v, dict) and set(v) == {"repairer_site_id", "job_number"}:
        site = as_uuid(v["repairer_site_id"])
        if site and isinstance(v["job_number"], str) and v["job_number"]:
            return ("site", (site, v["job_number"]))
    raise ApiError("bad_request")


def id_selector(value):
    """Procurement / invoice identity: {"id": <uuid>} only."""
    if not isinstance(value, dict) or set(value) != {"id"}:
        raise ApiError("bad_request")
    u = as_uuid(value["id"])
    if not u:
        raise ApiError("bad_request")
    return u


def lookup_job(world, org_id, sel):
    kind, key = sel
    for job in world.jobs.values():
        if job["org_id"] != org_id:
            continue
        if (kind == "id" and job["id"] == key) or (kind == "external" and job["external_id"] == key) or \
                (kind == "site" and (job["repairer_site_id"], job["job_number"]) == key):
            return job
    return None


def find_job(ctx, name):
    if name not in ctx.body:
        raise ApiError("bad_request")
    job = lookup_job(ctx.world, ctx.cred["org_id"], job_selector(ctx.body[name]))
    if job is None:
        raise ApiError("not_found")
    return job


# ------------------------------------------------------------------ rendering
def extra(d):
    d["created_by"] = CREATED_BY
    return d


def r_job(w, job):
    out = {"id": job["id"], "repairer_site_id": job["repairer_site_id"],
           "images": [extra({"id": im["id"], "file_name": im["file_name"],
                             "url": f"https://media.independent.invalid/jobs/{job['id']}/{im['file_name']}"})
                      for im in job["images"]]}
    # Optional JobV1 fields are omitted when they have no value (documented: "may be absent").
    for k in ("external_id", "job_number", "claim_number", "work_provider_id"):
        if job[k] is not None:
            out[k] = job[k]
    if job["vehicle"] is not None:
        out["vehicle"] = extra(dict(job["vehicle"]))
    out["created_at"] = rfc3339(job["created_at"])
    out["updated_at"] = rfc3339(job["updated_at"])
    return extra(out)


def r_part(p):
    return extra({"id": p["id"], "description": p["description"], "quantity": p["quantity"],
                  "part_number": p["part_number"], "status": p["status"], "created_at": rfc3339(p["created_at"])})


def r_vehicle(w, job):
    v = job["vehicle"] or {}
    desc = " ".join(str(v[k]) for k in ("year", "make", "model") if v.get(k)) or None
    return extra({"vin": v.get("vin"), "make": v.get("make"), "model": v.get("model"),
                  "year": v.get("year"), "description": desc})


def r_named(w, table, oid):
    return extra({"id": oid, "name": table[oid]["name"]})


def r_items(proc):
    return [extra({"id": it["id"], "sellable_id": it["sellable_id"], "job_part_ids": list(it["job_part_ids"]),
                   "description": it["description"], "part_number": it["part_number"],
                   "quantity": it["quantity"], "unit_price": it["unit_price"],
                   "line_total": it["unit_price"] * it["quantity"]}) for it in proc["items"]]


def r_proc_common(w, proc):
    return {"id": proc["id"], "job_id": proc["job_id"], "status": proc["status"], "reference": proc["reference"],
            "currency_code": CURRENCY, "created_at": rfc3339(proc["created_at"]),
            "updated_at": rfc3339(proc["updated_at"]), "source_items": r_items(proc),
            "total_shipping_price": proc["shipping"], "vehicle": r_vehicle(w, w.jobs[proc["job_id"]])}


def r_proc_buyer(w, proc):
    out = r_proc_common(w, proc)
    out["supplier_business"] = r_named(w, w.businesses, proc["supplier_business_id"])
    out["supplier_organization"] = r_named(w, w.orgs, proc["supplier_org_id"])
    return extra(out)


def r_proc_supplier(w, proc):
    out = r_proc_common(w, proc)
    site = w.businesses[proc["buyer_site_id"]]
    out["buyer_business"] = r_named(w, w.businesses, proc["buyer_site_id"])
    out["buyer_organization"] = r_named(w, w.orgs, proc["buyer_org_id"])
    out["buyer_shipping_address"] = extra({"line1": "1 Workshop Lane", "line2": None, "city": site["city"],
                                           "postcode": "8041", "country": "NZ", "attention": site["name"]})
    return extra(out)


def r_invoice(w, inv):
    return extra({"id": inv["id"], "kind": inv["kind"], "number": inv["number"],
                  "procurement_id": inv["procurement_id"], "job_id": inv["job_id"],
                  "supplier_business_id": inv["supplier_business_id"], "currency_code": CURRENCY,
                  "issued_at": rfc3339(inv["issued_at"]), "reconciliation": "matched",
                  "lines": [extra(dict(ln, job_part_ids=list(ln["job_part_ids"]))) for ln in inv["lines"]],
                  "subtotal": inv["subtotal"], "shipping": inv["shipping"], "total": inv["total"],
                  "gst_included": inv["gst_included"]})


def newest_first(records):
    return sorted(records, key=lambda r: r["seq"], reverse=True)


# ------------------------------------------------------------------ methods
def m_businesses_list(ctx):
    org = ctx.cred["org_id"]
    rows = sorted((b for b in ctx.world.businesses.values() if b["org_id"] == org), key=lambda b: b["name"])
    return {"items": [extra({"id": b["id"], "name": b["name"], "kind": b["kind"], "organization_id": b["org_id"],
                             "address": extra({"city": b["city"], "country": "NZ"})}) for b in rows]}


def m_integrations_insert(ctx):
    w = ctx.world
    code = ctx.field("access_code", str)
    client_id = ctx.field("client_id", str)
    secret = ctx.field("client_secret", str)
    client = w.oauth_clients.get(client_id)
    if client is None:
        raise ApiError("integration_not_found")
    if not client["oauth"]:
        raise ApiError("o_auth_not_supported_by_integration")
    if not hmac.compare_digest(secret.encode("utf-8"), client["secret"].encode("utf-8")):
        raise ApiError("invalid_client_secret")
    grant = w.access_codes.get(code)
    if grant is None or grant["used"] or grant["client_id"] != client_id or time.time() > grant["expires"]:
        raise ApiError("invalid_access_code")
    grant["used"] = True
    key, integration_id = "partly_" + secrets.token_hex(16), str(uuid.uuid4())
    w.credentials[key] = {"integration_id": integration_id, "org_id": client["org_id"], "role": client["role"]}
    return extra({"api_key": key, "integration_id": integration_id})


def m_baskets_latest_get(ctx):
    w = ctx.world
    job = find_job(ctx, "job_identity")
    offers = sorted((o for o in w.offers if o["job_id"] == job["id"]),
                    key=lambda o: (o["unit_price"], o["sellable_id"]))
    out_offers, seen = [], []
    for o in offers:
        first = w.parts[o["job_part_ids"][0]]
        out_offers.append(extra({"sellable_id": o["sellable_id"], "supplier_business_id": o["business_id"],
                                 "job_part_ids": list(o["job_part_ids"]), "description": first["description"],
                                 "part_number": o["part_number"], "condition": o["condition"],
                                 "quantity": o["quantity"], "unit_price": o["unit_price"],
                                 "total_price": o["unit_price"] * o["quantity"],
                                 "lead_time_days": o["lead_time_days"]}))
        if o["business_id"] not in seen:
            seen.append(o["business_id"])
    suppliers = sorted((w.businesses[b] for b in seen), key=lambda b: b["name"])
    return extra({"job_id": job["id"], "offers": out_offers,
                  "suppliers": [extra({"id": b["id"], "name": b["name"], "organization_id": b["org_id"],
                                       "city": b["city"]}) for b in suppliers]})


def m_jobs_get(ctx):
    if "identity" not in ctx.body:
        raise ApiError("bad_request")
    job = lookup_job(ctx.world, ctx.cred["org_id"], job_selector(ctx.body["identity"]))
    if job is None:
        raise ApiError("not_found")
    return r_job(ctx.world, job)


VEHICLE_FIELDS = {"vin": str, "make": str, "model": str, "year": int, "body": str, "colour": str}


def m_jobs_insert(ctx):
    w, org = ctx.world, ctx.cred["org_id"]
    if "identity" not in ctx.body:
        raise ApiError("bad_request")
    sel = job_selector(ctx.body["identity"])
    site_id = ctx.uuid_field("repairer_site_id")
    wp_id = ctx.uuid_field("work_provider_id", required=False, nullable=True)
    claim = ctx.field("claim_number", str, required=False, nullable=True)
    number = ctx.field("job_number", str, required=False, nullable=True)
    vehicle = ctx.field("vehicle", dict, required=False, nullable=True)
    if vehicle is not None:
        for k, v in vehicle.items():
            if k not in VEHICLE_FIELDS or not (v is None or _is(v, VEHICLE_FIELDS[k])):
                raise ApiError("unprocessable")
        vehicle = {k: vehicle.get(k) for k in VEHICLE_FIELDS}
    site = w.businesses.get(site_id)
    if site is None or site["org_id"] != org or site["kind"] != "repairer_site":
        raise ApiError("unprocessable")
    if wp_id is not None and (wp_id not in w.work_providers or w.work_providers[wp_id]["org_id"] != org):
        raise ApiError("work_provider_not_found")
    if sel[0] == "site":
        if sel[1][0] != site_id or (number is not None and number != sel[1][1]):
            raise ApiError("unprocessable")
        number = sel[1][1]
    job = lookup_job(w, org, sel)
    if job is None and sel[0] == "id" and sel[1] in w.jobs:
        raise ApiError("unprocessable")  # the id is taken by another organization's job
    if number is not None:
        clash = lookup_job(w, org, ("site", (site_id, number)))
        if clash is not None and clash is not job:
            raise ApiError("unprocessable")
    if job is None:
        if number is None:
            w.job_counter += 1
            number = f"J{w.job_counter}"
        job = w.add_job(sel[1] if sel[0] == "id" else str(uuid.uuid4()), org, site_id,
                        external_id=sel[1] if sel[0] == "external" else None, job_number=number)
    job["repairer_site_id"] = site_id
    for key, value in (("work_provider_id", wp_id), ("claim_number", claim), ("job_number", number),
                       ("vehicle", vehicle)):
        if key in ctx.body or (key == "job_number" and number is not None):
            job[key] = value
    job["updated_at"] = time.time()
    return r_job(w, job)


def parts_of(w, job):
    return [r_part(p) for p in newest_first(p for p in w.parts.values() if p["job_id"] == job["id"])]


def m_parts_insert(ctx):
    w = ctx.world
    job = find_job(ctx, "job_identity")
    parts = ctx.field("parts", list)
    clean = []
    for p in parts:
        if not isinstance(p, dict):
            raise ApiError("unprocessable")
        desc, qty, pn = p.get("description"), p.get("quantity", 1), p.get("part_number")
        if not isinstance(desc, str) or not desc.strip() or not _is(qty, int) or qty < 1 or \
                not (pn is None or isinstance(pn, str)):
            raise ApiError("unprocessable")
        clean.append((desc, qty, pn))
    for desc, qty, pn in clean:
        part = w.add_part(str(uuid.uuid4()), job["id"], desc, qty, pn)
        w.generate_offers(part)
    job["updated_at"] = time.time()
    return {"items": parts_of(w, job)}


def m_parts_list(ctx):
    return {"items": parts_of(ctx.world, find_job(ctx, "job_identity"))}


def buyer_proc(ctx, pid):
    proc = ctx.world.procurements.get(pid)
    if proc is None or proc["buyer_org_id"] != ctx.cred["org_id"]:
        raise ApiError("not_found")
    return proc


def supplier_proc(ctx):
    if "identity" not in ctx.body:
        raise ApiError("bad_request")
    proc = ctx.world.procurements.get(id_selector(ctx.body["identity"]))
    if proc is None or proc["supplier_org_id"] != ctx.cred["org_id"]:
        raise ApiError("not_found")
    return proc


def m_procurements_get(ctx):
    if "identity" not in ctx.body:
        raise ApiError("bad_request")
    return r_proc_buyer(ctx.world, buyer_proc(ctx, id_selector(ctx.body["identity"])))


def m_procurements_list(ctx):
    job = find_job(ctx, "job_identity")
    procs = newest_first(p for p in ctx.world.procurements.values() if p["job_id"] == job["id"])
    return {"items": [r_proc_buyer(ctx.world, p) for p in procs]}


def m_supplier_get(ctx):
    return r_proc_supplier(ctx.world, supplier_proc(ctx))


def m_supplier_confirm(ctx):
    return r_proc_supplier(ctx.world, ctx.world.confirm(supplier_proc(ctx)))


VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def m_tier1_prepare(ctx):
    idents = ctx.field("identifiers", list)
    invalid = []
    for ident in idents:
        if not isinstance(ident, dict):
            raise ApiError("bad_request")
        if set(ident) != {"vin"} or not isinstance(ident["vin"], str):
            invalid.append(extra({"identifier": ident, "reason": "unsupported_identifier"}))
        elif not VIN_RE.match(ident["vin"].upper()):
            invalid.append(extra({"identifier": ident, "reason": "invalid_vin"}))
        else:
            ctx.world.prepared_vins.add(ident["vin"].upper())
    return extra({"invalid_identifiers": invalid})


def m_uploads_prepare(ctx):
    name, media, kind = (ctx.field(k, str) for k in ("file_name", "media_type", "type"))
    if not name.strip() or "/" in name or not media.strip() or not kind.strip():
        raise ApiError("unprocessable")
    upload_id = str(uuid.uuid4())
    from urllib.parse import quote
    path = f"{upload_id}/{quote(name)}"
    expires = time.time() + 900
    return extra({"upload_id": upload_id,
                  "upload_url": f"https://uploads.independent.invalid/{path}?expires={int(expires)}"
                                f"&signature={secrets.token_hex(16)}",
                  "public_url": f"https://media.independent.invalid/{path}" if kind == "job_media" else None,
                  "expires_at": rfc3339(expires)})


# ---- proposed extensions (flat "local schema" responses, always x_extension: true)
def m_x_procurements_insert(ctx):
    w = ctx.world
    job = find_job(ctx, "job_identity")
    selections = ctx.field("offer_selections", list)
    if not selections:
        raise ApiError("unprocessable")
    lines, used, business = [], set(), None
    for s in selections:
        if not isinstance(s, dict):
            raise ApiError("unprocessable")
        sellable, biz = as_uuid(s.get("sellable_id")), as_uuid(s.get("supplier_business_id"))
        part_ids, qty = s.get("job_part_ids"), s.get("quantity", 1)
        if not sellable or not biz or not isinstance(part_ids, list) or not part_ids or not _is(qty, int) or qty < 1:
            raise ApiError("unprocessable")
        part_ids = [as_uuid(p) for p in part_ids]
        offer = next((o for o in w.offers if o["job_id"] == job["id"] and o["sellable_id"] == sellable
                      and o["business_id"] == biz), None)
        if offer is None or business not in (None, biz):  # one procurement = one supplier business
            raise ApiError("unprocessable")
        business = biz
        for p in part_ids:
            if p is None or p not in offer["job_part_ids"] or p in used or w.parts[p]["status"] != "estimated":
                raise ApiError("unprocessable")
            used.add(p)
        lines.append((offer, part_ids, qty))
    proc = w.place_procurement(job, business, lines)
    job["updated_at"] = time.time()
    return dict(r_proc_buyer(w, proc), x_extension=True)


def m_x_invoices_list(ctx):
    w = ctx.world
    has_p, has_j = "procurement_identity" in ctx.body, "job_identity" in ctx.body
    if has_p == has_j:
        raise ApiError("bad_request")
    if has_p:
        proc_ids = {buyer_proc(ctx, id_selector(ctx.body["procurement_identity"]))["id"]}
    else:
        job = find_job(ctx, "job_identity")
        proc_ids = {p["id"] for p in w.procurements.values() if p["job_id"] == job["id"]}
    invoices = newest_first(i for i in w.invoices.values() if i["procurement_id"] in proc_ids)
    return extra({"x_extension": True, "invoices": [r_invoice(w, i) for i in invoices]})


def m_x_invoices_get(ctx):
    if "identity" not in ctx.body:
        raise ApiError("bad_request")
    inv = ctx.world.invoices.get(id_selector(ctx.body["identity"]))
    if inv is None or inv["buyer_org_id"] != ctx.cred["org_id"]:
        raise ApiError("not_found")
    return dict(r_invoice(ctx.world, inv), x_extension=True)


class Spec:
    def __init__(self, fn, role, errors, bare=False, extension=False):
        self.fn, self.role, self.errors, self.bare, self.extension = fn, role, tuple(errors), bare, extension


UA, UAF = ("unauthorized",), ("unauthorized", "forbidden")
X_ERRORS = (*UAF, "not_found", "bad_request", "unprocessable")
METHODS = {
    "businesses.list": Spec(m_businesses_list, "any", UAF),
    "integrations.insert": Spec(m_integrations_insert, None, (
        *UAF, "integration_not_found", "o_auth_not_supported_by_integration", "invalid_client_secret",
        "invalid_access_code")),
    "repairer.jobs.baskets.latest.get": Spec(m_baskets_latest_get, "repairer", (*UAF, "not_found", "bad_request")),
    "repairer.jobs.get": Spec(m_jobs_get, "repairer", (*UAF, "not_found")),
    "repairer.jobs.insert": Spec(m_jobs_insert, "repairer", (*UAF, "unprocessable", "work_provider_not_found")),
    "repairer.jobs.parts.insert": Spec(m_parts_insert, "repairer", (*UAF, "not_found", "unprocessable"), bare=True),
    "repairer.jobs.parts.list": Spec(m_parts_list, "repairer", (*UAF, "not_found")),
    "repairer.procurements.get": Spec(m_procurements_get, "repairer", (*UAF, "not_found")),
    "repairer.procurements.list": Spec(m_procurements_list, "repairer", (*UAF, "not_found")),
    "repairer.work-providers.list": Spec(lambda c: {"items": [
        extra({"id": p["id"], "name": p["name"]}) for p in sorted(
            (p for p in c.world.work_providers.values() if p["org_id"] == c.cred["org_id"]),
            key=lambda p: p["name"], reverse=True)]}, "repairer", UAF),
    "supplier.procurements.confirm": Spec(m_supplier_confirm, "supplier", (*UAF, "not_found")),
    "supplier.procurements.get": Spec(m_supplier_get, "supplier", (*UAF, "not_found")),
    "tier1.prepare": Spec(m_tier1_prepare, "any", UA),
    "uploads.prepare": Spec(m_uploads_prepare, "any", (*UAF, "unprocessable")),
    "repairer.procurements.insert": Spec(m_x_procurements_insert, "repairer", X_ERRORS, extension=True),
    "repairer.procurements.invoices.list": Spec(m_x_invoices_list, "repairer", X_ERRORS, extension=True),
    "repairer.procurements.invoices.get": Spec(m_x_invoices_get, "repairer", X_ERRORS, extension=True),
}


# ------------------------------------------------------------------ application
class App:
    def __init__(self, no_tenants=False, no_extensions=False, own_data=False):
        self.no_tenants, self.no_extensions, self.own_data = no_tenants, no_extensions, own_data
        self.lock = threading.Lock()
        self.ids = SeedIds(own_data)
        self.base = World(self.ids)
        self.tenants = {}
        self.procurement_ids = seed_procurement_ids(self.ids)

    def method(self, name):
        spec = METHODS.get(name)
        if spec is None or (spec.extension and self.no_extensions):
            return None
        return spec

    def world_for(self, tenant):
        if self.no_tenants or not tenant:
            return self.base
        now = time.time()
        world = self.tenants.get(tenant)
        if world is None or now - world.touched > TENANT_IDLE_RESET:
            world = self.tenants[tenant] = World(self.ids)
        world.touched = now
        return world

    @staticmethod
    def error(spec, kind):
        status = STATUS[kind]
        if spec.bare:
            return status, kind
        body = {"type": kind}
        if spec.extension:
            body["x_extension"] = True
        return status, body

    def call(self, spec, headers, body):
        """headers: case-insensitive mapping; body: parsed JSON. Returns (status, serialized JSON text)."""
        status, payload = self._call(spec, headers, body)
        try:
            return status, dumps(payload)
        except Exception:  # e.g. an echoed, absurdly deep identifier
            return 400, dumps(self.error(spec, "bad_request")[1])

    def _call(self, spec, headers, body):
        with self.lock:
            try:
                world = self.world_for((headers.get("x-partifact-tenant") or "").strip())
                cred = None
                if spec.role is not None:
                    cred = self.authenticate(world, headers)
                    if spec.role != "any" and cred["role"] != spec.role:
                        raise ApiError("forbidden")
                ctx = Ctx(self, world, cred, body, spec)
                if not isinstance(body, dict):
                    raise ctx.invalid()
                return 200, spec.fn(ctx)
            except ApiError as e:
                return self.error(spec, e.kind)
            except Exception:  # never a 5xx (nor a stack trace) on a contract call
                return self.error(spec, "bad_request")

    @staticmethod
    def authenticate(world, headers):
        auth = (headers.get("authorization") or "").strip()
        scheme, _, key = auth.partition(" ")
        integration = as_uuid((headers.get("partly-integration-id") or "").strip())
        cred = world.credentials.get(key.strip()) if scheme.lower() == "bearer" else None
        if cred is None or integration is None or cred["integration_id"] != integration:
            raise ApiError("unauthorized")
        return cred
