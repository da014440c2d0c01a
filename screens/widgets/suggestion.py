"""A tactful product suggestion the customer can dismiss with one touch."""
from __future__ import annotations

from kivy.properties import DictProperty
from kivy.uix.boxlayout import BoxLayout

from .actions import ActionSource


class SuggestionBanner(ActionSource, BoxLayout):
    suggestion = DictProperty({})
