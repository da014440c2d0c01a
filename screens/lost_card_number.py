"""Lost card: the number of the lost card, typed on a keypad (the ID card identified the owner)."""
from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty

from kiosk.session.states import State, Step

from .base import KioskScreen


class LostCardNumberScreen(KioskScreen):
    step = Step.LOST_CARD_NUMBER
    number = StringProperty("")
    # the card number's length the session accepts (kiosk/session/rules.py), from the view
    min_digits = NumericProperty(1)
    max_digits = NumericProperty(0)
    _entered: str | None = None

    def on_render(self, state: State) -> None:
        length = state.view.get("number_length", {})
        self.min_digits, self.max_digits = length.get("min", 1), length.get("max", 0)
        entered = state.view.get("number", "")
        if self.arriving() or entered != self._entered:
            self._entered = entered
            self.number = entered

    def on_forget(self) -> None:
        self._entered = None
        self.number = ""

    def add_digit(self, index: int) -> None:
        if len(self.number) < self.max_digits:
            self.number += self.ids.keypad.keys[index]
