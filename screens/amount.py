"""Transfer amount on a keypad, with the limits, the money available and the fee."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.session.states import State, Step

from .base import KioskScreen
from .formatting import parse_amount

MAX_AMOUNT_CHARS = 10


class AmountScreen(KioskScreen):
    step = Step.AMOUNT
    typed = StringProperty("")
    _entered: int | None = None

    def on_render(self, state: State) -> None:
        entered = state.view.get("amount_fen") or 0
        if entered != self._entered:
            self._entered = entered
            self.typed = "" if not entered else (f"{entered // 100}" if entered % 100 == 0
                                                 else f"{entered // 100}.{entered % 100:02d}")

    def add_digit(self, index: int) -> None:
        text = self.typed + self.ids.keypad.keys[index]
        if len(text) > 1 and text[0] == "0" and text[1] != ".":
            text = text[1:]  # no leading zeros: "05" is 5
        if len(text) <= MAX_AMOUNT_CHARS and parse_amount(text) is not None:
            self.typed = text

    def add_point(self) -> None:
        if "." not in self.typed:
            self.typed = (self.typed or "0") + "."

    def submit(self) -> None:
        fen = parse_amount(self.typed)
        if fen:
            self.send("submit", amount_fen=fen)
