"""The catalogue cites its sources: every quote verbatim on its line, labelled as the documents label it,
and every MUST resting on a documented quote.

The documents are the copy in `spec/sources/` (or `$CONTRACT_DIR`, see tests/sources.py).
"""

from __future__ import annotations

import re

import pytest

from conformance.requirements.catalogue import CATALOGUE, EXT, RECEIVER, RETIRED, WIRE_METHODS
from conformance.requirements.definition import Citation, Level, Provenance, Requirement
from tests.sources import BUNDLED, CONTRACT_DIR, UPSTREAM

ID = re.compile(r"^[A-Z]+(-[A-Z0-9]+)*-\d{3}$")
MIN_QUOTE = 10  # characters: a shorter single-line quote proves nothing
DOC, UP, INF = Provenance.DOCUMENTED, Provenance.UPSTREAM, Provenance.INFERRED
# The label each NOTES.md line carries, from its section heading and bullet markers ("(documented)",
# "(upstream)", "Inferred:", "(inferred: ...)"); a line outside these ranges is not citable.
NOTES_LABELS: tuple[tuple[int, int, frozenset[Provenance]], ...] = (
    (3, 8, frozenset({DOC})), (13, 14, frozenset({INF})),
    (17, 19, frozenset({DOC})), (20, 21, frozenset({UP})), (22, 23, frozenset({DOC})), (24, 26, frozenset({UP})),
    (29, 41, frozenset({DOC})), (42, 42, frozenset({UP})), (43, 43, frozenset({UP, INF})),
    (45, 48, frozenset({DOC})), (49, 49, frozenset({DOC, INF})), (50, 51, frozenset({DOC})),
    (54, 61, frozenset({DOC})), (62, 64, frozenset({INF})), (65, 65, frozenset({DOC})), (68, 71, frozenset({DOC})),
    (74, 79, frozenset({DOC})), (80, 81, frozenset({INF})), (82, 88, frozenset({DOC})), (89, 90, frozenset({INF})),
    (91, 95, frozenset({DOC})), (98, 104, frozenset({DOC})),
    (107, 107, frozenset({DOC})), (108, 108, frozenset({INF})), (109, 109, frozenset({DOC, INF})),
    (110, 112, frozenset({DOC})), (115, 132, frozenset({DOC})), (134, 138, frozenset({UP})),
    (139, 141, frozenset({INF})),
)


def document_lines(name: str) -> list[str]:
    path = CONTRACT_DIR / name
    if not path.is_file():
        pytest.skip(f"contract source {path} not available (set CONTRACT_DIR)")
    return path.read_text(encoding="utf-8").split("\n")


def notes_labels(line: int) -> frozenset[Provenance]:
    return next((labels for first, last, labels in NOTES_LABELS if first <= line <= last), frozenset())


SOURCES = [(r, s) for r in (*CATALOGUE, *RECEIVER) for s in r.sources]


@pytest.mark.parametrize(("requirement", "source"), SOURCES,
                         ids=[f"{r.id}-{s.document}:{s.line}" for r, s in SOURCES])
def test_every_quote_is_verbatim_on_its_line(requirement: Requirement, source: Citation) -> None:
    lines = document_lines(source.document)
    for offset, fragment in enumerate(source.fragments):
        number = source.line + offset
        assert fragment.strip() and 1 <= number <= len(lines), f"{requirement.id}: line {number}"
        assert fragment in lines[number - 1], f"{requirement.id}: {fragment!r} is not on {source.document}:{number}"
    if len(source.fragments) == 1:
        assert len(source.quote.strip()) >= MIN_QUOTE, f"{requirement.id}: too short a quote to prove anything"


@pytest.mark.parametrize(("requirement", "source"), SOURCES,
                         ids=[f"{r.id}-{s.document}:{s.line}" for r, s in SOURCES])
def test_every_quote_carries_the_label_its_document_gives(requirement: Requirement, source: Citation) -> None:
    if source.document == "api-reference.txt":
        assert source.label is DOC, f"{requirement.id}: the reference is documented throughout"
        return
    document_lines(source.document)
    allowed = set().union(*(notes_labels(source.line + i) for i in range(len(source.fragments))))
    assert source.label in allowed, f"{requirement.id}: NOTES.md:{source.line} is {sorted(allowed)}, not {source.label}"


def test_every_must_rests_on_a_documented_quote_and_every_should_is_weaker_or_says_why() -> None:
    for r in (*CATALOGUE, *RECEIVER):
        if r.level is Level.MUST:
            assert r.sources[0].label is DOC, r.id
            assert r.provenance is DOC, r.id
        else:
            assert r.provenance in (DOC, UP, INF), r.id


def test_ids_are_stable_unique_and_never_reuse_a_retired_one() -> None:
    ids = [r.id for r in (*CATALOGUE, *RECEIVER)]
    assert len(ids) == len(set(ids))
    assert all(ID.match(rid) for rid in ids)
    assert not set(ids) & set(RETIRED)


def test_method_scopes_name_real_methods() -> None:
    known = set(WIRE_METHODS) | set(EXT)
    for r in CATALOGUE:
        for pattern in (*r.methods, *r.excludes):
            assert pattern == "*" or pattern in known or (pattern.endswith(".*") and any(
                m.startswith(pattern[:-1]) for m in known)), f"{r.id}: {pattern}"
        if r.extension and r.methods != ("*",):
            assert set(r.methods) & set(EXT), f"{r.id}: an extension rule names no extension method"


def test_an_inferred_rule_is_never_a_must() -> None:
    with pytest.raises(ValueError, match="documented quote"):
        Requirement("X-001", Level.MUST, "x", "A thing MUST happen.", ("*",),
                    (Citation("NOTES.md", 13, "our decision where the sources are silent", INF),))
    with pytest.raises(ValueError, match="one sentence"):
        Requirement("X-002", Level.SHOULD, "x", "A thing MUST happen.", ("*",),
                    (Citation("NOTES.md", 13, "our decision where the sources are silent", INF),))


@pytest.mark.parametrize("name", ["api-reference.txt", "NOTES.md"])
def test_the_bundled_documents_are_the_published_ones(name: str) -> None:
    """spec/sources/ is a verbatim copy: where the documents are kept beside the checkout, it equals them."""
    kept = UPSTREAM / name
    if not kept.is_file():
        pytest.skip(f"no {name} beside the checkout to compare the bundled copy with")
    assert (BUNDLED / name).read_bytes() == kept.read_bytes(), f"spec/sources/{name} differs from ../shared"
