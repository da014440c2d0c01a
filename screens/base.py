"""What every screen shares: it renders one session `State` and sends actions back.

A screen never names another screen and never calls the session: it dispatches `on_action`
and the shell forwards it. `render(state)` runs on the UI thread.
"""
from __future__ import annotations

import time
from typing import Any, Callable, ClassVar

from kivy.properties import DictProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import translate
from kiosk.session.states import State, Step

from .widgets.actions import ActionSource


class KioskScreen(ActionSource, Screen):
    step: ClassVar[Step]
    state = ObjectProperty(None, allownone=True)
    view = DictProperty({})
    actions = ListProperty([])   # what the session accepts now (for .kv: 'receipt' in root.actions)
    message = StringProperty("")
    # what "now" is for countdowns shown on screen; the session's clock in tests
    now: Callable[[], float] = staticmethod(time.monotonic)

    def render(self, state: State) -> None:
        self.state = state
        self.view = dict(state.view)
        self.actions = list(state.actions)
        self.message = self.tr(state.message_id)
        self.on_render(state)

    def on_render(self, state: State) -> None:
        """Hook: fill lists and anything the .kv cannot bind directly."""

    def tr(self, msgid: str, **values: Any) -> str:
        language = self.state.language if self.state is not None else "zh_CN"
        text = translate(language, msgid) if msgid else ""
        return text.format(**values) if values else text

    def accepts(self, action: str) -> bool:
        return self.state is not None and self.state.accepts(action)
