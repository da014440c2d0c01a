"""What a widget out of view leaves for later.

A screen that is not shown, or a widget taken off the window (a list's spare rows, the keypad
that waits while the letter keyboard is in use, the privacy curtain), need not follow a change
of the theme or draw its changed text until it is in the window again: a language switch or
larger text changes every built screen, and following it on all of them at once would stall
the screen the customer is looking at.

A widget is out of view when the top of its tree is not the window (a hidden screen has no
parent: the screen manager keeps only the current screen in the window). Such a widget keeps
the work it puts off (`put_off`), a label marks its text stale (controls.ScreenText), and the
widget and every widget above it watch their parent. When any of them is added to a tree in
view, everything under it catches up within that frame (`catch_up`), before it is drawn; so a
widget that held work never shows in the window without having done it, whatever moved.
"""
from __future__ import annotations

from typing import Any, Callable
from weakref import WeakKeyDictionary, WeakSet

Work = dict[Any, tuple[Callable[..., Any], tuple[Any, ...]]]

_held: WeakKeyDictionary[Any, Work] = WeakKeyDictionary()   # widget out of view -> its work
_watched: WeakSet[Any] = WeakSet()                          # widgets that watch their parent


def put_off(widget: Any, key: Any = None, function: Callable[..., Any] | None = None,
            *args: Any) -> bool:
    """If the widget is out of view, keep `function(*args)` (once per `key`; no function:
    nothing but to be told when it comes into view) and return True; return False for a
    widget in view (do it now)."""
    widget = widget.__self__                       # not an ids proxy
    work = _held.get(widget)
    if work is None:                               # a held widget is out of view: see _moved
        if not _watch_up(widget):
            return False
        work = _held[widget] = {}
    if function is not None:
        # done once, in the order last asked for: of two rules setting one property (a
        # class rule and a screen's own), the one triggered last wins, as it would in view
        work.pop(key, None)
        work[key] = (function, args)
    return True


def _watch_up(widget: Any) -> bool:
    """False if the widget is in view (the window is its own parent); else True, and the
    widget and all above it watch their parent."""
    path = [widget]
    parent = widget.parent
    while parent is not None:
        if parent is widget:
            return False
        widget, parent = parent, parent.parent
        path.append(widget)
    for widget in path:
        if widget not in _watched:
            _watched.add(widget)
            widget.fbind("parent", _moved)
    return True


def _moved(widget: Any, parent: Any) -> None:
    if parent is not None and _held and not _watch_up(widget):
        catch_up(widget)


def catch_up(root: Any) -> int:
    """Do the put-off work and draw the stale text of `root` and everything under it (as it
    comes into view, so its layout follows within the frame; or a screen built ahead while
    nobody waits); how many widgets caught up."""
    caught = 0
    for widget in list(root.walk(restrict=True)):   # the work may add or take off widgets
        work = _held.pop(widget, None)
        if work is None:
            continue
        caught += 1
        for function, args in work.values():
            try:
                function(*args)
            except ReferenceError:                 # a widget of the rule is gone
                pass
        if getattr(widget, "text_stale", False):
            widget.render_text()
    return caught


def held(widget: Any) -> bool:
    """Whether the widget has put off work (or text) it has not caught up yet."""
    return widget.__self__ in _held
