"""Statement: choose the period it covers."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen


class StatementPeriodScreen(KioskScreen):
    step = Step.STATEMENT_PERIOD

    def on_render(self, state: State) -> None:
        self.fill_choices(self.ids.periods, [
            (self.tr(f"period_{period}"), "choose", {"period": period})
            for period in state.view.get("periods", [])], style="secondary")
