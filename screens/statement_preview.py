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
        for item in state.view.get("lines", [])[: max(1, state.page_size - 2)]:
            rows.add_widget(TransactionRow(item=item))
