"""Statement preview: opening and closing balance and the first lines, before printing."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .transactions import TransactionRow, show_transactions
from .widgets.rows import stock_rows

PREVIEW_LINES = 3


class StatementPreviewScreen(KioskScreen):
    step = Step.STATEMENT_PREVIEW

    def prepare(self, page_size: int) -> None:
        stock_rows(self.ids.lines, PREVIEW_LINES, TransactionRow)

    def on_render(self, state: State) -> None:
        shown = 0 if state.elderly else PREVIEW_LINES   # the first lines: the rest is on paper
        show_transactions(self.ids.lines, state.view.get("lines", [])[:shown])
