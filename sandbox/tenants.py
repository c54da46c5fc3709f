"""Tenant name -> world, created on first use, dropped after `idle_ttl` seconds without a call.

Why: `x-partifact-tenant` gives each caller a private, identically seeded world (NOTES §3); no header
means the shared base world (which, like any world, resets once idle). All access happens on the
event loop thread and never awaits, so the registry needs no lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .seed import build_world
from .world import World

TENANT_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")
BASE_WORLD = ""  # not a valid tenant name, so it never collides with one
MAX_WORLDS = 1000  # tenant worlds kept at once


class Tenants:
    def __init__(self, idle_ttl: float, clock: Callable[[], float],
                 build: Callable[[float], World] = build_world) -> None:
        self.idle_ttl = idle_ttl
        self.clock = clock
        self.build = build  # epoch seconds -> a freshly seeded world
        self._worlds: dict[str, World] = {}
        self._next_sweep = 0.0

    @staticmethod
    def valid_name(name: str) -> bool:
        return bool(TENANT_NAME.fullmatch(name))

    def world(self, name: str = BASE_WORLD) -> World:
        """The live world for `name`, fresh if it never existed or has been idle too long."""
        now = self.clock()
        self._sweep(now)
        world = self._worlds.get(name)
        if world is None or now - world.last_used > self.idle_ttl:
            if name not in self._worlds and len(self._worlds) >= MAX_WORLDS:
                # bounded memory whatever callers send: the least recently used world goes first
                del self._worlds[min(self._worlds, key=lambda n: self._worlds[n].last_used)]
            world = self._worlds[name] = self.build(now)
        world.last_used = now
        return world

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + min(self.idle_ttl / 4, 60.0)
        for name in [n for n, w in self._worlds.items() if now - w.last_used > self.idle_ttl]:
            del self._worlds[name]

    def __len__(self) -> int:
        return len(self._worlds)

    def __contains__(self, name: object) -> bool:
        return name in self._worlds
