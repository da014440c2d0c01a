"""Transfer: the anti-fraud warning, which can be acknowledged only after time to read it.

The session enforces the reading time; the countdown here only shows it.
"""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KLabel


class FraudWarningScreen(KioskScreen):
    step = Step.FRAUD_WARNING

    def on_render(self, state: State) -> None:
        box = self.ids.warnings
        box.clear_widgets()
        for message_id in state.view.get("warnings", []):
            box.add_widget(KLabel(text="•  " + self.tr(message_id), role="body"))
        if self.arriving():  # not on a re-render (language switch): the reading time runs once
            self.count_down(state.view.get("min_read_s", 0))
