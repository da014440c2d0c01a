"""The session package's shape: small files, no import cycle, and no module reaching into
another object's private state (flows see the session only as a SessionContext)."""
from __future__ import annotations

import ast
from pathlib import Path

import kiosk.session

PACKAGE = Path(kiosk.session.__file__).parent
MAX_LINES = 300


def modules() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(PACKAGE.glob("*.py"))}


def session_imports(name: str, tree: ast.Module) -> set[str]:
    """Every module of the package `name` imports, wherever the import is (a function body or
    an `if TYPE_CHECKING:` block counts too)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                base = [node.module] if node.module else [a.name for a in node.names]
            elif node.level == 0 and (node.module or "").startswith("kiosk.session."):
                base = [node.module.split(".")[2]]
            else:
                continue
            found.update(b.split(".")[0] for b in base)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names
                         if a.name.startswith("kiosk.session."))
    return found - {name}


def test_no_import_cycle():
    trees = modules()
    graph = {name: session_imports(name, tree) & set(trees) for name, tree in trees.items()}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(name):] + [name]))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, path + [name])
        done.add(name)

    for name in graph:
        visit(name, [])
    assert "machine" not in set().union(*graph.values()), "nothing imports the session itself"


def test_no_file_is_too_long():
    long = {p.name: n for p in PACKAGE.glob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_nobody_touches_another_objects_private_state():
    touched = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                    and not node.attr.startswith("__") \
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                touched.append(f"{name}.py:{node.lineno} {ast.unparse(node)}")
    assert not touched, touched
