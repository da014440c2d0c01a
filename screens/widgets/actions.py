"""Widgets that send the customer's choices upward as `on_action(action, args)` events.

The shell binds these events to the session; no widget knows the session or another screen.
"""
from __future__ import annotations

from typing import Any

from kivy.event import EventDispatcher


class ActionSource(EventDispatcher):
    __events__ = ("on_action",)

    def send(self, action: str, **args: Any) -> None:
        self.dispatch("on_action", action, args)

    def on_action(self, action: str, args: dict[str, Any]) -> None:
        pass
