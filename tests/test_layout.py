"""The layout the README describes, kept: the suite's modules import one another without a cycle (type-only
imports included), and hold no run state of their own (no `global`, no module that asks for the run at import)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "conformance"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """The suite's modules `path` imports, at run time or for type checking alike."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("conformance"):
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("conformance")}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle a depth-first walk meets, each as the path that closes it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def walk(path: list[str]) -> None:
        for dependency in sorted(graph[path[-1]]):
            if dependency in path:
                found.append([*path[path.index(dependency):], dependency])
            elif dependency not in done:
                walk([*path, dependency])
        done.add(path[-1])

    for module in sorted(graph):
        if module not in done:
            walk([module])
    return found


def suite_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in SUITE.rglob("*.py")}
    return {name: {d for d in imports(path) if d in modules and d != name} for name, path in modules.items()}


def test_the_suite_has_no_import_cycle() -> None:
    assert cycles(suite_graph()) == []


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_module_of_the_suite_keeps_run_state() -> None:
    kept = []
    for path in SUITE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        kept += [f"{module_name(path)}:{node.lineno} global" for node in ast.walk(tree) if isinstance(node, ast.Global)]
        for statement in tree.body:  # module level: a run asked for at import
            for call in (n for n in ast.walk(statement) if isinstance(n, ast.Call)):
                name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                if name in {"run_of", "active"} and not isinstance(statement, ast.FunctionDef | ast.ClassDef):
                    kept.append(f"{module_name(path)}:{statement.lineno} {name}() at import")
    assert kept == []
