"""A device or host failure: a clear message and the ways forward."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KButton


class ErrorScreen(KioskScreen):
    step = Step.ERROR

    def on_render(self, state: State) -> None:
        row = self.ids.ways
        row.clear_widgets()
        for rank, way in enumerate(state.view.get("ways", [])):
            button = KButton(text=self.tr(f"way_{way}"),
                             style="primary" if rank == 0 else "secondary")
            button.way = way
            button.bind(on_release=lambda b: self.send(b.way))
            row.add_widget(button)
