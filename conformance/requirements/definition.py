"""What a requirement is: a stable id, a level, one rule sentence, and the quotes it rests on.

A requirement cites its sources verbatim (document, line, the fact's label there). Its provenance is
derived from them: a MUST rests on a documented quote that demands exactly what the rule says; a
SHOULD carries the weakest label among its sources. A rule that rests on an upstream or inferred fact,
or on documents in conflict, is a SHOULD: its failures are reported as warnings and never fail a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any, Literal

Document = Literal["api-reference.txt", "NOTES.md"]
RULE_OPENINGS = ("A ", "An ", "Every ", "The ", "Each ", "Placing ")


class Level(StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"


class Provenance(StrEnum):
    DOCUMENTED = "documented"
    UPSTREAM = "upstream"
    INFERRED = "inferred"


@dataclass(frozen=True)
class Citation:
    """A citation: a quote copied character for character from one of the contract's documents.

    A quote that spans lines is a tuple of per-line fragments, the first on `line`."""

    document: Document
    line: int  # 1-based
    quote: str | tuple[str, ...]
    label: Provenance  # what the documents call this fact

    @property
    def fragments(self) -> tuple[str, ...]:
        return self.quote if isinstance(self.quote, tuple) else (self.quote,)

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "line": self.line, "quote": " ".join(self.fragments),
                "label": str(self.label)}


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    area: str
    rule: str  # one sentence that says no more than its sources
    methods: tuple[str, ...]  # the methods it constrains: names or patterns ("supplier.*"), ("*",) for all
    sources: tuple[Citation, ...]  # the first is the deciding quote
    extension: bool = False  # verifies the proposed extensions, not 2026-01
    generated: bool = False  # verified by the generated tests on every request they send
    excludes: tuple[str, ...] = ()  # methods the patterns match that it does not constrain

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError(f"{self.id}: a requirement cites at least one source")
        if self.level is Level.MUST and self.sources[0].label is not Provenance.DOCUMENTED:
            raise ValueError(f"{self.id}: a MUST rests on a documented quote (its first source)")
        other = Level.SHOULD if self.level is Level.MUST else Level.MUST
        if not self.rule.startswith(RULE_OPENINGS) or self.level not in self.rule or other in self.rule:
            raise ValueError(f"{self.id}: a rule is one sentence naming what it constrains, at its own level")

    @property
    def provenance(self) -> Provenance:
        """documented for a MUST; for a SHOULD, the weakest label among its sources."""
        labels = {s.label for s in self.sources}
        if self.level is Level.MUST:
            return Provenance.DOCUMENTED
        for weakest in (Provenance.INFERRED, Provenance.UPSTREAM):
            if weakest in labels:
                return weakest
        return Provenance.DOCUMENTED

    def applies_to(self, method: str) -> bool:
        return any(fnmatchcase(method, p) for p in self.methods) and method not in self.excludes
