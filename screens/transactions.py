"""Transaction query: a date range, one page of transactions, paging."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import Chip
from .widgets.rows import stock_rows
from .widgets.transaction_rows import TransactionRow, show_transactions


class TransactionsScreen(KioskScreen):
    step = Step.TRANSACTIONS

    def prepare(self, page_size: int) -> None:
        self.stock_choices(self.ids.ranges, 4, Chip)
        stock_rows(self.ids.rows, page_size, TransactionRow)

    def on_render(self, state: State) -> None:
        chips = self.fill_choices(self.ids.ranges, [
            (self.tr(f"range_{range_id}"), "range", {"range": range_id})
            for range_id in state.view.get("ranges", [])], Chip)
        for chip, range_id in zip(chips, state.view.get("ranges", [])):
            chip.selected = range_id == state.view.get("range")
        show_transactions(self.ids.rows, state.view.get("items", []))
