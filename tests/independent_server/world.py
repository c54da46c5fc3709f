"""In-memory sandbox world: state, seeding and the lifecycle operations.

Everything here runs under the application lock (see app.py); nothing in this module
is thread safe on its own.
"""
import hashlib
import secrets
import time
import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

CREATED_BY = "independent"
CURRENCY = "NZD"
ACCESS_CODE_TTL = 15 * 60

DEMO_REPAIRER_KEY = "partly_demo_repairer_3f8a1c0d9e2b4a67b1c2"
DEMO_REPAIRER_INTEGRATION = "0c000000-0000-4000-8000-000000000001"
DEMO_SUPPLIER_KEY = "partly_demo_supplier_8b4e2f1a6c0d3e9f7a25"
DEMO_SUPPLIER_INTEGRATION = "0c000000-0000-4000-8000-000000000002"
DEMO_CLIENT_ID = "partly_client_demo"
DEMO_CLIENT_SECRET = "secret_demo_8f3a"
DEMO_ACCESS_CODE = "ac_demo_valid_15m"
# Our own extra OAuth client: it exists but does not support OAuth installs.
LEGACY_CLIENT_ID = "partly_client_legacy"
LEGACY_CLIENT_SECRET = "secret_legacy_0000"


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def rfc3339(ts: float) -> str:
    dt = datetime.fromtimestamp(ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def pattern_id(prefix: str, n: int) -> str:
    """Seed id in the documented pattern 0X000000-0000-4000-8000-0000000000NN."""
    return f"{prefix}000000-0000-4000-8000-0000000000{n:02d}"


class SeedIds:
    """Maps a symbolic seed name to an id: documented pattern ids, or (own-data mode)
    random uuid4s drawn once per server so every tenant world is seeded identically."""

    PATTERN: ClassVar[dict[str, tuple[str, int]]] = {
        "org_repairer": ("09", 1), "org_supplier": ("09", 2), "org_partmaster": ("09", 3),
        "org_autoparts": ("09", 4), "org_other_repairer": ("09", 5),
        "site_main": ("0b", 1), "site_hornby": ("0b", 2), "biz_chch_toyota": ("0b", 10),
        "biz_timaru_toyota": ("0b", 11), "biz_partmaster": ("0b", 20), "biz_autoparts": ("0b", 30),
        "site_other": ("0b", 40),
        "wp_main": ("0a", 20), "wp_fleet": ("0a", 21), "wp_harbour": ("0a", 22), "wp_other": ("0a", 30),
        "job": ("0d", 1), "job_other": ("0d", 2),
        "part1": ("0e", 1), "part2": ("0e", 2), "part3": ("0e", 3), "part4": ("0e", 4),
        "part5": ("0e", 5), "part6": ("0e", 6), "part_other": ("0e", 7),
        "img1": ("12", 1), "img2": ("12", 2),
        "proc1": ("10", 1), "proc2": ("10", 2), "proc3": ("10", 3),
        "item1": ("14", 1), "item2": ("14", 2), "item3": ("14", 3),
    }
    SELLABLES: ClassVar[dict[str, int]] = {  # sellable n -> 0f...NN
        "s_part1": 1, "s_part2_pm": 2, "s_part2_ad": 3, "s_part3_pm": 4, "s_part3_ad": 5,
        "s_part4_pm": 6, "s_part4_ct": 7, "s_part5_ad": 8, "s_part5_ct": 9, "s_part6": 11,
    }

    def __init__(self, own_data: bool):
        self.own_data = own_data
        self._random = {}
        # One fixed seed clock per server so every world is seeded identically (3 days ago, whole hour).
        self.epoch = (int(time.time()) // 3600) * 3600 - 3 * 86400
        self.job_external = "IND-" + secrets.token_hex(4).upper() if own_data else "CCC-2026-04817"

    def __call__(self, name: str) -> str:
        if self.own_data:
            return self._random.setdefault(name, str(uuid.uuid4()))
        if name in self.SELLABLES:
            return pattern_id("0f", self.SELLABLES[name])
        prefix, n = self.PATTERN[name]
        return pattern_id(prefix, n)


class World:
    def __init__(self, ids: SeedIds):
        now = time.time()
        self.created = now
        self.touched = now
        self.seq = 0
        self.po_counter = 1040
        self.job_counter = 5001
        self.invoice_counter = 7700
        self.orgs = {}            # id -> {id, name, kind}
        self.businesses = {}      # id -> {id, org_id, name, kind, city, shipping}
        self.work_providers = {}  # id -> {id, org_id, name}
        self.credentials = {}     # api_key -> {integration_id, org_id, role}
        self.oauth_clients = {}   # client_id -> {secret, oauth, org_id, role}
        self.access_codes = {}    # code -> {client_id, expires, used}
        self.jobs = {}            # id -> job record
        self.parts = {}           # id -> part record
        self.offers = []          # offer records (basket lines)
        self.procurements = {}    # id -> procurement record
        self.invoices = {}        # id -> invoice record
        self.prepared_vins = set()
        seed(self, ids)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    # ---------------------------------------------------------------- builders
    def add_org(self, oid, name, kind):
        self.orgs[oid] = {"id": oid, "name": name, "kind": kind}

    def add_business(self, bid, org_id, name, kind, city, shipping=None):
        self.businesses[bid] = {"id": bid, "org_id": org_id, "name": name, "kind": kind,
                                "city": city, "shipping": shipping}

    def add_job(self, jid, org_id, site_id, *, external_id=None, job_number=None, claim_number=None,
                work_provider_id=None, vehicle=None, images=(), created=None):
        ts = created if created is not None else time.time()
        self.jobs[jid] = {"id": jid, "org_id": org_id, "repairer_site_id": site_id,
                          "external_id": external_id, "job_number": job_number,
                          "claim_number": claim_number, "work_provider_id": work_provider_id,
                          "vehicle": vehicle, "images": list(images), "created_at": ts, "updated_at": ts}
        return self.jobs[jid]

    def add_part(self, pid, job_id, description, quantity=1, part_number=None, status="estimated", created=None):
        self.parts[pid] = {"id": pid, "job_id": job_id, "description": description, "quantity": quantity,
                           "part_number": part_number, "status": status,
                           "created_at": created if created is not None else time.time(), "seq": self.next_seq()}
        return self.parts[pid]

    def add_offer(self, job_id, sellable_id, business_id, part_ids, price, part_number, condition, lead_days):
        self.offers.append({"job_id": job_id, "sellable_id": sellable_id, "business_id": business_id,
                            "job_part_ids": list(part_ids), "unit_price": money(price),
                            "part_number": part_number, "condition": condition, "lead_time_days": lead_days,
                            "quantity": max(self.parts[p]["quantity"] for p in part_ids)})

    def generate_offers(self, part):
        """Offers for a part inserted through the API: one genuine offer from the demo supplier's
        second branch, one aftermarket offer from a third-party supplier (prices from a hash)."""
        job = self.jobs[part["job_id"]]
        digest = int(hashlib.sha256(part["description"].encode("utf-8")).hexdigest()[:8], 16)
        genuine = money(Decimal(60 + digest % 54000) / 100 + 60)
        for business_id, price, cond, days in (
            (self.ids("biz_timaru_toyota"), genuine, "genuine", 2),
            (self.ids("biz_partmaster"), money(genuine * Decimal("0.78")), "aftermarket", 4),
        ):
            sellable = str(uuid.uuid5(uuid.NAMESPACE_URL, "sellable:{}:{}".format(part["id"], business_id)))
            self.add_offer(job["id"], sellable, business_id, [part["id"]], price,
                           f"GEN-{digest % 1000000:06d}", cond, days)

    # -------------------------------------------------------------- lifecycle
    def place_procurement(self, job, business_id, lines, pid=None, item_ids=None, created=None, reference="auto"):
        """lines: [(offer, job_part_ids, quantity)]. Marks the parts ordered."""
        ts = created if created is not None else time.time()
        business = self.businesses[business_id]
        items = []
        for i, (offer, part_ids, qty) in enumerate(lines):
            first = self.parts[part_ids[0]]
            items.append({"id": item_ids[i] if item_ids else str(uuid.uuid4()),
                          "sellable_id": offer["sellable_id"], "job_part_ids": list(part_ids),
                          "description": first["description"], "part_number": offer["part_number"],
                          "quantity": qty, "unit_price": offer["unit_price"]})
            for p in part_ids:
                self.parts[p]["status"] = "ordered"
        subtotal = sum((it["unit_price"] * it["quantity"] for it in items), Decimal("0"))
        shipping = None
        if business["shipping"] is not None:
            threshold, fee = business["shipping"]
            shipping = money(0) if threshold is not None and subtotal >= threshold else money(fee)
        if reference == "auto":
            self.po_counter += 1
            reference = f"PO-{self.po_counter:d}"
        proc = {"id": pid or str(uuid.uuid4()), "job_id": job["id"], "buyer_org_id": job["org_id"],
                "buyer_site_id": job["repairer_site_id"], "supplier_business_id": business_id,
                "supplier_org_id": business["org_id"], "status": "order_requested", "reference": reference,
                "items": items, "shipping": shipping, "created_at": ts, "updated_at": ts,
                "seq": self.next_seq()}
        self.procurements[proc["id"]] = proc
        return proc

    def confirm(self, proc, when=None):
        """order_requested -> order_confirmed, raising the (reconciled) supplier invoice.
        Confirming an already confirmed procurement changes nothing."""
        if proc["status"] != "order_requested":
            return proc
        ts = when if when is not None else time.time()
        proc["status"] = "order_confirmed"
        proc["updated_at"] = ts
        lines = [{"description": it["description"], "part_number": it["part_number"],
                  "quantity": it["quantity"], "unit_price": it["unit_price"],
                  "line_total": money(it["unit_price"] * it["quantity"]), "job_part_ids": it["job_part_ids"]}
                 for it in proc["items"]]
        subtotal = money(sum((ln["line_total"] for ln in lines), Decimal("0")))
        shipping = proc["shipping"] if proc["shipping"] is not None else money(0)
        total = money(subtotal + shipping)
        self.invoice_counter += 1
        inv = {"id": str(uuid.uuid4()), "kind": "invoice", "number": f"INV-{self.invoice_counter:d}",
               "procurement_id": proc["id"], "job_id": proc["job_id"], "buyer_org_id": proc["buyer_org_id"],
               "supplier_business_id": proc["supplier_business_id"], "issued_at": ts, "lines": lines,
               "subtotal": subtotal, "shipping": shipping, "total": total,
               "gst_included": money(total * 3 / 23), "seq": self.next_seq()}
        self.invoices[inv["id"]] = inv
        return proc


def seed(w: World, ids: SeedIds):
    """The seeded world. Default: the documented ids; own-data: random ids, a job of our own."""
    w.ids = ids
    own = ids.own_data
    t0 = ids.epoch
    R, S, PM, AD, R2 = (ids("org_repairer"), ids("org_supplier"), ids("org_partmaster"),
                        ids("org_autoparts"), ids("org_other_repairer"))
    w.add_org(R, "Riccarton Smash Repairs Group", "repairer")
    w.add_org(S, "Christchurch Toyota Group", "supplier")
    w.add_org(PM, "Partmaster Wholesale Ltd", "supplier")
    w.add_org(AD, "Autoparts Direct NZ", "supplier")
    w.add_org(R2, "Papanui Panel & Paint Ltd", "repairer")
    w.add_business(ids("site_main"), R, "Riccarton Smash Repairs", "repairer_site", "Christchurch")
    w.add_business(ids("site_hornby"), R, "Hornby Collision Centre", "repairer_site", "Christchurch")
    w.add_business(ids("site_other"), R2, "Papanui Panel & Paint", "repairer_site", "Christchurch")
    ct = ids("biz_chch_toyota")
    w.add_business(ct, S, "Christchurch Toyota", "supplier_branch", "Christchurch", (Decimal(500), Decimal(15)))
    w.add_business(ids("biz_timaru_toyota"), S, "Timaru Toyota", "supplier_branch", "Timaru", (None, Decimal(25)))
    w.add_business(ids("biz_partmaster"), PM, "Partmaster Christchurch", "supplier_branch", "Christchurch",
                   (None, Decimal("12.50")))
    w.add_business(ids("biz_autoparts"), AD, "Autoparts Direct Sockburn", "supplier_branch", "Christchurch",
                   (None, Decimal("9.90")))
    for wp, name, org in (("wp_main", "Tui Mutual Insurance", R), ("wp_fleet", "Kōwhai Fleet Management", R),
                          ("wp_harbour", "Harbourside Assurance", R), ("wp_other", "Southland Insurance", R2)):
        w.work_providers[ids(wp)] = {"id": ids(wp), "org_id": org, "name": name}
    w.credentials[DEMO_REPAIRER_KEY] = {"integration_id": DEMO_REPAIRER_INTEGRATION, "org_id": R, "role": "repairer"}
    w.credentials[DEMO_SUPPLIER_KEY] = {"integration_id": DEMO_SUPPLIER_INTEGRATION, "org_id": S, "role": "supplier"}
    w.oauth_clients[DEMO_CLIENT_ID] = {"secret": DEMO_CLIENT_SECRET, "oauth": True, "org_id": R, "role": "repairer"}
    w.oauth_clients[LEGACY_CLIENT_ID] = {"secret": LEGACY_CLIENT_SECRET, "oauth": False, "org_id": R,
                                         "role": "repairer"}
    w.access_codes[DEMO_ACCESS_CODE] = {"client_id": DEMO_CLIENT_ID, "expires": w.created + ACCESS_CODE_TTL,
                                        "used": False}

    site = ids("site_main")
    if not own:
        vehicle = {"vin": "JTNKARJE30J048170", "make": "Toyota", "model": "Corolla", "year": 2019,
                   "body": "Hatchback", "colour": "Attitude Black"}
        parts = [("part1", "Front bumper reinforcement bar", "52021-12A70", "ordered"),
                 ("part2", "Front bumper cover", "52119-12E00", "estimated"),
                 ("part3", "Bonnet (hood) panel", "53301-12D30", "estimated"),
                 ("part4", "Headlamp assembly, right (LED)", "81145-12M10", "estimated"),
                 ("part5", "Radiator grille, upper", "53111-12A80", "estimated"),
                 ("part6", "Front bumper energy absorber", "52611-12A40", "ordered")]
        claim, job_number = "CLM-2026-88213", "RSR-4817"
    else:
        vehicle = {"vin": "JM0KF4W7A00123456", "make": "Mazda", "model": "CX-5", "year": 2021,
                   "body": "SUV", "colour": "Soul Red Crystal"}
        parts = [("part1", "Rear bumper cover", "KB8A-50-221", "ordered"),
                 ("part2", "Tail lamp, left", "KB8A-51-160", "ordered"),
                 ("part3", "Rear parking sensor", "KD47-67-UC1", "estimated"),
                 ("part4", "Boot lid (tailgate) panel", "KB7W-62-02X", "estimated")]
        claim, job_number = "CLM-OWN-" + ids.job_external[-4:], "RSR-" + ids.job_external[-4:]
    job = w.add_job(ids("job"), R, site, external_id=ids.job_external, job_number=job_number,
                    claim_number=claim, work_provider_id=ids("wp_main"), vehicle=vehicle, created=t0,
                    images=[{"id": ids("img1"), "file_name": "front-quarter.jpg"},
                            {"id": ids("img2"), "file_name": "bumper-closeup.jpg"}])
    for i, (key, desc, pn, status) in enumerate(parts):
        w.add_part(ids(key), job["id"], desc, 1, pn, status, created=t0 + 60 * (i + 1))
    other = w.add_job(ids("job_other"), R2, ids("site_other"), external_id="PPP-2026-00077",
                      job_number="PPP-77", work_provider_id=ids("wp_other"), created=t0)
    w.add_part(ids("part_other"), other["id"], "Door shell, front left", created=t0)

    if not own:
        # Latest basket: Christchurch Toyota offers exactly two parts (612.50 + 486.50 = NZD 1,099.00,
        # free delivery above NZD 500).
        P = lambda k: ids(k)  # noqa: E731
        w.add_offer(job["id"], ids("s_part2_pm"), ids("biz_partmaster"), [P("part2")],
                    "389.00", "PM-TC19-FB01", "aftermarket", 3)
        w.add_offer(job["id"], ids("s_part2_ad"), ids("biz_autoparts"), [P("part2")],
                    "342.60", "AD-55019", "aftermarket", 5)
        w.add_offer(job["id"], ids("s_part3_pm"), ids("biz_partmaster"), [P("part3")],
                    "455.00", "PM-TC19-BN02", "aftermarket", 3)
        w.add_offer(job["id"], ids("s_part3_ad"), ids("biz_autoparts"), [P("part3")],
                    "512.40", "AD-55102", "aftermarket", 6)
        w.add_offer(job["id"], ids("s_part4_pm"), ids("biz_partmaster"), [P("part4")],
                    "540.00", "PM-TC19-HL04", "aftermarket", 4)
        w.add_offer(job["id"], ids("s_part4_ct"), ct, [P("part4")], "612.50", "81145-12M10", "genuine", 1)
        w.add_offer(job["id"], ids("s_part5_ad"), ids("biz_autoparts"), [P("part5")],
                    "401.25", "AD-55277", "aftermarket", 5)
        w.add_offer(job["id"], ids("s_part5_ct"), ct, [P("part5")], "486.50", "53111-12A80", "genuine", 1)
        # Earlier orders (from an older basket): the seeded procurement the reference's curl examples use.
        o1 = {"sellable_id": ids("s_part1"), "part_number": "52021-12A70", "unit_price": money("289.00")}
        w.place_procurement(job, ct, [(o1, [ids("part1")], 1)], pid=ids("proc1"), item_ids=[ids("item1")],
                            created=t0 + 3600, reference="PO-1039")
        o6 = {"sellable_id": ids("s_part6"), "part_number": "PM-TC19-EA06", "unit_price": money("74.90")}
        w.place_procurement(job, ids("biz_partmaster"), [(o6, [ids("part6")], 1)], pid=ids("proc2"),
                            item_ids=[ids("item2")], created=t0 + 3700, reference=None)
    else:
        for key in ("part3", "part4"):
            w.generate_offers(w.parts[ids(key)])
        o1 = {"sellable_id": str(uuid.uuid4()), "part_number": "KB8A-50-221", "unit_price": money("731.20")}
        o2 = {"sellable_id": str(uuid.uuid4()), "part_number": "KB8A-51-160", "unit_price": money("388.45")}
        w.place_procurement(job, ct, [(o1, [ids("part1")], 1)], pid=ids("proc1"), item_ids=[ids("item1")],
                            created=t0 + 3600, reference="PO-OWN-1")
        done = w.place_procurement(job, ct, [(o2, [ids("part2")], 1)], pid=ids("proc3"),
                                   item_ids=[ids("item3")], created=t0 + 3700, reference="PO-OWN-2")
        w.confirm(done, when=t0 + 7200)


def seed_procurement_ids(ids: SeedIds) -> dict:
    """Ids of the seeded procurements that the demo supplier can see, by status."""
    if ids.own_data:
        return {"order_requested": [ids("proc1")], "order_confirmed": [ids("proc3")],
                "job_external_id": ids.job_external, "job_id": ids("job")}
    return {"order_requested": [ids("proc1")], "order_confirmed": [],
            "job_external_id": ids.job_external, "job_id": ids("job")}
