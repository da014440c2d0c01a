"""Statement preview: opening and closing balance and the first lines, before printing."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .transactions import TransactionRow


class StatementPreviewScreen(KioskScreen):
    step = Step.STATEMENT_PREVIEW

    def on_render(self, state: State) -> None:
        rows = self.ids.lines
        rows.clear_widgets()
        shown = 0 if state.elderly else 3   # the first lines only: the rest is on paper
        for item in state.view.get("lines", [])[:shown]:
            rows.add_widget(TransactionRow(item=item))
