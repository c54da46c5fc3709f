"""JSON pointers and `$ref`s inside one OpenAPI document (RFC 6901 escaping, local refs only)."""

from __future__ import annotations

from typing import Any


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*tokens: str) -> str:
    """`#/a/b~1c` from the tokens ("a", "b/c")."""
    return "#/" + "/".join(escape(t) for t in tokens)


def get(document: Any, ref: str) -> Any:
    """The node at a local ref or pointer (`#/a/b`, `/a/b`); list items by index."""
    node = document
    path = ref.removeprefix("#").strip("/")
    for token in (unescape(t) for t in path.split("/")) if path else ():
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def resolve(document: Any, schema: Any) -> Any:
    """`schema` with local `$ref`s followed until a node that is not one."""
    seen = 0
    while isinstance(schema, dict) and str(schema.get("$ref", "")).startswith("#/"):
        schema = get(document, schema["$ref"])
        seen += 1
        if seen > 64:
            raise ValueError("a $ref cycle")
    return schema
