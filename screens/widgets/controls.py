"""Basic controls: buttons with big touch targets, text labels and a card surface.

Sizes come from the theme and change with elderly mode. Kivy keeps the bindings of a class
rule and of an instance rule side by side, so instances never set `font_size` or `height` on
these classes; they choose a `role`/`text_role`, a `size_factor` or a `fixed_height` instead.
"""
from __future__ import annotations

from kivy.properties import (BooleanProperty, DictProperty, NumericProperty, OptionProperty,
                             StringProperty)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

TEXT_ROLES = ("title", "heading", "body", "small", "figure")


def on_hidden_screen(widget) -> bool:
    """True if the widget is on a screen that is not in the window (not the current one)."""
    parent = widget.parent
    while parent is not None and parent is not parent.parent:   # the window is its own parent
        if isinstance(parent, Screen):
            return parent.parent is None
        parent = parent.parent
    return False


class ScreenText:
    """Text that a hidden screen renders when it comes up rather than whenever it changes.

    A language switch or larger text changes every string of every built screen; drawing
    them all at once would stall the screen the customer is looking at. `render_stale_text`
    catches a screen up as it is shown (in the same frame, before it is drawn).
    """
    text_stale = False

    def texture_update(self, *largs):
        if on_hidden_screen(self):
            self.text_stale = True
            return
        self.render_text()

    def render_text(self) -> None:
        self.text_stale = False
        super().texture_update()


def render_stale_text(root) -> int:
    """Render the deferred text under `root`; how many labels it caught up."""
    stale = [w for w in root.walk() if getattr(w, "text_stale", False)]
    for widget in stale:
        widget.render_text()
    return len(stale)


class KText(ScreenText, Label):
    """Text in the theme's colours; `role` picks the size."""
    role = OptionProperty("body", options=TEXT_ROLES)


class KLabel(KText):
    """Wrapping text as tall as it needs to be."""


class CellLabel(KText):
    """Text filling a fixed cell (table columns, rows of buttons), centred vertically."""


class KButton(ScreenText, ButtonBehavior, Label):
    """A touch target at least the theme's button height. `action` names what it sends."""
    style = OptionProperty("primary", options=("primary", "secondary", "danger", "quiet",
                                               "selected"))
    text_role = OptionProperty("button", options=("button", "key", "header") + TEXT_ROLES)
    size_factor = NumericProperty(1.0)
    fixed_height = NumericProperty(0)
    action = StringProperty("")
    action_args = DictProperty({})
    selected = BooleanProperty(False)


class Card(BoxLayout):
    """A white surface with rounded corners that groups related content."""


class Chip(KButton):
    """A smaller toggle-like choice (date range, period, rating)."""
