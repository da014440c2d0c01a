"""'Need more time?': a countdown before the session ends by itself."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty

from kiosk.session.states import State, Step

from .base import KioskScreen


class MoreTimeScreen(KioskScreen):
    step = Step.MORE_TIME
    seconds_left = NumericProperty(0)
    _event = None

    def on_render(self, state: State) -> None:
        if self.manager is None or self.manager.current != self.name:
            self.seconds_left = state.seconds_left or 0
            if self._event is not None:
                self._event.cancel()
            self._event = Clock.schedule_interval(self._count, 1.0)

    def _count(self, _dt) -> None:
        # display only: the session owns the timeout and ends the session itself
        self.seconds_left = max(0, self.seconds_left - 1)

    def on_leave(self, *_):
        if self._event is not None:
            self._event.cancel()
            self._event = None
