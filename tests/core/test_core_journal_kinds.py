"""Journal kinds are dotted (`area.event`, e.g. `transfer.pending`, `help.cancelled`) wherever
they are written: end of day, the console and the tests read them by those names."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.config import REPO_ROOT

DOTTED = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
WRITERS = {"record", "journal", "_journal", "_record", "_start_lock"}


def written_kinds() -> list[tuple[str, int, str]]:
    """(file, line, kind) of every literal kind handed to a journal writer in kiosk/."""
    found = []
    for path in sorted((REPO_ROOT / "kiosk").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0]
            if name not in WRITERS:
                continue
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                kind = first.value
            elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                kind = first.values[0].value + "x"   # f"host.{operation}": its fixed part
            else:
                continue
            found.append((str(path.relative_to(REPO_ROOT)), node.lineno, kind))
    return found


def test_every_journal_kind_written_is_dotted():
    kinds = written_kinds()
    assert len(kinds) > 30 and any(k == "help.cancelled" for _, _, k in kinds)
    undotted = [k for k in kinds if not DOTTED.fullmatch(k[2])]
    assert not undotted, f"journal kinds not dotted: {undotted}"
