"""Transfer amount on a keypad, with the limits, the money available and the fee."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import N_, translate
from kiosk.session.rules import problem_limit_fen
from kiosk.session.states import State, Step

from .base import KioskScreen
from .formatting import money, parse_amount

MAX_AMOUNT_CHARS = 10


def fee_text(view: dict, typed: str, language: str) -> str:
    """The fee for what is typed so far as the session priced it with the host's schedule for
    this payee (the confirm screen shows the host's own quote); the schedule's wording until
    the session has priced this amount."""
    schedule = view.get("fee_schedule")
    if not schedule:
        return translate(language, N_("Shown before you confirm"))
    if view.get("fee_free"):
        return translate(language, N_("Free of charge"))
    amount = parse_amount(typed) or 0
    if amount and view.get("priced_fen") == amount and view.get("fee_fen") is not None:
        return money(view["fee_fen"])
    return translate(language, N_("{rate} of the amount, {low} to {high}")).format(
        rate=f"{schedule['rate_bp'] / 100:g}%", low=whole_money(schedule["min_fen"]),
        high=whole_money(schedule["max_fen"]))


def problem_text(view: dict, language: str) -> str:
    """Why the amount was refused; a limit it goes over is named with its figure."""
    problem = view.get("problem")
    if not problem:
        return ""
    limit = problem_limit_fen(view)
    text = translate(language, problem)
    return text if limit is None else text.format(limit=money(limit))


def whole_money(fen: int) -> str:
    """¥25 rather than ¥25.00 where there are no fen: short enough not to wrap in a tile."""
    return f"¥{fen // 100:,}" if fen % 100 == 0 else money(fen)


class AmountScreen(KioskScreen):
    step = Step.AMOUNT
    typed = StringProperty("")
    _entered: int | None = None

    def on_render(self, state: State) -> None:
        entered = state.view.get("amount_fen") or 0
        if self.arriving() or entered != self._entered:
            self._entered = entered
            self.typed = "" if not entered else (f"{entered // 100}" if entered % 100 == 0
                                                 else f"{entered // 100}.{entered % 100:02d}")

    def on_forget(self) -> None:
        self._entered = None
        self.typed = ""

    def on_typed(self, *_) -> None:
        """The session prices each amount as it is typed (the fee rule is the host's)."""
        fen = parse_amount(self.typed) or 0
        if fen and self.state is not None and self.state.step == Step.AMOUNT \
                and self.view.get("priced_fen") != fen:
            self.send("price", amount_fen=fen)

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
