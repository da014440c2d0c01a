"""Basic controls: buttons with big touch targets, text labels and a card surface.

Sizes come from the theme and change with elderly mode. Kivy keeps the bindings of a class
rule and of an instance rule side by side, so instances never set `font_size` or `height` on
these classes; they choose a `role`/`text_role`, a `size_factor` or a `fixed_height` instead.
"""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

TEXT_ROLES = ("title", "heading", "body", "small", "figure")


class KText(Label):
    """Text in the theme's colours; `role` picks the size."""
    role = OptionProperty("body", options=TEXT_ROLES)


class KLabel(KText):
    """Wrapping text as tall as it needs to be."""


class CellLabel(KText):
    """Text filling a fixed cell (table columns, rows of buttons), centred vertically."""


class KButton(ButtonBehavior, Label):
    """A touch target at least the theme's button height. `action` names what it sends."""
    style = OptionProperty("primary", options=("primary", "secondary", "danger", "quiet",
                                               "selected"))
    text_role = OptionProperty("button", options=("button", "key", "header") + TEXT_ROLES)
    size_factor = NumericProperty(1.0)
    fixed_height = NumericProperty(0)
    action = StringProperty("")
    selected = BooleanProperty(False)


class Card(BoxLayout):
    """A white surface with rounded corners that groups related content."""


class Chip(KButton):
    """A smaller toggle-like choice (date range, period, rating)."""
