"""The method registry and what every handler receives.

Why a registry: the app routes `POST /api/2026-01/<method>` by name, and needs to know per method
whether it mutates (then it runs under the world's lock). Whether a method is a proposed extension
is the contract's to say (`spec.Operation.extension`), not the registry's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..seams import NOTHING, Switches
from ..webhooks import Event
from ..world import Credential, World


@dataclass
class Call:
    world: World
    credential: Credential | None
    body: dict[str, Any]
    now: float
    faults: Switches = NOTHING  # the domain seam: a handler asks `call.faults.active(name)` (sandbox/faults.py)
    dialects: Switches = NOTHING  # and `call.dialects.active(name)` (sandbox/dialects.py)
    events: list[Event] = field(default_factory=list)  # webhook events the call raised, sent once it answered 200


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler
    mutates: bool


METHODS: dict[str, Method] = {}


def method(name: str, *, mutates: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = Method(name, handler, mutates)
        return handler

    return register
