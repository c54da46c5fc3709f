"""The run as one process sees it: the target, the judge and the HTTP edge, and the one path from a
request to its verdict (`Run.send`), shared by the hand-written checks and the generated tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

import httpx

from conformance import exchange
from conformance.findings import Finding, current
from conformance.judge import Judge
from conformance.safety import Ownership
from conformance.target import Target
from conformance.transport import Transport
from contract.operations import Operation


@dataclass(frozen=True)
class Sent:
    """A request the run sent: the response, its recorded exchange, and what the judge found."""

    response: httpx.Response
    exchange: exchange.Exchange
    findings: list[Finding]


@dataclass
class Run:
    target: Target
    transport: Transport = field(default_factory=Transport)

    @cached_property
    def ownership(self) -> Ownership:
        """What the run created; without a world of its own, every mutating request is kept to it."""
        confirmable = (self.target.confirm_procurement,) if self.target.confirm_procurement else ()
        return Ownership(confirmable)

    @cached_property
    def judge(self) -> Judge:
        return Judge(self.target.document)

    @cached_property
    def operations(self) -> dict[str, Operation]:
        """The methods in scope: the spec's, plus the extensions when they are on."""
        return {name: judged.operation for name, judged in self.judge.operations.items()}

    def in_scope(self) -> list[str]:
        """The methods this run must reach."""
        return list(self.operations)

    def send(self, method: str, *, headers: dict[str, str], content: bytes, verb: str = "POST",
             params: dict[str, str] | None = None) -> Sent:
        """Send one request to `method` (kept to the run's own data when the run has no world of its own),
        record the exchange on the running test, judge the response and add the findings to the running test."""
        if not self.target.isolated:
            content = self.ownership.guard(method, content)
        response = self.transport.request(verb, self.target.url(method), headers=headers, content=content,
                                          params=params)
        try:
            reply = response.json()
        except ValueError:
            reply = None
        self.ownership.learn(method, content, response.status_code, reply)
        recorded = exchange.record(exchange.of(response))
        found = self.judge.judge(method, response.status_code, response.headers.get("content-type", ""),
                                 response.content, contract_call=recorded.is_json_post and _empty_or_object(content),
                                 evidence=recorded.render())
        record = current()
        for finding in found:
            record.add(finding)
        return Sent(response, recorded, found)


def _empty_or_object(content: bytes) -> bool:
    """A request body the contract governs: empty (read as {}) or a JSON object."""
    if not content.strip():
        return True
    try:
        return isinstance(json.loads(content), dict)
    except (ValueError, UnicodeDecodeError):
        return False


_active: Run | None = None


def activate(target: Target, transport: Transport | None = None) -> Run:
    """The run of this process (the plugin's session sets it up once; test modules read it at import)."""
    global _active
    _active = Run(target, transport or Transport())
    return _active


def active() -> Run:
    if _active is None:
        raise RuntimeError("no conformance target: run the suite through pytest with conformance.plugin loaded")
    return _active
