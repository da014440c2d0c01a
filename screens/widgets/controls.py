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

from .out_of_view import put_off

TEXT_ROLES = ("title", "heading", "body", "small", "figure")


class ScreenText:
    """Text that a label out of view (on a hidden screen, in a spare row) renders when it comes
    into the window rather than whenever it changes (screens/widgets/out_of_view.py).

    A language switch changes every string of every built screen; drawing them all at once
    would stall the screen the customer is looking at. A screen catches up as it is shown (in
    the same frame, before it is drawn).
    """
    text_stale = False

    def texture_update(self, *largs):
        if put_off(self):                      # drawn when it comes into view
            self.text_stale = True
            return
        self.render_text()

    def render_text(self) -> None:
        self.text_stale = False
        super().texture_update()
        self._trigger_texture.cancel()         # a change already waiting is drawn now


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
