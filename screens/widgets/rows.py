"""Lists on screens (transactions, accounts, choices) that keep their row widgets.

Building a row runs its kv rules (tens of bindings and canvas instructions each); a page of
transactions rebuilt on every render cost more than the whole rest of a screen change. Rows
already in the container are given the new values; rows a shorter list leaves over are kept
aside for the next longer one, so a row is built once for the life of the screen.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Sequence

_spare: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # container -> rows taken off


def _spare_rows(container: Any) -> list[Any]:
    return _spare.setdefault(getattr(container, "__self__", container), [])  # not an ids proxy


def fill_rows(container: Any, values: Sequence[Any], build: Callable[[], Any],
              refresh: Callable[[Any, Any], None]) -> list[Any]:
    """Show one row per value in `container`, in order: the rows it has, then kept ones, then
    new blank ones from `build()`, each given its value by `refresh(row, value)`; rows beyond
    the list are taken off and kept. The rows, in order."""
    spare = _spare_rows(container)
    rows = list(reversed(container.children))   # Kivy keeps children last-added first
    for row in rows[len(values):]:
        container.remove_widget(row)
        spare.append(row)
    shown = []
    for index, value in enumerate(values):
        if index < len(rows):
            row = rows[index]
        else:
            row = spare.pop() if spare else build()
            container.add_widget(row)
        refresh(row, value)
        shown.append(row)
    return shown


def stock_rows(container: Any, count: int, build: Callable[[], Any]) -> None:
    """Build blank rows for `container` ahead of time (while nobody waits), to fill later."""
    spare = _spare_rows(container)
    spare.extend(build() for _ in range(max(0, count - len(spare) - len(container.children))))
