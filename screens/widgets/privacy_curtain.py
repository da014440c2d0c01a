"""Covers the PIN pad and balances while the camera sees someone close behind the customer
(the session's `shielded`). It is in the window only while shown, so it never takes a touch
meant for the screen below."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from .actions import ActionSource


class PrivacyCurtain(ActionSource, BoxLayout):
    pass
