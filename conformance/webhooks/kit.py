"""`conformance webhook-receiver --url URL --secret S`: judge an integrator's webhook receiver.

Why a kit of its own: verifying webhooks is the integrator's side of NOTES §9, and no server run can see
it. The kit POSTs one valid event, then the events a receiver must refuse or must still accept, and judges
each answer (2xx: accepted; anything else: refused) against the RECEIVER requirements. If the valid event
is refused, refusals prove nothing: the MUST is then not checked and the run is incomplete.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from conformance.requirements.catalogue import RECEIVER
from conformance.requirements.definition import Level
from spec import webhooks

CONFORMS, MUST_FAILED, UNUSABLE, INCOMPLETE = 0, 1, 4, 6  # as the `conformance` command's exit codes
LEVELS = {r.id: r.level for r in RECEIVER}
FORGED_SECRET = "pwh_" + "f" * 32  # not the receiver's: a signature with it is forged


@dataclass(frozen=True)
class Delivery:
    body: bytes
    header: str | None  # the partly-hmac-sha256 value; None: sent without the header


@dataclass(frozen=True)
class Case:
    """One event the kit sends, and what a conforming receiver does with it."""

    name: str
    what: str
    accept: bool  # a conforming receiver answers 2xx
    requirement: str  # the one its answer judges
    make: Callable[[Kit], Delivery]


@dataclass(frozen=True)
class Outcome:
    case: Case
    status: int | None  # None: no answer

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def conforms(self) -> bool:
        return self.accepted is self.case.accept

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case.name, "what": self.case.what, "expected": "accept" if self.case.accept else "refuse",
                "status": self.status, "accepted": self.accepted, "requirement": self.case.requirement,
                "conforms": self.conforms}


class Kit:
    """The events of one run: each fresh (its own id, now's timestamp) but those that test just that."""

    def __init__(self, secret: str, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.secret = secret
        self.now = now
        self.delivered: Delivery | None = None  # the first valid event, which the replay sends again

    def event(self, offset: timedelta = timedelta(0)) -> dict[str, Any]:
        return webhooks.envelope(webhooks.JOB_INSERTED, "conformance-receiver-kit", {"job": {"id": "kit"}},
                                 self.now() + offset)

    def signed(self, body: bytes) -> Delivery:
        return Delivery(body, webhooks.sign(self.secret, body))

    def valid(self) -> Delivery:
        self.delivered = self.signed(webhooks.encode(self.event()))
        return self.delivered

    def tampered(self) -> Delivery:
        body = webhooks.encode(self.event())
        return Delivery(body.replace(b'"kit"', b'"kat"'), webhooks.sign(self.secret, body))

    def reformatted_after_signing(self) -> Delivery:
        event = self.event()
        return Delivery(json.dumps(event, indent=1).encode(), webhooks.sign(self.secret, webhooks.encode(event)))

    def reformatted_and_signed(self) -> Delivery:
        return self.signed(json.dumps(self.event(), indent=1).encode())

    def forged(self) -> Delivery:
        body = webhooks.encode(self.event())
        return Delivery(body, webhooks.sign(FORGED_SECRET, body))

    def unsigned(self) -> Delivery:
        return Delivery(webhooks.encode(self.event()), None)

    def replay(self) -> Delivery:
        return self.delivered or self.valid()


CASES = (
    Case("valid", "a fresh event, signed over its exact bytes", True, "RECEIVER-002", Kit.valid),
    Case("tampered-body", "a byte of the body changed after signing", False, "RECEIVER-001", Kit.tampered),
    Case("wrong-secret", "signed with another secret", False, "RECEIVER-001", Kit.forged),
    Case("missing-header", "no partly-hmac-sha256 header", False, "RECEIVER-001", Kit.unsigned),
    Case("reformatted-after-signing", "the same JSON re-serialized after signing, the original's signature", False,
         "RECEIVER-001", Kit.reformatted_after_signing),
    Case("stale", "signed, its timestamp 6 minutes old", False, "RECEIVER-003",
         lambda kit: kit.signed(webhooks.encode(kit.event(-timedelta(minutes=6))))),
    Case("far-future", "signed, its timestamp an hour ahead", False, "RECEIVER-003",
         lambda kit: kit.signed(webhooks.encode(kit.event(timedelta(hours=1))))),
    Case("replay", "the valid event again, the same bytes and signature", False, "RECEIVER-004", Kit.replay),
    Case("reformatted-and-signed", "the same JSON in other bytes (indented), signed over those bytes", True,
         "RECEIVER-005", Kit.reformatted_and_signed),
)


def send(client: httpx.Client, url: str, delivery: Delivery) -> int | None:
    headers = {"content-type": "application/json"}
    if delivery.header is not None:
        headers[webhooks.SIGNATURE_HEADER] = delivery.header
    try:
        return client.post(url, content=delivery.body, headers=headers).status_code
    except httpx.HTTPError:
        return None


def judge(url: str, secret: str, *, timeout: float = 10.0, kit: Kit | None = None) -> list[Outcome]:
    """Send every case, in order, to the receiver at `url`."""
    kit = kit or Kit(secret)
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return [Outcome(case, send(client, url, case.make(kit))) for case in CASES]


def verdict(outcomes: Sequence[Outcome]) -> tuple[str, int]:
    """unusable (no answer at all), incomplete (the valid event refused: refusals prove nothing), fail (a MUST
    broken), else conforms (SHOULD findings warn)."""
    if all(o.status is None for o in outcomes):
        return "UNUSABLE", UNUSABLE
    if not outcomes[0].accepted:
        return "INCOMPLETE", INCOMPLETE
    if any(not o.conforms and LEVELS[o.case.requirement] is Level.MUST for o in outcomes):
        return "MUST FAILED", MUST_FAILED
    return "CONFORMS", CONFORMS


def report(outcomes: Sequence[Outcome]) -> str:
    lines = []
    for o in outcomes:
        mark = "ok" if o.conforms else LEVELS[o.case.requirement].value
        got = "no answer" if o.status is None else f"{o.status} ({'accepted' if o.accepted else 'refused'})"
        lines.append(f"{mark:6} {o.case.name:26} expected {'accept' if o.case.accept else 'refuse':6} got {got:16} "
                     f"[{o.case.requirement}] {o.case.what}")
    word, _ = verdict(outcomes)
    if word == "INCOMPLETE":
        lines.append("the valid event was refused: check the secret and the receiver's URL; refusals prove nothing")
    lines.append(f"verdict: {word}")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="conformance webhook-receiver",
                                  description="Judge a webhook receiver: which signed, forged, stale and replayed "
                                              "events it accepts (2xx) and refuses.")
    cli.add_argument("--url", required=True, help="the receiver's URL (it is sent POSTs)")
    cli.add_argument("--secret", required=True, help="the shared webhook secret the receiver verifies with")
    cli.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per request (default 10)")
    cli.add_argument("--json", metavar="PATH", help="also write the outcomes as JSON")
    return cli


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    outcomes = judge(args.url, args.secret, timeout=args.timeout)
    print(report(outcomes))
    word, code = verdict(outcomes)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"verdict": word, "outcomes": [o.to_dict() for o in outcomes]}, out, indent=2)
    return code
