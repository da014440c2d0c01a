"""Transfer: the anti-fraud warning, which can be acknowledged only after time to read it."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KLabel


class FraudWarningScreen(KioskScreen):
    step = Step.FRAUD_WARNING
    wait_left = NumericProperty(0)
    _event = None

    def on_render(self, state: State) -> None:
        box = self.ids.warnings
        box.clear_widgets()
        for message_id in state.view.get("warnings", []):
            box.add_widget(KLabel(text="•  " + self.tr(message_id), role="heading"))
        arriving = self.manager is None or self.manager.current != self.name
        if arriving:  # not on a re-render (language switch): the reading time runs once
            self._start_countdown(int(state.view.get("min_read_s", 0)))

    def _start_countdown(self, seconds: int) -> None:
        if self._event is not None:
            self._event.cancel()
        self.wait_left = max(0, seconds)
        self._event = Clock.schedule_interval(self._count, 1.0) if seconds > 0 else None

    def _count(self, _dt) -> bool:
        self.wait_left = max(0, self.wait_left - 1)
        if self.wait_left == 0:
            self._event = None
            return False
        return True

    def on_leave(self, *_):
        if self._event is not None:
            self._event.cancel()
            self._event = None
