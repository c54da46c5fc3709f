"""Never alter data the run did not create: what the run owns, and the guard every request passes.

Without a tenant of its own, the run shares the target's data with everyone else. Then every mutating
request (job upserts, part inserts, placing and confirming procurements), hand-written or generated,
may name only identities the run created (or a procurement the user named for confirming); any other
identity in it is replaced by a fresh one that matches nothing, so the request keeps its shape (a
negative case stays negative) but cannot reach foreign data. What the run creates is learned from the
replies.
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from typing import Any

from spec import wire

JOBS_INSERT, PROCUREMENTS_INSERT, CONFIRM = ("repairer.jobs.insert", "repairer.procurements.insert",
                                             "supplier.procurements.confirm")
# mutating method -> the body field naming what it changes
MUTATING = {JOBS_INSERT: "identity", wire.PARTS_INSERT: "job_identity", PROCUREMENTS_INSERT: "job_identity",
            CONFIRM: "identity"}


MINTED: set[str] = set()  # every external id or job number this process made up: the run's own names


def unique_external_id(prefix: str = "conformance") -> str:
    """An external id (or job number) no other run, and no other job of this run, uses; the run's own."""
    value = f"{prefix}-{secrets.token_hex(6)}"
    MINTED.add(value)
    return value


def _minted(value: Any) -> bool:
    """A name this process made up, or a variant (site + job number) that carries one."""
    if isinstance(value, str):
        return value in MINTED
    return isinstance(value, dict) and any(_minted(v) for v in value.values())


def _fresh(value: Any) -> Any:
    """A value of the same kind that names nothing: a fresh uuid for a uuid, a fresh token for a string."""
    if isinstance(value, str):
        return str(uuid.uuid4()) if wire.is_uuid(value) else unique_external_id("conformance-foreign")
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


def _object(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content) if content.strip() else None
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


class Ownership:
    """The identities this run created, and the guard that keeps mutating requests to them."""

    def __init__(self, confirmable: tuple[str, ...] = ()) -> None:
        self._lock = threading.Lock()
        self.jobs: set[str] = set()  # job ids (lower case)
        self.keys: set[tuple[str, str]] = set()  # (variant, value) of job identities the run created
        self.procurements: set[str] = {p.lower() for p in confirmable}

    def owns(self, kind: str, identity: Any) -> bool:
        """Whether every variant of `identity` (of a "job" or a "procurement") names something the run owns."""
        if not isinstance(identity, dict) or not identity:
            return False
        with self._lock:
            for variant, value in identity.items():
                if variant == "id" and isinstance(value, str):
                    mine = value.lower() in (self.procurements if kind == "procurement" else self.jobs)
                else:
                    mine = _minted(value) or (variant, json.dumps(value, sort_keys=True)) in self.keys
                if not mine:
                    return False
        return True

    def guard(self, method: str, content: bytes) -> bytes:
        """`content`, with every identity of a mutating request that the run does not own made to match
        nothing."""
        field = MUTATING.get(method)
        body = _object(content) if field else None
        if body is None or field not in body:
            return content
        kind = "procurement" if method == CONFIRM else "job"
        if self.owns(kind, body[field]):
            return content
        if method == JOBS_INSERT and isinstance(body[field], dict) and set(body[field]) == {"external"}:
            body[field] = {"external": unique_external_id()}  # an upsert of a new job: the run's own
        else:
            body[field] = _fresh(body[field])
        return json.dumps(body).encode()

    def learn(self, method: str, content: bytes, status: int, reply: Any) -> None:
        """Remember what a successful mutating request created: a job (by every variant its request named,
        and its id) or a procurement."""
        if not 200 <= status < 300:
            return
        body = _object(content) or {}
        with self._lock:
            if method == JOBS_INSERT and isinstance(reply, dict) and isinstance(reply.get("id"), str):
                self.jobs.add(reply["id"].lower())
                identity = body.get("identity")
                for variant, value in (identity.items() if isinstance(identity, dict) else ()):
                    self.keys.add((variant, json.dumps(value, sort_keys=True)))
                if isinstance(body.get("job_number"), str):  # its site + job number selects it too
                    site_job = {"site_id": body.get("repairer_site_id"), "job_number": body["job_number"]}
                    self.keys.add(("site_job_number", json.dumps(site_job, sort_keys=True)))
            elif method == PROCUREMENTS_INSERT:
                procurement = reply.get("procurement") if isinstance(reply, dict) else None
                for candidate in (procurement, reply):
                    if isinstance(candidate, dict) and isinstance(candidate.get("id"), str):
                        self.procurements.add(candidate["id"].lower())
                        break
