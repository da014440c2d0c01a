"""Account overview: the customer's accounts with masked numbers and balances."""
from __future__ import annotations

from kivy.properties import BooleanProperty, DictProperty
from kivy.uix.behaviors import ButtonBehavior

from kiosk.i18n import N_
from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.actions import ActionSource
from .widgets.controls import Card

KIND_TEXT = {"debit": N_("Debit card account"), "savings": N_("Savings account"), "credit": N_("Credit card")}


class AccountRow(ActionSource, ButtonBehavior, Card):
    account = DictProperty({})
    selected = BooleanProperty(False)

    def on_release(self):
        self.send("account", index=self.account.get("index", 0))


class AccountsScreen(KioskScreen):
    step = Step.ACCOUNTS

    def on_render(self, state: State) -> None:
        box = self.ids.accounts
        box.clear_widgets()
        selected = state.view.get("selected")
        for account in state.view.get("accounts", [])[: state.page_size]:
            row = AccountRow(account=account, selected=account.get("index") == selected)
            row.bind(on_action=lambda _w, action, args: self.send(action, **args))
            box.add_widget(row)
