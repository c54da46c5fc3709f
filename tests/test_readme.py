"""The README's requirement table is the catalogue, word for word (a failure prints the table to paste)."""

from __future__ import annotations

from pathlib import Path

from conformance.requirements import ALL, CATALOGUE

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- requirements-table -->", "<!-- /requirements-table -->"
SHORT = {"api-reference.txt": "ref", "NOTES.md": "NOTES"}


def rendered() -> str:
    rows = ["| id | level | provenance | rule | methods | sources |", "|---|---|---|---|---|---|"]
    for r in CATALOGUE:
        methods = "every method" if r.methods == ALL else ", ".join(f"`{m}`" for m in r.methods)
        if r.excludes:
            methods += " but " + ", ".join(f"`{m}`" for m in r.excludes)
        sources = ", ".join(dict.fromkeys(f"{SHORT[s.document]}:{s.line}" for s in r.sources))
        rows.append(f"| {r.id} | {r.level} | {r.provenance} | {r.rule}{' (extension)' if r.extension else ''}"
                    f" | {methods} | {sources} |")
    return "\n".join(rows)


def test_readme_lists_every_requirement_as_in_the_catalogue() -> None:
    text = README.read_text()
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == rendered(), f"README requirement table is stale; replace it with:\n{rendered()}"
