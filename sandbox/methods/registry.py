"""The method registry and what every handler receives.

Why a registry: the app routes `POST /api/2026-01/<method>` by name, and needs to know per method
whether it mutates (then it runs under the world's lock) and whether it is a proposed extension
(which the app can switch off).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..faults import NO_FAULTS, Faults
from ..world import Credential, World


@dataclass
class Call:
    world: World
    credential: Credential | None
    body: dict[str, Any]
    now: float
    faults: Faults = NO_FAULTS  # the domain seam: a handler asks `call.faults.active(name)` (sandbox/faults.py)


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler
    mutates: bool
    extension: bool


METHODS: dict[str, Method] = {}


def method(name: str, *, mutates: bool = False, extension: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = Method(name, handler, mutates, extension)
        return handler

    return register
