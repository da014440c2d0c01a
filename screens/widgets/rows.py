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
_filled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # container -> (refresh, blank)


def _spare_rows(container: Any) -> list[Any]:
    return _spare.setdefault(getattr(container, "__self__", container), [])  # not an ids proxy


def fill_rows(container: Any, values: Sequence[Any], build: Callable[[], Any],
              refresh: Callable[[Any, Any], None]) -> list[Any]:
    """Show one row per value in `container`, in order: the rows it has, then kept ones, then
    new blank ones from `build()`, each given its value by `refresh(row, value)`; rows beyond
    the list are taken off and kept. The rows, in order."""
    spare = _spare_rows(container)
    if values:
        _filled[getattr(container, "__self__", container)] = (refresh, _blank(values[0]))
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


def forget_rows(root: Any) -> None:
    """Empty every list under `root` and blank its rows, the ones kept aside included, so no
    row still holds what the last customer was shown."""
    for container, (refresh, blank) in list(_filled.items()):
        if _under(container, root):
            for row in list(container.children):
                container.remove_widget(row)
                _spare_rows(container).append(row)
            for row in _spare_rows(container):
                refresh(row, blank)


def _blank(value: Any) -> Any:
    """An empty value of the same shape: {} for a dict, ("", "", {}) for a (str, str, dict)."""
    if isinstance(value, tuple):
        return tuple(_blank(part) for part in value)
    return type(value)()


def _under(widget: Any, root: Any) -> bool:
    while widget is not None:
        if widget is root:
            return True
        parent = widget.parent
        widget = None if parent is widget else parent
    return False
