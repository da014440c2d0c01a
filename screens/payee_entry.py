"""Transfer to a new payee: the account number on a keypad and the payee's name in pinyin.

What is typed stays on this screen until the customer presses Continue; the session checks it.
"""
from __future__ import annotations

from kivy.properties import OptionProperty, StringProperty

from kiosk.session.states import State, Step

from .base import KioskScreen

MAX_ACCOUNT_DIGITS = 25
MAX_NAME_LETTERS = 40


def group_digits(number: str) -> str:
    """'6222020000000000018' -> '6222 0200 0000 0000 018' (easier to check by eye)."""
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


class PayeeEntryScreen(KioskScreen):
    step = Step.PAYEE_ENTRY
    account_number = StringProperty("")
    name = StringProperty("")
    field = OptionProperty("account", options=("account", "name"))
    _entered: tuple[str, str] | None = None

    def on_render(self, state: State) -> None:
        entered = (state.view.get("account_number", ""), state.view.get("name", ""))
        if entered != self._entered:  # a new entry or the session changed it: show that
            self._entered = entered
            self.account_number, self.name = entered
            self.field = "account" if not self.account_number or self.name else "name"

    def add_digit(self, index: int) -> None:
        digit = self.ids.keypad.keys[index]
        if len(self.account_number) < MAX_ACCOUNT_DIGITS:
            self.account_number += digit

    def backspace(self) -> None:
        if self.field == "account":
            self.account_number = self.account_number[:-1]
        else:
            self.name = self.name[:-1]

    def clear(self) -> None:
        self.account_number = ""

    def add_letter(self, letter: str) -> None:
        if len(self.name) < MAX_NAME_LETTERS:
            self.name += letter

    def add_space(self) -> None:
        if self.name and not self.name.endswith(" "):
            self.name += " "

    def submit(self) -> None:
        self.send("submit", account_number=self.account_number, name=self.name.strip())
