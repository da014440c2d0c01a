"""Lost card: the number of the lost card, typed on a keypad (the ID card identified the owner)."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.session.states import State, Step

from .base import KioskScreen

MAX_CARD_DIGITS = 19


class LostCardNumberScreen(KioskScreen):
    step = Step.LOST_CARD_NUMBER
    number = StringProperty("")
    _entered: str | None = None

    def on_render(self, state: State) -> None:
        entered = state.view.get("number", "")
        if self.arriving() or entered != self._entered:
            self._entered = entered
            self.number = entered

    def on_forget(self) -> None:
        self._entered = None
        self.number = ""

    def add_digit(self, index: int) -> None:
        if len(self.number) < MAX_CARD_DIGITS:
            self.number += self.ids.keypad.keys[index]
