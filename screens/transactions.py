"""Transaction query: a date range, one page of transactions, paging."""
from __future__ import annotations

from kivy.properties import DictProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import Chip


class TransactionRow(BoxLayout):
    item = DictProperty({})


class TransactionsScreen(KioskScreen):
    step = Step.TRANSACTIONS

    def on_render(self, state: State) -> None:
        chips = self.fill_choices(self.ids.ranges, [
            (self.tr(f"range_{range_id}"), "range", {"range": range_id})
            for range_id in state.view.get("ranges", [])], Chip)
        for chip, range_id in zip(chips, state.view.get("ranges", [])):
            chip.selected = range_id == state.view.get("range")
        rows = self.ids.rows
        rows.clear_widgets()
        for item in state.view.get("items", []):
            rows.add_widget(TransactionRow(item=item))
