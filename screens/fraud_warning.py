"""Transfer: the anti-fraud warning, which can be acknowledged only after time to read it.

The session enforces the reading time; the countdown here only shows it.
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KLabel


class FraudWarningScreen(KioskScreen):
    step = Step.FRAUD_WARNING
    wait_left = NumericProperty(0)
    _until = 0.0
    _event = None

    def on_render(self, state: State) -> None:
        box = self.ids.warnings
        box.clear_widgets()
        for message_id in state.view.get("warnings", []):
            box.add_widget(KLabel(text="•  " + self.tr(message_id), role="body"))
        arriving = self.manager is None or self.manager.current != self.name
        if arriving:  # not on a re-render (language switch): the reading time runs once
            self._until = self.now() + float(state.view.get("min_read_s", 0))
            self._count()
            if self._event is None:
                self._event = Clock.schedule_interval(self._count, 0.25)

    def _count(self, *_) -> bool:
        self.wait_left = max(0, int(self._until - self.now() + 0.999))
        if self.wait_left == 0 and self._event is not None:
            self._event.cancel()
            self._event = None
        return True

    def on_leave(self, *_):
        if self._event is not None:
            self._event.cancel()
            self._event = None
