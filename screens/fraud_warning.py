"""Transfer: the anti-fraud warning, which can be acknowledged only after time to read it.

The session enforces the reading time; the countdown here only shows it.
"""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KLabel
from .widgets.rows import fill_rows


class FraudWarningScreen(KioskScreen):
    step = Step.FRAUD_WARNING

    def on_render(self, state: State) -> None:
        fill_rows(self.ids.warnings,
                  ["•  " + self.tr(message_id) for message_id in state.view.get("warnings", [])],
                  lambda: KLabel(role="body"),
                  lambda label, text: setattr(label, "text", text))
        if self.arriving():  # not on a re-render (language switch): the reading time runs once
            self.count_down(state.view.get("min_read_s", 0))
