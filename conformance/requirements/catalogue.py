"""The requirement catalogue: every rule the suite verifies, by stable id, with the quotes it rests on.

Each requirement is one MUST or SHOULD sentence and its sources: sentences quoted verbatim from
`api-reference.txt` (the published reference) or `NOTES.md` (the other facts, each labelled there),
with their lines. A MUST needs a documented quote that demands exactly what the rule says; an upstream
or inferred fact, or documents in conflict, give a SHOULD (a warning that never fails a run).
`tests/test_requirements.py` finds every quote on its line. Ids are stable: a retired rule keeps its
id unused, and a split keeps the old id for the documented part.

"A contract call" is a POST to `<base>/api/2026-01/<method>` for a method in scope with the Content-Type
application/json and a body that is empty or a JSON object; rules on responses apply to replies to
contract calls. HTTP statuses are never a MUST: the reference names none, NOTES §4 documents them
"for the sandbox" and calls them "mock realism" (the error body is the contract signal), so every
condition rule demands the error kind and ERR-002/ERR-003 (SHOULD) the status.
"""

from __future__ import annotations

from conformance.requirements.definition import Citation, Level, Provenance, Requirement
from spec.documents import bundled, extensions_document
from spec.operations import operations
from spec.wire import BASKET, INSTALL, PARTS_INSERT

M, S = Level.MUST, Level.SHOULD
DOC, UP, INF = Provenance.DOCUMENTED, Provenance.UPSTREAM, Provenance.INFERRED


def ref(line: int, quote: str | tuple[str, ...]) -> Citation:
    """A quote from api-reference.txt: the primary source, documented throughout."""
    return Citation("api-reference.txt", line, quote, DOC)


def notes(line: int, quote: str | tuple[str, ...], label: Provenance) -> Citation:
    return Citation("NOTES.md", line, quote, label)


# -- methods ---------------------------------------------------------------------------------------

ALL = ("*",)
BUSINESSES = "businesses.list"
JOBS_GET, JOBS_INSERT = "repairer.jobs.get", "repairer.jobs.insert"
PARTS_LIST = "repairer.jobs.parts.list"
R_PROC_GET, R_PROC_LIST = "repairer.procurements.get", "repairer.procurements.list"
WORK_PROVIDERS = "repairer.work-providers.list"
S_CONFIRM, S_GET = "supplier.procurements.confirm", "supplier.procurements.get"
WEBHOOK_TRIGGERS = (JOBS_INSERT, S_CONFIRM)  # the calls whose deliveries the WEBHOOK requirements judge
WEBHOOKS = "webhooks"  # their area: a sandbox feature outside 2026-01, which the report shows apart
TIER1, UPLOADS = "tier1.prepare", "uploads.prepare"
P_INSERT, INV_LIST, INV_GET = ("repairer.procurements.insert", "repairer.procurements.invoices.list",
                               "repairer.procurements.invoices.get")
WIRE_METHODS = tuple(operations(bundled()))  # the 14 of 2026-01
EXT = tuple(operations(extensions_document()))  # the 3 proposed extensions
ROLE_BOUND = ("repairer.*", "supplier.*")
JOB_SELECTORS = (JOBS_GET, PARTS_LIST, BASKET)
JOB_IDENTITY = (JOBS_GET, JOBS_INSERT, PARTS_INSERT, PARTS_LIST, BASKET, R_PROC_LIST)  # take a job identity
PROCUREMENT_IDENTITY = (R_PROC_GET, S_GET, S_CONFIRM)  # take a procurement identity
PROCUREMENT_VIEWS = (R_PROC_GET, R_PROC_LIST, S_GET, S_CONFIRM)

# -- quotes used more than once --------------------------------------------------------------------

RESPONSE_LINES = {  # method -> (line, its Response line in the reference)
    BUSINESSES: (21, "Response BusinessesListResponseV1items: BusinessV1[]"),
    INSTALL: (34, "Response IntegrationsInstallResponseV1api_key: std.string.String, integration_id: uuid.Uuid"),
    BASKET: (45, "Response BasketsLatestGetResponseV1offers: OfferV1[], suppliers: SupplierV1[]"),
    JOBS_GET: (58, "Response JobV1claim_number?: oneOf, external_id?: oneOf, id: uuid.Uuid, images: ImageV1[], "
                   "job_number?: oneOf, repairer_site_id: uuid.Uuid, vehicle?: oneOf, work_provider_id?: oneOf"),
    JOBS_INSERT: (71, "Response JobV1claim_number?: oneOf, external_id?: oneOf, id: uuid.Uuid, images: ImageV1[], "
                      "job_number?: oneOf, repairer_site_id: uuid.Uuid, vehicle?: oneOf, work_provider_id?: oneOf"),
    PARTS_INSERT: (84, "Response JobsPartsListResponseV1items: PartV1[]"),
    PARTS_LIST: (97, "Response JobsPartsListResponseV1items: PartV1[]"),
    R_PROC_GET: (110, "Response procurements.v1.buyer.Procurementcreated_at: string, currency_code: oneOf, "
                      "id: uuid.Uuid, job_id: uuid.Uuid, reference: oneOf, "
                      "source_items: procurements.v1.buyer.SourceItem[], "
                      "supplier_business: procurements.v1.buyer.SupplierBusiness, "
                      "supplier_organization: procurements.v1.buyer.SupplierOrganization, "
                      "total_shipping_price: oneOf, updated_at: string, vehicle: procurements.v1.Vehicle"),
    R_PROC_LIST: (123, "Response procurements.v1.buyer.ProcurementsListResponseitems: "
                       "procurements.v1.buyer.Procurement[]"),
    WORK_PROVIDERS: (136, "Response WorkProvidersListResponseV1items: WorkProviderV1[]"),
    S_CONFIRM: (149, "Response procurements.v1.supplier.Procurementbuyer_business: "
                     "procurements.v1.supplier.BuyerBusiness, buyer_organization: "
                     "procurements.v1.supplier.BuyerOrganization, buyer_shipping_address: procurements.v1.Address, "
                     "created_at: string, currency_code: oneOf, id: uuid.Uuid, job_id: uuid.Uuid, reference: oneOf, "
                     "source_items: procurements.v1.supplier.SourceItem[], total_shipping_price: oneOf, "
                     "updated_at: string, vehicle: procurements.v1.Vehicle"),
    S_GET: (162, "Response procurements.v1.supplier.Procurementbuyer_business: "
                 "procurements.v1.supplier.BuyerBusiness, buyer_organization: "
                 "procurements.v1.supplier.BuyerOrganization, buyer_shipping_address: procurements.v1.Address, "
                 "created_at: string, currency_code: oneOf, id: uuid.Uuid, job_id: uuid.Uuid, reference: oneOf, "
                 "source_items: procurements.v1.supplier.SourceItem[], total_shipping_price: oneOf, "
                 "updated_at: string, vehicle: procurements.v1.Vehicle"),
    TIER1: (175, "Response Tier1PrepareResponseV1invalid_identifiers: InvalidIdentifierV1[]"),
    UPLOADS: (188, "Response UploadsPrepareResponseV1public_url: oneOf, upload_url: std.string.String"),
}
ERRORS_LINES = {  # method -> (line, its Errors line in the reference)
    BUSINESSES: (22, "Errors unauthorized, forbidden"),
    INSTALL: (35, "Errors unauthorized, forbidden, integration_not_found, o_auth_not_supported_by_integration, "
                  "invalid_client_secret, invalid_access_code"),
    BASKET: (46, "Errors unauthorized, forbidden, not_found, bad_request"),
    JOBS_GET: (59, "Errors unauthorized, forbidden, not_found"),
    JOBS_INSERT: (72, "Errors unauthorized, forbidden, unprocessable, work_provider_not_found"),
    PARTS_INSERT: (85, "Errors unauthorized, forbidden, not_found, unprocessable"),
    PARTS_LIST: (98, "Errors unauthorized, forbidden, not_found"),
    R_PROC_GET: (111, "Errors unauthorized, forbidden, not_found"),
    R_PROC_LIST: (124, "Errors unauthorized, forbidden, not_found"),
    WORK_PROVIDERS: (137, "Errors unauthorized, forbidden"),
    S_CONFIRM: (150, "Errors unauthorized, forbidden, not_found"),
    S_GET: (163, "Errors unauthorized, forbidden, not_found"),
    TIER1: (176, "Errors unauthorized"),
    UPLOADS: (189, "Errors unauthorized, forbidden, unprocessable"),
}
REQUEST_LINES = {  # method -> (line, its Request line), for the methods that take an identity
    BASKET: (44, "Request BasketsLatestGetRequestV1 — required: job_identity"),
    JOBS_GET: (57, "Request _(inline)_ — required: identity"),
    JOBS_INSERT: (70, "Request JobsInsertRequestV1 — required: repairer_site_id, identity"),
    PARTS_INSERT: (83, "Request JobsPartsInsertRequestV1 — required: job_identity, parts"),
    PARTS_LIST: (96, "Request JobsPartsListRequestV1 — required: job_identity"),
    R_PROC_GET: (109, "Request _(inline)_ — required: identity"),
    R_PROC_LIST: (122, "Request procurements.v1.repairer.ProcurementsListRequest — required: job_identity"),
    S_CONFIRM: (148, "Request _(inline)_ — required: identity"),
    S_GET: (161, "Request _(inline)_ — required: identity"),
}


def response_of(*methods: str) -> tuple[Citation, ...]:
    return tuple(ref(*RESPONSE_LINES[m]) for m in methods)


def errors_of(*methods: str) -> tuple[Citation, ...]:
    return tuple(ref(*ERRORS_LINES[m]) for m in methods)


def request_of(*methods: str) -> tuple[Citation, ...]:
    return tuple(ref(*REQUEST_LINES[m]) for m in methods)


OUR_DECISION = notes(13, "**inferred**: our decision where the sources are silent.", INF)
NEEDS_BOTH_HEADERS = notes(29, (
    "Every method except `integrations.insert` needs both headers:",
    "`Authorization: Bearer <api_key>` and `Partly-Integration-ID: <integration_id uuid>`."), DOC)
WRONG_ROLE = notes(40, (
    "Credentials are org-scoped: repairer methods (`repairer.*`) need a repairer credential, supplier",
    "methods (`supplier.*`) a supplier credential; the wrong role gets `forbidden`."), DOC)
ORG_SCOPED = notes(40, "Credentials are org-scoped", DOC)
STATUSES = notes(59, (
    "HTTP status per kind (documented for the sandbox): `unauthorized` 401, `forbidden` 403,",
    "`not_found` 404 (no match, OR outside your organization's scope), `bad_request` 400 (identity or",
    "selector missing, ambiguous, or more than one / none of the oneOf variants given)."), DOC)
BAD_REQUEST = notes(60, ("`bad_request` 400 (identity or",
                         "selector missing, ambiguous, or more than one / none of the oneOf variants given)."), DOC)
NOT_FOUND = notes(60, "`not_found` 404 (no match, OR outside your organization's scope)", DOC)
MOCK_REALISM = notes(22, ("The spec published by the sandbox is OpenAPI 3.1 and declares only a `200` and a `default`",
                          'response per method; error statuses are "mock realism" and the error body is the contract '
                          "signal."), DOC)
CLOSED_LISTS = notes(65, "The per-method error lists in `api-reference.txt` are the closed set of kinds each method "
                         "may return.", DOC)
EXACTLY_ONE = notes(109, ("Exactly one variant; zero or", "several is `bad_request`."), DOC)
JOB_IDENTITY_VARIANTS = notes(107, 'Job identity (documented): one of `{"id": <uuid>}`, `{"external": <string>}`, '
                                   "or site + job number.", DOC)
TERMINAL = notes(77, ("the supplier moves it to `order_confirmed`, the terminal public", "state."), DOC)
D52_LEVEL = ref(9, "Currency is a procurement-level concept — currency_code on the procurement and the invoice, "
                   "never on a basket offer.")
NOT_IN_2026_01 = ref(198, "These three methods are not part of the public 2026-01 contract and are not in "
                          "/openapi.json.")


# NOTES §9, webhooks: a sandbox feature outside the 2026-01 wire contract (conformance/webhooks/)
SIGNED = notes(116, "Delivery is signed and at-least-once.", DOC)
RAW_BYTES_HEADER = notes(128, "Each delivery is POSTed with the exact raw body bytes and the `partly-hmac-sha256` "
                              "header", DOC)
VERIFICATION_COVERED = notes(131, ("The webhooks page covers a signed-event envelope, a 5-minute replay window, "
                                   "dedup semantics and", "HMAC-SHA256 verification"), DOC)
HMAC_OF_RAW_BYTES = notes(134, ("`partly-hmac-sha256` is the base64 encoding of the HMAC-SHA256 of the raw request "
                                "body bytes, keyed", "with the shared webhook secret."), UP)
KEEP_BYTES = notes(136, "Middleware must keep the body bytes unchanged.", UP)
FIVE_MINUTES = notes(137, ("The body always has a `timestamp` field (RFC 3339); a receiver accepts an event only if it "
                           "falls", "within the last 5 minutes."), UP)
TRIGGERS = notes(116, ("Triggers named: a job being inserted; a procurement moving to",
                       "`order_confirmed`. One supplier confirm fires two events, one for the buyer and one for the",
                       "supplier; each goes to whichever integration registered for it."), DOC)
SUBSCRIBE = notes(119, "Dev-only subscription: `POST <base>/__webhooks/subscribe` with JSON", DOC)
LOOPBACK_ONLY = notes(121, ("`url` must be loopback", "(`localhost`, `127.0.0.1`, `[::1]`, `0.0.0.0`, http or https); "
                                                      "any other host is rejected (the"), DOC)
SUBSCRIBE_ANSWERS = notes(123, ("Answers: `200 {\"ok\":true}`; a non-loopback url",
                                "`400 {\"ok\":false,\"reason\":\"url_not_loopback\"}`; a missing field `400` with "
                                "reason `\"missing_field\"`;", "an unparseable body `400` with reason `\"bad_body\"`."),
                          DOC)
AFTER_THE_CALL = notes(128, ("right", "after the originating API call has returned 200. Delivery is best-effort: a "
                                      "slow or failing", "consumer never fails the originating call."), DOC)
WEBHOOKS_UNKNOWN = notes(139, ("Not known (inferred, our decisions, to be labelled so): the sandbox's signing secret, "
                               "the envelope's", "other fields (event type names, event id, data shape), the dedup "
                               "key, the retry schedule."), INF)


def R(rid: str, level: Level, area: str, rule: str, methods: tuple[str, ...], *sources: Citation,
      extension: bool = False, generated: bool = False, excludes: tuple[str, ...] = ()) -> Requirement:
    return Requirement(rid, level, area, rule, methods, tuple(sources), extension, generated, excludes)


CATALOGUE: tuple[Requirement, ...] = (
    # -- response schema ---------------------------------------------------------------------------
    R("SCHEMA-001", M, "schema",
      "A 2xx response to a contract call MUST carry every field its method's reference entry lists without `?`, "
      "each listed field of its listed type.", WIRE_METHODS,
      *response_of(*WIRE_METHODS),
      notes(26, "A field listed without `?` is required in responses.", UP), generated=True),
    R("SCHEMA-002", S, "schema",
      "A 2xx response SHOULD match the inferred parts of the reconstructed schema (invented field types, formats "
      "and money strings).", ALL,
      OUR_DECISION,
      notes(5, ("machine-readable contract (`/openapi.json` on the deployed sandbox) is NOT available offline, so",
                "`spec/` in the project is a reconstruction."), DOC), generated=True),
    R("SCHEMA-003", S, "schema",
      "A 2xx response SHOULD match the parts of the reconstructed schema taken from upstream, such as the nullable "
      "encoding.", ALL,
      notes(24, ("Optional/nullable encoding (upstream, from the generator the vendor uses): a nullable field is",
                 '`oneOf: [{"type": "null"}, T]`.'), UP), generated=True),

    # -- positive conformance --------------------------------------------------------------------
    R("POS-001", M, "positive",
      "Every method in scope MUST answer a valid request for data its caller may see with a 2xx carrying its "
      "documented response body.", ALL,
      *response_of(*WIRE_METHODS),
      *errors_of(*WIRE_METHODS),
      CLOSED_LISTS,
      ref(204, "Creates a procurement in order_requested from selected basket offers"),
      ref(207, "Response RepairerProcurementsInsertResponseV1 (local schema; x_extension: true)"),
      ref(218, "Lists the reconciled invoices and credit notes for a procurement (or job)."),
      ref(221, "Response RepairerProcurementsInvoicesListResponseV1 (local schema; x_extension: true)"),
      ref(232, "Fetches a single invoice or credit note by its own id"),
      ref(235, "Response RepairerProcurementsInvoicesGetResponseV1 (local schema; x_extension: true)")),

    # -- wire --------------------------------------------------------------------------------------
    R("WIRE-001", S, "wire", "A contract call SHOULD NOT be answered with a 5xx status.", ALL,
      MOCK_REALISM,
      notes(58, "No contract error is retryable; error bodies are never stack traces or prose.", DOC),
      STATUSES, generated=True),
    R("WIRE-002", M, "wire", "Every response body to a contract call MUST be JSON, sent as application/json.", ALL,
      notes(19, "Request and response bodies are JSON (`application/json`).", DOC),
      ref(5, "Every call is POST <base>/api/2026-01/<dotted.method> with a JSON body."), generated=True),
    R("WIRE-003", M, "wire", "An empty request body MUST be treated as {}.", ALL,
      notes(19, "**An empty request body is treated as `{}`.**", DOC)),
    R("WIRE-004", S, "wire", "A request body that does not parse as JSON SHOULD be answered 400.", ALL,
      notes(21, "a body that does not parse gets 400.", UP)),
    R("WIRE-005", S, "wire", "A request with an unsupported Content-Type SHOULD be rejected with 415.", ALL,
      notes(21, "unsupported content type gets 415", UP)),
    R("WIRE-006", S, "wire", "An unknown method name SHOULD be answered 404 with the not_found kind.", ALL,
      OUR_DECISION,
      notes(17, "the dotted name is the last path segment.", DOC)),
    R("WIRE-007", S, "wire",
      "A request that violates the method's request schema SHOULD be rejected with a 4xx coded error.", ALL,
      OUR_DECISION,
      notes(21, "a body that does not parse gets 400.", UP), generated=True),
    R("WIRE-008", S, "wire",
      "A request that satisfies the method's request schema SHOULD NOT be rejected as malformed.", ALL,
      OUR_DECISION, generated=True),
    R("WIRE-009", S, "wire", "An HTTP verb other than POST SHOULD be answered 405.", ALL,
      OUR_DECISION,
      notes(18, "No other HTTP method is part of the contract.", DOC), generated=True),
    R("WIRE-010", S, "wire", "A request without a Content-Type SHOULD be treated as JSON.", ALL,
      notes(20, "a missing `Content-Type` is treated as JSON", UP)),

    # -- auth --------------------------------------------------------------------------------------
    R("AUTH-001", M, "auth",
      "Every method but integrations.insert MUST refuse (answer no 2xx to) a request missing either auth header, "
      "with a malformed one, or with an api_key that was never issued.", ALL,
      NEEDS_BOTH_HEADERS,
      ref(5, "See Authentication for the two required headers"), excludes=(INSTALL,)),
    R("AUTH-002", S, "auth",
      "A key sent with another integration's id, or with an unknown one, SHOULD be refused as unauthorized.", ALL,
      OUR_DECISION, NEEDS_BOTH_HEADERS, excludes=(INSTALL,)),
    R("AUTH-003", M, "auth",
      "A supplier credential on a repairer.* method, or a repairer credential on a supplier.* method, MUST be "
      "answered forbidden.", ROLE_BOUND,
      WRONG_ROLE),
    R("AUTH-004", M, "auth",
      "The integrations.insert method MUST serve a valid install request that carries no auth headers.", (INSTALL,),
      notes(32, "`integrations.insert` is the only unauthenticated method.", DOC),
      ref(31, "Completes the integration installation and API key generation for a given install.")),
    R("AUTH-005", M, "auth",
      "Each successful install MUST mint a new api_key (partly_ and 32 lowercase hex digits) and uuid "
      "integration_id that then authenticate.", (INSTALL,),
      notes(33, 'Response: `{"api_key": "partly_<32 lowercase hex>", "integration_id": <uuid>}`.', DOC),
      notes(34, "Each successful install mints a NEW pair.", DOC),
      ref(*RESPONSE_LINES[INSTALL]),
      NEEDS_BOTH_HEADERS),
    R("AUTH-006", M, "auth", "The access code MUST be single-use: a second install with it is refused.", (INSTALL,),
      notes(34, "The access code is single-use with a ~15 minute TTL;", DOC)),
    R("AUTH-007", S, "auth",
      "Each install error SHOULD name its cause: an unknown client integration_not_found, a wrong secret "
      "invalid_client_secret, an unknown code invalid_access_code.", (INSTALL,),
      OUR_DECISION, ref(*ERRORS_LINES[INSTALL])),
    R("AUTH-008", S, "auth",
      "A request refused for missing or invalid credentials SHOULD get the unauthorized kind.", ALL,
      OUR_DECISION,
      notes(59, "`unauthorized` 401", DOC), generated=True, excludes=(INSTALL,)),
    R("AUTH-009", S, "auth", "A reused access code SHOULD be refused as invalid_access_code.", (INSTALL,),
      OUR_DECISION, ref(*ERRORS_LINES[INSTALL])),

    # -- error model -------------------------------------------------------------------------------
    R("ERR-001", M, "errors",
      "Every error response to a contract call of a 2026-01 method MUST be a kind its reference entry lists, or "
      "bad_request, in the method's shape.", WIRE_METHODS,
      CLOSED_LISTS,
      *errors_of(*WIRE_METHODS),
      notes(54, "Each method has its own error union; the chosen variant IS the body.", DOC),
      notes(55, 'Standard form: a type-tagged object, `{"type": "<kind>"}`, nothing else required.', DOC),
      notes(58, "error bodies are never stack traces or prose.", DOC),
      ref(11, 'Most methods return type-tagged error bodies ({"type":"not_found"}).'),
      BAD_REQUEST, generated=True),
    R("ERR-002", S, "errors",
      "An error of a documented kind SHOULD carry the sandbox's status for it: unauthorized 401, forbidden 403, "
      "not_found 404, bad_request 400.", ALL,
      STATUSES, MOCK_REALISM, generated=True),
    R("ERR-003", S, "errors",
      "The inferred kinds SHOULD answer their conditions with their statuses: unprocessable and "
      "work_provider_not_found (an unknown work provider) 422, the install errors as in the contract notes.",
      (INSTALL, JOBS_INSERT, PARTS_INSERT, UPLOADS, P_INSERT),
      notes(62, ("Inferred: `unprocessable` 422; `work_provider_not_found` 422; install errors",
                 "(`integration_not_found` 404, `o_auth_not_supported_by_integration` 403,",
                 "`invalid_client_secret` 401, `invalid_access_code` 401)."), INF), generated=True),
    R("ERR-004", S, "errors",
      "Every error response of an extension method SHOULD be a {type} object of its inferred kinds: unauthorized, "
      "forbidden, not_found, bad_request, and unprocessable for repairer.procurements.insert.", EXT,
      OUR_DECISION, NOT_IN_2026_01,
      ref(11, 'Most methods return type-tagged error bodies ({"type":"not_found"}).'),
      notes(89, "placing an already-ordered part is rejected", INF),
      extension=True, generated=True),
    R("ERR-005", S, "errors", "A request answered with an error SHOULD change no data.", ALL,
      OUR_DECISION),
    R("ERR-D24-001", M, "errors",
      "Every error response of repairer.jobs.parts.insert to a contract call MUST be a bare JSON string, not a "
      "{type} object (D24).", (PARTS_INSERT,),
      ref(11, 'The one exception is repairer.jobs.parts.insert, whose error variants are bare JSON strings '
              '("not_found").'),
      ref(85, "bare JSON strings, not {type} objects (D24)"),
      notes(56, ("**D24**: `repairer.jobs.parts.insert` is the one exception: its error bodies are bare JSON",
                 'strings, e.g. `"not_found"` (all of its variants, as listed in `api-reference.txt`).'), DOC),
      generated=True),

    # -- D52 ---------------------------------------------------------------------------------------
    R("BASKET-D52-001", M, "d52", "The basket response MUST carry no currency or currency_code key anywhere (D52).",
      (BASKET,),
      ref(9, "The basket response (repairer.jobs.baskets.latest.getBasketsLatestGetResponseV1, OfferV1) carries "
             "no currency field."),
      notes(70, ("Treat any `currency` or `currency_code` key anywhere inside the",
                 "basket response as a violation."), DOC), generated=True),
    R("BASKET-D52-002", M, "d52", "A procurement MUST carry currency_code (D52).", PROCUREMENT_VIEWS,
      D52_LEVEL,
      ref(110, "currency_code: oneOf"), ref(149, "currency_code: oneOf"), ref(162, "currency_code: oneOf")),
    R("BASKET-D52-003", M, "d52", "An invoice MUST carry currency_code (D52).", (INV_LIST, INV_GET),
      D52_LEVEL,
      notes(69, ("Currency is procurement-level: `currency_code` on the procurement and on",
                 "the invoice, never on a basket offer."), DOC),
      extension=True),
    R("BASKET-D52-004", S, "d52", "An invoice's currency_code SHOULD be its procurement's currency_code.",
      (INV_LIST, INV_GET, R_PROC_GET),
      OUR_DECISION,
      ref(9, "Currency is a procurement-level concept"),
      extension=True),

    # -- lifecycle ---------------------------------------------------------------------------------
    R("LIFE-001", M, "lifecycle", "A newly inserted part MUST be estimated.", (PARTS_INSERT, PARTS_LIST),
      notes(74, "A newly inserted part is `estimated`", DOC)),
    R("LIFE-002", M, "lifecycle",
      "Placing a procurement MUST create it order_requested, listed for its job, with its parts ordered and the "
      "job's other parts still estimated.", (P_INSERT, R_PROC_LIST, PARTS_LIST),
      ref(204, "Creates a procurement in order_requested from selected basket offers and moves the chosen parts "
               "estimated → ordered."),
      notes(75, "becomes `ordered` once a procurement has been placed for it.", DOC),
      notes(77, "Created as `order_requested`", DOC),
      ref(120, "List procurements for a repairer"),
      ref(*REQUEST_LINES[R_PROC_LIST]),
      extension=True),
    R("LIFE-003", M, "lifecycle", "The supplier's confirm MUST move an order_requested procurement to "
      "order_confirmed.", (S_CONFIRM, S_GET, R_PROC_GET),
      ref(146, "Transition a procurement to order confirmed"),
      notes(77, "the supplier moves it to `order_confirmed`", DOC)),
    R("LIFE-004", M, "lifecycle",
      "An order_confirmed procurement MUST stay order_confirmed: its status never moves backwards.",
      (S_CONFIRM, S_GET, R_PROC_GET, R_PROC_LIST),
      TERMINAL),
    R("LIFE-005", S, "lifecycle",
      "A procurement's created_at SHOULD be an RFC 3339 time no later than its updated_at.", (R_PROC_GET, S_GET),
      OUR_DECISION,
      ref(110, "created_at: string"), ref(110, "updated_at: string")),
    R("LIFE-006", M, "lifecycle", "An invoice MUST NOT exist before its procurement is order_confirmed.",
      (INV_LIST,),
      ref(218, "Invoices appear only after order_confirmed."),
      notes(86, "(extension: invoices appear only after order_confirmed)", DOC),
      extension=True),
    R("LIFE-007", S, "lifecycle",
      "A confirmed procurement SHOULD get an invoice whose lines match what was ordered (part, quantity, unit "
      "price).", (INV_LIST, INV_GET),
      OUR_DECISION,
      ref(218, "Lists the reconciled invoices and credit notes for a procurement (or job)."),
      extension=True),
    R("LIFE-008", S, "lifecycle", "Placing an already-ordered part SHOULD be rejected unprocessable.", (P_INSERT,),
      notes(89, ("placing an already-ordered part is rejected", "(`unprocessable`)"), INF),
      extension=True),
    R("LIFE-009", S, "lifecycle",
      "The repairer.jobs.insert method SHOULD upsert by identity: the same identity twice is one job.",
      (JOBS_INSERT, JOBS_GET),
      OUR_DECISION,
      ref(68, "Inserts a new repair job or updates an existing repair job.")),
    R("LIFE-010", S, "lifecycle",
      "A job's basket SHOULD follow its current parts: a new job with parts gets offers for them.", (BASKET,),
      OUR_DECISION,
      ref(42, "Fetches the latest basket for a given repair job.")),
    R("LIFE-011", M, "lifecycle",
      "Every part inserted for a job MUST be listed by repairer.jobs.parts.list for that job.",
      (PARTS_INSERT, PARTS_LIST),
      ref(94, "Lists all parts for a repair job."),
      ref(81, "Inserts parts for a repair job.")),
    R("LIFE-012", S, "lifecycle",
      "The repairer's and the supplier's views of one procurement SHOULD agree on its id, job_id, currency_code, "
      "timestamps and ordered lines.", (R_PROC_GET, S_GET),
      OUR_DECISION,
      ref(107, "Fetch a procurement for a repairer by ID"),
      ref(159, "Fetch a procurement for a supplier by ID")),
    R("LIFE-013", M, "lifecycle",
      "A job that repairer.jobs.insert answers MUST be found by repairer.jobs.get with its id.",
      (JOBS_INSERT, JOBS_GET),
      ref(68, "Inserts a new repair job or updates an existing repair job."),
      ref(55, "Fetches a repair job by ID, external ID, or siteID and job number")),
    R("LIFE-014", S, "lifecycle", "A second confirm of an order_confirmed procurement SHOULD change nothing.",
      (S_CONFIRM, S_GET),
      notes(90, "confirming a procurement that is already confirmed changes nothing.", INF)),

    # -- identity selectors ------------------------------------------------------------------------
    R("IDENT-001", M, "identity", "A job selected by id and by external id MUST be the same job.", JOB_SELECTORS,
      JOB_IDENTITY_VARIANTS,
      ref(55, "Fetches a repair job by ID, external ID, or siteID and job number")),
    R("IDENT-002", S, "identity",
      "A job selected by site and job number (site_job_number) SHOULD be the same job.", JOB_SELECTORS,
      notes(108, "The wire name of the third variant is not documented (inferred:", INF),
      JOB_IDENTITY_VARIANTS),
    R("IDENT-003", M, "identity",
      "A job_identity with no variant or several variants MUST be answered bad_request by "
      "repairer.jobs.baskets.latest.get.", (BASKET,),
      EXACTLY_ONE,
      ref(*ERRORS_LINES[BASKET]),
      BAD_REQUEST),
    R("IDENT-004", M, "identity", "An identity that matches nothing MUST be answered not_found.",
      (JOBS_GET, PARTS_INSERT, PARTS_LIST, BASKET, R_PROC_LIST, R_PROC_GET, S_GET, S_CONFIRM),
      NOT_FOUND,
      *errors_of(JOBS_GET, PARTS_INSERT, PARTS_LIST, BASKET, R_PROC_LIST, R_PROC_GET, S_GET, S_CONFIRM)),
    R("IDENT-005", M, "identity",
      "A job identity that is missing, or has no variant or several variants, MUST be refused (answered no 2xx).",
      JOB_IDENTITY,
      EXACTLY_ONE,
      JOB_IDENTITY_VARIANTS,
      BAD_REQUEST,
      *request_of(*JOB_IDENTITY)),
    R("IDENT-006", M, "identity",
      "A procurement identity that is missing, or has no id, MUST be refused (answered no 2xx).",
      PROCUREMENT_IDENTITY,
      BAD_REQUEST,
      notes(111, 'Procurement identity: `{"id": <uuid>}` (documented).', DOC),
      *request_of(*PROCUREMENT_IDENTITY)),
    R("IDENT-007", S, "identity",
      "A missing identity, or one with no variant or several, SHOULD be refused as bad_request also where the "
      "method's error list lacks bad_request.",
      (JOBS_GET, JOBS_INSERT, PARTS_INSERT, PARTS_LIST, R_PROC_LIST, R_PROC_GET, S_GET, S_CONFIRM),
      CLOSED_LISTS,
      BAD_REQUEST, EXACTLY_ONE),
    R("IDENT-008", M, "identity",
      "A repairer.procurements.invoices.list request with neither or both of procurement_identity and job_identity "
      "MUST be answered bad_request.", (INV_LIST,),
      ref(220, "Request exactly one selector — procurement_identity XOR job_identity"),
      BAD_REQUEST,
      notes(112, "`repairer.procurements.invoices.list`: exactly one of `procurement_identity` or `job_identity`.",
            DOC),
      extension=True),
    R("IDENT-009", M, "identity",
      "A missing identity, or one with no variant or several, MUST be answered bad_request by "
      "repairer.procurements.insert and repairer.procurements.invoices.get.", (P_INSERT, INV_GET),
      BAD_REQUEST, EXACTLY_ONE,
      ref(206, "Request job_identity + offer_selections[]"),
      ref(234, "Request identity{ id: <invoice_id> }"),
      extension=True),

    # -- organisation scope ------------------------------------------------------------------------
    R("SCOPE-001", M, "scope",
      "A procurement outside the supplier credential's organization MUST be answered not_found by "
      "supplier.procurements.get and supplier.procurements.confirm.", (S_GET, S_CONFIRM),
      NOT_FOUND, ORG_SCOPED),
    R("SCOPE-002", M, "scope",
      "A job or procurement outside the repairer credential's organization MUST be answered not_found by the "
      "repairer.* methods that select it.",
      (JOBS_GET, PARTS_INSERT, PARTS_LIST, BASKET, R_PROC_LIST, R_PROC_GET),
      NOT_FOUND, ORG_SCOPED),

    # -- sandbox tenants ---------------------------------------------------------------------------
    R("TENANT-001", S, "tenants", "A sandbox tenant's writes SHOULD NOT be visible in another tenant.",
      (JOBS_INSERT, JOBS_GET),
      notes(45, "## 3. Sandbox tenants (documented, sandbox only, not part of the contract)", DOC),
      notes(46, ("Each distinct name gets its own fresh,", "isolated world, seeded identically"), DOC)),

    # -- extensions --------------------------------------------------------------------------------
    R("EXT-001", M, "extensions", "Every 2xx response of an extension method MUST carry x_extension: true.", EXT,
      ref(198, "Every extension response carries x_extension: true."),
      ref(204, 'Its response carries "x_extension": true.'),
      ref(218, 'Its response carries "x_extension": true.'),
      ref(232, 'Its response carries "x_extension": true.'),
      notes(87, 'Every extension response carries `"x_extension": true`', DOC),
      extension=True, generated=True),
    R("EXT-002", M, "extensions",
      "An invoice id that repairer.procurements.invoices.list lists MUST fetch that invoice with "
      "repairer.procurements.invoices.get.", (INV_LIST, INV_GET),
      ref(232, "Fetches a single invoice or credit note by its own id (obtain the id from "
               "repairer.procurements.invoices.list)."),
      extension=True),
    R("EXT-003", S, "extensions",
      "The invoice that repairer.procurements.invoices.get fetches SHOULD equal the one "
      "repairer.procurements.invoices.list lists.", (INV_LIST, INV_GET),
      OUR_DECISION,
      ref(232, "Fetches a single invoice or credit note by its own id"),
      extension=True),

    # -- served spec -------------------------------------------------------------------------------
    R("SPEC-001", S, "spec",
      "A served /openapi.json SHOULD agree with the reference on the 14 methods, their required request fields, "
      "response fields and error kinds, and list no proposed extension.", ALL,
      ref(3, "/openapi.json is the full machine-readable contract (every schema resolved)"),
      ref(3, "Generated from the published OpenAPI spec — the 14 wire methods of the public 2026-01 Integrations "
             "API."),
      NOT_IN_2026_01,
      MOCK_REALISM),

    # -- webhooks (NOTES §9): a sandbox feature outside the 2026-01 wire contract. A MUST quotes what the
    # sandbox's own pages document and binds only a target that offers the dev endpoint (the probe finds it;
    # else not applicable, as the extensions are); how the signature is computed and the 5-minute window are
    # upstream (SHOULD), the retry schedule and the dedup key ours (SHOULD at most, NOTES 141).
    R("WEBHOOK-001", M, WEBHOOKS,
      "The dev endpoint POST /__webhooks/subscribe MUST answer 200 {\"ok\":true} to a loopback url, and 400 with "
      "reason url_not_loopback, missing_field or bad_body to any other host, a missing field or an unparseable body.",
      WEBHOOK_TRIGGERS, SUBSCRIBE_ANSWERS, LOOPBACK_ONLY, SUBSCRIBE),
    R("WEBHOOK-002", M, WEBHOOKS,
      "A job inserted MUST be delivered to the repairer integration subscribed, and one supplier confirm MUST be "
      "delivered twice: to the buyer's and to the supplier's subscribed integration.", WEBHOOK_TRIGGERS,
      TRIGGERS, SIGNED),
    R("WEBHOOK-003", M, WEBHOOKS,
      "Every delivery MUST be a POST of the event's body carrying a partly-hmac-sha256 header.", WEBHOOK_TRIGGERS,
      RAW_BYTES_HEADER, SIGNED),
    R("WEBHOOK-004", S, WEBHOOKS,
      "Every delivery's partly-hmac-sha256 SHOULD be the base64 HMAC-SHA256 of its exact body bytes keyed with the "
      "shared webhook secret (--webhook-secret).", WEBHOOK_TRIGGERS, HMAC_OF_RAW_BYTES, RAW_BYTES_HEADER),
    R("WEBHOOK-005", S, WEBHOOKS,
      "Every delivery's body SHOULD carry an RFC 3339 timestamp within the last 5 minutes when it arrives.",
      WEBHOOK_TRIGGERS, FIVE_MINUTES),
    R("WEBHOOK-006", M, WEBHOOKS,
      "A delivery MUST NOT delay or fail the call that triggered it: the call answers 200 while its delivery is "
      "still unanswered or failing.", WEBHOOK_TRIGGERS, AFTER_THE_CALL, RAW_BYTES_HEADER),
    R("WEBHOOK-007", S, WEBHOOKS,
      "A delivery the receiver refused with a 5xx SHOULD be sent again, carrying the same event id (at least once, "
      "deduplicable).", WEBHOOK_TRIGGERS, SIGNED, WEBHOOKS_UNKNOWN),

    # -- the run -----------------------------------------------------------------------------------
    R("COV-001", S, "coverage",
      "Every method in scope SHOULD answer at least one request of the run with a 2xx; a method no public "
      "method can lead to on this target is not applicable.", ALL,
      OUR_DECISION),
)

# What an integrator's webhook receiver owes (judged by `conformance webhook-receiver`, conformance/webhooks/):
# apart from CATALOGUE, whose rules a server run verifies. A MUST rests on the documented "signed" deliveries
# that carry the header; how the signature is computed, the window and middleware are upstream (SHOULD);
# the dedup key is ours (inferred).
RECEIVER: tuple[Requirement, ...] = (
    R("RECEIVER-001", M, "receiver",
      "A receiver MUST refuse (answer no 2xx to) an event whose partly-hmac-sha256 header is missing or does not "
      "sign its exact body bytes with the shared secret.", ALL,
      RAW_BYTES_HEADER, SIGNED, VERIFICATION_COVERED, HMAC_OF_RAW_BYTES),
    R("RECEIVER-002", S, "receiver",
      "A receiver SHOULD accept (answer 2xx to) a fresh event signed as base64 HMAC-SHA256 of its exact bytes.", ALL,
      HMAC_OF_RAW_BYTES, RAW_BYTES_HEADER),
    R("RECEIVER-003", S, "receiver",
      "A receiver SHOULD refuse an event whose timestamp is not within the last 5 minutes, stale or far ahead.", ALL,
      FIVE_MINUTES, VERIFICATION_COVERED),
    R("RECEIVER-004", S, "receiver",
      "A receiver SHOULD refuse a replay of an event id it has already accepted.", ALL,
      WEBHOOKS_UNKNOWN, SIGNED, VERIFICATION_COVERED),
    R("RECEIVER-005", S, "receiver",
      "A receiver SHOULD verify the bytes as sent: the same JSON in other bytes, signed over them, is accepted.", ALL,
      KEEP_BYTES, HMAC_OF_RAW_BYTES),
)

BY_ID: dict[str, Requirement] = {r.id: r for r in CATALOGUE}
RETIRED: dict[str, str] = {}  # id -> why it is no longer verified (its id is never reused)


def get(requirement_id: str) -> Requirement:
    """The requirement with this id; an unknown id is a bug of the suite, raised at once."""
    try:
        return BY_ID[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement id {requirement_id!r} "
                       "(see conformance/requirements/catalogue.py)") from None


def generated_for(methods: list[str]) -> tuple[str, ...]:
    """What generated requests to `methods` verify: the catalogue's generated requirements that apply."""
    return tuple(r.id for r in CATALOGUE if r.generated and any(r.applies_to(m) for m in methods))
