"""The server under test, resolved once per run: where it is, as whom we call it, what contract.

Resolved in the controller process (which also starts the embedded sandbox when no base URL is
given) and handed to pytest-xdist workers as plain data, so every worker checks the same target,
tenant and spec.

Its aspects live beside it: how the target is resolved from the options (resolve.py), what the probe finds
it offers (probe.py), where the run's contract comes from (spec_source.py) and how a spec the target serves
differs from it (served.py), and the guard that keeps the run to data it created (safety.py).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

import httpx

from conformance.target.spec_source import SpecSource
from conformance.verdict.judge import media_type
from conformance.wire.bounds import Bounds
from conformance.wire.pace import Pace
from conformance.wire.redact import REDACT
from conformance.wire.transport import Transport, request_headers
from spec import demo, documents, wire
from spec.demo import Grant
from spec.wire import Credential


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int  # Hypothesis examples per operation and generation mode
    stateful_examples: int
    stateful_steps: int


PROFILES = {
    "quick": Profile("quick", max_examples=6, stateful_examples=4, stateful_steps=4),
    "nightly": Profile("nightly", max_examples=150, stateful_examples=60, stateful_steps=10),
}


@dataclass(frozen=True)
class Target:
    """The server under test and what the run may ask of it (options first, the probe where they are silent)."""

    base_url: str
    tenant: str | None
    repairer: Credential
    supplier: Credential
    grant: Grant
    profile: Profile
    extensions: bool
    spec: SpecSource
    embedded: bool
    isolated: bool = False  # the tenant gives this run a world of its own (else: the guard of safety.py)
    extensions_absent: str = ""  # why the extensions are not checked ("" when they are)
    seed_job: bool = False  # the documented seed job (CCC-2026-04817) is in the run's world
    seed_procurement: bool = False  # the documented seed procurement (10000000-...-01) is
    procurements: tuple[str, ...] = ()  # existing procurements to check read-only (--procurement)
    confirm_procurement: str | None = None  # an existing procurement the run may confirm
    foreign_job: str | None = None  # of another repairer organization (scope checks)
    foreign_procurement: str | None = None
    webhooks: bool = False  # the target serves the dev webhook endpoint (POST /__webhooks/subscribe, probed)
    webhook_secret: str = ""  # what its deliveries are signed with (--webhook-secret)
    probe_notes: tuple[str, ...] = ()  # what the probe found, for the report
    probe_unfinished: str = ""  # why the probe could not finish ("" when it did): what it found is a guess
    bounds: Bounds = field(default_factory=Bounds)  # the limits on one reply (--request-timeout, --max-response-bytes)
    served_spec: dict[str, Any] | None = None  # the target's /openapi.json compared with the contract
    pace: Pace = field(default_factory=Pace)
    started_at: float = field(default_factory=time.time)

    @property
    def grant_explicit(self) -> bool:
        """An access code the user gave (not the demo one): the install checks may spend it anywhere."""
        return self.grant.access_code != demo.GRANT.access_code

    @cached_property
    def document(self) -> dict[str, Any]:
        """The contract in scope: the spec, plus the extensions when they are on."""
        return documents.with_extensions(self.spec.document) if self.extensions else self.spec.document

    def headers(self, credential: Credential | None = None) -> dict[str, str]:
        return request_headers(credential, self.tenant)

    def url(self, method: str) -> str:
        return self.base_url.rstrip("/") + wire.path(method)

    # -- transport to pytest-xdist workers (plain data only) --

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["spec"] = {**self.spec.describe(), "document": self.spec.document}
        data["procurements"], data["probe_notes"] = list(self.procurements), list(self.probe_notes)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Target:
        raw = dict(data)
        s = raw.pop("spec")
        return cls(
            **{k: v for k, v in raw.items() if k not in {"repairer", "supplier", "grant", "profile", "procurements",
                                                          "probe_notes", "pace", "bounds"}},
            repairer=Credential(**raw["repairer"]), supplier=Credential(**raw["supplier"]),
            grant=Grant(**raw["grant"]), profile=Profile(**raw["profile"]), pace=Pace(**raw["pace"]),
            bounds=Bounds(**raw["bounds"]),
            spec=SpecSource(s["origin"], s["location"], s["sha256"], s["document"]),
            procurements=tuple(raw["procurements"]), probe_notes=tuple(raw["probe_notes"]),
        )

    def register_secrets(self) -> None:
        """Every secret of this run is replaced by its variable in anything the suite writes."""
        REDACT.register(self.repairer.api_key, "CONFORMANCE_REPAIRER_KEY")
        REDACT.register(self.supplier.api_key, "CONFORMANCE_SUPPLIER_KEY")
        REDACT.register(self.grant.client_secret, "CONFORMANCE_CLIENT_SECRET")
        REDACT.register(self.grant.access_code, "CONFORMANCE_ACCESS_CODE")
        REDACT.register(self.webhook_secret, "CONFORMANCE_WEBHOOK_SECRET")


def fresh_tenant() -> str:
    """A tenant name no other run uses: [a-z0-9_-], sortable by time."""
    return f"conformance-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


class TargetUnusable(Exception):
    """The target cannot be checked at all (nothing answers, every credential rejected, not the API's root)."""


def preflight(target: Target, transport: Transport) -> None:
    """Fail fast, with one clear message, when nothing useful can come of the run. A request that gets no
    answer is no verdict yet: the target is unreachable only when none of the preflight's is answered."""
    checks = (("repairer", target.repairer, "repairer.work-providers.list", b"{}"),
              ("supplier", target.supplier, "supplier.procurements.get",
               b'{"identity": {"id": "ffffffff-0000-4000-8000-000000000000"}}'))
    answers: list[tuple[str, str, httpx.Response]] = []
    missing: list[str] = []
    for role, credential, method, body in checks:
        try:
            answers.append((role, method, transport.request("POST", target.url(method),
                                                            headers=target.headers(credential), content=body)))
        except httpx.HTTPError as exc:
            missing.append(f"{method}: {exc}")
    if not answers:
        raise TargetUnusable(
            f"The target {target.base_url} is unreachable: nothing answers ({'; '.join(missing)}). "
            "Check --base-url (or PYTEST_BASE_URL) and that the server is running."
        )
    for role, method, response in answers:
        if response.status_code == 401:
            raise TargetUnusable(
                f"The target {target.base_url} rejected the {role} credentials (401 on {method}). "
                f"Check --{role}-key and --{role}-integration-id "
                f"(or CONFORMANCE_{role.upper()}_KEY / CONFORMANCE_{role.upper()}_INTEGRATION_ID)."
            )
        if response.status_code == 404 and method == "repairer.work-providers.list":
            raise TargetUnusable(
                f"The target {target.base_url} does not serve the 2026-01 API: "
                f"POST {wire.path(method)} answered 404."
            )
    wrong_root(target, [response for _, _, response in answers])


def wrong_root(target: Target, answers: list[httpx.Response]) -> None:
    """`TargetUnusable` when the base URL is not the API's root: every answer a redirect (never followed: the
    credentials would go along to wherever it points), or none of them JSON (a portal, a login page)."""
    if all(300 <= r.status_code < 400 and "location" in r.headers for r in answers):
        location = str(answers[0].url.join(answers[0].headers["location"]))
        path = answers[0].url.path
        suggested = location.split("?", 1)[0].removesuffix(path[path.index(wire.API_PREFIX):])
        raise TargetUnusable(
            f"The target {target.base_url} redirects to {location} ({answers[0].status_code}): pass --base-url "
            f"{suggested} (redirects are not followed: the credentials would go along)."
        )
    # lenient on purpose: a +json label is still an API answering (WIRE-002 judges the label later)
    if not any(media_type(r.headers.get("content-type", "")).endswith(("/json", "+json")) and _json(r.content)
               for r in answers):
        first = answers[0]
        raise TargetUnusable(
            f"The target {target.base_url} does not look like the API root: POST {first.url.path} answered "
            f"{first.status_code} {first.headers.get('content-type') or '(no Content-Type)'}, not JSON "
            f"({first.content[:80].decode('utf-8', 'replace')!r}). Check --base-url: it is the URL the "
            f"{wire.API_PREFIX} paths hang off."
        )


def _json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True
