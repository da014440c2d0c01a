"""A device or host failure: a clear message and the ways forward."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen


class ErrorScreen(KioskScreen):
    step = Step.ERROR

    def on_render(self, state: State) -> None:
        ways = state.view.get("ways", [])
        buttons = self.fill_choices(self.ids.ways, [(self.tr(f"way_{way}"), way, {})
                                                    for way in ways], style="secondary")
        if buttons:
            buttons[0].style = "primary"   # the first way is the one the bank suggests
