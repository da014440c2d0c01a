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
        ranges = self.ids.ranges
        ranges.clear_widgets()
        for range_id in state.view.get("ranges", []):
            chip = Chip(text=self.tr(f"range_{range_id}"), selected=range_id == state.view.get("range"))
            chip.range_id = range_id
            chip.bind(on_release=lambda c: self.send("range", range=c.range_id))
            ranges.add_widget(chip)
        rows = self.ids.rows
        rows.clear_widgets()
        for item in state.view.get("items", []):
            rows.add_widget(TransactionRow(item=item))
