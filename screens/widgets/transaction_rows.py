"""Rows of transactions (date, description and counterparty, amount, balance), for the
transaction query and the statement preview."""
from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty
from kivy.uix.boxlayout import BoxLayout

from .rows import fill_rows


class TransactionRow(BoxLayout):
    item = DictProperty({})


def show_transactions(container: Any, items: list[dict[str, Any]]) -> None:
    fill_rows(container, items, TransactionRow, lambda row, item: setattr(row, "item", item))
