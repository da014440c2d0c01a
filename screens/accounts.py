"""Account overview: the customer's accounts with masked numbers and balances."""
from __future__ import annotations

from kivy.properties import BooleanProperty, DictProperty
from kivy.uix.behaviors import ButtonBehavior

from kiosk.i18n import N_
from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.actions import ActionSource
from .widgets.controls import Card
from .widgets.rows import fill_rows, stock_rows

KIND_TEXT = {"debit": N_("Debit card account"), "savings": N_("Savings account"), "credit": N_("Credit card")}


class AccountRow(ActionSource, ButtonBehavior, Card):
    account = DictProperty({})
    selected = BooleanProperty(False)

    def on_release(self):
        self.send("account", index=self.account.get("index", 0))


class AccountsScreen(KioskScreen):
    step = Step.ACCOUNTS

    def prepare(self, page_size: int) -> None:
        stock_rows(self.ids.accounts, page_size, self._account_row)

    def _account_row(self) -> AccountRow:
        row = AccountRow()
        row.bind(on_action=lambda _w, action, args: self.send(action, **args))
        return row

    def on_render(self, state: State) -> None:
        selected = state.view.get("selected")

        def refresh(row: AccountRow, account: dict) -> None:
            row.account = account
            row.selected = account.get("index") == selected

        fill_rows(self.ids.accounts, state.view.get("accounts", [])[: state.page_size],
                  self._account_row, refresh)
