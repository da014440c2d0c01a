"""What every screen shares: it renders one session `State` and sends actions back.

A screen never names another screen and never calls the session: it dispatches `on_action`
and the shell forwards it. `render(state)` runs on the UI thread.
"""
from __future__ import annotations

import time
from typing import Any, Callable, ClassVar

from kivy.clock import Clock
from kivy.properties import (DictProperty, ListProperty, NumericProperty, ObjectProperty,
                             StringProperty)
from kivy.uix.screenmanager import Screen

from kiosk.i18n import translate
from kiosk.session.states import State, Step

from .widgets.actions import ActionSource
from .widgets.controls import KButton
from .widgets.rows import fill_rows, forget_rows, stock_rows


class KioskScreen(ActionSource, Screen):
    step: ClassVar[Step]
    state = ObjectProperty(None, allownone=True)
    view = DictProperty({})
    actions = ListProperty([])   # what the session accepts now (for .kv: 'receipt' in root.actions)
    message = StringProperty("")
    # what "now" is for countdowns shown on screen; the session's clock in tests
    now: Callable[[], float] = staticmethod(time.monotonic)
    seconds_left = NumericProperty(0)   # of the countdown this screen shows, if any
    _until = 0.0
    _ticking = None

    def render(self, state: State) -> None:
        self.state = state
        self.view = dict(state.view)
        self.actions = list(state.actions)
        self.message = self.tr(state.message_id)
        self.on_render(state)

    def on_render(self, state: State) -> None:
        """Hook: fill lists and anything the .kv cannot bind directly."""

    def forget(self) -> None:
        """The customer's session is over: drop everything this screen was given or typed,
        lists included, so the next customer meets none of it (shown or not)."""
        self.on_leave()
        self.state = None
        self.view = {}
        self.actions = []
        self.message = ""
        self.seconds_left = 0
        forget_rows(self)
        self.on_forget()

    def on_forget(self) -> None:
        """Hook: clear what the screen keeps of its own (input typed, candidates)."""

    def prepare(self, page_size: int) -> None:
        """Hook, before the screen is first needed: build the rows of its lists (up to
        `page_size`) so its first showing only fills them in."""

    def tr(self, msgid: str, **values: Any) -> str:
        language = self.state.language if self.state is not None else "zh_CN"
        text = translate(language, msgid) if msgid else ""
        return text.format(**values) if values else text

    def fill_choices(self, container: Any, choices: list[tuple[str, str, dict[str, Any]]],
                     button_class: Any = None, **button_args: Any) -> list[Any]:
        """One button per (text, action, args) choice in `container` (its buttons reused);
        touching a button sends its action with its args."""
        def refresh(button: Any, choice: tuple[str, str, dict[str, Any]]) -> None:
            button.text, button.action, button.action_args = choice
            for name, value in button_args.items():
                setattr(button, name, value)

        return fill_rows(container, choices, lambda: self.choice_button(button_class), refresh)

    def stock_choices(self, container: Any, count: int, button_class: Any = None) -> None:
        stock_rows(container, count, lambda: self.choice_button(button_class))

    def choice_button(self, button_class: Any = None) -> Any:
        """A button that sends the action and args it is given when touched."""
        button = (button_class or KButton)()
        button.bind(on_release=lambda b: self.send(b.action, **b.action_args))
        return button

    def count_down(self, seconds: float) -> None:
        """Show `seconds_left` going down (display only: the session owns every timeout)."""
        self._until = self.now() + max(0.0, float(seconds))
        self._tick()
        if self._ticking is None:
            self._ticking = Clock.schedule_interval(self._tick, 0.25)

    def _tick(self, *_) -> None:
        self.seconds_left = max(0, int(self._until - self.now() + 0.999))

    def arriving(self) -> bool:
        """True while rendering the state that brings this screen up (not a re-render)."""
        return self.manager is None or self.manager.current != self.name

    def on_leave(self, *_):
        if self._ticking is not None:
            self._ticking.cancel()
            self._ticking = None

    def accepts(self, action: str) -> bool:
        return self.state is not None and self.state.accepts(action)
