"""Statement preview: opening and closing balance and the first lines, before printing."""
from __future__ import annotations

from kiosk.session.statement import PREVIEW_LINES
from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.rows import stock_rows
from .widgets.transaction_rows import TransactionRow, show_transactions


class StatementPreviewScreen(KioskScreen):
    step = Step.STATEMENT_PREVIEW

    def prepare(self, page_size: int) -> None:
        stock_rows(self.ids.lines, PREVIEW_LINES, TransactionRow)

    def on_render(self, state: State) -> None:
        show_transactions(self.ids.lines, state.view.get("lines", []))
