"""'Need more time?': a countdown before the session ends by itself (the session's timer)."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty

from kiosk.session.states import State, Step

from .base import KioskScreen


class MoreTimeScreen(KioskScreen):
    step = Step.MORE_TIME
    seconds_left = NumericProperty(0)
    _until = 0.0
    _event = None

    def on_render(self, state: State) -> None:
        if self.manager is None or self.manager.current != self.name:
            self._until = self.now() + (state.seconds_left or 0)
            self._count()
            if self._event is None:
                self._event = Clock.schedule_interval(self._count, 0.25)

    def _count(self, *_) -> None:
        self.seconds_left = max(0, int(self._until - self.now() + 0.999))

    def on_leave(self, *_):
        if self._event is not None:
            self._event.cancel()
            self._event = None
