"""The run as one process sees it: the target, the judge, the HTTP edge and its senders, and the one path
from a request to its verdict (`Run.send`), shared by the hand-written checks and the generated tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property

import httpx
import pytest

from conformance.target import Target
from conformance.target.safety import Ownership
from conformance.verdict.findings import Finding, current, stop
from conformance.verdict.judge import Judge
from conformance.wire import exchange
from conformance.wire.bounds import NoAnswer
from conformance.wire.pipeline import Pipeline
from conformance.wire.transport import Transport
from spec.operations import Operation


@dataclass(frozen=True)
class Sent:
    """A request the run sent: the response, its recorded exchange, and what the judge found."""

    response: httpx.Response
    exchange: exchange.Exchange
    findings: list[Finding]


@dataclass
class Run:
    """One process's run. The plugin's session creates it at session start and keeps it in the config's stash
    (`run_of(config)`); checks reach it through the `run` fixture, never through a module global."""

    target: Target
    transport: Transport = field(default_factory=Transport)
    pipeline: Pipeline = field(default_factory=lambda: Pipeline(1))

    @classmethod
    def at_pace(cls, target: Target, transport: Transport | None = None) -> Run:
        """The run against `target`: its transport polite at the target's pace, its senders as many as the
        pace's concurrency."""
        pace = target.pace
        return cls(target, transport or Transport(target.bounds, max_rps=pace.max_rps_per_process),
                   Pipeline(pace.concurrency))

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

    @cached_property
    def ownership(self) -> Ownership:
        """What the run created; without a world of its own, every mutating request is kept to it."""
        confirmable = (self.target.confirm_procurement,) if self.target.confirm_procurement else ()
        return Ownership(confirmable)

    def send(self, method: str, *, headers: dict[str, str], content: bytes, verb: str = "POST",
             params: dict[str, str] | None = None) -> Sent:
        """Send one request to `method` (kept to the run's own data when the run has no world of its own; a
        rate-limited answer is waited out first: only the final response counts), record the exchange on the
        running test, judge the response and add the findings to the running test. The evidence is rendered
        only for a response with findings. A request that got no reply the suite could read (none within the
        deadline, too large, too deep, not decodable, or its method no longer asked) ends the test with a
        POS-001 finding naming the method and why: the method did not answer a request it must answer."""
        record = current()
        if not self.target.isolated:
            content = self.ownership.guard(method, content)
        try:
            response = self.transport.request(verb, self.target.url(method), headers=headers, content=content,
                                              params=params, politeness=record.politeness)
        except NoAnswer as missing:
            stop("POS-001", f"{method}: no answer: {missing.reason}", exchange.unanswered(missing))
        try:
            reply = response.json()
        except ValueError:
            reply = None
        self.ownership.learn(method, content, response.status_code, reply)
        recorded = exchange.record(exchange.of(response))
        found = self.judge.judge(method, response.status_code, response.headers.get("content-type", ""),
                                 response.content, contract_call=recorded.is_json_post and _empty_or_object(content))
        if found:
            evidence = recorded.render()
            found = [replace(finding, evidence=evidence, exchange=recorded.id) for finding in found]
        for finding in found:
            record.add(finding)
        return Sent(response, recorded, found)

    def close(self) -> None:
        self.pipeline.close()
        self.transport.close()


def _empty_or_object(content: bytes) -> bool:
    """A request body the contract governs: empty (read as {}) or a JSON object."""
    if not content.strip():
        return True
    try:
        return isinstance(json.loads(content), dict)
    except (ValueError, UnicodeDecodeError):
        return False


RUN_KEY = pytest.StashKey[Run]()


def run_of(config: pytest.Config) -> Run:
    """The run this process's session started."""
    try:
        return config.stash[RUN_KEY]
    except KeyError:
        raise RuntimeError("no conformance target: run the suite through pytest with conformance.plugin loaded"
                           ) from None
