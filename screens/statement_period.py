"""Statement: choose the period it covers."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KButton


class StatementPeriodScreen(KioskScreen):
    step = Step.STATEMENT_PERIOD

    def on_render(self, state: State) -> None:
        grid = self.ids.periods
        grid.clear_widgets()
        for period in state.view.get("periods", []):
            button = KButton(text=self.tr(f"period_{period}"), style="secondary")
            button.period = period
            button.bind(on_release=lambda b: self.send("choose", period=b.period))
            grid.add_widget(button)
