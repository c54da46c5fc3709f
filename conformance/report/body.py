"""A request or response body as a person reads it: JSON pretty-printed, the JSON paths where findings broke
marked, and cut with a note past a size (the marked lines stay in view).

Why not `json.dumps(indent=2)`: marking `$.items[0].status` needs to know which line holds which value, so
the body is printed here line by line, each line with the JSON path of its value, in the same notation as
the judge's findings (jsonschema's: `$`, `.key`, `[index]`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from html import escape
from typing import Any

from conformance.wire.redact import REDACT

MAX_LINES = 160  # of a pretty-printed body, counting the marked lines and their context
HEAD = 60  # lines always shown from the top of a cut body
CONTEXT = 3  # lines shown around a marked line
MAX_CHARS = 8000  # of a body that is not JSON


def lines(value: Any, path: str = "$", depth: int = 0, key: str = "", comma: str = "") -> Iterator[tuple[str, str]]:
    """(JSON path, line) for `value` printed as `json.dumps(value, indent=2)` prints it."""
    pad = "  " * depth + (f"{json.dumps(key, ensure_ascii=False)}: " if key else "")
    items: list[tuple[str, str, Any]] = []
    if isinstance(value, dict) and value:
        items, brackets = [(f"{path}.{k}", k, v) for k, v in value.items()], "{}"
    elif isinstance(value, list) and value:
        items, brackets = [(f"{path}[{i}]", "", v) for i, v in enumerate(value)], "[]"
    if not items:
        yield path, f"{pad}{json.dumps(value, ensure_ascii=False)}{comma}"
        return
    yield path, pad + brackets[0]
    for i, (child, name, item) in enumerate(items):
        yield from lines(item, child, depth + 1, name, "," if i < len(items) - 1 else "")
    yield path, "  " * depth + brackets[1] + comma


def marked(path: str, marks: Iterable[str]) -> bool:
    """Within a marked value (the root is never marked: that would mark everything)."""
    return any(mark != "$" and (path == mark or path.startswith((f"{mark}.", f"{mark}["))) for mark in marks)


def _shown(flags: list[bool]) -> list[int]:
    """The line numbers to show: the head, then each marked line with its context, at most MAX_LINES."""
    if len(flags) <= MAX_LINES:
        return list(range(len(flags)))
    keep = set(range(HEAD))
    for number in (n for n, flag in enumerate(flags) if flag):
        if len(keep) >= MAX_LINES:
            break
        keep.update(range(max(number - CONTEXT, 0), min(number + CONTEXT + 1, len(flags))))
    return sorted(keep)


def _gap(count: int) -> str:
    return f'<span class="cut">  &#8942; {count} line{"s" if count != 1 else ""} not shown</span>'


def render(text: str, marks: Iterable[str] = ()) -> str:
    """The HTML inside a <pre>: redacted and escaped; JSON pretty-printed with `marks` highlighted."""
    try:
        value = json.loads(text)
    except ValueError:
        shown = escape(REDACT(text[:MAX_CHARS]), quote=False)
        more = len(text) - MAX_CHARS
        return shown + (f'\n<span class="cut">... cut: {more} more characters</span>' if more > 0 else "")
    marks = list(marks)
    printed = list(lines(value))
    flags = [marked(path, marks) for path, _ in printed]
    out: list[str] = []
    previous = -1
    for number in _shown(flags):
        if number > previous + 1:
            out.append(_gap(number - previous - 1))
        line = escape(REDACT(printed[number][1]), quote=False)
        out.append(f"<mark>{line}</mark>" if flags[number] else line)
        previous = number
    if previous < len(printed) - 1:
        out.append(_gap(len(printed) - 1 - previous))
    return "\n".join(out)
