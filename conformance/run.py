"""The run as one process sees it: the target and the contract judge, set up once by the plugin."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from conformance.target import Target
from conformance.validation import Contract


@dataclass
class Run:
    target: Target

    @cached_property
    def contract(self) -> Contract:
        # a live spec has no x-provenance: it is the contract itself, so all of it counts as documented
        return Contract(self.target.document)

    def in_scope(self) -> list[str]:
        """The methods this run must reach: the spec's, plus the extensions when they are on."""
        return sorted(self.contract.operations)


_active: Run | None = None


def activate(target: Target) -> Run:
    global _active
    _active = Run(target)
    return _active


def active() -> Run:
    if _active is None:
        raise RuntimeError("no conformance target: run the suite through pytest with conformance.plugin loaded")
    return _active
