"""Basic controls: a button with a big touch target, text labels and a card surface."""
from __future__ import annotations

from kivy.properties import BooleanProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label


class KLabel(Label):
    """Wrapping text in the theme's colours; `role` picks the size."""
    role = OptionProperty("body", options=("title", "heading", "body", "small", "figure"))


class KButton(ButtonBehavior, Label):
    """A touch target of at least the theme's button height. `action` names what it sends."""
    style = OptionProperty("primary", options=("primary", "secondary", "danger", "quiet",
                                               "selected"))
    action = StringProperty("")
    selected = BooleanProperty(False)


class Card(BoxLayout):
    """A white surface with rounded corners that groups related content."""


class Chip(KButton):
    """A smaller toggle-like choice (date range, period, rating)."""
