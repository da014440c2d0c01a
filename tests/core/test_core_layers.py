"""The house's layers, checked on every import statement (module level, in functions and under
TYPE_CHECKING alike): drivers/ never imports kiosk/ or screens/; kiosk/ never imports Kivy or
screens/; only the composition root (kiosk/core.py) wires the kiosk's parts together."""
from __future__ import annotations

import ast
from pathlib import Path

from kiosk.config import REPO_ROOT


def imports(folder: str) -> list[tuple[str, str]]:
    """(file, absolute module name) of every import under `folder`."""
    found = []
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(REPO_ROOT)), a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                found.append((str(path.relative_to(REPO_ROOT)), module))
    return found


def offending(folder: str, *forbidden: str) -> list[str]:
    return [f"{file}: {module}" for file, module in imports(folder)
            if any(module == f or module.startswith(f + ".") for f in forbidden)]


def test_drivers_never_import_the_kiosk_or_the_skin():
    assert not offending("drivers", "kiosk", "screens")


def test_only_the_composition_root_wires_staff_links_fleet_and_console():
    wiring = ("kiosk.fleet", "kiosk.console", "kiosk.technician")
    assert not offending("kiosk/alerts", *wiring)
    assert not (REPO_ROOT / "kiosk" / "alerts" / "staff_links.py").exists()


def test_the_layer_check_sees_relative_imports():
    here = [m for f, m in imports("kiosk/session") if f.endswith("machine.py")]
    assert "kiosk.session.engine" in here and "kiosk.config" in here
    assert Path(REPO_ROOT / "kiosk" / "core.py").is_file()
